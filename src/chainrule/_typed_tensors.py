"""PyTorch's legacy typed constructors (``FloatTensor``, ``LongTensor`` ...) and memory formats.

``chainrule.FloatTensor(2, 3)`` makes an uninitialized 2×3 float32 tensor, ``LongTensor([1, 2])`` an
int64 tensor from data, as PyTorch's do; ``isinstance(x, chainrule.FloatTensor)`` is true for a
float32 tensor. The constructors return plain ``chainrule.Tensor`` objects (as PyTorch's are plain
``torch.Tensor`` objects), so ``issubclass(FloatTensor, Tensor)`` is False there and here.
``cuda.FloatTensor`` & co. exist for ``isinstance`` checks and ``x.type(...)`` switches; building one
raises the CPU-only error.

Memory formats (``channels_last`` ...) are accepted wherever PyTorch takes ``memory_format=``;
chainrule keeps every tensor row-major (NCHW), which gives the same values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype
from ._device import check_device

__all__ = [
    "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor", "ShortTensor",
    "CharTensor", "ByteTensor", "BoolTensor", "memory_format", "preserve_format", "contiguous_format",
    "channels_last", "channels_last_3d", "tensor_type_dtype",
]


class _TensorType(type):
    """Metaclass of the typed constructors: calling builds a Tensor; isinstance compares the dtype."""

    dtype: _dtype.dtype
    is_cuda: bool

    def __instancecheck__(cls, obj: Any) -> bool:
        from ._tensor import Tensor  # (imported here: chainrule.cuda builds its types before Tensor exists)

        return not cls.is_cuda and isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Any:
        from ._tensor import Size, Tensor

        name = f"{'cuda.' if cls.is_cuda else ''}{cls.__name__}"
        if cls.is_cuda:
            raise TypeError(f"type chainrule.{name} not available: chainrule computes on the CPU only. "
                            f"Use chainrule.{cls.__name__} (or drop the .cuda() switch).")
        check_device(device, name)
        dt = cls.dtype.np
        if not args:
            return Tensor._make(np.empty((0,), dtype=dt))
        if len(args) == 1 and isinstance(args[0], Size):
            args = tuple(args[0])
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            if any(a < 0 for a in args):
                raise RuntimeError(f"{name}: negative dimension in size {list(args)}; expected sizes >= 0")
            return Tensor._make(np.empty(tuple(int(a) for a in args), dtype=dt))
        if len(args) > 1:
            raise TypeError(f"{name}(): expected sizes (ints) or one sequence of data, got {len(args)} arguments "
                            f"of types {[type(a).__name__ for a in args]}")
        data = args[0]
        if isinstance(data, Tensor):
            return data if data.dtype is cls.dtype else data.to(cls.dtype)
        if not isinstance(data, (list, tuple, np.ndarray, range)):
            raise TypeError(f"{name}(): data must be a sequence (got {type(data).__name__}); pass sizes as ints "
                            f"or data as a list")
        return Tensor._make(np.array(data, dtype=dt))

    def __repr__(cls) -> str:
        return f"<class 'chainrule.{'cuda.' if cls.is_cuda else ''}{cls.__name__}'>"


def _typed(name: str, dtype: _dtype.dtype, cuda: bool = False) -> _TensorType:
    doc = (f"``chainrule.{'cuda.' if cuda else ''}{name}``: the {dtype.name} tensor type "
           f"(sizes -> uninitialized, a sequence -> data{'; CUDA: not available' if cuda else ''}).")
    return _TensorType(name, (), {"dtype": dtype, "is_cuda": cuda, "__doc__": doc, "__module__": "chainrule"})


_KINDS = {
    "FloatTensor": _dtype.float32, "DoubleTensor": _dtype.float64, "HalfTensor": _dtype.float16,
    "BFloat16Tensor": _dtype.bfloat16, "LongTensor": _dtype.int64, "IntTensor": _dtype.int32,
    "ShortTensor": _dtype.int16, "CharTensor": _dtype.int8, "ByteTensor": _dtype.uint8, "BoolTensor": _dtype.bool,
}
FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor, CharTensor, \
    ByteTensor, BoolTensor = (_typed(n, d) for n, d in _KINDS.items())
CUDA_TYPES = {n: _typed(n, d, cuda=True) for n, d in _KINDS.items()}
_BY_NAME = {n: globals()[n] for n in _KINDS}


def tensor_type_dtype(t: Any) -> _dtype.dtype | None:
    """The dtype a typed constructor or its name (``'torch.LongTensor'``) stands for, else None."""
    if isinstance(t, _TensorType):
        if t.is_cuda:
            check_device("cuda", "Tensor.type")
        return t.dtype
    if isinstance(t, str):
        prefix, _, kind = t.rpartition(".")
        if kind in _BY_NAME and prefix in ("torch", "chainrule", "torch.cuda", "chainrule.cuda"):
            if prefix.endswith("cuda"):
                check_device("cuda", "Tensor.type")
            return _BY_NAME[kind].dtype
    return None


class NamedConstant:
    """A constant known by its name, printed and pickled as ``chainrule.<name>`` (``memory_format``, ``layout``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"chainrule.{self.name}"

    def __reduce__(self) -> str:
        return self.name


class memory_format(NamedConstant):  # noqa: N801 - PyTorch's name
    """A memory layout name, accepted where PyTorch takes ``memory_format=``; chainrule stays row-major."""

    __slots__ = ()


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
