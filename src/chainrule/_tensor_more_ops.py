"""More Tensor methods that are ``chainrule.<op>(self, ...)``: the special functions, combination,
scatter/index, window, set and bucketing ops, each with its in-place ``_`` form where PyTorch has one.

Written out one per line, as in ``_tensor_op_methods``; the docstring of each op lives with the op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
        """``self << other``."""
        return _ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Any:
        """``other << self``."""
        return _ops.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> Any:
        """``self >> other``."""
        return _ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Any:
        """``other >> self``."""
        return _ops.bitwise_right_shift(other, self)

    def __ilshift__(self, other: Any) -> Any:
        """In-place ``self <<= other``."""
        return _inplace(self, "__ilshift__", _ops.bitwise_left_shift, other)

    def __irshift__(self, other: Any) -> Any:
        """In-place ``self >>= other``."""
        return _inplace(self, "__irshift__", _ops.bitwise_right_shift, other)

    def __iand__(self, other: Any) -> Any:
        """In-place ``self &= other``."""
        return _inplace(self, "__iand__", _ops.bitwise_and, other)

    def __ior__(self, other: Any) -> Any:
        """In-place ``self |= other``."""
        return _inplace(self, "__ior__", _ops.bitwise_or, other)

    def __ixor__(self, other: Any) -> Any:
        """In-place ``self ^= other``."""
        return _inplace(self, "__ixor__", _ops.bitwise_xor, other)

    def resize_(self, *sizes: Any, memory_format: Any = None) -> Any:
        """Give the tensor shape ``sizes`` in place: the first elements keep their values (row-major), new ones are 0."""
        return _ops.bits.resize_(self, *sizes)

    # --- more math, splitting, statistics ----------------------------------------------------------

    def arcsin(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.arcsin(self, ...)``."""
        return _ops.arcsin(self, *args, **kwargs)

    def arccos(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.arccos(self, ...)``."""
        return _ops.arccos(self, *args, **kwargs)

    def arctan(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.arctan(self, ...)``."""
        return _ops.arctan(self, *args, **kwargs)

    def arctan2(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.arctan2(self, ...)``."""
        return _ops.arctan2(self, *args, **kwargs)

    def fix(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.fix(self, ...)``."""
        return _ops.fix(self, *args, **kwargs)

    def sgn(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.sgn(self, ...)``."""
        return _ops.sgn(self, *args, **kwargs)

    def clamp_min(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.clamp_min(self, ...)``."""
        return _ops.clamp_min(self, *args, **kwargs)

    def clamp_max(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.clamp_max(self, ...)``."""
        return _ops.clamp_max(self, *args, **kwargs)

    def sinc(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.sinc(self, ...)``."""
        return _ops.sinc(self, *args, **kwargs)

    def logit(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.logit(self, ...)``."""
        return _ops.logit(self, *args, **kwargs)

    def ldexp(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.ldexp(self, ...)``."""
        return _ops.ldexp(self, *args, **kwargs)

    def frexp(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.frexp(self, ...)``."""
        return _ops.frexp(self, *args, **kwargs)

    def rad2deg(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.rad2deg(self, ...)``."""
        return _ops.rad2deg(self, *args, **kwargs)

    def deg2rad(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.deg2rad(self, ...)``."""
        return _ops.deg2rad(self, *args, **kwargs)

    def signbit(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.signbit(self, ...)``."""
        return _ops.signbit(self, *args, **kwargs)

    def heaviside(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.heaviside(self, ...)``."""
        return _ops.heaviside(self, *args, **kwargs)

    def gcd(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.gcd(self, ...)``."""
        return _ops.gcd(self, *args, **kwargs)

    def lcm(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.lcm(self, ...)``."""
        return _ops.lcm(self, *args, **kwargs)

    def positive(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.positive(self, ...)``."""
        return _ops.positive(self, *args, **kwargs)

    def kthvalue(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.kthvalue(self, ...)``."""
        return _ops.kthvalue(self, *args, **kwargs)

    def nanmedian(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.nanmedian(self, ...)``."""
        return _ops.nanmedian(self, *args, **kwargs)

    def tensor_split(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.tensor_split(self, ...)``."""
        return _ops.tensor_split(self, *args, **kwargs)

    def hsplit(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.hsplit(self, ...)``."""
        return _ops.hsplit(self, *args, **kwargs)

    def vsplit(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.vsplit(self, ...)``."""
        return _ops.vsplit(self, *args, **kwargs)

    def dsplit(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.dsplit(self, ...)``."""
        return _ops.dsplit(self, *args, **kwargs)

    def select(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.select(self, ...)``."""
        return _ops.select(self, *args, **kwargs)

    def ravel(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.ravel(self, ...)``."""
        return _ops.ravel(self, *args, **kwargs)

    def diagflat(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.diagflat(self, ...)``."""
        return _ops.diagflat(self, *args, **kwargs)

    def vdot(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.vdot(self, ...)``."""
        return _ops.vdot(self, *args, **kwargs)

    def addr(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.addr(self, ...)``."""
        return _ops.addr(self, *args, **kwargs)

    def slice_scatter(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.slice_scatter(self, ...)``."""
        return _ops.slice_scatter(self, *args, **kwargs)

    def select_scatter(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.select_scatter(self, ...)``."""
        return _ops.select_scatter(self, *args, **kwargs)

    def diagonal_scatter(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.diagonal_scatter(self, ...)``."""
        return _ops.diagonal_scatter(self, *args, **kwargs)

    def cov(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.cov(self, ...)``."""
        return _ops.cov(self, *args, **kwargs)

    def corrcoef(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.corrcoef(self, ...)``."""
        return _ops.corrcoef(self, *args, **kwargs)

    def histogram(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.histogram(self, ...)``."""
        return _ops.histogram(self, *args, **kwargs)

    def index_reduce(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.index_reduce(self, ...)``."""
        return _ops.index_reduce(self, *args, **kwargs)

    def put(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.put(self, ...)``."""
        return _ops.put(self, *args, **kwargs)

    def mvlgamma(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.mvlgamma(self, ...)``."""
        return _ops.mvlgamma(self, *args, **kwargs)

    def nextafter(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.nextafter(self, ...)``."""
        return _ops.nextafter(self, *args, **kwargs)

    def narrow_copy(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.narrow_copy(self, ...)``."""
        return _ops.narrow_copy(self, *args, **kwargs)

    def renorm(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.renorm(self, ...)``."""
        return _ops.renorm(self, *args, **kwargs)

    def split_with_sizes(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.split_with_sizes(self, ...)``."""
        return _ops.split_with_sizes(self, *args, **kwargs)

    def ger(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.ger(self, ...)``."""
        return _ops.ger(self, *args, **kwargs)

    def sum_to_size(self, *size: Any) -> Any:
        """Sum ``self`` down to ``size`` (the reverse of broadcasting ``size`` up to ``self.shape``)."""
        from .ops.shape import _sizes

        shape = _sizes(size, "sum_to_size")
        have = tuple(self._data.shape)
        lead = len(have) - len(shape)
        if lead < 0 or any(b != a and b != 1 for a, b in zip(have[lead:], shape)):
            raise RuntimeError(f"sum_to_size: size {{{list(shape)}}} is not expandable to size {{{list(have)}}}.")
        out = _ops.sum(self, tuple(range(lead))) if lead else self
        dims = tuple(i for i, (a, b) in enumerate(zip(have[lead:], shape)) if b == 1 and a != 1)
        return _ops.sum(out, dims, keepdim=True) if dims else out

    def apply_(self, callable: Any) -> Any:  # noqa: A002
        """Replace every element x by ``callable(x)`` (a Python function; no gradient, as in PyTorch)."""
        return _map_inplace(self, "apply_", np.vectorize(callable, otypes=[self._data.dtype]), self._data)

    def map_(self, tensor: Any, callable: Any) -> Any:  # noqa: A002
        """Replace every element x by ``callable(x, y)`` with y the matching element of ``tensor`` (broadcast)."""
        other = np.broadcast_to(tensor._data, self._data.shape)
        return _map_inplace(self, "map_", np.vectorize(callable, otypes=[self._data.dtype]), self._data, other)

    def to_dense(self, dtype: Any = None, *, masked_grad: Any = None) -> Any:
        """``self`` (chainrule tensors are always dense), cast to ``dtype`` if given."""
        return self if dtype is None else self.to(dtype)

    def igamma(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.igamma(self, ...)``."""
        return _ops.igamma(self, *args, **kwargs)

    def igammac(self, *args: Any, **kwargs: Any) -> Any:
        """``chainrule.igammac(self, ...)``."""
        return _ops.igammac(self, *args, **kwargs)


def _map_inplace(t: Any, name: str, fn: Any, *arrays: Any) -> Any:
    from ._tensor_methods import _fill

    if t._requires_grad:
        raise RuntimeError(f"{name}: can't call {name}() on a tensor that requires grad; use .detach() or torch.no_grad()")
    return _fill(t, name, fn(*arrays) if t._data.size else t._data)


def _inplace(t: Any, name: str, op: Any, *args: Any, **kwargs: Any) -> Any:
    from ._tensor_methods import _inplace as run

    return run(t, name, op, *args, **kwargs)


from . import ops as _ops  # noqa: E402  (the ops import the Tensor class, which uses this mixin)
