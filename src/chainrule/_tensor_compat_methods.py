"""Small Tensor methods real PyTorch code calls: the legacy constructor ``new``, predicates
(``is_signed``, ``is_nonzero``, ``is_same_size``, ``is_inference``, ``is_conj``...), metadata
(``get_device``, ``output_nr``, ``storage_offset``, ``layout``, ``dim_order``), ``set_``, what a
real tensor answers for conjugation (``conj``, ``real``, ``angle``...), dtype shorthands (``char``,
``bfloat16``), pinned memory, and aliases of existing ops (``hardshrink``, ``prelu``,
``unsafe_chunk``, ``unsafe_split``, ``isreal``, ``i0``).

chainrule tensors are real and live on the CPU in row-major NumPy arrays, so several of these answer
as PyTorch does for a real CPU tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype
from ._typed_tensors import NamedConstant

__all__ = [
    "layout", "strided", "conj", "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "is_neg", "isreal",
    "angle", "real", "imag", "is_inference", "is_signed", "get_device", "hardshrink", "prelu", "unsafe_chunk",
    "unsafe_split", "unsafe_split_with_sizes",
]  # fmt: skip  (the top-level functions; the mixin TensorCompatMethods is imported by name)


class layout(NamedConstant):  # noqa: N801 - PyTorch's name
    """A tensor's memory layout (``chainrule.strided``: dense, the only one chainrule has)."""

    __slots__ = ()


strided = layout("strided")


