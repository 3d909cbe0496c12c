"""The Gamma family and what is built from Gamma draws: Gamma, Chi2, Dirichlet, Beta.

Draws are reparameterised implicitly: z ~ Gamma(α, 1) carries dz/dα = −(∂P/∂α)/p(z) (``_special``), so
x = z/β (Gamma), x = z/Σz (Dirichlet) and its first coordinate (Beta) all pass gradients to α and β.
"""

from __future__ import annotations

from numbers import Number
from typing import Any

from ..ops.gamma import digamma, lgamma
from . import constraints
from ._special import gammainc, standard_gamma
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma", "Chi2", "Dirichlet", "Beta"]


def _xlogy(x: Any, y: Any) -> Any:
    """x·log y with 0 where x = 0 (PyTorch's xlogy)."""
    import chainrule

    if isinstance(x, Number):
        return x * y.log() if x != 0 else y * 0
    return chainrule.where(x == 0, x * 0, x * y.log())


def _tiny(t: Any) -> float:
    import chainrule

    return chainrule.finfo(t.dtype).tiny


class Gamma(ExponentialFamily):
    """Gamma(α, β) (shape α = concentration, rate β):  log p(x) = α log β + (α−1) log x − βx − log Γ(α)."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        both_numbers = isinstance(concentration, Number) and isinstance(rate, Number)
        super().__init__(() if both_numbers else self.concentration.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gamma:
        """Gamma with both parameters expanded to ``batch_shape``."""
        new = self._get_checked_instance(Gamma, _instance)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self) -> Any:
        """α/β."""
        return self.concentration / self.rate

    @property
    def mode(self) -> Any:
        """max((α − 1)/β, 0)."""
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Any:
        """α/β²."""
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """z/β with z ~ Gamma(α, 1) (implicit reparameterisation), clamped at the dtype's tiny."""
        shape = tuple(self._extended_shape(sample_shape))
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value.clamp(min=_tiny(value))

    def log_prob(self, value: Any) -> Any:
        """α log β + (α − 1) log x − βx − log Γ(α)."""
        import chainrule

        value = chainrule.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (_xlogy(self.concentration, self.rate) + _xlogy(self.concentration - 1, value)
                - self.rate * value - lgamma(self.concentration))  # fmt: skip

    def cdf(self, value: Any) -> Any:
        """P(α, βx), the regularised lower incomplete gamma function."""
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Any:
        """α − log β + log Γ(α) + (1 − α)ψ(α)."""
        c = self.concentration
        return c - self.rate.log() + lgamma(c) + (1.0 - c) * digamma(c)

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(α − 1, −β)."""
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x: Any, y: Any) -> Any:
        """A = log Γ(x + 1) + (x + 1) log(−1/y)."""
        return lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()

    @property
    def _mean_carrier_measure(self) -> float:
        """0."""
        return 0


class Chi2(Gamma):
    """χ²(df) = Gamma(df/2, 1/2)."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, df * 0 + 0.5, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Chi2:
        """Chi2 with df expanded to ``batch_shape``."""
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self) -> Any:
        """Degrees of freedom, 2α."""
        return self.concentration * 2


class Dirichlet(ExponentialFamily):
    """Dir(α) on the simplex:  log p(x) = Σ(αᵢ − 1) log xᵢ + log Γ(Σαᵢ) − Σ log Γ(αᵢ)."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Dirichlet:
        """Dirichlet with the concentration expanded to ``batch_shape + event_shape``."""
        new = self._get_checked_instance(Dirichlet, _instance)
        new.concentration = self.concentration.expand(tuple(batch_shape) + tuple(self.event_shape))
        return self._init_expanded(new, batch_shape, self.event_shape)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """z/Σz with zᵢ ~ Gamma(αᵢ, 1) (implicit reparameterisation through the Gamma draws)."""
        shape = tuple(self._extended_shape(sample_shape))
        z = standard_gamma(self.concentration.expand(shape))
        x = z / z.sum(-1, keepdim=True)
        return x.clamp(min=_tiny(x))

    def log_prob(self, value: Any) -> Any:
        """Σ(αᵢ − 1) log xᵢ + log Γ(Σαᵢ) − Σ log Γ(αᵢ)."""
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return _xlogy(c - 1.0, value).sum(-1) + lgamma(c.sum(-1)) - lgamma(c).sum(-1)

    @property
    def mean(self) -> Any:
        """α/Σα."""
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Any:
        """(α − 1)₊/Σ(α − 1)₊, or the one-hot of the largest αᵢ where every αᵢ < 1."""
        import chainrule

        cm1 = (self.concentration - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, keepdim=True)
        mask = (self.concentration < 1).all(-1, keepdim=True)
        onehot = chainrule.nn.functional.one_hot(self.concentration.argmax(-1), cm1.shape[-1]).to(mode.dtype)
        return chainrule.where(mask, onehot, mode)

    @property
    def variance(self) -> Any:
        """αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1)),  α₀ = Σα."""
        c = self.concentration
        con0 = c.sum(-1, keepdim=True)
        return c * (con0 - c) / (con0.pow(2) * (con0 + 1))

    def entropy(self) -> Any:
        """Σ log Γ(αᵢ) − log Γ(α₀) − (k − α₀)ψ(α₀) − Σ(αᵢ − 1)ψ(αᵢ)."""
        c = self.concentration
        k = c.shape[-1]
        a0 = c.sum(-1)
        return lgamma(c).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0) - ((c - 1.0) * digamma(c)).sum(-1)

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(α,)."""
        return (self.concentration,)

    def _log_normalizer(self, x: Any) -> Any:
        """A = Σ log Γ(xᵢ) − log Γ(Σxᵢ)."""
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))


class Beta(ExponentialFamily):
    """Beta(α, β) = the first coordinate of Dir([α, β]):  log p(x) = (α−1) log x + (β−1) log(1−x) − log B(α, β)."""

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: bool | None = None) -> None:
        import chainrule

        c1, c0 = broadcast_all(concentration1, concentration0)
        both_numbers = isinstance(concentration1, Number) and isinstance(concentration0, Number)
        self._dirichlet = Dirichlet(chainrule.stack([c1, c0], -1), validate_args=validate_args)
        super().__init__(() if both_numbers else self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Beta:
        """Beta with both parameters expanded to ``batch_shape``."""
        new = self._get_checked_instance(Beta, _instance)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def concentration1(self) -> Any:
        """α."""
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Any:
        """β."""
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Any:
        """α/(α + β)."""
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Any:
        """(α − 1)/(α + β − 2)."""
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Any:
        """αβ/((α + β)²(α + β + 1))."""
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Any:
        """The first coordinate of a Dir([α, β]) draw."""
        return self._dirichlet.rsample(sample_shape)[..., 0]

    def log_prob(self, value: Any) -> Any:
        """Dir([α, β]).log_prob([x, 1 − x])."""
        import chainrule

        if self._validate_args:
            self._validate_sample(value)
        heads_tails = chainrule.stack([value, 1.0 - value], -1)
        return self._dirichlet.log_prob(heads_tails)

    def entropy(self) -> Any:
        """The entropy of Dir([α, β])."""
        return self._dirichlet.entropy()

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(α, β)."""
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x: Any, y: Any) -> Any:
        """A = log B(x, y)."""
        return lgamma(x) + lgamma(y) - lgamma(x + y)
