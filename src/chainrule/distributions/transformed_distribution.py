"""TransformedDistribution: y = T(x), x from a base distribution, with the change of variables
log p(y) = log p_base(T⁻¹ y) − log |det J_T(T⁻¹ y)|; and the families PyTorch builds this way
(LogNormal, HalfNormal, Gumbel).
"""

from __future__ import annotations

import math
from typing import Any

from . import constraints
from .distribution import Distribution
from .independent import Independent
from .location_scale import Normal
from .transforms import AbsTransform, AffineTransform, ComposeTransform, ExpTransform, Transform
from .uniform import Uniform
from .utils import _sum_rightmost, broadcast_all

__all__ = ["TransformedDistribution", "LogNormal", "HalfNormal", "Gumbel"]

_EULER_GAMMA = 0.57721566490153286060


class TransformedDistribution(Distribution):
    """``base_distribution`` pushed through ``transforms`` (applied in order)."""

    arg_constraints: dict[str, Any] = {}

    def __init__(
        self, base_distribution: Distribution, transforms: Any, validate_args: bool | None = None
    ) -> None:
        if isinstance(transforms, Transform):
            self.transforms = [transforms]
        elif isinstance(transforms, list):
            if not all(isinstance(t, Transform) for t in transforms):
                raise ValueError("transforms must be a Transform or a list of Transforms")
            self.transforms = transforms
        else:
            raise ValueError(f"transforms must be a Transform or list, but was {transforms}")
        base_shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        base_event_dim = len(base_distribution.event_shape)
        transform = ComposeTransform(self.transforms)
        if len(base_shape) < transform.domain.event_dim:
            raise ValueError(
                f"base_distribution needs to have shape with size at least {transform.domain.event_dim}, "
                f"but got {base_shape}."
            )
        forward_shape = tuple(transform.forward_shape(base_shape))
        expanded_base_shape = tuple(transform.inverse_shape(forward_shape))
        if base_shape != expanded_base_shape:
            base_batch_shape = expanded_base_shape[: len(expanded_base_shape) - base_event_dim]
            base_distribution = base_distribution.expand(base_batch_shape)
        reinterpreted_batch_ndims = transform.domain.event_dim - base_event_dim
        if reinterpreted_batch_ndims > 0:
            base_distribution = Independent(base_distribution, reinterpreted_batch_ndims)
        self.base_dist = base_distribution
        change = transform.codomain.event_dim - transform.domain.event_dim
        event_dim = max(transform.codomain.event_dim, base_event_dim + change)
        cut = len(forward_shape) - event_dim
        super().__init__(forward_shape[:cut], forward_shape[cut:], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> TransformedDistribution:
        """The same transforms over the base expanded accordingly."""
        new = self._get_checked_instance(TransformedDistribution, _instance)
        shape = tuple(batch_shape) + tuple(self.event_shape)
        for t in reversed(self.transforms):
            shape = tuple(t.inverse_shape(shape))
        base_batch_shape = shape[: len(shape) - len(self.base_dist.event_shape)]
        new.base_dist = self.base_dist.expand(base_batch_shape)
        new.transforms = self.transforms
        return self._init_expanded(new, batch_shape, self.event_shape)

    @constraints.dependent_property(is_discrete=False)
    def support(self) -> Any:
        """The last transform's codomain (made independent over extra event dimensions)."""
        if not self.transforms:
            return self.base_dist.support
        support = self.transforms[-1].codomain
        if len(self.event_shape) > support.event_dim:
            support = constraints.independent(support, len(self.event_shape) - support.event_dim)
        return support

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        """As the base distribution."""
        return self.base_dist.has_rsample

    def sample(self, sample_shape: Any = ()) -> Any:
        """T(x) for a base draw x, outside the graph."""
        import chainrule

        with chainrule.no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
            return x

    def rsample(self, sample_shape: Any = ()) -> Any:
        """T(x) for a reparameterised base draw x."""
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def log_prob(self, value: Any) -> Any:
        """log p_base(T⁻¹ y) − Σ log |det J| along the inverse chain."""
        if self._validate_args:
            self._validate_sample(value)
        event_dim = len(self.event_shape)
        log_prob: Any = 0.0
        y = value
        for t in reversed(self.transforms):
            x = t.inv(y)
            event_dim += t.domain.event_dim - t.codomain.event_dim
            log_prob = log_prob - _sum_rightmost(t.log_abs_det_jacobian(x, y), event_dim - t.domain.event_dim)
            y = x
        return log_prob + _sum_rightmost(
            self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape)
        )

    def _monotonize_cdf(self, value: Any) -> Any:
        sign: Any = 1
        for t in self.transforms:
            sign = sign * t.sign
        if isinstance(sign, int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value: Any) -> Any:
        """The base cdf at T⁻¹ y (flipped for decreasing transforms)."""
        for t in self.transforms[::-1]:
            value = t.inv(value)
        if self._validate_args:
            self.base_dist._validate_sample(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value: Any) -> Any:
        """T(base icdf(u)) (u flipped for decreasing transforms)."""
        value = self.base_dist.icdf(self._monotonize_cdf(value))
        for t in self.transforms:
            value = t(value)
        return value


