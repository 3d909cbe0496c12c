"""Gradient clipping: ``clip_grad_norm_`` (rescale all gradients to a total norm) and ``clip_grad_value_``.

The total norm is the p-norm of the per-tensor p-norms, i.e. of all gradients viewed as one vector,
computed in the gradients' dtype exactly as PyTorch does; gradients are scaled in place by
min(max_norm / (total_norm + 1e-6), 1).
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

_TensorOrTensors = Tensor | Iterable[Tensor]


def _vector_norm(a: np.ndarray, p: float) -> np.ndarray:
    """‖a‖_p of the flattened array, in a's dtype (p = inf: max |a|; p = 0: count of non-zeros)."""
    a = a.reshape(-1)
    dt = a.dtype
    if a.size == 0:
        return np.zeros((), dt)
    if p == math.inf:
        return np.abs(a).max()
    if p == -math.inf:
        return np.abs(a).min()
    if p == 0:
        return np.asarray(np.count_nonzero(a), dt)
    if p == 1:
        return np.abs(a).sum()
    if p == 2:
        return np.sqrt(np.dot(a, a)) if dt.kind == "f" else np.sqrt((a * a).sum())
    with np.errstate(over="ignore", divide="ignore"):
        return (np.abs(a) ** dt.type(p)).sum() ** dt.type(1.0 / p)


def get_total_norm(
    tensors: _TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach: bool | None = None
) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` viewed as one vector (0 for an empty list)."""
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    p = float(norm_type)
    if not ts:
        return Tensor._make(np.asarray(0.0, np.float32))
    norms = [_vector_norm(t._data, p) for t in ts]
    dt = np.result_type(*norms)
    total = _vector_norm(np.stack([np.asarray(n, dt) for n in norms]), p)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._make(np.asarray(total))


def clip_grads_with_norm_(
    parameters: _TensorOrTensors, max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """Scale every ``.grad`` in place by min(max_norm / (total_norm + 1e-6), 1)."""
    params = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    tn = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    with np.errstate(invalid="ignore", over="ignore"):  # a non-finite norm scales by 0 or nan, as PyTorch
        coef = np.minimum(float(max_norm) / (tn + tn.dtype.type(1e-6)), 1.0).astype(tn.dtype)
        for g in grads:
            d = g._data
            np.multiply(d, coef.astype(d.dtype), out=d)
            g._bump_version()


def clip_grad_norm_(
    parameters: _TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients of ``parameters`` in place so their total norm is at most ``max_norm``.

    Returns the total norm before clipping (a 0-d tensor). ``norm_type`` may be ``inf``/``'inf'``.
    """
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        gen = isinstance(parameters, types.GeneratorType)
        params = list(parameters)
        if gen and not params:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(
    parameters: _TensorOrTensors, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_``."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: _TensorOrTensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every ``.grad`` in place to [−clip_value, clip_value]."""
    params = [parameters] if isinstance(parameters, Tensor) else parameters
    c = float(clip_value)
    for p in params:
        g: Any = p.grad
        if g is not None:
            np.clip(g._data, -c, c, out=g._data)
            g._bump_version()
