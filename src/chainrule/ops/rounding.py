"""Piecewise-constant maps: sign, floor, ceil, round, trunc. Their derivative is 0 almost everywhere."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._util import Function

__all__ = ["sign", "floor", "ceil", "round", "trunc"]


class ZeroGrad(Function):
    """Piecewise-constant maps (sign, floor, ceil, round, trunc).   VJP: gx = 0."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, fn: Any) -> Any:
        return fn(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return ctx.xp.zeros_like(g), None



def sign(input: Any) -> Any:  # noqa: A002
    """−1, 0 or 1 by the sign of each element (zero gradient)."""
    return ZeroGrad.apply(input, np.sign)


def floor(input: Any) -> Any:  # noqa: A002
    """⌊x⌋ (zero gradient)."""
    return ZeroGrad.apply(input, np.floor)


def ceil(input: Any) -> Any:  # noqa: A002
    """⌈x⌉ (zero gradient)."""
    return ZeroGrad.apply(input, np.ceil)


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001,A002
    """Round half to even, as PyTorch (zero gradient)."""
    return ZeroGrad.apply(input, np.round if decimals == 0 else (lambda x: np.round(x, decimals)))


def trunc(input: Any) -> Any:  # noqa: A002
    """Round toward zero (zero gradient)."""
    return ZeroGrad.apply(input, np.trunc)
