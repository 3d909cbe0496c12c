"""Helpers shared by the distributions: broadcasting parameters, probs ↔ logits, lazy properties, draws."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Number
from typing import Any

import numpy as np

__all__ = [
    "broadcast_all",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
    "clamp_probs",
    "euler_constant",
]

euler_constant = 0.57721566490153286060  # Euler–Mascheroni γ


def _tensor_cls() -> Any:
    from .._tensor import Tensor

    return Tensor


def _as_tensor(value: Any, like: Any = None) -> Any:
    """``value`` as a Tensor: numbers take ``like``'s dtype (or the default float dtype)."""
    import chainrule

    Tensor = _tensor_cls()
    if isinstance(value, Tensor):
        return value
    dtype = like.dtype if like is not None else chainrule.get_default_dtype()
    if isinstance(value, np.generic):
        value = value.item()
    return chainrule.tensor(value, dtype=dtype)


def broadcast_all(*values: Any) -> tuple[Any, ...]:
    """Broadcast tensors and numbers to one shape, as ``torch.distributions.utils.broadcast_all``.

    Numbers become tensors of the first tensor's dtype (the default dtype if all are numbers).
    """
    import chainrule

    Tensor = _tensor_cls()
    like = None
    for v in values:
        if isinstance(v, Tensor):
            like = v
            break
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
                             "implementing __torch_function__.")  # fmt: skip
    tensors = [_as_tensor(v, like) for v in values]
    shape = chainrule.broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t if tuple(t.shape) == tuple(shape) else t.expand(shape) for t in tensors)


def clamp_probs(probs: Any) -> Any:
    """Clamp probabilities into [eps, 1 − eps] of their dtype."""
    import chainrule

    eps = chainrule.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Any, is_binary: bool = False) -> Any:
    """log p (categorical) or log p − log(1 − p) (binary), after clamping p into [eps, 1 − eps]."""
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


def logits_to_probs(logits: Any, is_binary: bool = False) -> Any:
    """σ(logits) (binary) or softmax(logits, −1) (categorical)."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


class lazy_property:  # noqa: N801  (PyTorch's name)
    """A property computed on first access and then stored on the instance (as PyTorch's)."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        """The stored value, computing it on first access (under grad mode as the caller has it)."""
        if instance is None:
            return self
        value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _expand_probs_logits(src: Any, new: Any, shape: Any) -> None:
    """Give ``new`` whichever of probs/logits ``src`` holds (as ``_param`` too), expanded to ``shape``."""
    if "probs" in src.__dict__:
        new.probs = src.probs.expand(shape)
        new._param = new.probs
    if "logits" in src.__dict__:
        new.logits = src.logits.expand(shape)
        new._param = new.logits


def _sum_rightmost(value: Any, dim: int) -> Any:
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[: value.dim() - dim]) + (-1,)).sum(-1)


def _draw(sampler: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray], shape: Sequence[int],
          like: Any) -> Any:  # fmt: skip
    """A Tensor of ``shape`` from ``sampler(rng, shape)`` with chainrule's generator, in ``like``'s dtype."""
    from .._random import default_generator
    from ..ops._util import make

    arr = sampler(default_generator.np, tuple(int(s) for s in shape))
    return make(np.asarray(arr).astype(like._data.dtype, copy=False))
