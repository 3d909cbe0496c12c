"""Activation gradients as fused kernels (see ``chainrule._fused``): one pass where NumPy makes two.

``relu_grad``: ReLU's VJP ``g · (out > 0)`` builds a boolean mask in one pass and multiplies in a
second; the kernel does both per element, multiplying g by 1 or 0 of g's dtype as NumPy does with
the mask (so ±inf·0 = NaN and the sign of a zero are kept: the same bits). Callers pass flat
C-contiguous float32/float64 arrays of one dtype and fall back to NumPy when the kernel is off.
"""

from __future__ import annotations

from .._fused import kernel

__all__ = ["relu_grad"]


@kernel
def relu_grad(g, out, gx, one, zero):  # noqa: ANN001
    """gx = g · (1 if out > 0 else 0), element by element (flat arrays)."""
    for i in range(g.size):
        gx[i] = g[i] * (one if out[i] > zero else zero)
