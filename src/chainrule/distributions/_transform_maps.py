"""Elementwise transforms y = f(x) with log |dy/dx|: exp, power, sigmoid, tanh, abs, affine, softplus."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

from . import constraints
from ._transform_base import Transform, _ParameterFree

__all__ = ["ExpTransform", "PowerTransform", "SigmoidTransform", "TanhTransform", "AbsTransform",
           "AffineTransform", "SoftplusTransform"]  # fmt: skip


def _F() -> Any:
    import chainrule.nn.functional as F

    return F


def _finfo(x: Any) -> Any:
    import chainrule

    return chainrule.finfo(x.dtype)


class ExpTransform(_ParameterFree):
    """y = eˣ;  log |dy/dx| = x."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1  # type: ignore[assignment]

    def _call(self, x: Any) -> Any:
        return x.exp()

    def _inverse(self, y: Any) -> Any:
        return y.log()

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """x."""
        return x


class PowerTransform(Transform):
    """y = xᵏ on x > 0;  log |dy/dx| = log |k·y/x|."""

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.exponent = exponent

    def with_cache(self, cache_size: int = 1) -> Transform:
        """This transform with the given cache size."""
        return (
            self if self._cache_size == cache_size else PowerTransform(self.exponent, cache_size=cache_size)
        )

    @property
    def sign(self) -> Any:
        """sign(k)."""
        e = self.exponent
        return e.sign() if hasattr(e, "sign") else (1 if e > 0 else -1 if e < 0 else 0)

    def _call(self, x: Any) -> Any:
        return x.pow(self.exponent)

    def _inverse(self, y: Any) -> Any:
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """log |k·y/x|."""
        return (self.exponent * y / x).abs().log()


class SigmoidTransform(_ParameterFree):
    """y = σ(x) (clamped into [eps, 1 − eps]);  log |dy/dx| = −softplus(−x) − softplus(x)."""

    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1  # type: ignore[assignment]

    def _call(self, x: Any) -> Any:
        fi = _finfo(x)
        return x.sigmoid().clamp(min=fi.tiny, max=1.0 - fi.eps)

    def _inverse(self, y: Any) -> Any:
        fi = _finfo(y)
        y = y.clamp(min=fi.tiny, max=1.0 - fi.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """−softplus(−x) − softplus(x)."""
        F = _F()
        return -F.softplus(-x) - F.softplus(x)


class TanhTransform(_ParameterFree):
    """y = tanh x;  log |dy/dx| = 2(log 2 − x − softplus(−2x))."""

    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = +1  # type: ignore[assignment]

    def _call(self, x: Any) -> Any:
        return x.tanh()

    def _inverse(self, y: Any) -> Any:
        return 0.5 * (y.log1p() - (-y).log1p())

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """2(log 2 − x − softplus(−2x))."""
        return 2.0 * (math.log(2.0) - x - _F().softplus(-2.0 * x))


class AbsTransform(_ParameterFree):
    """y = |x| (not bijective)."""

    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x: Any) -> Any:
        return x.abs()

    def _inverse(self, y: Any) -> Any:
        return y


class AffineTransform(Transform):
    """y = loc + scale·x (over ``event_dim`` dimensions);  log |det J| = Σ log |scale|."""

    bijective = True

    def __init__(self, loc: Any, scale: Any, event_dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim

    @property
    def event_dim(self) -> int:
        """The number of event dimensions the map acts on."""
        return self._event_dim

    @property
    def domain(self) -> Any:  # type: ignore[override]
        """real, made independent over event_dim."""
        if self.event_dim == 0:
            return constraints.real
        return constraints.independent(constraints.real, self.event_dim)

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        """real, made independent over event_dim."""
        return self.domain

    def with_cache(self, cache_size: int = 1) -> Transform:
        """This transform with the given cache size."""
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self.event_dim, cache_size=cache_size)

    @property
    def sign(self) -> Any:
        """sign(scale)."""
        s = self.scale
        if isinstance(s, Number):
            return 1 if s > 0 else -1 if s < 0 else 0
        return s.sign()

    def _call(self, x: Any) -> Any:
        return self.loc + self.scale * x

    def _inverse(self, y: Any) -> Any:
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """log |scale|, summed over event_dim and broadcast to x's batch shape."""
        import chainrule

        shape = tuple(x.shape)
        scale = self.scale
        if isinstance(scale, Number):
            result = chainrule.full_like(x, math.log(abs(scale)))
        else:
            result = scale.abs().log()
        if self.event_dim:
            result = result.reshape(tuple(result.shape[: result.dim() - self.event_dim]) + (-1,)).sum(-1)
            shape = shape[: len(shape) - self.event_dim]
        return result.expand(shape)

    def forward_shape(self, shape: Any) -> Any:
        """shape broadcast with loc's and scale's."""
        import chainrule

        return chainrule.broadcast_shapes(
            shape, getattr(self.loc, "shape", ()), getattr(self.scale, "shape", ())
        )

    def inverse_shape(self, shape: Any) -> Any:
        """shape broadcast with loc's and scale's."""
        return self.forward_shape(shape)


class SoftplusTransform(_ParameterFree):
    """y = log(1 + eˣ);  x = y + log(1 − e^{−y});  log |dy/dx| = −softplus(−x)."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1  # type: ignore[assignment]

    def _call(self, x: Any) -> Any:
        return _F().softplus(x)

    def _inverse(self, y: Any) -> Any:
        return (-(-y).expm1()).log() + y

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """−softplus(−x) = log σ(x)."""
        return -_F().softplus(-x)
