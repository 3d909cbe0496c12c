"""``chainrule.optim.lr_scheduler``: learning-rate schedules with PyTorch's API and exact semantics.

Every scheduler is stepped once per epoch (or per batch for CyclicLR/OneCycleLR/WarmupCosineLR)
*after* ``optimizer.step()``; it writes each param group's ``'lr'``. Schedules are chainable
like PyTorch's (they update the current lr recursively), and ``state_dict``/``load_state_dict``
resume a run exactly (the optimizer is not part of the scheduler's state: save it too).

The classes live in ``_schedulers_base`` (``LRScheduler``), ``_schedulers_simple`` (closed-form
style decays), ``_schedulers_cyclic`` (cyclic schedules and ``WarmupCosineLR``) and
``_schedulers_meta`` (``SequentialLR``, ``ChainedScheduler``, ``ReduceLROnPlateau``).
"""

from __future__ import annotations

from ._schedulers_base import LRScheduler, _LRScheduler  # noqa: F401  (_LRScheduler: backward-compatible name)
from ._schedulers_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, WarmupCosineLR
from ._schedulers_meta import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from ._schedulers_simple import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "LRScheduler",
    "WarmupCosineLR",
]


