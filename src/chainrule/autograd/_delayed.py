"""``DelayedError``: a gradient that exists but may not be differentiated again.

Some backward formulas are right to first order only in a special case (PyTorch's own examples:
``scatter_reduce(..., 'prod')`` with two zeros reduced into one position). Under ``create_graph=True``
such an op passes its gradient through ``DelayedError``, which is the identity going forward and
raises, naming the reason, only if that gradient is differentiated again.
"""

from __future__ import annotations

from typing import Any

from .function import Function

__all__ = ["DelayedError"]


class DelayedError(Function):
    """out = x.   VJP: raises RuntimeError(message) — the second derivative is not defined here."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, message: str) -> Any:
        ctx.message = message
        return x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise RuntimeError(ctx.message)
