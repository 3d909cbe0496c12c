"""``gumbel_softmax``: differentiable samples from a categorical distribution (Gumbel-max relaxed)."""

from __future__ import annotations

import warnings

import numpy as np

from ..._random import default_generator
from ..._tensor import Tensor
from ...ops._util import check_tensor
from .activation import softmax

__all__ = ["gumbel_softmax"]


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """y = softmax((logits + g) / tau) along ``dim`` with g = −log E, E ~ Exponential(1) (Gumbel noise).

    hard=True returns the one-hot of argmax y in the forward pass and y's gradient in the backward
    pass (straight-through: y_hard − stop_grad(y) + y). ``eps`` is deprecated and has no effect.
    """
    check_tensor(logits, "gumbel_softmax", "logits")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    dt = logits._data.dtype if logits._data.dtype.kind == "f" else np.dtype(np.float32)
    e = default_generator.np.exponential(1.0, logits._data.shape).astype(dt)
    with np.errstate(divide="ignore"):
        gumbels = Tensor._make(-np.log(e))
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    d = dim % max(logits.ndim, 1) if logits.ndim else 0
    idx = np.expand_dims(np.argmax(y_soft._data, axis=d), d) if logits.ndim else np.array(0)
    y_hard = np.zeros_like(y_soft._data)
    if logits.ndim:
        np.put_along_axis(y_hard, idx, 1.0, axis=d)
    else:
        y_hard[...] = 1.0
    return Tensor._make(y_hard) - y_soft.detach() + y_soft
