"""Tensor methods and operators: one line each, calling the op in ``chainrule.ops``.

Kept apart from ``_tensor.py`` (storage and autograd state) so each file stays small. In-place
methods (``add_``, ``mul_``...) go through ``_inplace``, which writes the result into the
tensor's own array and re-points its history, with PyTorch's checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype
from ._device import check_device
from ._tensor_compat_methods import TensorCompatMethods
from ._tensor_fill_methods import TensorFillMethods
from ._tensor_inplace_methods import TensorInplaceOpMethods
from ._tensor_more_ops import TensorMoreOpMethods
from ._tensor_op_methods import TensorOpMethods
from .autograd.grad_mode import state as _grad_state
from .linalg.aliases import TensorLinalgMethods

__all__ = ["TensorMethods"]


class TensorMethods(TensorOpMethods, TensorMoreOpMethods, TensorInplaceOpMethods, TensorFillMethods,
                    TensorLinalgMethods, TensorCompatMethods):
    """Mixin for ``Tensor``: the PyTorch method and operator surface."""

    __slots__ = ()
    _data: np.ndarray

    # --- arithmetic operators --------------------------------------------------------------------
    def __add__(self, other: Any) -> Any:
        """``self + other`` (``chainrule.add``)."""
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Any:
        """``other + self`` (``chainrule.add(self, other)``: the tensor is the node's first input, as PyTorch)."""
        return _ops.add(self, other)

    def __sub__(self, other: Any) -> Any:
        """``self - other`` (``chainrule.sub``)."""
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Any:
        """``other - self`` (``chainrule.sub``)."""
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Any:
        """``self * other`` (``chainrule.mul``)."""
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Any:
        """``other * self`` (``chainrule.mul(self, other)``: the tensor is the node's first input, as PyTorch)."""
        return _ops.mul(self, other)

    def __truediv__(self, other: Any) -> Any:
        """``self / other`` (``chainrule.div``; integers give the default float dtype)."""
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        """``other / self`` (``chainrule.div``)."""
        return _ops.div(other, self)

    def __floordiv__(self, other: Any) -> Any:
        """``self // other`` (``chainrule.floor_divide``)."""
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        """``other // self`` (``chainrule.floor_divide``)."""
        return _ops.floor_divide(other, self)

    def __mod__(self, other: Any) -> Any:
        """``self % other`` (``chainrule.remainder``: the sign of ``other``, as Python)."""
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Any:
        """``other % self`` (``chainrule.remainder``)."""
        return _ops.remainder(other, self)

    def __pow__(self, other: Any) -> Any:
        """``self ** other`` (``chainrule.pow``)."""
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> Any:
        """``other ** self`` (``chainrule.pow``)."""
        return _ops.pow(other, self)

    def __matmul__(self, other: Any) -> Any:
        """``self @ other`` (``chainrule.matmul``)."""
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        """``other @ self`` (``chainrule.matmul``)."""
        return _ops.matmul(other, self)

    def __neg__(self) -> Any:
        """``-self`` (``chainrule.neg``)."""
        return _ops.neg(self)

    def __pos__(self) -> Any:
        """``+self``: the tensor itself."""
        return self

    def __abs__(self) -> Any:
        """``abs(self)`` (``chainrule.abs``)."""
        return _ops.abs(self)

    def __iadd__(self, other: Any) -> Any:
        """``self += other``: ``add_``, in place."""
        return self.add_(other)

    def __isub__(self, other: Any) -> Any:
        """``self -= other``: ``sub_``, in place."""
        return self.sub_(other)

    def __imul__(self, other: Any) -> Any:
        """``self *= other``: ``mul_``, in place."""
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Any:
        """``self /= other``: ``div_``, in place."""
        return self.div_(other)

    def __ipow__(self, other: Any) -> Any:
        """``self **= other``: ``pow_``, in place."""
        return self.pow_(other)

    def __imatmul__(self, other: Any) -> Any:  # pragma: no cover - PyTorch doesn't support it either
        """``@=`` is refused (RuntimeError), as in PyTorch; write ``x = x @ y``."""
        raise RuntimeError("@=: in-place matrix multiplication is not supported; use x = x @ y")

    # --- comparisons and logic -------------------------------------------------------------------
    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        """``self == other`` elementwise (``chainrule.eq``): a bool tensor, not a Python bool."""
        return _ops.eq(self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        """``self != other`` elementwise (``chainrule.ne``)."""
        return _ops.ne(self, other)

    def __lt__(self, other: Any) -> Any:
        """``self < other`` elementwise (``chainrule.lt``)."""
        return _ops.lt(self, other)

    def __le__(self, other: Any) -> Any:
        """``self <= other`` elementwise (``chainrule.le``)."""
        return _ops.le(self, other)

    def __gt__(self, other: Any) -> Any:
        """``self > other`` elementwise (``chainrule.gt``)."""
        return _ops.gt(self, other)

    def __ge__(self, other: Any) -> Any:
        """``self >= other`` elementwise (``chainrule.ge``)."""
        return _ops.ge(self, other)

    def __and__(self, other: Any) -> Any:
        """``self & other`` (``chainrule.bitwise_and``; logical AND for bool)."""
        return _ops.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> Any:
        """``self | other`` (``chainrule.bitwise_or``; logical OR for bool)."""
        return _ops.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other: Any) -> Any:
        """``self ^ other`` (``chainrule.bitwise_xor``; logical XOR for bool)."""
        return _ops.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __invert__(self) -> Any:
        """``~self`` (``chainrule.bitwise_not``; logical NOT for bool)."""
        return _ops.bitwise_not(self)

    # --- indexing ----------------------------------------------------------------------------------
    def __getitem__(self, index: Any) -> Any:
        """``self[index]``: basic indices give a view, integer/bool tensor indices a copy; recorded."""
        return _ops.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``self[index] = value`` in place (``value`` broadcast and cast); recorded like ``index_put``."""
        _inplace(self, "__setitem__", _ops.index_put, index, value)

    # --- in-place arithmetic -----------------------------------------------------------------------
    def add_(self, other: Any, *, alpha: Any = 1) -> Any:
        done = _ufunc_inplace(self, np.add, other, alpha)
        return done if done is not None else _inplace(self, "add_", _ops.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Any:
        done = _ufunc_inplace(self, np.subtract, other, alpha)
        return done if done is not None else _inplace(self, "sub_", _ops.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> Any:
        done = _ufunc_inplace(self, np.multiply, other)
        return done if done is not None else _inplace(self, "mul_", _ops.mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        if rounding_mode is None and self._data.dtype.kind == "f":
            done = _ufunc_inplace(self, np.true_divide, other)
            if done is not None:
                return done
        return _inplace(self, "div_", _ops.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent: Any) -> Any:
        return _inplace(self, "pow_", _ops.pow, exponent)

    def addcmul_(self, t1: Any, t2: Any, *, value: Any = 1) -> Any:
        return _inplace(self, "addcmul_", _ops.addcmul, t1, t2, value=value)

    def addcdiv_(self, t1: Any, t2: Any, *, value: Any = 1) -> Any:
        return _inplace(self, "addcdiv_", _ops.addcdiv, t1, t2, value=value)

    def lerp_(self, end: Any, weight: Any) -> Any:
        return _inplace(self, "lerp_", _ops.lerp, end, weight)

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        return _inplace(self, "clamp_", _ops.clamp, min, max)

    clip_ = clamp_

    def neg_(self) -> Any:
        return _inplace(self, "neg_", _ops.neg)

    def abs_(self) -> Any:
        return _inplace(self, "abs_", _ops.abs)

    def exp_(self) -> Any:
        return _inplace(self, "exp_", _ops.exp)

    def log_(self) -> Any:
        return _inplace(self, "log_", _ops.log)

    def sqrt_(self) -> Any:
        return _inplace(self, "sqrt_", _ops.sqrt)

    def relu_(self) -> Any:
        return _inplace(self, "relu_", _ops.relu)

    def sigmoid_(self) -> Any:
        return _inplace(self, "sigmoid_", _ops.sigmoid)

    def tanh_(self) -> Any:
        return _inplace(self, "tanh_", _ops.tanh)

    def masked_fill_(self, mask: Any, value: Any) -> Any:
        return _inplace(self, "masked_fill_", _ops.masked_fill, mask, value)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Any:
        return _inplace(self, "scatter_add_", _ops.scatter_add, dim, index, src)

    def scatter_(self, dim: int, index: Any, src: Any) -> Any:
        return _inplace(self, "scatter_", _ops.scatter, dim, index, src)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
        return _inplace(self, "index_add_", _ops.index_add, dim, index, source, alpha=alpha)

    def copy_(self, src: Any) -> Any:
        """Copy ``src`` (broadcast to ``self``'s shape, cast to its dtype) into ``self``; returns ``self``.
        The gradient flows to ``src``; the old values of ``self`` get none.
        """
        return _inplace(self, "copy_", _ops.copy_from, src)

    def zero_(self) -> Any:
        """Fill ``self`` with zeros in place; returns ``self`` (no gradient flows through the old values)."""
        return _fill(self, "zero_", 0)

    def fill_(self, value: Any) -> Any:
        """Fill ``self`` with ``value`` (a number or a one-element tensor) in place; returns ``self``."""
        return _fill(self, "fill_", value)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Any:
        """Fill ``self`` in place with samples of U(a, b) from ``generator`` (default: the global one).
        chainrule draws with NumPy's PCG64: the same seed gives other numbers than PyTorch.
        """
        return _fill(self, "uniform_", _random.uniform_array(self._data.shape, a, b, generator))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        """Fill ``self`` in place with samples of N(mean, std²) from ``generator`` (default: the global one).
        chainrule draws with NumPy's PCG64: the same seed gives other numbers than PyTorch.
        """
        return _fill(self, "normal_", _random.normal_array(self._data.shape, mean, std, generator))

    # --- dtype conversion ----------------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Any:
        """``to(dtype)``, ``to('cpu')``, ``to(device, dtype)`` or ``to(other)``: same data, new dtype."""
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None), "Tensor.to")
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)  # accepted; chainrule keeps tensors row-major
        copy = kwargs.pop("copy", False)
        if kwargs:
            raise TypeError(f"Tensor.to: unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif hasattr(a, "_data"):
                dtype = a.dtype
            elif a is not None and not isinstance(a, bool):
                try:
                    dtype = _dtype.to_dtype(a, "Tensor.to")
                except TypeError:
                    check_device(a, "Tensor.to")
        if dtype is None or _dtype.to_dtype(dtype) is self.dtype:  # type: ignore[attr-defined]
            return _ops.clone(self) if copy else self
        return _ops.cast(self, _dtype.to_dtype(dtype))

    def type(self, dtype: Any = None) -> Any:
        """``type()``: the type name, e.g. ``'chainrule.FloatTensor'``; ``type(dtype)`` is ``to(dtype)``."""
        if dtype is None:
            return f"chainrule.{_TYPE_NAMES[self.dtype.name]}Tensor"  # type: ignore[attr-defined]
        from ._typed_tensors import (
            tensor_type_dtype,  # x.type(chainrule.LongTensor) / x.type('torch.LongTensor')
        )

        return self.to(tensor_type_dtype(dtype) or dtype)

    def type_as(self, other: Any) -> Any:
        """``self.to(other.dtype)``."""
        return self.to(other.dtype)

    def float(self) -> Any:
        """``self.to(chainrule.float32)`` (``self`` itself if already float32)."""
        return self.to(_dtype.float32)

    def double(self) -> Any:
        """``self.to(chainrule.float64)`` (``self`` itself if already float64)."""
        return self.to(_dtype.float64)

    def half(self) -> Any:
        """``self.to(chainrule.float16)`` (``self`` itself if already float16)."""
        return self.to(_dtype.float16)

    def long(self) -> Any:
        """``self.to(chainrule.int64)`` (``self`` itself if already int64)."""
        return self.to(_dtype.int64)

    def int(self) -> Any:
        """``self.to(chainrule.int32)`` (``self`` itself if already int32)."""
        return self.to(_dtype.int32)

    def short(self) -> Any:
        """``self.to(chainrule.int16)`` (``self`` itself if already int16)."""
        return self.to(_dtype.int16)

    def byte(self) -> Any:
        """``self.to(chainrule.uint8)`` (``self`` itself if already uint8)."""
        return self.to(_dtype.uint8)

    def bool(self) -> Any:
        """``self.to(chainrule.bool)`` (``self`` itself if already bool)."""
        return self.to(_dtype.bool)

    def clone(self, *, memory_format: Any = None) -> Any:
        return _ops.clone(self)

    def contiguous(self, memory_format: Any = None) -> Any:
        """``self`` if its elements are in row-major order, else a row-major copy (recorded as ``clone``)."""
        return self if self._data.flags.c_contiguous else _ops.clone(self)

    def new_tensor(self, data: Any, dtype: Any = None, **kw: Any) -> Any:
        """``chainrule.tensor(data)`` with ``self``'s dtype unless ``dtype`` is given."""
        return _creation.tensor(data, dtype=dtype or self.dtype, **kw)  # type: ignore[attr-defined]

    def new_zeros(self, *size: Any, dtype: Any = None, **kw: Any) -> Any:
        """``chainrule.zeros(*size)`` with ``self``'s dtype unless ``dtype`` is given."""
        return _creation.zeros(*size, dtype=dtype or self.dtype, **kw)  # type: ignore[attr-defined]

    def new_ones(self, *size: Any, dtype: Any = None, **kw: Any) -> Any:
        """``chainrule.ones(*size)`` with ``self``'s dtype unless ``dtype`` is given."""
        return _creation.ones(*size, dtype=dtype or self.dtype, **kw)  # type: ignore[attr-defined]

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, **kw: Any) -> Any:
        """``chainrule.full(size, fill_value)`` with ``self``'s dtype unless ``dtype`` is given."""
        return _creation.full(size, fill_value, dtype=dtype or self.dtype, **kw)  # type: ignore[attr-defined]

    def new_empty(self, *size: Any, dtype: Any = None, **kw: Any) -> Any:
        """``chainrule.empty(*size)`` with ``self``'s dtype unless ``dtype`` is given."""
        return _creation.empty(*size, dtype=dtype or self.dtype, **kw)  # type: ignore[attr-defined]

    # --- shape properties ------------------------------------------------------------------------
    @property
    def T(self) -> Any:  # noqa: N802
        """All dims reversed: ``x.permute(n-1, ..., 0)`` (the matrix transpose for 2-D; a view)."""
        nd = self._data.ndim
        return _Permute.apply(self, _REVERSED[nd] if nd < 8 else tuple(range(nd - 1, -1, -1)))

    @property
    def mT(self) -> Any:  # noqa: N802
        """The last two dims swapped: ``x.transpose(-2, -1)`` (a batch of matrix transposes; a view)."""
        return _ops.transpose(self, -2, -1)


_TYPE_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}  # fmt: skip


