"""In-place ``_`` forms of Tensor ops (``x.cos_()`` is ``x.copy_(chainrule.cos(x))`` with the
autograd bookkeeping of PyTorch's in-place ops), for the ops whose out-of-place form is elsewhere.

Written out one per line, as in ``_tensor_op_methods``; the docstring of each op lives with the op.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TensorInplaceOpMethods"]


class TensorInplaceOpMethods:
    """Mixin for ``Tensor``: ``op_(self, ...)`` writes ``chainrule.op(self, ...)`` into ``self``."""

    __slots__ = ()

    def polygamma_(self, n: int) -> Any:
        """In-place ``polygamma(n, self)``."""
        return _inplace(self, "polygamma_", lambda x: _ops.polygamma(n, x))

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

    def absolute_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``absolute``: ``self`` takes the result of ``chainrule.absolute(self, ...)``."""
        return _inplace(self, "absolute_", _ops.absolute, *args, **kwargs)

    def acos_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``acos``: ``self`` takes the result of ``chainrule.acos(self, ...)``."""
        return _inplace(self, "acos_", _ops.acos, *args, **kwargs)

    def addr_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``addr``: ``self`` takes the result of ``chainrule.addr(self, ...)``."""
        return _inplace(self, "addr_", _ops.addr, *args, **kwargs)

    def arccos_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``arccos``: ``self`` takes the result of ``chainrule.arccos(self, ...)``."""
        return _inplace(self, "arccos_", _ops.arccos, *args, **kwargs)

    def arcsin_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``arcsin``: ``self`` takes the result of ``chainrule.arcsin(self, ...)``."""
        return _inplace(self, "arcsin_", _ops.arcsin, *args, **kwargs)

    def arctan2_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``arctan2``: ``self`` takes the result of ``chainrule.arctan2(self, ...)``."""
        return _inplace(self, "arctan2_", _ops.arctan2, *args, **kwargs)

    def arctan_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``arctan``: ``self`` takes the result of ``chainrule.arctan(self, ...)``."""
        return _inplace(self, "arctan_", _ops.arctan, *args, **kwargs)

    def asin_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``asin``: ``self`` takes the result of ``chainrule.asin(self, ...)``."""
        return _inplace(self, "asin_", _ops.asin, *args, **kwargs)

    def atan2_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``atan2``: ``self`` takes the result of ``chainrule.atan2(self, ...)``."""
        return _inplace(self, "atan2_", _ops.atan2, *args, **kwargs)

    def atan_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``atan``: ``self`` takes the result of ``chainrule.atan(self, ...)``."""
        return _inplace(self, "atan_", _ops.atan, *args, **kwargs)

    def bitwise_and_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``bitwise_and``: ``self`` takes the result of ``chainrule.bitwise_and(self, ...)``."""
        return _inplace(self, "bitwise_and_", _ops.bitwise_and, *args, **kwargs)

    def bitwise_not_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``bitwise_not``: ``self`` takes the result of ``chainrule.bitwise_not(self, ...)``."""
        return _inplace(self, "bitwise_not_", _ops.bitwise_not, *args, **kwargs)

    def bitwise_or_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``bitwise_or``: ``self`` takes the result of ``chainrule.bitwise_or(self, ...)``."""
        return _inplace(self, "bitwise_or_", _ops.bitwise_or, *args, **kwargs)

    def bitwise_xor_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``bitwise_xor``: ``self`` takes the result of ``chainrule.bitwise_xor(self, ...)``."""
        return _inplace(self, "bitwise_xor_", _ops.bitwise_xor, *args, **kwargs)

    def ceil_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``ceil``: ``self`` takes the result of ``chainrule.ceil(self, ...)``."""
        return _inplace(self, "ceil_", _ops.ceil, *args, **kwargs)

    def clamp_max_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``clamp_max``: ``self`` takes the result of ``chainrule.clamp_max(self, ...)``."""
        return _inplace(self, "clamp_max_", _ops.clamp_max, *args, **kwargs)

    def clamp_min_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``clamp_min``: ``self`` takes the result of ``chainrule.clamp_min(self, ...)``."""
        return _inplace(self, "clamp_min_", _ops.clamp_min, *args, **kwargs)

    def cos_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``cos``: ``self`` takes the result of ``chainrule.cos(self, ...)``."""
        return _inplace(self, "cos_", _ops.cos, *args, **kwargs)

    def cosh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``cosh``: ``self`` takes the result of ``chainrule.cosh(self, ...)``."""
        return _inplace(self, "cosh_", _ops.cosh, *args, **kwargs)

    def cumprod_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``cumprod``: ``self`` takes the result of ``chainrule.cumprod(self, ...)``."""
        return _inplace(self, "cumprod_", _ops.cumprod, *args, **kwargs)

    def cumsum_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``cumsum``: ``self`` takes the result of ``chainrule.cumsum(self, ...)``."""
        return _inplace(self, "cumsum_", _ops.cumsum, *args, **kwargs)

    def deg2rad_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``deg2rad``: ``self`` takes the result of ``chainrule.deg2rad(self, ...)``."""
        return _inplace(self, "deg2rad_", _ops.deg2rad, *args, **kwargs)

    def divide_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``divide``: ``self`` takes the result of ``chainrule.divide(self, ...)``."""
        return _inplace(self, "divide_", _ops.divide, *args, **kwargs)

    def eq_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``eq``: ``self`` takes the result of ``chainrule.eq(self, ...)``."""
        return _inplace(self, "eq_", _ops.eq, *args, **kwargs)

    def erf_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``erf``: ``self`` takes the result of ``chainrule.erf(self, ...)``."""
        return _inplace(self, "erf_", _ops.erf, *args, **kwargs)

    def exp2_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``exp2``: ``self`` takes the result of ``chainrule.exp2(self, ...)``."""
        return _inplace(self, "exp2_", _ops.exp2, *args, **kwargs)

    def expm1_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``expm1``: ``self`` takes the result of ``chainrule.expm1(self, ...)``."""
        return _inplace(self, "expm1_", _ops.expm1, *args, **kwargs)

    def fix_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``fix``: ``self`` takes the result of ``chainrule.fix(self, ...)``."""
        return _inplace(self, "fix_", _ops.fix, *args, **kwargs)

    def float_power_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``float_power``: ``self`` takes the result of ``chainrule.float_power(self, ...)``."""
        return _inplace(self, "float_power_", _ops.float_power, *args, **kwargs)

    def floor_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``floor``: ``self`` takes the result of ``chainrule.floor(self, ...)``."""
        return _inplace(self, "floor_", _ops.floor, *args, **kwargs)

    def floor_divide_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``floor_divide``: ``self`` takes the result of ``chainrule.floor_divide(self, ...)``."""
        return _inplace(self, "floor_divide_", _ops.floor_divide, *args, **kwargs)

    def fmod_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``fmod``: ``self`` takes the result of ``chainrule.fmod(self, ...)``."""
        return _inplace(self, "fmod_", _ops.fmod, *args, **kwargs)

    def frac_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``frac``: ``self`` takes the result of ``chainrule.frac(self, ...)``."""
        return _inplace(self, "frac_", _ops.frac, *args, **kwargs)

    def gcd_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``gcd``: ``self`` takes the result of ``chainrule.gcd(self, ...)``."""
        return _inplace(self, "gcd_", _ops.gcd, *args, **kwargs)

    def ge_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``ge``: ``self`` takes the result of ``chainrule.ge(self, ...)``."""
        return _inplace(self, "ge_", _ops.ge, *args, **kwargs)

    def greater_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``greater``: ``self`` takes the result of ``chainrule.greater(self, ...)``."""
        return _inplace(self, "greater_", _ops.greater, *args, **kwargs)

    def greater_equal_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``greater_equal``: ``self`` takes the result of ``chainrule.greater_equal(self, ...)``."""
        return _inplace(self, "greater_equal_", _ops.greater_equal, *args, **kwargs)

    def gt_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``gt``: ``self`` takes the result of ``chainrule.gt(self, ...)``."""
        return _inplace(self, "gt_", _ops.gt, *args, **kwargs)

    def heaviside_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``heaviside``: ``self`` takes the result of ``chainrule.heaviside(self, ...)``."""
        return _inplace(self, "heaviside_", _ops.heaviside, *args, **kwargs)

    def lcm_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``lcm``: ``self`` takes the result of ``chainrule.lcm(self, ...)``."""
        return _inplace(self, "lcm_", _ops.lcm, *args, **kwargs)

    def ldexp_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``ldexp``: ``self`` takes the result of ``chainrule.ldexp(self, ...)``."""
        return _inplace(self, "ldexp_", _ops.ldexp, *args, **kwargs)

    def le_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``le``: ``self`` takes the result of ``chainrule.le(self, ...)``."""
        return _inplace(self, "le_", _ops.le, *args, **kwargs)

    def less_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``less``: ``self`` takes the result of ``chainrule.less(self, ...)``."""
        return _inplace(self, "less_", _ops.less, *args, **kwargs)

    def less_equal_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``less_equal``: ``self`` takes the result of ``chainrule.less_equal(self, ...)``."""
        return _inplace(self, "less_equal_", _ops.less_equal, *args, **kwargs)

    def log10_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``log10``: ``self`` takes the result of ``chainrule.log10(self, ...)``."""
        return _inplace(self, "log10_", _ops.log10, *args, **kwargs)

    def log1p_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``log1p``: ``self`` takes the result of ``chainrule.log1p(self, ...)``."""
        return _inplace(self, "log1p_", _ops.log1p, *args, **kwargs)

    def log2_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``log2``: ``self`` takes the result of ``chainrule.log2(self, ...)``."""
        return _inplace(self, "log2_", _ops.log2, *args, **kwargs)

    def logical_and_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``logical_and``: ``self`` takes the result of ``chainrule.logical_and(self, ...)``."""
        return _inplace(self, "logical_and_", _ops.logical_and, *args, **kwargs)

    def logical_not_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``logical_not``: ``self`` takes the result of ``chainrule.logical_not(self, ...)``."""
        return _inplace(self, "logical_not_", _ops.logical_not, *args, **kwargs)

    def logical_or_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``logical_or``: ``self`` takes the result of ``chainrule.logical_or(self, ...)``."""
        return _inplace(self, "logical_or_", _ops.logical_or, *args, **kwargs)

    def logical_xor_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``logical_xor``: ``self`` takes the result of ``chainrule.logical_xor(self, ...)``."""
        return _inplace(self, "logical_xor_", _ops.logical_xor, *args, **kwargs)

    def logit_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``logit``: ``self`` takes the result of ``chainrule.logit(self, ...)``."""
        return _inplace(self, "logit_", _ops.logit, *args, **kwargs)

    def lt_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``lt``: ``self`` takes the result of ``chainrule.lt(self, ...)``."""
        return _inplace(self, "lt_", _ops.lt, *args, **kwargs)

    def multiply_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``multiply``: ``self`` takes the result of ``chainrule.multiply(self, ...)``."""
        return _inplace(self, "multiply_", _ops.multiply, *args, **kwargs)

    def ne_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``ne``: ``self`` takes the result of ``chainrule.ne(self, ...)``."""
        return _inplace(self, "ne_", _ops.ne, *args, **kwargs)

    def negative_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``negative``: ``self`` takes the result of ``chainrule.negative(self, ...)``."""
        return _inplace(self, "negative_", _ops.negative, *args, **kwargs)

    def not_equal_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``not_equal``: ``self`` takes the result of ``chainrule.not_equal(self, ...)``."""
        return _inplace(self, "not_equal_", _ops.not_equal, *args, **kwargs)

    def rad2deg_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``rad2deg``: ``self`` takes the result of ``chainrule.rad2deg(self, ...)``."""
        return _inplace(self, "rad2deg_", _ops.rad2deg, *args, **kwargs)

    def reciprocal_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``reciprocal``: ``self`` takes the result of ``chainrule.reciprocal(self, ...)``."""
        return _inplace(self, "reciprocal_", _ops.reciprocal, *args, **kwargs)

    def remainder_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``remainder``: ``self`` takes the result of ``chainrule.remainder(self, ...)``."""
        return _inplace(self, "remainder_", _ops.remainder, *args, **kwargs)

    def round_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``round``: ``self`` takes the result of ``chainrule.round(self, ...)``."""
        return _inplace(self, "round_", _ops.round, *args, **kwargs)

    def rsqrt_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``rsqrt``: ``self`` takes the result of ``chainrule.rsqrt(self, ...)``."""
        return _inplace(self, "rsqrt_", _ops.rsqrt, *args, **kwargs)

    def sgn_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``sgn``: ``self`` takes the result of ``chainrule.sgn(self, ...)``."""
        return _inplace(self, "sgn_", _ops.sgn, *args, **kwargs)

    def sign_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``sign``: ``self`` takes the result of ``chainrule.sign(self, ...)``."""
        return _inplace(self, "sign_", _ops.sign, *args, **kwargs)

    def sin_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``sin``: ``self`` takes the result of ``chainrule.sin(self, ...)``."""
        return _inplace(self, "sin_", _ops.sin, *args, **kwargs)

    def sinc_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``sinc``: ``self`` takes the result of ``chainrule.sinc(self, ...)``."""
        return _inplace(self, "sinc_", _ops.sinc, *args, **kwargs)

    def sinh_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``sinh``: ``self`` takes the result of ``chainrule.sinh(self, ...)``."""
        return _inplace(self, "sinh_", _ops.sinh, *args, **kwargs)

    def square_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``square``: ``self`` takes the result of ``chainrule.square(self, ...)``."""
        return _inplace(self, "square_", _ops.square, *args, **kwargs)

    def subtract_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``subtract``: ``self`` takes the result of ``chainrule.subtract(self, ...)``."""
        return _inplace(self, "subtract_", _ops.subtract, *args, **kwargs)

    def tan_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``tan``: ``self`` takes the result of ``chainrule.tan(self, ...)``."""
        return _inplace(self, "tan_", _ops.tan, *args, **kwargs)

    def tril_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``tril``: ``self`` takes the result of ``chainrule.tril(self, ...)``."""
        return _inplace(self, "tril_", _ops.tril, *args, **kwargs)

    def triu_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``triu``: ``self`` takes the result of ``chainrule.triu(self, ...)``."""
        return _inplace(self, "triu_", _ops.triu, *args, **kwargs)

    def true_divide_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``true_divide``: ``self`` takes the result of ``chainrule.true_divide(self, ...)``."""
        return _inplace(self, "true_divide_", _ops.true_divide, *args, **kwargs)

    def trunc_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``trunc``: ``self`` takes the result of ``chainrule.trunc(self, ...)``."""
        return _inplace(self, "trunc_", _ops.trunc, *args, **kwargs)

    def index_reduce_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``index_reduce``: ``self`` takes the result of ``chainrule.index_reduce(self, ...)``."""
        return _inplace(self, "index_reduce_", _ops.index_reduce, *args, **kwargs)

    def put_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``put``: ``self`` takes the result of ``chainrule.put(self, ...)``."""
        return _inplace(self, "put_", _ops.put, *args, **kwargs)

    def mvlgamma_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``mvlgamma``: ``self`` takes the result of ``chainrule.mvlgamma(self, ...)``."""
        return _inplace(self, "mvlgamma_", _ops.mvlgamma, *args, **kwargs)

    def nextafter_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``nextafter``: ``self`` takes the result of ``chainrule.nextafter(self, ...)``."""
        return _inplace(self, "nextafter_", _ops.nextafter, *args, **kwargs)

    def renorm_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``renorm``: ``self`` takes the result of ``chainrule.renorm(self, ...)``."""
        return _inplace(self, "renorm_", _ops.renorm, *args, **kwargs)

    def igamma_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``igamma``: ``self`` takes the result of ``chainrule.igamma(self, ...)``."""
        return _inplace(self, "igamma_", _ops.igamma, *args, **kwargs)

    def igammac_(self, *args: Any, **kwargs: Any) -> Any:
        """In-place ``igammac``: ``self`` takes the result of ``chainrule.igammac(self, ...)``."""
        return _inplace(self, "igammac_", _ops.igammac, *args, **kwargs)


def _inplace(t: Any, name: str, op: Any, *args: Any, **kwargs: Any) -> Any:
    from ._tensor_methods import _inplace as run

    return run(t, name, op, *args, **kwargs)


from . import ops as _ops  # noqa: E402  (the ops import the Tensor class, which uses this mixin)
