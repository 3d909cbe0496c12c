"""Top-level in-place functions (``torch.sin_(x)``, ``torch.clamp_(x, 0, 1)``, ``torch.relu_(x)``...).

PyTorch exposes most in-place tensor methods also as functions of the ``torch`` module, and tutorials call
them that way. Each one here is the tensor method itself: ``chainrule.sin_(x, *a)`` is ``x.sin_(*a)`` (it
writes into ``x`` and returns ``x``); the activation ones (``celu_``, ``selu_``, ``rrelu_``, ``threshold_``)
are those of ``chainrule.nn.functional``. The math and its gradient live with the out-of-place op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._tensor import Tensor

# The in-place tensor methods PyTorch also offers as ``torch.<name>`` (``Tensor.<name>`` does the work).
_METHODS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
    "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_",
    "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_",
    "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_",
    "negative_", "rad2deg_", "reciprocal_", "relu_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_",
    "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)
# The in-place activations PyTorch also offers as ``torch.<name>`` (``nn.functional.<name>`` does the work).
_ACTIVATIONS = ("celu_", "selu_", "rrelu_", "threshold_")

__all__ = [*_METHODS, *_ACTIVATIONS]


def _from_method(name: str) -> Callable[..., Tensor]:
    def function(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002  (PyTorch's name)
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``chainrule.{name}(input, ...)``: the same as ``input.{name}(...)`` (writes into ``input``)."
    return function


def _from_functional(name: str) -> Callable[..., Tensor]:
    def function(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002  (PyTorch's name)
        from .nn import functional as F

        return getattr(F, name)(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"``chainrule.{name}(input, ...)``: the same as ``chainrule.nn.functional.{name}`` "
                        f"(writes into ``input``).")
    return function


globals().update({name: _from_method(name) for name in _METHODS})
globals().update({name: _from_functional(name) for name in _ACTIVATIONS})
