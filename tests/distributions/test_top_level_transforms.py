"""``torch.distributions`` re-exports every transform at its top level (``from torch.distributions import
SigmoidTransform``); so does chainrule. Checked on the logistic prior of a normalising flow, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def test_every_transform_we_have_is_exported_at_the_top_level() -> None:
    for name in cd.transforms.__all__:
        assert getattr(cd, name) is getattr(cd.transforms, name), name
        assert name in cd.__all__, name
    assert set(cd.transforms.__all__) <= set(torch.distributions.__all__)


def test_logistic_prior_from_top_level_names_matches_torch() -> None:
    x = np.random.default_rng(0).normal(size=(5, 2))
    ours = cd.TransformedDistribution(cd.Uniform(chainrule.zeros(2, dtype=chainrule.float64),
                                                 chainrule.ones(2, dtype=chainrule.float64)), cd.SigmoidTransform().inv)
    theirs = torch.distributions.TransformedDistribution(
        torch.distributions.Uniform(torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)),
        torch.distributions.SigmoidTransform().inv)
    xo = chainrule.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    lo, lt = ours.log_prob(xo).sum(), theirs.log_prob(xt).sum()
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-12)
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
