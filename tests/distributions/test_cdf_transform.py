"""CumulativeDistributionTransform against torch.distributions: y = F(x), its inverse, log |det J| = log p(x)
with gradients, and the Gaussian copula built from it."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
TD = torch.distributions

X = np.array([0.3, -1.2, 2.0, 0.0])


@pytest.mark.parametrize("make", [lambda D, T: D.Normal(T.tensor(0.5, dtype=T.float64), T.tensor(2.0, dtype=T.float64)),
                                  lambda D, T: D.Laplace(T.tensor(0.0, dtype=T.float64), T.tensor(1.5, dtype=T.float64))])  # fmt: skip
def test_cdf_transform_forward_inverse_and_log_det_match_torch(make) -> None:
    to, tt = cd.CumulativeDistributionTransform(make(cd, chainrule)), TD.CumulativeDistributionTransform(make(TD, torch))
    xo, xt = chainrule.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    yo, yt = to(xo), tt(xt)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(to.inv(yo.detach()).numpy(), X, rtol=1e-9, atol=1e-12)
    lo, lt = to.log_abs_det_jacobian(xo, yo), tt.log_abs_det_jacobian(xt, yt)
    np.testing.assert_allclose(lo.detach().numpy(), lt.detach().numpy(), rtol=1e-12)
    (yo.sum() + lo.sum()).backward()
    (yt.sum() + lt.sum()).backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert to.sign == tt.sign == 1 and to.bijective and repr(to.codomain) == repr(tt.codomain)
    assert to.with_cache(1)._cache_size == 1 and to.with_cache(0) is to


def test_gaussian_copula_log_prob_matches_torch() -> None:
    cov = np.array([[1.0, 0.6], [0.6, 2.0]])
    u = np.array([[0.2, 0.7], [0.9, 0.4]])
    ours = cd.TransformedDistribution(
        cd.MultivariateNormal(chainrule.zeros(2, dtype=chainrule.float64), chainrule.tensor(cov)),
        [cd.CumulativeDistributionTransform(cd.Normal(chainrule.tensor(0.0, dtype=chainrule.float64), 1.0))],
    )
    theirs = TD.TransformedDistribution(
        TD.MultivariateNormal(torch.zeros(2, dtype=torch.float64), torch.tensor(cov)),
        [TD.CumulativeDistributionTransform(TD.Normal(torch.tensor(0.0, dtype=torch.float64), 1.0))],
    )
    np.testing.assert_allclose(ours.log_prob(chainrule.tensor(u)).numpy(), theirs.log_prob(torch.tensor(u)).numpy(), rtol=1e-10)
    assert tuple(ours.sample((3,)).shape) == (3, 2)
