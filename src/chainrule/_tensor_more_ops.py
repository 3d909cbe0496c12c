"""More Tensor methods that are ``chainrule.<op>(self, ...)``: the special functions, combination,
scatter/index, window, set and bucketing ops, each with its in-place ``_`` form where PyTorch has one.

Written out one per line, as in ``_tensor_op_methods``; the docstring of each op lives with the op.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TensorMoreOpMethods"]


class TensorMoreOpMethods:
    """Mixin for ``Tensor``: more methods that delegate to ``chainrule.ops``."""

    __slots__ = ()

    def asinh(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.asinh(self, ...)``."""
        return _ops.asinh(self, *args, **kwargs)

    def acosh(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.acosh(self, ...)``."""
        return _ops.acosh(self, *args, **kwargs)

    def atanh(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.atanh(self, ...)``."""
        return _ops.atanh(self, *args, **kwargs)

    def arcsinh(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.arcsinh(self, ...)``."""
        return _ops.arcsinh(self, *args, **kwargs)

    def arccosh(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.arccosh(self, ...)``."""
        return _ops.arccosh(self, *args, **kwargs)

    def arctanh(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.arctanh(self, ...)``."""
        return _ops.arctanh(self, *args, **kwargs)

    def lgamma(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.lgamma(self, ...)``."""
        return _ops.lgamma(self, *args, **kwargs)

    def digamma(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.digamma(self, ...)``."""
        return _ops.digamma(self, *args, **kwargs)

    def erfinv(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.erfinv(self, ...)``."""
        return _ops.erfinv(self, *args, **kwargs)

    def erfc(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.erfc(self, ...)``."""
        return _ops.erfc(self, *args, **kwargs)

    def copysign(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.copysign(self, ...)``."""
        return _ops.copysign(self, *args, **kwargs)

    def hypot(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.hypot(self, ...)``."""
        return _ops.hypot(self, *args, **kwargs)

    def logaddexp(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.logaddexp(self, ...)``."""
        return _ops.logaddexp(self, *args, **kwargs)

    def logaddexp2(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.logaddexp2(self, ...)``."""
        return _ops.logaddexp2(self, *args, **kwargs)

    def xlogy(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.xlogy(self, ...)``."""
        return _ops.xlogy(self, *args, **kwargs)

    def kron(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.kron(self, ...)``."""
        return _ops.kron(self, *args, **kwargs)

    def addmm(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.addmm(self, ...)``."""
        return _ops.addmm(self, *args, **kwargs)

    def addmv(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.addmv(self, ...)``."""
        return _ops.addmv(self, *args, **kwargs)

    def addbmm(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.addbmm(self, ...)``."""
        return _ops.addbmm(self, *args, **kwargs)

    def baddbmm(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.baddbmm(self, ...)``."""
        return _ops.baddbmm(self, *args, **kwargs)

    def trace(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.trace(self, ...)``."""
        return _ops.trace(self, *args, **kwargs)

    def cross(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.cross(self, ...)``."""
        return _ops.cross(self, *args, **kwargs)

    def rot90(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.rot90(self, ...)``."""
        return _ops.rot90(self, *args, **kwargs)

    def diff(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.diff(self, ...)``."""
        return _ops.diff(self, *args, **kwargs)

    def diag_embed(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.diag_embed(self, ...)``."""
        return _ops.diag_embed(self, *args, **kwargs)

    def repeat_interleave(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.repeat_interleave(self, ...)``."""
        return _ops.repeat_interleave(self, *args, **kwargs)

    def unique(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.unique(self, ...)``."""
        return _ops.unique(self, *args, **kwargs)

    def unique_consecutive(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.unique_consecutive(self, ...)``."""
        return _ops.unique_consecutive(self, *args, **kwargs)

    def cummax(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.cummax(self, ...)``."""
        return _ops.cummax(self, *args, **kwargs)

    def cummin(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.cummin(self, ...)``."""
        return _ops.cummin(self, *args, **kwargs)

    def logcumsumexp(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.logcumsumexp(self, ...)``."""
        return _ops.logcumsumexp(self, *args, **kwargs)

    def scatter_reduce(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.scatter_reduce(self, ...)``."""
        return _ops.scatter_reduce(self, *args, **kwargs)

    def index_copy(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.index_copy(self, ...)``."""
        return _ops.index_copy(self, *args, **kwargs)

    def index_fill(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.index_fill(self, ...)``."""
        return _ops.index_fill(self, *args, **kwargs)

    def index_put(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.index_put(self, ...)``."""
        return _ops.index_put(self, *args, **kwargs)

    def masked_scatter(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.masked_scatter(self, ...)``."""
        return _ops.masked_scatter(self, *args, **kwargs)

    def bitwise_left_shift(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.bitwise_left_shift(self, ...)``."""
        return _ops.bitwise_left_shift(self, *args, **kwargs)

    def bitwise_right_shift(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.bitwise_right_shift(self, ...)``."""
        return _ops.bitwise_right_shift(self, *args, **kwargs)

    def bincount(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.bincount(self, ...)``."""
        return _ops.bincount(self, *args, **kwargs)

    def histc(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.histc(self, ...)``."""
        return _ops.histc(self, *args, **kwargs)

    def take(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.take(self, ...)``."""
        return _ops.take(self, *args, **kwargs)

    def quantile(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.quantile(self, ...)``."""
        return _ops.quantile(self, *args, **kwargs)

    def nanquantile(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.nanquantile(self, ...)``."""
        return _ops.nanquantile(self, *args, **kwargs)

    def mode(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.mode(self, ...)``."""
        return _ops.mode(self, *args, **kwargs)

    def argwhere(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.argwhere(self, ...)``."""
        return _ops.argwhere(self, *args, **kwargs)

    def polygamma(self, n: int) -> Any:
        """``chainrule.polygamma(n, self)``."""
        return _ops.polygamma(n, self)

    def where(self, condition: Any, y: Any) -> Any:
        """``chainrule.where(condition, self, y)``."""
        return _ops.where(condition, self, y)

    def unfold(self, dimension: int, size: int, step: int) -> Any:
        """All windows of length ``size`` along ``dimension``, ``step`` apart, as a new last dim."""
        return _ops.windows.unfold(self, dimension, size, step)

    def __lshift__(self, other: Any) -> Any:
        return _ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Any:
        return _ops.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> Any:
        return _ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Any:
        return _ops.bitwise_right_shift(other, self)

    def __ilshift__(self, other: Any) -> Any:
        return _inplace(self, "__ilshift__", _ops.bitwise_left_shift, other)

    def __irshift__(self, other: Any) -> Any:
        return _inplace(self, "__irshift__", _ops.bitwise_right_shift, other)

    def __iand__(self, other: Any) -> Any:
        return _inplace(self, "__iand__", _ops.bitwise_and, other)

    def __ior__(self, other: Any) -> Any:
        return _inplace(self, "__ior__", _ops.bitwise_or, other)

    def __ixor__(self, other: Any) -> Any:
        return _inplace(self, "__ixor__", _ops.bitwise_xor, other)

    def polygamma_(self, n: int) -> Any:
        """In-place ``polygamma(n, self)``."""
        return _inplace(self, "polygamma_", lambda x: _ops.polygamma(n, x))

    def resize_(self, *sizes: Any, memory_format: Any = None) -> Any:
        """Give the tensor shape ``sizes`` in place: the first elements keep their values (row-major), new ones are 0."""
        return _ops.bits.resize_(self, *sizes)

    def asinh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``asinh``: ``self`` takes the result of ``chainrule.asinh(self, ...)``."""
        return _inplace(self, "asinh_", _ops.asinh, *args, **kwargs)

    def acosh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``acosh``: ``self`` takes the result of ``chainrule.acosh(self, ...)``."""
        return _inplace(self, "acosh_", _ops.acosh, *args, **kwargs)

    def atanh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``atanh``: ``self`` takes the result of ``chainrule.atanh(self, ...)``."""
        return _inplace(self, "atanh_", _ops.atanh, *args, **kwargs)

    def arcsinh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``arcsinh``: ``self`` takes the result of ``chainrule.arcsinh(self, ...)``."""
        return _inplace(self, "arcsinh_", _ops.arcsinh, *args, **kwargs)

    def arccosh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``arccosh``: ``self`` takes the result of ``chainrule.arccosh(self, ...)``."""
        return _inplace(self, "arccosh_", _ops.arccosh, *args, **kwargs)

    def arctanh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``arctanh``: ``self`` takes the result of ``chainrule.arctanh(self, ...)``."""
        return _inplace(self, "arctanh_", _ops.arctanh, *args, **kwargs)

    def lgamma_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``lgamma``: ``self`` takes the result of ``chainrule.lgamma(self, ...)``."""
        return _inplace(self, "lgamma_", _ops.lgamma, *args, **kwargs)

    def digamma_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``digamma``: ``self`` takes the result of ``chainrule.digamma(self, ...)``."""
        return _inplace(self, "digamma_", _ops.digamma, *args, **kwargs)

    def erfinv_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``erfinv``: ``self`` takes the result of ``chainrule.erfinv(self, ...)``."""
        return _inplace(self, "erfinv_", _ops.erfinv, *args, **kwargs)

    def erfc_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``erfc``: ``self`` takes the result of ``chainrule.erfc(self, ...)``."""
        return _inplace(self, "erfc_", _ops.erfc, *args, **kwargs)

    def copysign_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``copysign``: ``self`` takes the result of ``chainrule.copysign(self, ...)``."""
        return _inplace(self, "copysign_", _ops.copysign, *args, **kwargs)

    def hypot_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``hypot``: ``self`` takes the result of ``chainrule.hypot(self, ...)``."""
        return _inplace(self, "hypot_", _ops.hypot, *args, **kwargs)

    def xlogy_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``xlogy``: ``self`` takes the result of ``chainrule.xlogy(self, ...)``."""
        return _inplace(self, "xlogy_", _ops.xlogy, *args, **kwargs)

    def nan_to_num_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``nan_to_num``: ``self`` takes the result of ``chainrule.nan_to_num(self, ...)``."""
        return _inplace(self, "nan_to_num_", _ops.nan_to_num, *args, **kwargs)

    def addmm_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``addmm``: ``self`` takes the result of ``chainrule.addmm(self, ...)``."""
        return _inplace(self, "addmm_", _ops.addmm, *args, **kwargs)

    def addmv_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``addmv``: ``self`` takes the result of ``chainrule.addmv(self, ...)``."""
        return _inplace(self, "addmv_", _ops.addmv, *args, **kwargs)

    def addbmm_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``addbmm``: ``self`` takes the result of ``chainrule.addbmm(self, ...)``."""
        return _inplace(self, "addbmm_", _ops.addbmm, *args, **kwargs)

    def baddbmm_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``baddbmm``: ``self`` takes the result of ``chainrule.baddbmm(self, ...)``."""
        return _inplace(self, "baddbmm_", _ops.baddbmm, *args, **kwargs)

    def scatter_reduce_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``scatter_reduce``: ``self`` takes the result of ``chainrule.scatter_reduce(self, ...)``."""
        return _inplace(self, "scatter_reduce_", _ops.scatter_reduce, *args, **kwargs)

    def index_copy_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``index_copy``: ``self`` takes the result of ``chainrule.index_copy(self, ...)``."""
        return _inplace(self, "index_copy_", _ops.index_copy, *args, **kwargs)

    def index_fill_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``index_fill``: ``self`` takes the result of ``chainrule.index_fill(self, ...)``."""
        return _inplace(self, "index_fill_", _ops.index_fill, *args, **kwargs)

    def index_put_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``index_put``: ``self`` takes the result of ``chainrule.index_put(self, ...)``."""
        return _inplace(self, "index_put_", _ops.index_put, *args, **kwargs)

    def masked_scatter_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``masked_scatter``: ``self`` takes the result of ``chainrule.masked_scatter(self, ...)``."""
        return _inplace(self, "masked_scatter_", _ops.masked_scatter, *args, **kwargs)

    def bitwise_left_shift_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``bitwise_left_shift``: ``self`` takes the result of ``chainrule.bitwise_left_shift(self, ...)``."""
        return _inplace(self, "bitwise_left_shift_", _ops.bitwise_left_shift, *args, **kwargs)

    def bitwise_right_shift_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``bitwise_right_shift``: ``self`` takes the result of ``chainrule.bitwise_right_shift(self, ...)``."""
        return _inplace(self, "bitwise_right_shift_", _ops.bitwise_right_shift, *args, **kwargs)


def _inplace(t: Any, name: str, op: Any, *args: Any, **kwargs: Any) -> Any:
    from ._tensor_methods import _inplace as run

    return run(t, name, op, *args, **kwargs)


from . import ops as _ops  # noqa: E402  (the ops import the Tensor class, which uses this mixin)
