"""Metrics: functions on ``(pred, target)`` and accumulating ``Metric`` objects for whole epochs.

Each function (``accuracy``, ``top_k_accuracy``, ``mse``, ``mae``, ``r2``) returns a Python float for
one batch (or a whole data set). The ``Metric`` classes accumulate exact sufficient statistics over
batches (counts and sums in float64; R² through a mean/variance merge), so an epoch's value is the
value on the whole epoch, not a mean of batch values: weighting by batch size is built in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor

__all__ = [
    "Metric", "Accuracy", "TopKAccuracy", "MeanSquaredError", "MeanAbsoluteError", "R2Score",
    "FunctionMetric", "accuracy", "top_k_accuracy", "mse", "mae", "r2", "get_metric", "auto_metrics",
]


def _arr(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _shape_error(name: str, p: np.ndarray, t: np.ndarray) -> ValueError:
    return ValueError(f"{name}: prediction and target shapes do not match; expected {list(p.shape)} "
                      f"(or as many elements), got target {list(t.shape)}")


def _paired(name: str, pred: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Prediction and target as float64 arrays of the same shape (target reshaped if sizes agree)."""
    p, t = _arr(pred), _arr(target)
    if p.shape != t.shape:
        if p.size != t.size:
            raise _shape_error(name, p, t)
        t = t.reshape(p.shape)
    return p.astype(np.float64, copy=False), t.astype(np.float64, copy=False)


class Metric:
    """Accumulates a metric over batches: ``update(pred, target)`` per batch, ``compute()`` at the end.

    ``state_dict``/``load_state_dict`` carry the accumulators (so a run resumed mid-epoch reports
    the same epoch value as an uninterrupted one).
    """

    name: str = "metric"
    _fields: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Zero the accumulators (the trainer calls it at the start of each epoch)."""
        for f in self._fields:
            setattr(self, f, 0.0)

    def update(self, pred: Any, target: Any) -> None:
        """Add one batch of ``pred`` and ``target`` (tensors or arrays); written by each subclass."""
        raise NotImplementedError

    def compute(self) -> float:
        """The metric over everything added since ``reset`` (a float); written by each subclass."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """The accumulators, so that a resumed run reports the same epoch value."""
        return {f: getattr(self, f) for f in self._fields}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the accumulators from ``state_dict``."""
        for f in self._fields:
            v = state[f]
            setattr(self, f, v._data.copy() if isinstance(v, Tensor) else (np.array(v) if isinstance(v, np.ndarray) else v))

    def __call__(self, pred: Any, target: Any) -> float:
        """The metric of one batch alone (does not touch the accumulators)."""
        m = type(self).__new__(type(self))
        m.__dict__.update(self.__dict__)
        m.reset()
        m.update(pred, target)
        return m.compute()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class Accuracy(Metric):
    """Fraction of correct predictions.

    ``pred`` (N, C, ...) with ``target`` (N, ...) of class indices: the arg-max over dim 1 is the
    prediction. ``pred`` of the target's shape (or (N, 1) for (N,)): integer predictions are compared
    directly, float ones are binary scores thresholded at ``threshold`` (``logits=True``: on the
    sigmoid, i.e. at the logit of ``threshold``; ``logits=None``: logits if a batch holds a value
    outside [0, 1], else probabilities).
    """

    _fields = ("correct", "total")

    def __init__(self, threshold: float = 0.5, logits: bool | None = None, name: str = "accuracy") -> None:
        self.threshold = float(threshold)
        self.logits = logits
        self.name = name
        super().__init__()

    def _predicted(self, p: np.ndarray, t: np.ndarray) -> np.ndarray:
        if p.ndim == t.ndim + 1 and p.shape[1] == 1 and p.shape[:1] + p.shape[2:] == t.shape:
            p = p.reshape(t.shape)
        if p.ndim == t.ndim + 1:
            if p.shape[:1] + p.shape[2:] != t.shape:
                raise ValueError(f"accuracy: class scores of shape {list(p.shape)} need targets of shape "
                                 f"{list(p.shape[:1] + p.shape[2:])}; got {list(t.shape)}")
            return p.argmax(1)
        if p.shape != t.shape:
            if p.size != t.size:
                raise ValueError(f"accuracy: expected class scores (N, C) with targets (N,), or predictions "
                                 f"of the target's shape; got pred {list(p.shape)} and target {list(t.shape)}")
            p = p.reshape(t.shape)
        if p.dtype.kind in "biu":
            return p
        logits = self.logits if self.logits is not None else bool(p.size and (p.min() < 0 or p.max() > 1))
        if logits:
            th = self.threshold
            cut = np.inf if th >= 1 else (-np.inf if th <= 0 else float(np.log(th / (1 - th))))
            return (p > cut).astype(np.int64)
        return (p > self.threshold).astype(np.int64)

    def update(self, pred: Any, target: Any) -> None:
        t = _arr(target)
        predicted = self._predicted(_arr(pred), t)
        self.correct += int(np.count_nonzero(predicted == t))
        self.total += int(t.size)

    def compute(self) -> float:
        return self.correct / self.total if self.total else float("nan")


