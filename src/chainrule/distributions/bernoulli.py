"""Counting distributions on the integers: Bernoulli, Binomial, Geometric (probs or logits) and Poisson.

Draws are not differentiable (``has_rsample`` is False); ``log_prob`` and ``entropy`` are, through the
probabilities or logits.
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

from ..ops.gamma import lgamma
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import _draw, _expand_probs_logits, broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli", "Binomial", "Geometric", "Poisson"]


def _bce_with_logits(logits: Any, target: Any) -> Any:
    """log(1 + eˡ) − l·t elementwise (the fused op: stable, with gradient σ(l) − t even at l = 0)."""
    import chainrule.nn.functional as F

    return F.binary_cross_entropy_with_logits(logits, target, reduction="none")


def _one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class _ProbsLogits(Distribution):
    """A binary-outcome parameter given as ``probs`` or ``logits`` (the other is derived lazily)."""

    def _set_param(self, probs: Any, logits: Any, total_count: Any = None) -> Any:
        """Store the given parameter (and ``total_count`` broadcast with it, in its dtype); the batch shape."""
        _one_of(probs, logits)
        value = probs if probs is not None else logits
        if total_count is None:
            (param,) = broadcast_all(value)
        else:
            self.total_count, param = broadcast_all(total_count, value)
            self.total_count = self.total_count.type_as(param)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        self._param = param
        return () if isinstance(value, Number) else param.shape

    @lazy_property
    def logits(self) -> Any:
        """log(p/(1 − p))."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Any:
        """σ(logits)."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Any:
        """The shape of the stored parameter."""
        return self._param.shape

    def _finish_expand(self, new: Any, batch_shape: Any) -> Any:
        _expand_probs_logits(self, new, batch_shape)
        return self._init_expanded(new, batch_shape)


class Bernoulli(_ProbsLogits, ExponentialFamily):
    """Bernoulli(p):  log p(x) = x log p + (1 − x) log(1 − p) = −BCE(logits, x)."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        batch_shape = self._set_param(probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        """Bernoulli with its parameter expanded to ``batch_shape``."""
        return self._finish_expand(self._get_checked_instance(Bernoulli, _instance), batch_shape)

    @property
    def mean(self) -> Any:
        """p."""
        return self.probs

    @property
    def mode(self) -> Any:
        """1 if p > ½, 0 if p < ½, nan at ½."""
        import chainrule

        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return chainrule.where(self.probs == 0.5, math.nan, mode)

    @property
    def variance(self) -> Any:
        """p(1 − p)."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        """1 with probability p, else 0 (in the parameter's dtype)."""
        import chainrule

        shape = self._extended_shape(sample_shape)
        with chainrule.no_grad():
            u = _draw(lambda rng, s: rng.random(s), shape, self._param)
            return (u < self.probs.expand(shape)).to(self._param.dtype)

    def log_prob(self, value: Any) -> Any:
        """−BCE_with_logits(logits, x)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self) -> Any:
        """BCE_with_logits(logits, p)."""
        return _bce_with_logits(self.logits, self.probs)

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(log(p/(1 − p)),)."""
        return (self.probs.log() - (-self.probs).log1p(),)

    def _log_normalizer(self, x: Any) -> Any:
        """A = log(1 + eˣ)."""
        return x.exp().log1p()

    @property
    def _mean_carrier_measure(self) -> float:
        """0."""
        return 0

    def enumerate_support(self, expand: bool = True) -> Any:
        """[0, 1] along a new leading dimension (expanded over the batch if ``expand``)."""
        import chainrule

        values = chainrule.arange(2, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


class Geometric(_ProbsLogits):
    """Number of failures before the first success:  log p(k) = k log(1 − p) + log p."""

    arg_constraints = {"probs": constraints.interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        batch_shape = self._set_param(probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            if not bool((self.probs > 0).all()):
                raise ValueError(
                    f"Expected parameter probs ({type(self.probs).__name__} of shape {tuple(self.probs.shape)}) "
                    f"of distribution {self!r} to satisfy the constraint "
                    f"{constraints.interval(0.0, 1.0)!r}, but found invalid values:\n{self.probs}"
                )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Geometric:
        """Geometric with its parameter expanded to ``batch_shape``."""
        return self._finish_expand(self._get_checked_instance(Geometric, _instance), batch_shape)

    @property
    def mean(self) -> Any:
        """1/p − 1."""
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Any:
        """0."""
        return self.probs * 0

    @property
    def variance(self) -> Any:
        """(1/p − 1)/p."""
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Any:
        """⌊log u / log(1 − p)⌋, u ~ U(tiny, 1)."""
        import chainrule

        shape = self._extended_shape(sample_shape)
        tiny = chainrule.finfo(self._param.dtype).tiny
        with chainrule.no_grad():
            u = _draw(lambda rng, s: rng.random(s), shape, self._param).clamp(min=tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Any) -> Any:
        """k·log(1 − p) + log p  (with 0·log 0 = 0 at p = 1)."""
        import chainrule

        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = chainrule.where((probs == 1) & (value == 0), probs * 0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Any:
        """BCE_with_logits(logits, p)/p."""
        return _bce_with_logits(self.logits, self.probs) / self.probs


class Binomial(_ProbsLogits):
    """Binomial(n, p):  log p(k) = log C(n, k) + k log p + (n − k) log(1 − p)."""

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}  # fmt: skip
    has_enumerate_support = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        batch_shape = self._set_param(probs, logits, total_count)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Binomial:
        """Binomial with total_count and the parameter expanded to ``batch_shape``."""
        new = self._get_checked_instance(Binomial, _instance)
        new.total_count = self.total_count.expand(batch_shape)
        return self._finish_expand(new, batch_shape)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Any:
        """{0, …, n}."""
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Any:
        """n·p."""
        return self.total_count * self.probs

    @property
    def mode(self) -> Any:
        """min(⌊(n + 1)p⌋, n)."""
        import chainrule

        m = ((self.total_count + 1) * self.probs).floor()
        return chainrule.where(m > self.total_count, self.total_count, m)

    @property
    def variance(self) -> Any:
        """n·p·(1 − p)."""
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        """Binomial draws from chainrule's generator."""
        import numpy as np

        shape = self._extended_shape(sample_shape)
        n = np.broadcast_to(self.total_count.detach().numpy(), shape).astype(np.int64)
        p = np.broadcast_to(self.probs.detach().numpy().astype(np.float64), shape)
        return _draw(lambda rng, s: rng.binomial(n, p), shape, self._param)

    def log_prob(self, value: Any) -> Any:
        """k·logits − log k! − log (n − k)! + log n! − n·log(1 + e^{logits}), stably."""
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_factorial_n = lgamma(n + 1)
        log_factorial_k = lgamma(value + 1)
        log_factorial_nmk = lgamma(n - value + 1)
        logits = self.logits
        clamp_by_zero = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
        normalize_term = n * clamp_by_zero + n * (-logits.abs()).exp().log1p() - log_factorial_n
        return value * logits - log_factorial_k - log_factorial_nmk - normalize_term

    def entropy(self) -> Any:
        """−Σₖ p(k) log p(k) over the support (total_count must be the same everywhere)."""
        total = int(self.total_count.max().item())
        if not bool((self.total_count == total).all()):
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Any:
        """0, …, n along a new leading dimension (total_count must be the same everywhere)."""
        import chainrule

        total = int(self.total_count.max().item())
        if not bool((self.total_count == total).all()):
            raise NotImplementedError("Inhomogeneous total count not supported by `enumerate_support`.")
        values = chainrule.arange(1 + total, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


class Poisson(ExponentialFamily):
    """Poisson(λ):  log p(k) = k log λ − λ − log k!."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(() if isinstance(rate, Number) else self.rate.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Poisson:
        """Poisson with the rate expanded to ``batch_shape``."""
        new = self._get_checked_instance(Poisson, _instance)
        new.rate = self.rate.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self) -> Any:
        """λ."""
        return self.rate

    @property
    def mode(self) -> Any:
        """⌊λ⌋."""
        return self.rate.floor()

    @property
    def variance(self) -> Any:
        """λ."""
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Any:
        """Poisson draws from chainrule's generator."""
        import numpy as np

        shape = self._extended_shape(sample_shape)
        lam = np.broadcast_to(self.rate.detach().numpy().astype(np.float64), shape)
        return _draw(lambda rng, s: rng.poisson(lam), shape, self.rate)

    def log_prob(self, value: Any) -> Any:
        """k log λ − λ − log Γ(k + 1)  (0·log 0 = 0)."""
        import chainrule

        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        xlogy = chainrule.where(value == 0, value * 0, value * rate.log())
        return xlogy - rate - lgamma(value + 1)

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(log λ,)."""
        return (self.rate.log(),)

    def _log_normalizer(self, x: Any) -> Any:
        """A = eˣ."""
        return x.exp()
