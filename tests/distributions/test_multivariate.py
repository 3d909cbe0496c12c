"""MultivariateNormal (covariance / precision / scale_tril) and Independent against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

from ._helpers import close, to_pair

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(3)
K = 3
LOC = R.normal(size=(2, K))
A = R.normal(size=(2, K, K))
COV = A @ A.transpose(0, 2, 1) + K * np.eye(K)
PREC = np.linalg.inv(COV)
TRIL = np.linalg.cholesky(COV)
VALUE = R.normal(size=(4, 2, K))
DTYPES = [np.float32, np.float64]


def _pair(kind, dtype, loc=LOC, requires_grad=False):
    m = {"covariance_matrix": COV, "precision_matrix": PREC, "scale_tril": TRIL}[kind]
    cl = chainrule.tensor(loc.astype(dtype), requires_grad=requires_grad)
    cm = chainrule.tensor(m.astype(dtype), requires_grad=requires_grad)
    tl = torch.tensor(loc.astype(dtype), requires_grad=requires_grad)
    tm = torch.tensor(m.astype(dtype), requires_grad=requires_grad)
    return (cd.MultivariateNormal(cl, **{kind: cm}), torch.distributions.MultivariateNormal(tl, **{kind: tm}),
            (cl, cm), (tl, tm))  # fmt: skip


KINDS = ["covariance_matrix", "precision_matrix", "scale_tril"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
def test_mvn_matches_torch(kind, dtype):
    ours, theirs, _, _ = _pair(kind, dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    v, tv = to_pair(VALUE, dtype, torch)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
    close(ours.entropy(), theirs.entropy(), dtype, **tol)
    for name in ("mean", "mode", "variance", "stddev", "covariance_matrix", "precision_matrix", "scale_tril"):
        close(getattr(ours, name), getattr(theirs, name), dtype, **tol)
    assert tuple(ours.batch_shape) == (2,) and tuple(ours.event_shape) == (K,)


@pytest.mark.parametrize("kind", KINDS)
def test_mvn_gradients_match_torch(kind):
    ours, theirs, (cl, cm), (tl, tm) = _pair(kind, np.float64, requires_grad=True)
    (ours.log_prob(chainrule.tensor(VALUE)).sum() + ours.entropy().sum()).backward()
    (theirs.log_prob(torch.tensor(VALUE)).sum() + theirs.entropy().sum()).backward()
    np.testing.assert_allclose(cl.grad.numpy(), tl.grad.numpy(), rtol=1e-8, atol=1e-10)
    # PyTorch's matrix gradient is taken through its own (symmetric or triangular) parameterisation;
    # the directional derivative along symmetric / lower-triangular perturbations is what both define
    g, tg = cm.grad.numpy(), tm.grad.numpy()
    if kind == "scale_tril":
        np.testing.assert_allclose(np.tril(g), np.tril(tg), rtol=1e-8, atol=1e-10)
    else:
        np.testing.assert_allclose(
            g + g.transpose(0, 2, 1), tg + tg.transpose(0, 2, 1), rtol=1e-8, atol=1e-10
        )


def test_mvn_rsample_gradient_with_same_noise():
    """x = μ + L ε: recover ε from our draw and rebuild PyTorch's formula; the gradients agree."""
    ours, _, (cl, cm), _ = _pair("scale_tril", np.float64, requires_grad=True)
    chainrule.manual_seed(0)
    x = ours.rsample((5,))
    (x**2).sum().backward()
    eps = np.linalg.solve(TRIL, (x.detach().numpy() - LOC)[..., None])[..., 0]
    tl = torch.tensor(LOC, requires_grad=True)
    tL = torch.tensor(TRIL, requires_grad=True)
    tx = tl + (tL @ torch.tensor(eps).unsqueeze(-1)).squeeze(-1)
    (tx**2).sum().backward()
    np.testing.assert_allclose(cl.grad.numpy(), tl.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(cm.grad.numpy(), tL.grad.numpy(), rtol=1e-9, atol=1e-9)


def test_mvn_sample_statistics_and_shapes():
    ours = cd.MultivariateNormal(chainrule.tensor(LOC), covariance_matrix=chainrule.tensor(COV))
    chainrule.manual_seed(1)
    n = 40000
    x = ours.sample((n,)).numpy()
    assert x.shape == (n, 2, K) and x.dtype == np.float64  # float64 parameters, as torch.tensor(ndarray)
    se = np.sqrt(np.diagonal(COV, axis1=-2, axis2=-1) / n)
    assert np.all(np.abs(x.mean(0) - LOC) < 5 * se)
    for b in range(2):
        np.testing.assert_allclose(np.cov(x[:, b].T), COV[b], rtol=0.1, atol=0.1)
    e = ours.expand((4, 2))
    assert tuple(e.batch_shape) == (4, 2) and tuple(e.sample((3,)).shape) == (3, 4, 2, K)
    bcast = cd.MultivariateNormal(chainrule.zeros(K), scale_tril=chainrule.tensor(TRIL))
    assert tuple(bcast.batch_shape) == (2,) and tuple(bcast.loc.shape) == (2, K)


def test_mvn_errors_match_torch():
    for lib in (cd, torch.distributions):
        t = chainrule if lib is cd else torch
        with pytest.raises(
            ValueError, match="Exactly one of covariance_matrix or precision_matrix or scale_tril"
        ):
            lib.MultivariateNormal(t.zeros(2))
        with pytest.raises(ValueError, match="loc must be at least one-dimensional"):
            lib.MultivariateNormal(t.tensor(0.0), covariance_matrix=t.eye(1))
        with pytest.raises(ValueError, match="covariance_matrix must be at least two-dimensional"):
            lib.MultivariateNormal(t.zeros(2), covariance_matrix=t.ones(2))
        with pytest.raises(ValueError, match="Expected parameter covariance_matrix"):
            lib.MultivariateNormal(t.zeros(2), covariance_matrix=t.tensor([[1.0, 2.0], [2.0, 1.0]]))
        with pytest.raises(ValueError, match="Expected parameter scale_tril"):
            lib.MultivariateNormal(t.zeros(2), scale_tril=t.tensor([[1.0, 1.0], [0.0, 1.0]]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_independent_matches_torch(dtype):
    loc, scale = R.normal(size=(2, 3, 4)), R.uniform(0.5, 2, size=(2, 3, 4))
    cl, tl = to_pair(loc, dtype, torch)
    cs, ts = to_pair(scale, dtype, torch)
    for n in (0, 1, 2):
        ours = cd.Independent(cd.Normal(cl, cs), n)
        theirs = torch.distributions.Independent(torch.distributions.Normal(tl, ts), n)
        assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
        assert tuple(ours.event_shape) == tuple(theirs.event_shape)
        v, tv = to_pair(R.normal(size=(5, 2, 3, 4)), dtype, torch)
        tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else {}
        close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
        close(ours.entropy(), theirs.entropy(), dtype, **tol)
        close(ours.mean, theirs.mean, dtype)
        close(ours.variance, theirs.variance, dtype)
        assert tuple(ours.rsample((6,)).shape) == tuple(theirs.rsample((6,)).shape)
        assert ours.has_rsample and repr(ours.support) == repr(theirs.support)
        e = ours.expand((7,) + tuple(ours.batch_shape))
        assert tuple(e.batch_shape) == tuple(theirs.expand((7,) + tuple(theirs.batch_shape)).batch_shape)
        assert tuple(e.sample().shape) == (7, 2, 3, 4)
    b = cd.Independent(cd.Bernoulli(probs=chainrule.full((3,), 0.3)), 0)
    assert b.has_enumerate_support and tuple(b.enumerate_support().shape) == (2, 3)
    with pytest.raises(NotImplementedError, match="cartesian product"):
        cd.Independent(cd.Bernoulli(probs=chainrule.full((3,), 0.3)), 1).enumerate_support()
    with pytest.raises(
        ValueError, match=r"Expected reinterpreted_batch_ndims <= len\(base_distribution.batch_shape\)"
    ):
        cd.Independent(cd.Normal(cl, cs), 4)


def test_pytorch_module_paths_import():
    """``from torch.distributions.<module> import <Name>`` works with chainrule for every family we have."""
    import importlib

    pairs = [("normal", "Normal"), ("laplace", "Laplace"), ("cauchy", "Cauchy"), ("beta", "Beta"), ("chi2", "Chi2"),
             ("dirichlet", "Dirichlet"), ("exponential", "Exponential"), ("binomial", "Binomial"),
             ("geometric", "Geometric"), ("poisson", "Poisson"), ("one_hot_categorical", "OneHotCategorical"),
             ("relaxed_bernoulli", "RelaxedBernoulli"), ("relaxed_bernoulli", "LogitRelaxedBernoulli"),
             ("relaxed_categorical", "RelaxedOneHotCategorical"), ("relaxed_categorical", "ExpRelaxedCategorical"),
             ("studentT", "StudentT"), ("log_normal", "LogNormal"), ("half_normal", "HalfNormal"), ("gumbel", "Gumbel"),
             ("bernoulli", "Bernoulli"), ("categorical", "Categorical"), ("gamma", "Gamma"), ("uniform", "Uniform"),
             ("multivariate_normal", "MultivariateNormal"), ("independent", "Independent"), ("kl", "kl_divergence"),
             ("transformed_distribution", "TransformedDistribution"), ("distribution", "Distribution"),
             ("transforms", "ExpTransform"), ("constraints", "positive"), ("constraint_registry", "biject_to"),
             ("utils", "broadcast_all")]  # fmt: skip
    for module, name in pairs:
        importlib.import_module(f"torch.distributions.{module}").__dict__[name]  # the path exists in PyTorch
        ours = getattr(importlib.import_module(f"chainrule.distributions.{module}"), name)
        if name[0].isupper() and hasattr(cd, name):
            assert ours is getattr(cd, name)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lowrank_mvn_matches_torch(dtype):
    loc, W, D = R.normal(size=(2, 4)), R.normal(size=(4, 2)), R.uniform(0.5, 2, size=(2, 4))
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    leaves = {}
    for lib in (chainrule, torch):
        ts = [lib.tensor(a.astype(dtype), requires_grad=True) for a in (loc, W, D)]
        leaves[lib.__name__] = (lib.distributions.LowRankMultivariateNormal(*ts), ts)
    ours, theirs = leaves["chainrule"][0], leaves["torch"][0]
    v, tv = to_pair(R.normal(size=(5, 2, 4)), dtype, torch)
    lp, tlp = ours.log_prob(v), theirs.log_prob(tv)
    close(lp, tlp, dtype, **tol)
    close(ours.entropy(), theirs.entropy(), dtype, **tol)
    for name in ("mean", "mode", "variance", "covariance_matrix", "precision_matrix", "scale_tril"):
        close(getattr(ours, name), getattr(theirs, name), dtype, **tol)
    assert tuple(ours.batch_shape) == (2,) and tuple(ours.event_shape) == (4,)
    assert tuple(ours.rsample((3,)).shape) == (3, 2, 4)
    assert tuple(ours.expand((5, 2)).sample().shape) == (5, 2, 4)
    if dtype == np.float64:
        (lp.sum() + ours.entropy().sum()).backward()
        (tlp.sum() + theirs.entropy().sum()).backward()
        for a, b in zip(leaves["chainrule"][1], leaves["torch"][1]):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10)
        chainrule.manual_seed(0)
        x = ours.sample((40000,)).numpy()
        np.testing.assert_allclose(np.cov(x[:, 0].T), ours.covariance_matrix.detach().numpy()[0], atol=0.12)
    for lib in (cd, torch.distributions):
        t = chainrule if lib is cd else torch
        with pytest.raises(ValueError, match="cov_factor must be a batch of matrices with shape 4 x m"):
            lib.LowRankMultivariateNormal(t.zeros(4), t.ones(3, 2), t.ones(4))
        with pytest.raises(ValueError, match=r"cov_diag must be a batch of vectors with shape"):
            lib.LowRankMultivariateNormal(t.zeros(4), t.ones(4, 2), t.ones(3))
