"""ExponentialFamily: densities p(x; θ) = h(x)·exp(⟨θ, t(x)⟩ − A(θ)).

Subclasses state their natural parameters θ (``_natural_params``), the log normaliser A (``_log_normalizer``)
and E[log h(x)] (``_mean_carrier_measure``); the generic entropy is then the Bregman form
H = A(θ) − ⟨θ, ∇A(θ)⟩ − E[log h(x)], with ∇A from autograd.
"""

from __future__ import annotations

from typing import Any

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class of exponential-family distributions (Normal, Bernoulli, Beta, Dirichlet, Exponential, Gamma,
    Poisson, …)."""

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """θ, as a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Any) -> Any:
        """A(θ)."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> Any:
        """E[log h(x)]."""
        raise NotImplementedError

    def entropy(self) -> Any:
        """A(θ) − ⟨θ, ∇A(θ)⟩ − E[log h(x)] (the Bregman form; ∇A by autograd)."""
        import chainrule

        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        with chainrule.enable_grad():
            lg_normal = self._log_normalizer(*nparams)
            gradients = chainrule.autograd.grad(lg_normal.sum(), nparams)
        result = result + lg_normal.detach()
        for p, g in zip(nparams, gradients):
            result = result - (p.detach() * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
