"""Standardized regression targets: train on (y − mean) / std, report and predict in the original units.

A target such as a price of 232 ± 76 is hard for a freshly initialized network whose outputs start
near 0 with unit scale: most of the early steps are spent moving the output bias. The run therefore
trains on ``z = (y − mean) / std`` (mean and std per target column, from the training split only),
stores the statistics in the checkpoint's data facts, and maps predictions back with
``y = z · std + mean``. The loss in the history is the loss on ``z``; every metric (MSE, MAE, R²) is
computed in the original units, so the numbers mean what the user's table means.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..train.metrics import Metric, _arr, get_metric

__all__ = ["fit_target_stats", "standardize_targets", "unstandardize", "Unstandardized"]


def fit_target_stats(y_train: Any) -> dict[str, list[float]]:
    """``{"mean": [...], "std": [...]}`` per target column of the training targets (a constant column keeps
    std 1)."""
    y = np.asarray(y_train.numpy() if hasattr(y_train, "numpy") else y_train, dtype=np.float64)
    y = y.reshape(len(y), -1)
    mean, std = y.mean(0), y.std(0)
    std = np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)
    return {"mean": mean.tolist(), "std": std.tolist()}


def _stats(stats: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(stats["mean"], np.float64), np.asarray(stats["std"], np.float64)


def standardize_targets(split: Any, stats: dict[str, Any]) -> None:
    """Replace ``split.y_train/y_val/y_test`` by ``(y − mean) / std`` (float32 Tensors, same shapes)."""
    from .._creation import from_numpy

    mean, std = _stats(stats)
    for part in ("train", "val", "test"):
        y = getattr(split, f"y_{part}").numpy().astype(np.float64)
        z = ((y.reshape(len(y), -1) - mean) / std).reshape(y.shape)
        setattr(split, f"y_{part}", from_numpy(np.ascontiguousarray(z, dtype=np.float32)))


def unstandardize(z: np.ndarray, stats: dict[str, Any] | None) -> np.ndarray:
    """Model outputs ``z`` (N, D) back in the target's units: ``z · std + mean`` (unchanged without stats)."""
    if not stats:
        return z
    mean, std = _stats(stats)
    z = np.asarray(z, np.float64)
    return (z.reshape(len(z), -1) * std + mean).reshape(z.shape)


class Unstandardized(Metric):
    """A metric of predictions and targets mapped back to the original units (``z · std + mean``)."""

    def __init__(self, metric: str, stats: dict[str, Any]) -> None:
        self.spec, self.stats = metric, stats
        self.name = get_metric(metric).name
        super().__init__()

    def reset(self) -> None:
        """A fresh inner metric (each copy made by ``get_metric`` gets its own)."""
        self.inner = get_metric(self.spec)

    def update(self, pred: Any, target: Any) -> None:
        """Accumulate one batch, in the original units."""
        p, t = _arr(pred), _arr(target)
        t = t.reshape(p.shape) if t.size == p.size else t
        self.inner.update(unstandardize(p, self.stats), unstandardize(t, self.stats))

    def compute(self) -> float:
        """The metric over every batch since the last reset."""
        return self.inner.compute()

    def state_dict(self) -> dict[str, Any]:
        """The inner metric's accumulators."""
        return self.inner.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""
        self.inner.load_state_dict(state)