class LogNormal(TransformedDistribution):
    """exp of N(loc, scale²):  log p(y) = log N(log y; μ, σ) − log y."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(
            Normal(loc, scale, validate_args=validate_args), ExpTransform(), validate_args=validate_args
        )

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogNormal:
        """LogNormal with loc and scale expanded to ``batch_shape``."""
        return super().expand(batch_shape, _instance=self._get_checked_instance(LogNormal, _instance))

    @property
    def loc(self) -> Any:
        """μ of the underlying Normal."""
        return self.base_dist.loc

    @property
    def scale(self) -> Any:
        """σ of the underlying Normal."""
        return self.base_dist.scale

    @property
    def mean(self) -> Any:
        """exp(μ + σ²/2)."""
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Any:
        """exp(μ − σ²)."""
        return (self.loc - self.scale.pow(2)).exp()

    @property
    def variance(self) -> Any:
        """(e^{σ²} − 1)·e^{2μ + σ²}."""
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def entropy(self) -> Any:
        """H(Normal) + μ."""
        return self.base_dist.entropy() + self.loc


class _Folded(TransformedDistribution):
    """|x| for x from a base symmetric about 0 with the given scale (``_base``):
    p(y) = 2·f(y) on y ≥ 0,  F_|x|(y) = 2F(y) − 1,  H = H(base) − log 2."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _base: Any  # the base family, built as _base(0, scale)
    _cast_value = False  # log_prob casts value to the scale's dtype first (HalfCauchy, as PyTorch)

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        base = self._base(0, scale, validate_args=False)
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    @property
    def scale(self) -> Any:
        """The base's scale."""
        return self.base_dist.scale

    @property
    def mode(self) -> Any:
        """0."""
        return self.scale * 0

    def log_prob(self, value: Any) -> Any:
        """log f(y) + log 2 where y ≥ 0, −inf elsewhere (f the base density)."""
        import chainrule

        if self._validate_args:
            self._validate_sample(value)
        if self._cast_value:
            value = chainrule.as_tensor(value, dtype=self.scale.dtype)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return chainrule.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value: Any) -> Any:
        """2F(y) − 1."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Any) -> Any:
        """F⁻¹((u + 1)/2)."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Any:
        """H(base) − log 2."""
        return self.base_dist.entropy() - math.log(2)


class HalfNormal(_Folded):
    """|x| for x ~ N(0, scale²):  log p(y) = log N(y; 0, σ) + log 2 for y ≥ 0."""

    _base = Normal

    def expand(self, batch_shape: Any, _instance: Any = None) -> HalfNormal:
        """HalfNormal with the scale expanded to ``batch_shape``."""
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfNormal, _instance))

    @property
    def mean(self) -> Any:
        """σ√(2/π)."""
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self) -> Any:
        """σ²(1 − 2/π)."""
        return self.scale.pow(2) * (1 - 2 / math.pi)


class Gumbel(TransformedDistribution):
    """Gumbel(loc, scale) = loc − scale·log(−log u):  log p(x) = z − e^{z} − log β,  z = (μ − x)/β."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        import chainrule

        self.loc, self.scale = broadcast_all(loc, scale)
        fi = chainrule.finfo(self.loc.dtype)
        base = Uniform(
            chainrule.full_like(self.loc, fi.tiny),
            chainrule.full_like(self.loc, 1 - fi.eps),
            validate_args=False,
        )
        tfs = [ExpTransform().inv, AffineTransform(loc=0, scale=-1), ExpTransform().inv,
               AffineTransform(loc=self.loc, scale=-self.scale)]  # fmt: skip
        super().__init__(base, tfs, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gumbel:
        """Gumbel with loc and scale expanded to ``batch_shape``."""
        new = self._get_checked_instance(Gumbel, _instance)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    def log_prob(self, value: Any) -> Any:
        """z − e^{z} − log β,  z = (μ − x)/β."""
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    @property
    def mean(self) -> Any:
        """μ + βγ (γ the Euler–Mascheroni constant)."""
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def mode(self) -> Any:
        """μ."""
        return self.loc

    @property
    def stddev(self) -> Any:
        """πβ/√6."""
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Any:
        """π²β²/6."""
        return self.stddev.pow(2)

    def entropy(self) -> Any:
        """log β + 1 + γ."""
        return self.scale.log() + (1 + _EULER_GAMMA)
