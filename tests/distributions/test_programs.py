"""The ways real programs use distributions, end to end: a reparameterised ELBO fitted by gradient descent, a
policy-gradient step through Categorical, and a tanh-squashed Gaussian policy (SAC's log-prob correction)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as torch_like
import chainrule.distributions as cd


def test_reparameterised_fit_recovers_target():
    """Minimise a Monte Carlo KL(q ‖ p) through rsample: q's parameters move to p's."""
    torch_like.manual_seed(0)
    loc = torch_like.zeros(2, requires_grad=True)
    log_scale = torch_like.zeros(2, requires_grad=True)
    target = cd.Normal(torch_like.tensor([1.5, -0.5]), torch_like.tensor([0.5, 2.0]))
    opt = torch_like.optim.Adam([loc, log_scale], lr=0.05)
    for _ in range(400):
        q = cd.Normal(loc, log_scale.exp())
        z = q.rsample((64,))
        loss = (q.log_prob(z) - target.log_prob(z)).mean(0).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(loc.detach().numpy(), [1.5, -0.5], atol=0.15)
    np.testing.assert_allclose(log_scale.exp().detach().numpy(), [0.5, 2.0], rtol=0.15)
    exact = cd.kl_divergence(cd.Normal(loc, log_scale.exp()), target).sum().item()
    assert exact < 0.05


def test_policy_gradient_step_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 4))
    actions = rng.integers(0, 4, size=5)
    adv = rng.normal(size=5)
    out = {}
    for lib in (torch_like, torch):
        lt = lib.tensor(logits, requires_grad=True)
        dist = lib.distributions.Categorical(logits=lt)
        loss = -(dist.log_prob(lib.tensor(actions)) * lib.tensor(adv)).mean() - 0.01 * dist.entropy().mean()
        loss.backward()
        out[lib.__name__] = (loss.item(), lt.grad.numpy())
    np.testing.assert_allclose(out["chainrule"][0], out["torch"][0], rtol=1e-10)
    np.testing.assert_allclose(out["chainrule"][1], out["torch"][1], rtol=1e-9, atol=1e-12)


def test_tanh_squashed_gaussian_log_prob_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    rng = np.random.default_rng(1)
    mu, log_std, u = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)) * 0.3, rng.normal(size=(3, 2))
    res = {}
    for lib in (torch_like, torch):
        m, s = lib.tensor(mu, requires_grad=True), lib.tensor(log_std, requires_grad=True)
        D = lib.distributions
        dist = D.TransformedDistribution(
            D.Independent(D.Normal(m, s.exp()), 1), [D.transforms.TanhTransform()]
        )
        a = lib.tensor(np.tanh(u))
        lp = dist.log_prob(a)
        lp.sum().backward()
        res[lib.__name__] = (lp.detach().numpy(), m.grad.numpy(), s.grad.numpy())
    for x, y in zip(res["chainrule"], res["torch"]):
        np.testing.assert_allclose(x, y, rtol=1e-8, atol=1e-10)
