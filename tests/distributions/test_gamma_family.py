"""Gamma, Chi2, Beta, Dirichlet against torch.distributions, and the implicit reparameterisation gradient
of Gamma draws against PyTorch's ``_standard_gamma_grad`` on the same samples."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd
from chainrule.distributions import _special

from ._helpers import assert_stats, check_moments, close, ours_theirs, to_pair

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(1)
A = R.uniform(0.3, 4.0, size=(2, 3))
B = R.uniform(0.3, 4.0, size=(2, 3))
C = R.uniform(0.3, 4.0, size=(2, 4))
SIMPLEX = R.dirichlet(np.ones(4), size=(5, 2))

CASES = [
    ("Gamma", dict(concentration=A, rate=B), R.gamma(2.0, size=(5, 2, 3))),
    ("Chi2", dict(df=A), R.gamma(2.0, size=(5, 2, 3))),
    ("Beta", dict(concentration1=A, concentration0=B), R.uniform(0.01, 0.99, size=(5, 2, 3))),
    ("Dirichlet", dict(concentration=C), SIMPLEX),
]
DTYPES = [np.float32, np.float64]
TOL32 = dict(rtol=5e-5, atol=5e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,params,value", CASES, ids=[c[0] for c in CASES])
def test_log_prob_entropy_moments(name, params, value, dtype):
    ours, theirs = ours_theirs(name, params, dtype, torch)
    tol = TOL32 if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    v, tv = to_pair(value, dtype, torch)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
    close(ours.entropy(), theirs.entropy(), dtype, **tol)
    check_moments(ours, theirs, dtype, ("mean", "variance", "stddev", "mode"), **tol)


@pytest.mark.parametrize("name,params,value", CASES, ids=[c[0] for c in CASES])
def test_shapes_and_expand(name, params, value):
    ours, theirs = ours_theirs(name, params, np.float32, torch)
    for sample_shape in [(), (5,), (2, 4)]:
        s = ours.rsample(sample_shape)
        assert tuple(s.shape) == tuple(theirs.rsample(sample_shape).shape)
        assert tuple(ours.log_prob(s).shape) == tuple(theirs.log_prob(torch.tensor(s.detach().numpy())).shape)
    big = (3,) + tuple(ours.batch_shape)
    e = ours.expand(big)
    assert type(e) is type(ours) and tuple(e.batch_shape) == big
    assert tuple(e.sample().shape) == tuple(theirs.expand(big).sample().shape)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_cdf_matches_torch(dtype):
    for name, params in (("Gamma", dict(concentration=A, rate=B)), ("Chi2", dict(df=A))):
        ours, theirs = ours_theirs(name, params, dtype, torch)
        v, tv = to_pair(R.gamma(2.0, size=(5, 2, 3)), dtype, torch)
        tol = TOL32 if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
        close(ours.cdf(v), theirs.cdf(tv), dtype, **tol)


def test_gamma_cdf_gradients():
    """d/dx matches PyTorch (which has no derivative in α); d/dα passes a float64 gradcheck."""
    x = R.gamma(2.0, size=(2, 3))
    cv, tv = chainrule.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    cd.Gamma(chainrule.tensor(A), chainrule.tensor(B)).cdf(cv).sum().backward()
    torch.distributions.Gamma(torch.tensor(A), torch.tensor(B)).cdf(tv).sum().backward()
    np.testing.assert_allclose(cv.grad.numpy(), tv.grad.numpy(), rtol=1e-9)
    a = chainrule.tensor([0.5, 2.0, 7.0], dtype=chainrule.float64, requires_grad=True)
    z = chainrule.tensor([0.3, 2.5, 9.0], dtype=chainrule.float64, requires_grad=True)
    assert chainrule.autograd.gradcheck(_special.gammainc, (a, z))


def test_log_prob_and_entropy_gradients_match_torch():
    a, b, v = A, B, R.gamma(2.0, size=(2, 3))
    ca, cb = chainrule.tensor(a, requires_grad=True), chainrule.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    (cd.Gamma(ca, cb).log_prob(chainrule.tensor(v)) + cd.Gamma(ca, cb).entropy()).sum().backward()
    (
        torch.distributions.Gamma(ta, tb).log_prob(torch.tensor(v))
        + torch.distributions.Gamma(ta, tb).entropy()
    ).sum().backward()
    # PyTorch's trigamma (in the entropy's gradient) is accurate to ~1e-9 relative only
    np.testing.assert_allclose(ca.grad.numpy(), ta.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(cb.grad.numpy(), tb.grad.numpy(), rtol=1e-9)
    cc, tc = chainrule.tensor(C, requires_grad=True), torch.tensor(C, requires_grad=True)
    s = SIMPLEX[0]
    (cd.Dirichlet(cc).log_prob(chainrule.tensor(s)) + cd.Dirichlet(cc).entropy()).sum().backward()
    (
        torch.distributions.Dirichlet(tc).log_prob(torch.tensor(s))
        + torch.distributions.Dirichlet(tc).entropy()
    ).sum().backward()
    np.testing.assert_allclose(cc.grad.numpy(), tc.grad.numpy(), rtol=1e-8)


def test_standard_gamma_grad_matches_torch_on_same_samples():
    alpha = np.array([0.05, 0.3, 0.5, 1.0, 2.0, 5.0, 9.0, 30.0, 200.0, 9000.0, 2e4, 1e6]).repeat(100)
    z = np.random.default_rng(0).standard_gamma(alpha)
    ours = _special.np_standard_gamma_grad(z, alpha)
    theirs = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(z)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-3)


def test_gamma_rsample_gradient_is_implicit_gradient():
    """d(Σ rsample)/dα equals Σ dz/dα / β on the very draws made (and β gets −x/β)."""
    conc = chainrule.tensor([0.7, 2.5, 10.0], dtype=chainrule.float64, requires_grad=True)
    rate = chainrule.tensor([1.5, 0.5, 2.0], dtype=chainrule.float64, requires_grad=True)
    chainrule.manual_seed(0)
    x = cd.Gamma(conc, rate).rsample((50,))
    x.sum().backward()
    xs = x.detach().numpy()
    z = xs * rate.detach().numpy()
    a = np.broadcast_to(conc.detach().numpy(), z.shape)
    dzda = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(z)).numpy()
    np.testing.assert_allclose(conc.grad.numpy(), (dzda / rate.detach().numpy()).sum(0), rtol=2e-3)
    np.testing.assert_allclose(rate.grad.numpy(), (-xs / rate.detach().numpy()).sum(0), rtol=1e-10)


def test_beta_and_dirichlet_rsample_gradients_are_unbiased():
    """Averaged over draws, ∂x/∂α of Beta matches ∂E[x]/∂α = β/(α+β)² (and Dirichlet's ∂E[x₀]/∂α₀)."""
    c1 = chainrule.tensor([2.0], dtype=chainrule.float64, requires_grad=True)
    c0 = chainrule.tensor([3.0], dtype=chainrule.float64, requires_grad=True)
    chainrule.manual_seed(0)
    n = 20000
    cd.Beta(c1, c0).rsample((n,)).sum().backward()
    np.testing.assert_allclose(c1.grad.numpy() / n, [3.0 / 25.0], rtol=0.05)
    np.testing.assert_allclose(c0.grad.numpy() / n, [-2.0 / 25.0], rtol=0.05)
    conc = chainrule.tensor([1.0, 2.0, 3.0], dtype=chainrule.float64, requires_grad=True)
    cd.Dirichlet(conc).rsample((n,))[:, 0].sum().backward()
    np.testing.assert_allclose(conc.grad.numpy() / n, [5 / 36, -1 / 36, -1 / 36], rtol=0.08, atol=3e-3)


@pytest.mark.parametrize("name,params", [
    ("Gamma", dict(concentration=A, rate=B)), ("Chi2", dict(df=A)),
    ("Beta", dict(concentration1=A, concentration0=B)), ("Dirichlet", dict(concentration=C)),
])  # fmt: skip
def test_sample_statistics(name, params):
    assert_stats(getattr(cd, name)(**{k: chainrule.tensor(v) for k, v in params.items()}))


def test_validation():
    with pytest.raises(ValueError, match="Expected parameter concentration"):
        cd.Gamma(chainrule.tensor([-1.0]), chainrule.tensor([1.0]))
    with pytest.raises(ValueError, match="must be at least one-dimensional"):
        cd.Dirichlet(chainrule.tensor(1.0))
    with pytest.raises(ValueError, match="to be within the support"):
        cd.Dirichlet(chainrule.ones(3)).log_prob(chainrule.tensor([0.5, 0.6, 0.1]))
    with pytest.raises(ValueError, match="to be within the support"):
        cd.Beta(2.0, 2.0).log_prob(chainrule.tensor(1.5))


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_functions_match_torch(dtype):
    x = np.concatenate([np.linspace(-4.5, -0.1, 23) + 1e-3, np.logspace(-3, 3, 60)]).astype(dtype)
    cx, tx = to_pair(x, dtype, torch)
    tol = dict(rtol=2e-6, atol=2e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    close(chainrule.lgamma(cx), torch.lgamma(tx), dtype, **tol)
    close(chainrule.digamma(cx), torch.digamma(tx), dtype, **tol)
    y = np.linspace(-0.999, 0.999, 101).astype(dtype)
    cy, ty = to_pair(y, dtype, torch)
    close(chainrule.erfinv(cy), torch.erfinv(ty), dtype, **tol)


def test_special_function_gradients():
    for fn in (chainrule.lgamma, chainrule.digamma, chainrule.erfinv):
        x = chainrule.tensor([0.3, 0.7, 0.9] if fn is chainrule.erfinv else [0.3, 1.7, 6.5], dtype=chainrule.float64,
                             requires_grad=True)  # fmt: skip
        assert chainrule.autograd.gradcheck(fn, (x,))