class TopKAccuracy(Metric):
    """Fraction of samples whose target is among the ``k`` highest scores of ``pred`` (N, C)."""

    _fields = ("correct", "total")

    def __init__(self, k: int = 5, name: str | None = None) -> None:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise ValueError(f"top_k_accuracy: k must be a positive integer; got {k!r}")
        self.k = int(k)
        self.name = name or f"top{self.k}_accuracy"
        super().__init__()

    def update(self, pred: Any, target: Any) -> None:
        p, t = _arr(pred), _arr(target)
        if p.ndim != 2 or t.shape != p.shape[:1]:
            raise ValueError(f"top_k_accuracy: expected scores (N, C) and targets (N,); got pred {list(p.shape)} "
                             f"and target {list(t.shape)}")
        if self.k > p.shape[1]:
            raise ValueError(f"top_k_accuracy: k must be at most the number of classes; expected k <= {p.shape[1]}, "
                             f"got k={self.k}")
        top = np.argpartition(-p, self.k - 1, axis=1)[:, : self.k]
        self.correct += int(np.count_nonzero((top == t[:, None]).any(1)))
        self.total += int(t.shape[0])

    def compute(self) -> float:
        return self.correct / self.total if self.total else float("nan")


class MeanSquaredError(Metric):
    """Mean of (pred − target)² over all elements."""

    name = "mse"
    _fields = ("sum", "total")

    def update(self, pred: Any, target: Any) -> None:
        p, t = _paired("mse", pred, target)
        self.sum += float(np.square(p - t).sum())
        self.total += int(p.size)

    def compute(self) -> float:
        return self.sum / self.total if self.total else float("nan")


class MeanAbsoluteError(MeanSquaredError):
    """Mean of |pred − target| over all elements."""

    name = "mae"

    def update(self, pred: Any, target: Any) -> None:
        p, t = _paired("mae", pred, target)
        self.sum += float(np.abs(p - t).sum())
        self.total += int(p.size)


class R2Score(Metric):
    """Coefficient of determination 1 − SS_res/SS_tot, per output column, averaged uniformly.

    Accumulates n, the target mean and M2 = Σ(t − mean)² per column with Chan's merge (no
    cancellation), and SS_res. A column with constant targets scores 1.0 if predicted exactly,
    else 0.0 (scikit-learn's ``force_finite``); fewer than two samples give nan.
    """

    name = "r2"
    _fields = ("n", "mean", "m2", "ss_res")

    def update(self, pred: Any, target: Any) -> None:
        p, t = _paired("r2", pred, target)
        nb = p.shape[0] if p.ndim else 1
        p, t = p.reshape(nb, -1), t.reshape(nb, -1)
        if nb == 0:
            return
        mean_b = t.mean(0)
        m2_b = np.square(t - mean_b).sum(0)
        n = self.n
        if n == 0:
            self.mean, self.m2 = mean_b, m2_b
        else:
            delta = mean_b - self.mean
            self.mean = self.mean + delta * (nb / (n + nb))
            self.m2 = self.m2 + m2_b + np.square(delta) * (n * nb / (n + nb))
        self.ss_res = self.ss_res + np.square(p - t).sum(0)
        self.n = n + nb

    def compute(self) -> float:
        if self.n < 2:
            return float("nan")
        ss_res, ss_tot = np.asarray(self.ss_res, np.float64), np.asarray(self.m2, np.float64)
        ok = ss_tot != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(ok, 1.0 - ss_res / np.where(ok, ss_tot, 1.0), np.where(ss_res == 0, 1.0, 0.0))
        return float(scores.mean())


