"""Tensor methods that delegate to ``chainrule.ops`` unchanged (``x.exp()`` is ``chainrule.exp(x)``).

Written out one per line (no ``setattr`` loops) so that each method is greppable and shows up in
``help(Tensor)``. The docstring of each op lives with the op: ``_share_op_docs`` (called once
``chainrule`` is imported) gives each method without a docstring of its own the docstring of the op
it calls, so ``help(Tensor.exp)`` reads ``help(chainrule.exp)`` and the text is written only once.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["TensorOpMethods"]


class TensorOpMethods:
    """Mixin for ``Tensor``: methods that are ``chainrule.<op>(self, ...)``."""

    __slots__ = ()

    # --- elementwise math --------------------------------------------------------------------------
    def abs(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.abs(self, *args, **kwargs)

    def absolute(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.absolute(self, *args, **kwargs)

    def exp(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.exp(self, *args, **kwargs)

    def exp2(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.exp2(self, *args, **kwargs)

    def expm1(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.expm1(self, *args, **kwargs)

    def log(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.log(self, *args, **kwargs)

    def log1p(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.log1p(self, *args, **kwargs)

    def log2(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.log2(self, *args, **kwargs)

    def log10(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.log10(self, *args, **kwargs)

    def sqrt(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sqrt(self, *args, **kwargs)

    def rsqrt(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.rsqrt(self, *args, **kwargs)

    def sin(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sin(self, *args, **kwargs)

    def cos(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.cos(self, *args, **kwargs)

    def tan(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.tan(self, *args, **kwargs)

    def asin(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.asin(self, *args, **kwargs)

    def acos(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.acos(self, *args, **kwargs)

    def atan(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.atan(self, *args, **kwargs)

    def sinh(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sinh(self, *args, **kwargs)

    def cosh(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.cosh(self, *args, **kwargs)

    def tanh(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.tanh(self, *args, **kwargs)

    def sigmoid(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sigmoid(self, *args, **kwargs)

    def relu(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.relu(self, *args, **kwargs)

    def square(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.square(self, *args, **kwargs)

    def reciprocal(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.reciprocal(self, *args, **kwargs)

    def sign(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sign(self, *args, **kwargs)

    def floor(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.floor(self, *args, **kwargs)

    def ceil(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.ceil(self, *args, **kwargs)

    def round(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.round(self, *args, **kwargs)

    def trunc(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.trunc(self, *args, **kwargs)

    def frac(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.frac(self, *args, **kwargs)

    def neg(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.neg(self, *args, **kwargs)

    def negative(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.negative(self, *args, **kwargs)

    def erf(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.erf(self, *args, **kwargs)

    def nan_to_num(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.nan_to_num(self, *args, **kwargs)


    # --- binary and ternary ------------------------------------------------------------------------
    def add(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.add(self, *args, **kwargs)

    def sub(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sub(self, *args, **kwargs)

    def subtract(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.subtract(self, *args, **kwargs)

    def mul(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.mul(self, *args, **kwargs)

    def multiply(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.multiply(self, *args, **kwargs)

    def div(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.div(self, *args, **kwargs)

    def divide(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.divide(self, *args, **kwargs)

    def true_divide(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.true_divide(self, *args, **kwargs)

    def floor_divide(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.floor_divide(self, *args, **kwargs)

    def remainder(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.remainder(self, *args, **kwargs)

    def fmod(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.fmod(self, *args, **kwargs)

    def pow(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.pow(self, *args, **kwargs)

    def float_power(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.float_power(self, *args, **kwargs)

    def maximum(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.maximum(self, *args, **kwargs)

    def minimum(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.minimum(self, *args, **kwargs)

    def fmax(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.fmax(self, *args, **kwargs)

    def fmin(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.fmin(self, *args, **kwargs)

    def masked_fill(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.masked_fill(self, *args, **kwargs)

    def clamp(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.clamp(self, *args, **kwargs)

    def clip(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.clip(self, *args, **kwargs)

    def addcmul(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.addcmul(self, *args, **kwargs)

    def addcdiv(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.addcdiv(self, *args, **kwargs)

    def lerp(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.lerp(self, *args, **kwargs)

    def atan2(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.atan2(self, *args, **kwargs)


    # --- comparison and logic ----------------------------------------------------------------------
    def eq(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.eq(self, *args, **kwargs)

    def ne(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.ne(self, *args, **kwargs)

    def lt(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.lt(self, *args, **kwargs)

    def le(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.le(self, *args, **kwargs)

    def gt(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.gt(self, *args, **kwargs)

    def ge(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.ge(self, *args, **kwargs)

    def greater(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.greater(self, *args, **kwargs)

    def greater_equal(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.greater_equal(self, *args, **kwargs)

    def less(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.less(self, *args, **kwargs)

    def less_equal(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.less_equal(self, *args, **kwargs)

    def not_equal(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.not_equal(self, *args, **kwargs)

    def isnan(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.isnan(self, *args, **kwargs)

    def isinf(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.isinf(self, *args, **kwargs)

    def isfinite(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.isfinite(self, *args, **kwargs)

    def isposinf(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.isposinf(self, *args, **kwargs)

    def isneginf(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.isneginf(self, *args, **kwargs)

    def any(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.any(self, *args, **kwargs)

    def all(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.all(self, *args, **kwargs)

    def logical_and(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.logical_and(self, *args, **kwargs)

    def logical_or(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.logical_or(self, *args, **kwargs)

    def logical_not(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.logical_not(self, *args, **kwargs)

    def logical_xor(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.logical_xor(self, *args, **kwargs)

    def bitwise_and(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.bitwise_and(self, *args, **kwargs)

    def bitwise_or(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.bitwise_or(self, *args, **kwargs)

    def bitwise_xor(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.bitwise_xor(self, *args, **kwargs)

    def bitwise_not(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.bitwise_not(self, *args, **kwargs)

    def isclose(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.isclose(self, *args, **kwargs)

    def allclose(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.allclose(self, *args, **kwargs)

    def equal(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.equal(self, *args, **kwargs)

    def count_nonzero(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.count_nonzero(self, *args, **kwargs)


    # --- reductions --------------------------------------------------------------------------------
    def sum(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sum(self, *args, **kwargs)

    def mean(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.mean(self, *args, **kwargs)

    def prod(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.prod(self, *args, **kwargs)

    def max(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.max(self, *args, **kwargs)

    def min(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.min(self, *args, **kwargs)

    def amax(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.amax(self, *args, **kwargs)

    def amin(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.amin(self, *args, **kwargs)

    def aminmax(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.aminmax(self, *args, **kwargs)

    def argmax(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.argmax(self, *args, **kwargs)

    def argmin(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.argmin(self, *args, **kwargs)

    def var(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.var(self, *args, **kwargs)

    def std(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.std(self, *args, **kwargs)

    def var_mean(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.var_mean(self, *args, **kwargs)

    def std_mean(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.std_mean(self, *args, **kwargs)

    def logsumexp(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.logsumexp(self, *args, **kwargs)

    def norm(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.norm(self, *args, **kwargs)

    def cumsum(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.cumsum(self, *args, **kwargs)

    def cumprod(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.cumprod(self, *args, **kwargs)

    def nansum(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.nansum(self, *args, **kwargs)

    def nanmean(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.nanmean(self, *args, **kwargs)

    def median(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.median(self, *args, **kwargs)


    # --- linear algebra ----------------------------------------------------------------------------
    def matmul(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.matmul(self, *args, **kwargs)

    def mm(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.mm(self, *args, **kwargs)

    def bmm(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.bmm(self, *args, **kwargs)

    def mv(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.mv(self, *args, **kwargs)

    def outer(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.outer(self, *args, **kwargs)

    def dot(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.dot(self, *args, **kwargs)

    def inner(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.inner(self, *args, **kwargs)


    # --- shape -------------------------------------------------------------------------------------
    def reshape(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.reshape(self, *args, **kwargs)

    def reshape_as(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.reshape_as(self, *args, **kwargs)

    def view(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.view(self, *args, **kwargs)

    def view_as(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.view_as(self, *args, **kwargs)

    def flatten(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.flatten(self, *args, **kwargs)

    def unflatten(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.unflatten(self, *args, **kwargs)

    def permute(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.permute(self, *args, **kwargs)

    def transpose(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.transpose(self, *args, **kwargs)

    def swapaxes(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.swapaxes(self, *args, **kwargs)

    def swapdims(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.swapdims(self, *args, **kwargs)

    def t(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.t(self, *args, **kwargs)

    def squeeze(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.squeeze(self, *args, **kwargs)

    def unsqueeze(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.unsqueeze(self, *args, **kwargs)

    def expand(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.expand(self, *args, **kwargs)

    def expand_as(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.expand_as(self, *args, **kwargs)

    def broadcast_to(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.broadcast_to(self, *args, **kwargs)

    def repeat(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.repeat(self, *args, **kwargs)

    def tile(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.tile(self, *args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> Any:
        if "split_size" in kwargs:  # the method's keyword; the function's is split_size_or_sections
            kwargs["split_size_or_sections"] = kwargs.pop("split_size")
        return _ops.split(self, *args, **kwargs)

    def chunk(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.chunk(self, *args, **kwargs)

    def flip(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.flip(self, *args, **kwargs)

    def fliplr(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.fliplr(self, *args, **kwargs)

    def flipud(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.flipud(self, *args, **kwargs)

    def roll(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.roll(self, *args, **kwargs)

    def narrow(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.narrow(self, *args, **kwargs)

    def movedim(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.movedim(self, *args, **kwargs)

    def moveaxis(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.moveaxis(self, *args, **kwargs)

    def unbind(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.unbind(self, *args, **kwargs)

    def tril(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.tril(self, *args, **kwargs)

    def triu(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.triu(self, *args, **kwargs)

    def diagonal(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.diagonal(self, *args, **kwargs)

    def diag(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.diag(self, *args, **kwargs)


    # --- indexing ----------------------------------------------------------------------------------
    def gather(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.gather(self, *args, **kwargs)

    def scatter_add(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.scatter_add(self, *args, **kwargs)

    def scatter(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.scatter(self, *args, **kwargs)

    def index_select(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.index_select(self, *args, **kwargs)

    def index_add(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.index_add(self, *args, **kwargs)

    def take_along_dim(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.take_along_dim(self, *args, **kwargs)

    def nonzero(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.nonzero(self, *args, **kwargs)

    def masked_select(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.masked_select(self, *args, **kwargs)


    # --- sorting, softmax, sampling ----------------------------------------------------------------
    def topk(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.topk(self, *args, **kwargs)

    def sort(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.sort(self, *args, **kwargs)

    def argsort(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.argsort(self, *args, **kwargs)

    def msort(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.msort(self, *args, **kwargs)

    def multinomial(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.multinomial(self, *args, **kwargs)

    def softmax(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.softmax(self, *args, **kwargs)

    def log_softmax(self, *args: Any, **kwargs: Any) -> Any:
        return _ops.log_softmax(self, *args, **kwargs)


from . import ops as _ops  # noqa: E402  (the ops import the Tensor class, which uses this mixin)


def _share_op_docs(cls: type) -> None:
    """Document each of ``cls``'s undocumented public methods with the docstring of its op.

    ``x.name(...)`` is ``chainrule.ops.name(x, ...)``; an in-place ``x.name_(...)`` writes the result
    of ``name`` into ``x``. Methods that have a docstring of their own keep it.
    """
    for klass in cls.__mro__:
        for name, method in vars(klass).items():
            if name.startswith("_") or not callable(method) or method.__doc__:
                continue
            inplace = name.endswith("_") and name[:-1] in _ops.__all__
            op = getattr(_ops, name[:-1] if inplace else name, None) if name in _ops.__all__ or inplace else None
            if op is None or not op.__doc__:
                continue
            if inplace:
                head = (
                    f"In-place ``x.{name[:-1]}(...)``: writes the result into ``x`` and returns ``x``.\n"
                    "Outside ``no_grad`` a leaf that requires grad refuses, as in PyTorch."
                )
            else:
                head = f"``x.{name}(...)`` is ``chainrule.{name}(x, ...)``:"
            method.__doc__ = f"{head}\n\n{inspect.cleandoc(op.__doc__)}"
