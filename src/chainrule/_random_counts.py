"""``chainrule.poisson``: counts drawn from Poisson distributions with the given rates."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._random import Generator, rng
from ._tensor import Tensor
from .autograd.function import Function


class Poisson(Function):
    """y ~ Poisson(λ) elementwise, in λ's floating dtype.

    VJP: gλ = 0 — a count has no pathwise derivative in its rate (PyTorch's rule too)."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, rates: np.ndarray, generator: Generator | None) -> np.ndarray:
        """Draw one count per rate."""
        return rng(generator).poisson(rates).astype(rates.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple[Any, None]:
        """Zero for the rates."""
        return ctx.xp.zeros_like(g), None


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """Samples from Poisson(``input``) elementwise; ``input`` holds non-negative floating rates."""
    rates = input._data
    if rates.dtype.kind != "f":
        raise NotImplementedError(
            f"poisson: not implemented for {input.dtype}; expected floating point rates (use rates.float())"
        )
    if rates.size and not (rates >= 0).all():
        raise RuntimeError("poisson: invalid Poisson rate, expected rate to be non-negative (and not NaN)")
    return Poisson.apply(input, generator)