class FunctionMetric(Metric):
    """Wraps ``fn(pred, target) -> float`` (a batch mean) into an epoch mean weighted by batch size."""

    _fields = ("sum", "total")

    def __init__(self, fn: Callable[[Any, Any], Any], name: str | None = None) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "metric")
        super().__init__()

    def update(self, pred: Any, target: Any) -> None:
        value = self.fn(pred, target)
        v = float(value.item() if isinstance(value, Tensor) else value)
        t = _arr(target)
        n = int(t.shape[0]) if t.ndim else 1
        self.sum += v * n
        self.total += n

    def compute(self) -> float:
        return self.sum / self.total if self.total else float("nan")


def accuracy(pred: Any, target: Any, *, threshold: float = 0.5, logits: bool | None = None) -> float:
    """Fraction of correct predictions (see ``Accuracy`` for the accepted shapes)."""
    return Accuracy(threshold, logits)(pred, target)


def top_k_accuracy(pred: Any, target: Any, k: int = 5) -> float:
    """Fraction of rows of ``pred`` (N, C) whose ``target`` is among the ``k`` highest scores."""
    return TopKAccuracy(k)(pred, target)


def mse(pred: Any, target: Any) -> float:
    """Mean squared error over all elements."""
    return MeanSquaredError()(pred, target)


def mae(pred: Any, target: Any) -> float:
    """Mean absolute error over all elements."""
    return MeanAbsoluteError()(pred, target)


def r2(pred: Any, target: Any) -> float:
    """Coefficient of determination (uniform average over output columns)."""
    return R2Score()(pred, target)


_NAMED: dict[str, Callable[[], Metric]] = {
    "accuracy": Accuracy, "acc": Accuracy, "top_k_accuracy": TopKAccuracy, "mse": MeanSquaredError,
    "mae": MeanAbsoluteError, "r2": R2Score,
}
_TOPK = re.compile(r"top_?(\d+)_?acc(uracy)?$")


def get_metric(spec: str | Metric | Callable[[Any, Any], Any]) -> Metric:
    """A fresh ``Metric`` from a name ("accuracy", "top5_accuracy", "mse", "mae", "r2"), a ``Metric``
    (copied) or a function ``fn(pred, target) -> float``."""
    if isinstance(spec, Metric):
        m = type(spec).__new__(type(spec))
        m.__dict__.update(spec.__dict__)
        m.reset()
        return m
    if isinstance(spec, str):
        key = spec.lower()
        if key in _NAMED:
            m = _NAMED[key]()
            m.name = spec
            return m
        match = _TOPK.match(key)
        if match:
            return TopKAccuracy(int(match.group(1)), name=spec)
        raise ValueError(f"unknown metric {spec!r}; expected one of accuracy, top_k_accuracy, top<k>_accuracy, "
                         "mse, mae, r2, a Metric, or a function (pred, target) -> float")
    if callable(spec):
        return FunctionMetric(spec)
    raise TypeError(f"metric: expected a name, a Metric or a function, got {type(spec).__name__}")


def auto_metrics(loss_fn: Any) -> tuple[Metric, ...]:
    """The usual metrics for a loss: accuracy for classification losses, mse/mae/r2 for regression."""
    kind = getattr(loss_fn, "__name__", None) or type(loss_fn).__name__
    if kind in ("CrossEntropyLoss", "NLLLoss", "cross_entropy", "nll_loss"):
        return (Accuracy(),)
    if kind in ("BCEWithLogitsLoss", "binary_cross_entropy_with_logits"):
        return (Accuracy(logits=True),)
    if kind in ("BCELoss", "binary_cross_entropy"):
        return (Accuracy(logits=False),)
    if kind in ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        return (MeanSquaredError(), MeanAbsoluteError(), R2Score())
    return ()


def build_metrics(specs: Iterable[Any] | str | None, loss_fn: Any) -> list[Metric]:
    """Metric objects for a Trainer: ``"auto"``/None picks from the loss (see ``auto_metrics``)."""
    if specs is None or (isinstance(specs, str) and specs == "auto"):
        return [get_metric(m) for m in auto_metrics(loss_fn)]
    if isinstance(specs, (str, Metric)) or callable(specs):
        specs = (specs,)
    metrics = [get_metric(s) for s in specs]
    names = [m.name for m in metrics]
    dup = {n for n in names if names.count(n) > 1}
    if dup or "loss" in names:
        raise ValueError(f"metrics: names must be distinct and not 'loss'; got {names}")
    return metrics
