"""Training without boilerplate, optional: ``Trainer``/``fit`` run PyTorch's loop with validation,
metrics, callbacks, a ``History`` and exact resume; ``summary`` prints a layer table.

    >>> import chainrule as cr
    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    >>> print(cr.train.summary(model, (1, 4)).splitlines()[-6])
    Total params: 67
"""

from __future__ import annotations

from .callbacks import Callback, EarlyStopping, ModelCheckpoint, NaNGuard, ProgressBar
from .history import History
from .metrics import (
    Accuracy,
    FunctionMetric,
    MeanAbsoluteError,
    MeanSquaredError,
    Metric,
    R2Score,
    TopKAccuracy,
    accuracy,
    mae,
    mse,
    r2,
    top_k_accuracy,
)
from .summary import summary
from .trainer import Trainer, fit

__all__ = [
    "Trainer", "fit", "History", "summary",
    "Callback", "EarlyStopping", "ModelCheckpoint", "NaNGuard", "ProgressBar",
    "Metric", "Accuracy", "TopKAccuracy", "MeanSquaredError", "MeanAbsoluteError", "R2Score", "FunctionMetric",
    "accuracy", "top_k_accuracy", "mse", "mae", "r2",
]
