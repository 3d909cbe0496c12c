"""Train/validation/test splitting (stratified for classes) and standardization with stored statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UserError

__all__ = ["split", "fit_standardization", "standardize_with"]


def _as_array(a: Any) -> np.ndarray:
    numpy = getattr(a, "numpy", None)  # a chainrule (or torch) Tensor
    if callable(numpy) and not isinstance(a, np.ndarray):
        a = a.detach().numpy() if hasattr(a, "detach") else numpy()
    return np.asarray(a)


def _fraction(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0.0 <= value < 1.0:
        raise UserError(
            f"split: the {name} fraction must be a number in [0, 1), got {value!r}. "
            f"Pass a fraction of the data such as {name}=0.15."
        )
    return float(value)


def split(
    x: Any,
    y: Any,
    val: float = 0.15,
    test: float = 0.15,
    seed: int = 0,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into ``(x_train, y_train, x_val, y_val, x_test, y_test)`` NumPy arrays.

    ``round(n·test)`` samples go to test and ``round(n·val)`` to validation. With ``stratify`` (for
    integer class labels ``y``) every class is spread over the three parts in the same proportions:
    the samples of each class are shuffled and ranked, and the parts are cut from the list of all
    samples ordered by their relative rank within their class. Indices inside each part keep the
    original order, so the result depends only on the data and ``seed``.

    >>> import numpy as np
    >>> parts = split(np.zeros((20, 3)), np.arange(20) % 2, val=0.2, test=0.2)
    >>> [len(p) for p in parts]
    [12, 12, 4, 4, 4, 4]
    >>> [int(p.sum()) for p in parts[1::2]]   # 6, 2, 2 ones: both classes in every part
    [6, 2, 2]
    """
    x, y = _as_array(x), _as_array(y)
    n = len(x)
    if len(y) != n:
        raise UserError(f"split: x has {n} samples but y has {len(y)}; give one target per sample.")
    val, test = _fraction("val", val), _fraction("test", test)
    n_test, n_val = int(round(n * test)), int(round(n * val))
    if n - n_test - n_val < 1:
        raise UserError(
            f"split: val={val} and test={test} leave no training samples out of {n}. "
            "Use smaller fractions (their sum must stay below 1) or more data."
        )
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    if stratify and n and y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
        yp = y[perm]
        _, inverse, counts = np.unique(yp, return_inverse=True, return_counts=True)
        by_class = np.argsort(inverse, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.empty(n, dtype=np.float64)
        rank[by_class] = np.arange(n) - np.repeat(starts, counts)
        key = (rank + 0.5) / counts[inverse]  # relative position of each sample within its class
        order = perm[np.argsort(key, kind="stable")]
    else:
        order = perm
    test_idx = np.sort(order[:n_test])
    val_idx = np.sort(order[n_test : n_test + n_val])
    train_idx = np.sort(order[n_test + n_val :])
    return x[train_idx], y[train_idx], x[val_idx], y[val_idx], x[test_idx], y[test_idx]


def fit_standardization(x_train: Any, *, per: str = "feature") -> dict:
    """Mean and standard deviation of the training inputs, as a JSON-able dict for ``standardize_with``.

    ``per="feature"``: one pair per input feature (tables); ``"channel"``: one pair per channel of
    (N, C, H, W) images; ``"all"``: a single pair (grey-level images, flat or not — per-pixel
    statistics would blow up nearly-always-blank border pixels). A constant feature (std 0) keeps
    std 1, so it maps to 0 instead of inf. Returns ``{"mean": [...], "std": [...], "shape": [...]}``,
    where ``shape`` is the per-sample shape the statistics broadcast against.
    """
    x = _as_array(x_train).astype(np.float64, copy=False)
    if x.ndim < 2 or len(x) == 0:
        raise UserError(f"standardization needs a non-empty batch of samples, got shape {tuple(x.shape)}.")
    if per == "feature":
        axes, shape = (0,), list(x.shape[1:])
    elif per == "channel" and x.ndim >= 3:
        axes, shape = (0, *range(2, x.ndim)), [x.shape[1]] + [1] * (x.ndim - 2)
    elif per == "all":
        axes, shape = None, [1] * (x.ndim - 1)
    else:
        raise UserError(
            f"fit_standardization: per must be 'feature', 'channel' (for N, C, ... data) or 'all', got {per!r}."
        )
    mean = np.asarray(x.mean(axis=axes))
    std = np.asarray(x.std(axis=axes))
    std = np.where(std > 1e-8, std, 1.0)
    return {"mean": mean.ravel().tolist(), "std": std.ravel().tolist(), "shape": shape}


def standardize_with(x: Any, meta: dict | None) -> Any:
    """Apply stored standardization ``(x - mean) / std`` to new inputs (for example ``predict`` data).

    ``meta`` is a ``Split.meta`` dict (its ``"standardize"`` entry is used), or that entry itself, or
    None. Without statistics (a split made with ``standardize=False``) ``x`` is only cast to float32.
    Returns a float32 NumPy array for NumPy input and a chainrule Tensor for Tensor input.
    """
    is_tensor = not isinstance(x, np.ndarray) and callable(getattr(x, "numpy", None))
    arr = _as_array(x).astype(np.float32)
    stats = meta.get("standardize", meta) if isinstance(meta, dict) else None
    if stats and "mean" in stats:
        shape = tuple(stats.get("shape") or (len(stats["mean"]),))
        mean = np.asarray(stats["mean"], dtype=np.float32).reshape(shape)
        std = np.asarray(stats["std"], dtype=np.float32).reshape(shape)
        sample = arr.shape[1:]
        if len(sample) != len(shape) or any(s != 1 and s != d for s, d in zip(shape, sample)):
            want = "x".join(map(str, shape))
            got = "x".join(map(str, sample)) or "scalar"
            raise UserError(
                f"the inputs have per-sample shape {got} but the model was trained on data of shape {want} "
                f"({int(np.prod(shape))} values per sample). Give one row per sample with the same "
                "features, in the same order, as the training data."
            )
        arr = (arr - mean) / std
    if is_tensor:
        from .._creation import from_numpy

        return from_numpy(np.ascontiguousarray(arr))
    return arr
