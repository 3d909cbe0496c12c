"""Categorical and OneHotCategorical: one of K outcomes, as an index or as a one-hot vector.

``probs`` are normalised to sum to 1 and ``logits`` to log-sum-exp 0 over the last dimension.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import constraints
from .distribution import Distribution
from .utils import _draw, _expand_probs_logits, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical", "OneHotCategorical"]


class Categorical(Distribution):
    """Categorical over {0, …, K−1}:  log p(k) = logits[k] − logsumexp(logits)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = self._param.shape[:-1] if self._param.dim() > 1 else ()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        """Categorical with its parameter expanded to ``batch_shape + (K,)``."""
        new = self._get_checked_instance(Categorical, _instance)
        param_shape = tuple(batch_shape) + (self._num_events,)
        _expand_probs_logits(self, new, param_shape)
        new._num_events = self._num_events
        return self._init_expanded(new, batch_shape)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Any:
        """{0, …, K − 1}."""
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Any:
        """log p (clamped away from log 0)."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Any:
        """softmax(logits)."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Any:
        """The shape of the stored parameter."""
        return self._param.shape

    @property
    def mean(self) -> Any:
        """Undefined for categories: nan."""
        import chainrule

        return chainrule.full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Any:
        """argmax p."""
        return self.probs.argmax(-1)

    @property
    def variance(self) -> Any:
        """Undefined for categories: nan."""
        import chainrule

        return chainrule.full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape: Any = ()) -> Any:
        """Category indices (int64) by inverse CDF of one uniform draw each."""
        import chainrule

        shape = tuple(self._extended_shape(sample_shape))
        p = self.probs.detach().numpy().astype(np.float64)
        cdf = np.cumsum(p, -1)
        cdf = cdf / cdf[..., -1:]
        cdf = np.broadcast_to(cdf, shape + (self._num_events,))
        u = _draw(lambda rng, s: rng.random(s), shape, chainrule.zeros((), dtype=chainrule.float64)).numpy()
        idx = (cdf <= u[..., None]).sum(-1)
        # a zero-probability category is never drawn, even at the top end of the cdf
        idx = np.minimum(idx, self._num_events - 1)
        return chainrule.tensor(idx.astype(np.int64))

    def log_prob(self, value: Any) -> Any:
        """logits[value] (logits normalised)."""
        import chainrule

        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        shape = chainrule.broadcast_shapes(value.shape, self.logits.shape)
        value = value.expand(shape)[..., :1]
        log_pmf = self.logits.expand(shape)
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self) -> Any:
        """−Σ p log p (logits clamped at the dtype's most negative value)."""
        import chainrule

        min_real = chainrule.finfo(self.logits.dtype).min
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Any:
        """0, …, K − 1 along a new leading dimension."""
        import chainrule

        values = chainrule.arange(self._num_events, dtype=chainrule.int64)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


class _CategoricalView(Distribution):
    """A distribution over K categories keeping its parameter in a Categorical ``_categorical``:
    its batch shape, event shape (K,), and probs/logits read from it."""

    _categorical: Categorical

    def _init_categorical(self, probs: Any, logits: Any, validate_args: bool | None) -> None:
        self._categorical = Categorical(probs, logits)
        self._init_shapes(validate_args)

    def _init_shapes(self, validate_args: bool | None) -> None:
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def _expand_categorical(self, new: Any, batch_shape: Any) -> Any:
        new._categorical = self._categorical.expand(batch_shape)
        return self._init_expanded(new, batch_shape, self.event_shape)

    @property
    def _param(self) -> Any:
        return self._categorical._param

    @property
    def probs(self) -> Any:
        """The category probabilities."""
        return self._categorical.probs

    @property
    def logits(self) -> Any:
        """The normalised logits."""
        return self._categorical.logits

    @property
    def param_shape(self) -> Any:
        """The shape of the stored parameter."""
        return self._categorical.param_shape


class OneHotCategorical(_CategoricalView):
    """A Categorical draw as a one-hot vector of length K (event_shape (K,))."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        self._init_categorical(probs, logits, validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        """OneHotCategorical with its parameter expanded to ``batch_shape + (K,)``."""
        new = self._get_checked_instance(OneHotCategorical, _instance)
        return self._expand_categorical(new, batch_shape)

    @property
    def mean(self) -> Any:
        """p."""
        return self._categorical.probs

    @property
    def mode(self) -> Any:
        """one_hot(argmax p)."""
        import chainrule

        probs = self._categorical.probs
        return chainrule.nn.functional.one_hot(probs.argmax(-1), probs.shape[-1]).to(probs.dtype)

    @property
    def variance(self) -> Any:
        """p(1 − p)."""
        return self._categorical.probs * (1 - self._categorical.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        """one_hot(Categorical sample), in the parameter's dtype."""
        import chainrule

        probs = self._categorical.probs
        indices = self._categorical.sample(sample_shape)
        return chainrule.nn.functional.one_hot(indices, probs.shape[-1]).to(probs.dtype)

    def log_prob(self, value: Any) -> Any:
        """Categorical log_prob of the hot index."""
        if self._validate_args:
            self._validate_sample(value)
        indices = value.max(-1)[1]
        return self._categorical.log_prob(indices)

    def entropy(self) -> Any:
        """The Categorical entropy."""
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Any:
        """The K one-hot vectors along a new leading dimension."""
        import chainrule

        n = self.event_shape[0]
        values = chainrule.eye(n, dtype=self._param.dtype)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values