def _ufunc_inplace(t: Any, ufunc: Any, other: Any, alpha: Any = 1) -> Any:
    """Outside the graph, ``t.add_(other)`` & co. are one NumPy ufunc writing into ``t``'s array.

    Returns ``t``, or ``None`` when the general path must decide (graph recording, dtype or
    shape problems, read-only views), so every error still comes from one place.
    """
    tensor_cls = _function.Tensor
    other_is_tensor = isinstance(other, tensor_cls)
    if _grad_state.enabled and (t._requires_grad or (other_is_tensor and other._requires_grad)):
        return None
    if _function._fw_on[0]:  # a dual level: the general path updates the tangent too
        return None
    o = other._data if other_is_tensor else other
    if not (other_is_tensor or type(o) is float or type(o) is int):
        return None
    data = t._data
    if data.dtype.kind == "b" or (type(o) is float and data.dtype.kind != "f"):
        return None  # PyTorch's promotion/cast errors come from the general path
    if alpha != 1:
        o = o * alpha
    try:
        ufunc(data, o, out=data, casting="same_kind")
    except (TypeError, ValueError):
        return None
    t._bump_version()
    return t


def _inplace(t: Any, name: str, op: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``op(t, *args)`` and write the result into ``t`` itself (PyTorch's ``x.op_(...)``).

    Without a graph this is a plain write. With one, the op is recorded on a shadow of ``t``'s
    old history and ``t`` takes the new node; a leaf that requires grad refuses, as in PyTorch.
    """
    data = t._data
    if type(data) is not np.ndarray and getattr(data, "_phys", None) is not None:  # batched, inside vmap
        from .func._batching import inplace

        return inplace(t, name, op, *args, **kwargs)
    if not data.flags.writeable:
        raise RuntimeError(
            f"{name}: the tensor is a read-only (e.g. expanded) view; more than one element of "
            "the written-to tensor refers to a single memory location. Call .clone() first."
        )
    tensor_cls = _function.Tensor
    recording = _grad_state.enabled and (
        t._requires_grad
        or any(isinstance(a, tensor_cls) and a._requires_grad for a in args)
        or any(isinstance(v, tensor_cls) and v._requires_grad for v in kwargs.values())
    )
    if not recording:
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            result = op(t, *args, **kwargs)
        finally:
            _grad_state.enabled = prev
        _write(t, name, result._data)
        t._bump_version()
        if _function._fw_on[0]:
            _fw_inplace(t, result)
        return t
    if t._grad_fn is None and t._requires_grad:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place operation. "
            "Wrap the update in `with chainrule.no_grad():` (as optimizers do) or use an "
            "out-of-place operation."
        )
    # ``shadow`` stands for t's old value in the graph; nodes of this op that saved that array
    # get a copy (as PyTorch saves ``original_self``), so the write below cannot corrupt them.
    base, idx = _views.view_base(t) if t._grad_fn is not None and t._grad_fn._is_view else None, None
    if base is not None:
        if base._grad_fn is None:
            raise RuntimeError(
                f"{name}: a view of a leaf Variable that requires grad is being used in an in-place "
                "operation. Wrap it in `with chainrule.no_grad():` or use an out-of-place operation."
            )
        idx = _views.positions_in(data, base._data)
    shadow = tensor_cls._make(data, t._requires_grad)
    shadow._grad_fn, shadow._output_nr = t._grad_fn, t._output_nr
    if _function._fw_on[0]:
        _fw_inplace(shadow, t)
    result = op(shadow, *args, **kwargs)
    _protect_saved(result._grad_fn, data, shadow, args, kwargs)
    _write(t, name, result._data)
    t._bump_version()
    if _function._fw_on[0]:
        _fw_inplace(t, result)
    if idx is None:
        _rebase(t, result._grad_fn, result._output_nr)
    else:  # t is a view: its base takes the new history too (PyTorch's CopySlices)
        old = tensor_cls._make(base._data, True)
        old._grad_fn, old._output_nr = base._grad_fn, base._output_nr
        _rebase(base, _views.CopySlices.apply(old, result, idx)._grad_fn, 0)
        _rebase(t, _views.ViewOf.apply(base, data, idx)._grad_fn, 0)
    return t


def _fw_inplace(t: Any, src: Any) -> None:
    """Inside a dual level: ``t`` (just overwritten by an in-place op) takes ``src``'s tangent."""
    from .autograd.forward_ad import _assign

    _assign(t, src)


def _rebase(t: Any, grad_fn: Any, output_nr: int) -> None:
    """Give ``t`` a new history; nodes recorded so far keep their edges to the old one."""
    t._grad_fn, t._output_nr, t._requires_grad = grad_fn, output_nr, grad_fn is not None


def _protect_saved(node: Any, data: np.ndarray, shadow: Any, args: Any, kwargs: Any) -> None:
    """Copy ``data`` wherever a node created by this in-place op saved it (or a view of it)."""
    stop = {id(getattr(x, "_grad_fn", None)) for x in (shadow, *args, *kwargs.values())}
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        saved = n._saved
        if saved and any(_aliases(s, data) for s in saved):
            n._saved = tuple(s.copy() if _aliases(s, data) else s for s in saved)
        args_kept = getattr(n, "_composite_args", None)  # a fused op's inputs, for its double backward
        if args_kept and any(_aliases(getattr(x, "_data", None), data) for x in args_kept):
            n._composite_args = tuple(_graph_copy(x) if _aliases(getattr(x, "_data", None), data) else x for x in args_kept)
        for e in n._edges:
            if e is not None and e[0] is not None and id(e[0]) not in stop:
                stack.append(e[0])


def _graph_copy(t: Any) -> Any:
    """A copy of ``t``'s data standing for the same place in the graph."""
    c = _function.Tensor._make(t._data.copy(), t._requires_grad)
    c._grad_fn, c._output_nr = t._grad_fn, t._output_nr
    return c


def _aliases(s: Any, data: np.ndarray) -> bool:
    return type(s) is np.ndarray and (s is data or (s.base is not None and np.may_share_memory(s, data)))


def _write(t: Any, name: str, values: np.ndarray) -> None:
    data = t._data
    if values.shape != data.shape:
        raise RuntimeError(
            f"{name}: output with shape {list(data.shape)} doesn't match the broadcast shape "
            f"{list(values.shape)}"
        )
    if values.dtype != data.dtype and not np.can_cast(values.dtype, data.dtype, "same_kind"):
        raise RuntimeError(
            f"{name}: result type {_dtype.from_numpy_dtype(values.dtype)} can't be cast to the "
            f"desired output type {_dtype.from_numpy_dtype(data.dtype)}"
        )
    if values is not data:
        np.copyto(data, values, casting="unsafe")


def _fill(t: Any, name: str, value: Any) -> Any:
    """Overwrite every element (``zero_``, ``fill_``, random fills): no gradient flows."""
    if _grad_state.enabled and t._requires_grad and t._grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place operation. "
            "Wrap it in `with chainrule.no_grad():` (as nn.init does)."
        )
    if not t._data.flags.writeable:
        raise RuntimeError(f"{name}: the tensor is a read-only (e.g. expanded) view; call .clone() first")
    v = value._data if hasattr(value, "_data") else value
    t._data[...] = v
    t._bump_version()
    if t._grad_fn is not None:  # the old history no longer produced these values
        _rebase(t, None, 0)
    return t


from . import _creation, _random  # noqa: E402  (they need Tensor, which needs this mixin)
from . import ops as _ops  # noqa: E402
from .autograd import _views  # noqa: E402
from .autograd import function as _function  # noqa: E402
from .ops.shape import Permute as _Permute  # noqa: E402

_REVERSED = [tuple(range(n - 1, -1, -1)) for n in range(8)]  # ``x.T``'s permutation by ndim