class TensorCompatMethods:
    """Mixin for ``Tensor``: the small methods listed in the module docstring."""

    __slots__ = ()
    _data: np.ndarray

    def new(self, *args: Any, **kwargs: Any) -> Any:
        """The legacy constructor with ``self``'s dtype: ``new()`` (empty), ``new(*size)`` or ``new(Size)``
        (uninitialized), ``new(tensor)`` (an alias of it, without grad) or ``new(data)`` (a copy, cast)."""
        from ._creation import tensor as _tensor
        from ._device import check_device
        from ._tensor import Size, Tensor

        check_device(kwargs.pop("device", None), "new")
        if kwargs:
            raise TypeError(
                f"new() received an invalid combination of arguments - got keyword '{next(iter(kwargs))}'; "
                "expected new(*size), new(tensor) or new(data) (with an optional device=)"
            )
        if not args:
            return Tensor._make(np.empty((0,), dtype=self._data.dtype))
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0]._data.dtype != self._data.dtype:
                raise TypeError(f"new(): expected a tensor of dtype {self.dtype} (self's), got {args[0].dtype}")
            return Tensor._make(args[0]._data)
        if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
            if np.ndim(args[0]) == 0:
                raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
            return _tensor(args[0], dtype=self.dtype)
        shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
        if not all(isinstance(s, (int, np.integer)) for s in shape):
            raise TypeError(f"new(): expected a size of ints, got {shape}")
        return Tensor._make(np.empty(tuple(int(s) for s in shape), dtype=self._data.dtype))

    def new_empty_strided(self, size: Any, stride: Any, *, dtype: Any = None, **kwargs: Any) -> Any:
        """``new_empty(size)``: chainrule's tensors are row-major, so ``stride`` is accepted and not used."""
        return self.new_empty(tuple(size), dtype=dtype, **kwargs)  # type: ignore[attr-defined]

    def set_(self, source: Any = None) -> Any:
        """Make ``self`` use ``source``'s memory (shape included), or become empty with no argument; returns
        ``self``. Not for a tensor that requires grad while grad mode is on (PyTorch's leaf error)."""
        from ._tensor import Tensor
        from .autograd.grad_mode import is_grad_enabled

        if is_grad_enabled() and self._requires_grad:  # type: ignore[attr-defined]
            raise RuntimeError("set_: a leaf Variable that requires grad is being used in an in-place operation "
                               "(wrap it in `with chainrule.no_grad():`).")  # fmt: skip
        if source is None:
            self._data = np.empty((0,), dtype=self._data.dtype)
        elif not isinstance(source, Tensor):
            raise TypeError(f"set_(): expected a Tensor source (storages are not supported), got {type(source).__name__}")
        elif source._data.dtype != self._data.dtype:
            raise RuntimeError(f"set_: could not set a tensor of dtype {self.dtype} to one of dtype {source.dtype}")
        else:
            self._data = source._data
        self._bump_version()  # type: ignore[attr-defined]
        return self

    def is_set_to(self, tensor: Any) -> bool:
        """Whether both use the same memory with the same shape and strides (as after ``set_``)."""
        a, b = self._data, tensor._data
        return bool(a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
                    and a.shape == b.shape and a.strides == b.strides)  # fmt: skip

    # --- metadata and predicates ------------------------------------------------------------------
    def get_device(self) -> int:
        """The CUDA device index; -1 for a CPU tensor (always, in chainrule)."""
        return -1

    @property
    def layout(self) -> layout:
        """The memory layout: ``chainrule.strided`` (dense)."""
        return strided

    def dim_order(self) -> tuple[int, ...]:
        """The dimensions from outermost to innermost in memory (``(0, 1, ..)`` for a row-major tensor)."""
        strides = self._data.strides
        return tuple(sorted(range(self._data.ndim), key=lambda d: -strides[d]))

    @property
    def output_nr(self) -> int:
        """Which output of the op that made this tensor it is (0 for leaves and single-output ops)."""
        return self._output_nr  # type: ignore[attr-defined, no-any-return]

    def storage_offset(self) -> int:
        """Offset, in elements, of this tensor's first element in the memory it shares (0 if it owns it)."""
        root = self._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        if root is self._data or self._data.size == 0:
            return 0
        start = self._data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return int(start // self._data.itemsize)

    def is_signed(self) -> bool:
        """Whether the dtype holds negative numbers (floats and signed integers; not bool or uint8)."""
        return self._data.dtype.kind in "if"

    def is_complex(self) -> bool:
        """False: chainrule has no complex dtypes."""
        return False

    def is_same_size(self, other: Any) -> bool:
        """Whether ``other`` has the same shape."""
        return tuple(self._data.shape) == tuple(other.shape)

    def is_nonzero(self) -> bool:
        """The truth value of a one-element tensor; RuntimeError for none or several elements."""
        from ._predicates import is_nonzero

        return is_nonzero(self)

    def is_inference(self) -> bool:
        """False: chainrule has no inference tensors (``inference_mode`` makes ordinary ones)."""
        return False

    def is_pinned(self, device: Any = None) -> bool:
        """False: no tensor is in page-locked memory on a machine without an accelerator."""
        return False

    def pin_memory(self, device: Any = None) -> Any:
        """RuntimeError, as PyTorch on a machine without an accelerator (page-locking needs one)."""
        raise RuntimeError("Cannot access accelerator device when none is available.")

    # --- conjugation of real tensors --------------------------------------------------------------
    def conj(self) -> Any:
        """The complex conjugate: ``self`` itself for a real tensor (chainrule's are all real)."""
        return self

    def resolve_conj(self) -> Any:
        """``self``: a real tensor has no lazy conjugate bit to materialize."""
        return self

    def resolve_neg(self) -> Any:
        """``self``: a real tensor has no lazy negation bit to materialize."""
        return self

    def is_conj(self) -> bool:
        """False: no conjugate bit on real tensors."""
        return False

    def is_neg(self) -> bool:
        """False: no negation bit on real tensors."""
        return False

    def conj_physical(self) -> Any:
        """A copy (the conjugate of a real tensor is itself; PyTorch returns a new tensor here)."""
        return self.clone()  # type: ignore[attr-defined]

    @property
    def real(self) -> Any:
        """The real part: ``self`` itself for a real tensor."""
        return self

    @property
    def imag(self) -> Any:
        """RuntimeError, as in PyTorch: a real tensor has no imaginary part."""
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    def angle(self) -> Any:
        """The argument of each element: π where x < 0, 0 where x ≥ 0 (nan stays nan); its gradient is 0."""
        from . import ops
        from ._tensor import Tensor
        from .ops.unary import _float

        x = _float(self, "angle")
        phase = Tensor._make(np.where(x._data < 0, np.pi, 0.0).astype(x._data.dtype))
        return ops.add(ops.mul(ops.sign(x), 0.0), phase)  # sign: zero gradient, nan for nan, 0·sign(±inf) = 0

    def isreal(self) -> Any:
        """An all-True bool tensor of ``self``'s shape: every element of a real tensor is real."""
        from ._tensor import Tensor

        return Tensor._make(np.ones(self._data.shape, dtype=bool))

    # --- dtype shorthands -------------------------------------------------------------------------
    def char(self) -> Any:
        """``self.to(chainrule.int8)`` (``self`` itself if already int8)."""
        return self.to(_dtype.int8)  # type: ignore[attr-defined]

    def bfloat16(self) -> Any:
        """``self.to(chainrule.bfloat16)``, which chainrule stores as float32 (NumPy has no bfloat16)."""
        return self.to(_dtype.bfloat16)  # type: ignore[attr-defined]

    # --- aliases of existing ops ------------------------------------------------------------------
    def hardshrink(self, lambd: float = 0.5) -> Any:
        """``F.hardshrink(self, lambd)``: x where |x| > lambd, else 0."""
        from .nn.functional import hardshrink

        return hardshrink(self, lambd)

    def prelu(self, weight: Any) -> Any:
        """``F.prelu(self, weight)``: max(0, x) + weight · min(0, x), weight per channel (dim 1) or one."""
        from .nn.functional import prelu

        return prelu(self, weight)

    def unsafe_chunk(self, chunks: int, dim: int = 0) -> Any:
        """``chunk(chunks, dim)`` (PyTorch's version skips a view check chainrule does not make)."""
        return self.chunk(chunks, dim)  # type: ignore[attr-defined]

    def unsafe_split(self, split_size: int, dim: int = 0) -> Any:
        """``split(split_size, dim)`` with an int ``split_size`` (a list is ``unsafe_split_with_sizes``)."""
        if not isinstance(split_size, (int, np.integer)):
            raise TypeError(f"unsafe_split(): argument 'split_size' (position 1) must be int, not "
                            f"{type(split_size).__name__}")  # fmt: skip
        return self.split(split_size, dim)  # type: ignore[attr-defined]

    def i0(self) -> Any:
        """``chainrule.i0(self)``: the modified Bessel function I₀ (gradient I₁)."""
        from .ops.bessel import i0

        return i0(self)

    def i0_(self) -> Any:
        """In-place ``i0``: ``self`` takes ``chainrule.i0(self)``."""
        from ._tensor_inplace_methods import _inplace
        from .ops.bessel import i0

        return _inplace(self, "i0_", i0)

    def unsafe_split_with_sizes(self, split_sizes: Any, dim: int = 0) -> Any:
        """``split_with_sizes(split_sizes, dim)``."""
        return self.split_with_sizes(split_sizes, dim)  # type: ignore[attr-defined]


# --- the same as top-level functions (torch.conj(x), torch.is_signed(x) ...) ------------------------------
def _tensor_arg(input: Any, name: str) -> Any:  # noqa: A002
    from ._tensor import Tensor

    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input


def _top_level(name: str) -> Any:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        attr = getattr(_tensor_arg(input, name), name)
        return attr(*args, **kwargs) if callable(attr) else attr

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}`` as a function (see ``Tensor.{name}``)."
    return fn


conj = _top_level("conj")
conj_physical = _top_level("conj_physical")
resolve_conj = _top_level("resolve_conj")
resolve_neg = _top_level("resolve_neg")
is_conj = _top_level("is_conj")
is_neg = _top_level("is_neg")
isreal = _top_level("isreal")
angle = _top_level("angle")
real = _top_level("real")
imag = _top_level("imag")
is_inference = _top_level("is_inference")
is_signed = _top_level("is_signed")
get_device = _top_level("get_device")
hardshrink = _top_level("hardshrink")
prelu = _top_level("prelu")
unsafe_chunk = _top_level("unsafe_chunk")
unsafe_split = _top_level("unsafe_split")
unsafe_split_with_sizes = _top_level("unsafe_split_with_sizes")
