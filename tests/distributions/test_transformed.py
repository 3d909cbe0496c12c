"""Transforms, biject_to/transform_to, TransformedDistribution and the families built on it (LogNormal,
HalfNormal, Gumbel), StudentT and the relaxed distributions, against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd
from chainrule.distributions import constraints, relaxed
from chainrule.distributions import transforms as T

from ._helpers import assert_stats, check_moments, close, ours_theirs, to_pair

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
TT = torch.distributions.transforms
# the Logit/Exp bases live in their modules (not exported at the top level), as in PyTorch
TD = {
    "RelaxedBernoulli": torch.distributions,
    "LogitRelaxedBernoulli": torch.distributions.relaxed_bernoulli,
    "RelaxedOneHotCategorical": torch.distributions,
    "ExpRelaxedCategorical": torch.distributions.relaxed_categorical,
}

R = np.random.default_rng(4)
DTYPES = [np.float32, np.float64]
LOC, SCALE = R.normal(size=(2, 3)), R.uniform(0.5, 2.0, size=(2, 3))

# (our transform, torch's transform, input)
TRANSFORMS = [
    (lambda m: m.ExpTransform(), R.normal(size=(4, 3))),
    (lambda m: m.SigmoidTransform(), R.normal(size=(4, 3))),
    (lambda m: m.TanhTransform(), R.normal(size=(4, 3))),
    (lambda m: m.AffineTransform(0.5, -2.0), R.normal(size=(4, 3))),
    (lambda m: m.PowerTransform(2.5), R.uniform(0.2, 3, size=(4, 3))),
    (lambda m: m.StickBreakingTransform(), R.normal(size=(4, 3))),
    (lambda m: m.ComposeTransform([m.ExpTransform(), m.AffineTransform(1.0, 3.0)]), R.normal(size=(4, 3))),
    (lambda m: m.IndependentTransform(m.SigmoidTransform(), 1), R.normal(size=(4, 3))),
    (lambda m: m.ExpTransform().inv, R.uniform(0.2, 3, size=(4, 3))),
    (lambda m: m.LowerCholeskyTransform(), R.normal(size=(2, 3, 3))),
    (lambda m: m.SoftplusTransform(), R.normal(size=(4, 3))),
    (lambda m: m.ReshapeTransform((3,), (3, 1)), R.normal(size=(4, 3))),
]
TIDS = [
    "exp",
    "sigmoid",
    "tanh",
    "affine",
    "power",
    "stickbreaking",
    "compose",
    "independent",
    "inverse",
    "lowerchol",
    "softplus",
    "reshape",
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make,x", TRANSFORMS, ids=TIDS)
def test_transforms_match_torch(make, x, dtype):
    ours, theirs = make(T), make(TT)
    cx, tx = to_pair(x, dtype, torch)
    y, ty = ours(cx), theirs(tx)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    close(y, ty, dtype, **tol)
    # PyTorch keeps PowerTransform's exponent as a float32 tensor, so its 1/exponent is rounded to float32
    inv_tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-7, atol=1e-7)
    close(ours.inv(y), theirs.inv(ty), dtype, **inv_tol)
    if not isinstance(ours, T.LowerCholeskyTransform):
        close(ours.log_abs_det_jacobian(cx, y), theirs.log_abs_det_jacobian(tx, ty), dtype, **tol)
    assert ours.bijective == theirs.bijective
    assert repr(ours.domain) == repr(theirs.domain) and repr(ours.codomain) == repr(theirs.codomain)
    assert tuple(ours.forward_shape((5, 3))) == tuple(theirs.forward_shape((5, 3)))


def test_transform_cache_and_errors():
    t = T.ExpTransform(cache_size=1)
    x = chainrule.randn(3)
    y = t(x)
    assert t.inv(y) is x and t.inv.inv is t
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        T.ExpTransform(cache_size=2)
    assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform() != T.SigmoidTransform()
    assert T.AffineTransform(0.0, -2.0).sign == -1 and T.ExpTransform().sign == 1


@pytest.mark.parametrize("c", [
    "real", "positive", "nonnegative", "unit_interval", "simplex", "real_vector", "lower_cholesky",
    ("greater_than", 2.0), ("less_than", 1.0), ("interval", -1.0, 3.0),
])  # fmt: skip
def test_biject_to_and_transform_to(c):
    def get(mod):
        return getattr(mod, c) if isinstance(c, str) else getattr(mod, c[0])(*c[1:])

    oc, tc = get(constraints), get(torch.distributions.constraints)
    for name in ("biject_to", "transform_to"):
        if c == "lower_cholesky" and name == "biject_to":  # PyTorch registers it for transform_to only
            for lib, cons in ((cd, oc), (torch.distributions, tc)):
                with pytest.raises(NotImplementedError, match="Cannot transform _LowerCholesky constraints"):
                    lib.biject_to(cons)
            continue
        ot, tt = getattr(cd, name)(oc), getattr(torch.distributions, name)(tc)
        shape = (4, 3, 3) if c == "lower_cholesky" else (4, 3)
        x = R.normal(size=shape)
        y, ty = ot(chainrule.tensor(x)), tt(torch.tensor(x))
        close(y, ty, np.float64)
        assert bool(oc.check(y).all())
        assert repr(ot).replace("\n", "") == repr(tt).replace("\n", "")


def test_biject_to_unknown_constraint():
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        cd.biject_to(constraints.boolean)


CASES = [
    ("LogNormal", dict(loc=LOC, scale=SCALE), R.uniform(0.1, 5, size=(4, 2, 3))),
    ("HalfNormal", dict(scale=SCALE), R.uniform(0.0, 3, size=(4, 2, 3))),
    ("Gumbel", dict(loc=LOC, scale=SCALE), R.normal(size=(4, 2, 3))),
    ("StudentT", dict(df=R.uniform(4.5, 9, size=(2, 3)), loc=LOC, scale=SCALE), R.normal(size=(4, 2, 3))),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,params,value", CASES, ids=[c[0] for c in CASES])
def test_derived_families_match_torch(name, params, value, dtype):
    ours, theirs = ours_theirs(name, params, dtype, torch)
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    v, tv = to_pair(value, dtype, torch)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
    close(ours.entropy(), theirs.entropy(), dtype, **tol)
    check_moments(ours, theirs, dtype, ("mean", "variance", "stddev", "mode"), **tol)
    if name in ("LogNormal", "HalfNormal"):
        close(ours.cdf(v), theirs.cdf(tv), dtype, **tol)
        u, tu = to_pair(R.uniform(0.05, 0.95, size=value.shape), dtype, torch)
        close(
            ours.icdf(u),
            theirs.icdf(tu),
            dtype,
            **(dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else tol),
        )
    for shape in [(), (5,)]:
        assert tuple(ours.rsample(shape).shape) == tuple(theirs.rsample(shape).shape)
    e = ours.expand((3, 2, 3))
    assert type(e) is type(ours) and tuple(e.sample().shape) == (3, 2, 3)
    dist = getattr(cd, name)(**{k: chainrule.tensor(p) for k, p in params.items()})
    # heavy tails: the sample variance of LogNormal/StudentT draws converges too slowly to test; their logs /
    # medians are checked instead
    assert_stats(dist, n=60000, check_var=name not in ("LogNormal", "StudentT"))
    if name == "LogNormal":
        chainrule.manual_seed(5)
        logs = np.log(dist.sample((60000,)).numpy().astype(np.float64))
        np.testing.assert_allclose(logs.mean(0), LOC, atol=5 * SCALE.max() / np.sqrt(60000))
        np.testing.assert_allclose(logs.std(0), SCALE, rtol=0.02)


def test_transformed_distribution_matches_torch_generic():
    """A Normal pushed through [Affine, Exp] and a Dirichlet-like StickBreaking construction."""
    loc, scale = to_pair(LOC, np.float64, torch)
    ours = cd.TransformedDistribution(cd.Normal(*to_pair(LOC, np.float64, torch)[:1], chainrule.tensor(SCALE)),
                                      [T.AffineTransform(1.0, 2.0), T.ExpTransform()])  # fmt: skip
    theirs = torch.distributions.TransformedDistribution(
        torch.distributions.Normal(torch.tensor(LOC), torch.tensor(SCALE)),
        [TT.AffineTransform(1.0, 2.0), TT.ExpTransform()],
    )
    v, tv = to_pair(R.uniform(0.1, 4, size=(5, 2, 3)), np.float64, torch)
    close(ours.log_prob(v), theirs.log_prob(tv), np.float64)
    close(ours.cdf(v), theirs.cdf(tv), np.float64)
    base = cd.Independent(
        cd.Normal(
            chainrule.zeros(2, 3, dtype=chainrule.float64), chainrule.ones(2, 3, dtype=chainrule.float64)
        ),
        1,
    )
    tbase = torch.distributions.Independent(
        torch.distributions.Normal(
            torch.zeros(2, 3, dtype=torch.float64), torch.ones(2, 3, dtype=torch.float64)
        ),
        1,
    )
    ours = cd.TransformedDistribution(base, T.StickBreakingTransform())
    theirs = torch.distributions.TransformedDistribution(tbase, TT.StickBreakingTransform())
    assert tuple(ours.event_shape) == (4,) and tuple(ours.batch_shape) == (2,)
    s = R.dirichlet(np.ones(4), size=(5, 2))
    close(ours.log_prob(chainrule.tensor(s)), theirs.log_prob(torch.tensor(s)), np.float64)
    neg = cd.TransformedDistribution(
        cd.Normal(chainrule.tensor(LOC), chainrule.tensor(SCALE)), T.AffineTransform(0.0, -1.0)
    )
    tneg = torch.distributions.TransformedDistribution(
        torch.distributions.Normal(torch.tensor(LOC), torch.tensor(SCALE)), TT.AffineTransform(0.0, -1.0)
    )
    x, tx = to_pair(R.normal(size=(2, 3)), np.float64, torch)
    close(neg.cdf(x), tneg.cdf(tx), np.float64)
    with pytest.raises(ValueError, match="transforms must be a Transform or list"):
        cd.TransformedDistribution(cd.Normal(0.0, 1.0), "exp")


@pytest.mark.parametrize("dtype", DTYPES)
def test_logistic_normal_matches_torch(dtype):
    loc, scale = R.normal(size=(2, 3)), R.uniform(0.5, 1.5, size=(2, 3))
    ours = cd.LogisticNormal(chainrule.tensor(loc.astype(dtype)), chainrule.tensor(scale.astype(dtype)))
    theirs = torch.distributions.LogisticNormal(
        torch.tensor(loc.astype(dtype)), torch.tensor(scale.astype(dtype))
    )
    assert tuple(ours.batch_shape) == (2,) and tuple(ours.event_shape) == (4,)
    v, tv = to_pair(R.dirichlet(np.ones(4), size=(5, 2)), dtype, torch)
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
    s = ours.rsample((6,))
    assert tuple(s.shape) == (6, 2, 4)
    np.testing.assert_allclose(s.detach().numpy().sum(-1), 1.0, rtol=1e-5)
    scalar = cd.LogisticNormal(chainrule.zeros(3), chainrule.ones(3))
    tscalar = torch.distributions.LogisticNormal(torch.zeros(3), torch.ones(3))
    assert tuple(scalar.batch_shape) == tuple(tscalar.batch_shape) and tuple(scalar.event_shape) == (4,)


def test_lognormal_rsample_gradient_with_same_noise():
    loc = chainrule.tensor(LOC, requires_grad=True)
    scale = chainrule.tensor(SCALE, requires_grad=True)
    chainrule.manual_seed(2)
    y = cd.LogNormal(loc, scale).rsample((6,))
    y.sum().backward()
    eps = (np.log(y.detach().numpy()) - LOC) / SCALE
    tl, ts = torch.tensor(LOC, requires_grad=True), torch.tensor(SCALE, requires_grad=True)
    (tl + ts * torch.tensor(eps)).exp().sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), tl.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(scale.grad.numpy(), ts.grad.numpy(), rtol=1e-9)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relaxed_match_torch(dtype):
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    p = R.uniform(0.1, 0.9, size=(2, 3))
    for name in ("RelaxedBernoulli", "LogitRelaxedBernoulli"):
        for key in ("probs", "logits"):
            param = p if key == "probs" else np.log(p / (1 - p))
            ours = getattr(relaxed, name)(chainrule.tensor(0.7, dtype=getattr(chainrule, np.dtype(dtype).name)),
                                     **{key: chainrule.tensor(param.astype(dtype))})  # fmt: skip
            theirs = getattr(TD[name], name)(torch.tensor(0.7, dtype=getattr(torch, np.dtype(dtype).name)),
                                                        **{key: torch.tensor(param.astype(dtype))})  # fmt: skip
            value = (
                R.uniform(0.05, 0.95, size=(4, 2, 3))
                if name == "RelaxedBernoulli"
                else R.normal(size=(4, 2, 3))
            )
            v, tv = to_pair(value, dtype, torch)
            close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
            assert tuple(ours.rsample((5,)).shape) == (5, 2, 3)
    pk = R.dirichlet(np.ones(4), size=(2,))
    for name in ("RelaxedOneHotCategorical", "ExpRelaxedCategorical"):
        for key in ("probs", "logits"):
            param = pk if key == "probs" else np.log(pk)
            ours = getattr(relaxed, name)(chainrule.tensor(0.5, dtype=getattr(chainrule, np.dtype(dtype).name)),
                                     **{key: chainrule.tensor(param.astype(dtype))})  # fmt: skip
            theirs = getattr(TD[name], name)(torch.tensor(0.5, dtype=getattr(torch, np.dtype(dtype).name)),
                                                        **{key: torch.tensor(param.astype(dtype))})  # fmt: skip
            value = R.dirichlet(np.ones(4), size=(3, 2))
            if name == "ExpRelaxedCategorical":
                value = np.log(value)
            v, tv = to_pair(value, dtype, torch)
            close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
            s = ours.rsample((5,))
            assert tuple(s.shape) == (5, 2, 4) and tuple(ours.event_shape) == (4,)


def test_relaxed_rsample_gradients_with_same_noise():
    """RelaxedBernoulli: y = σ((logit u + logits)/τ); recover u from our draw and rebuild with torch."""
    logits = chainrule.tensor([0.3, -1.2], dtype=chainrule.float64, requires_grad=True)
    temp = chainrule.tensor(0.6, dtype=chainrule.float64, requires_grad=True)
    chainrule.manual_seed(0)
    y = cd.RelaxedBernoulli(temp, logits=logits).rsample((4,))
    (y**2).sum().backward()
    ys = y.detach().numpy()
    logit_u = np.log(ys / (1 - ys)) * 0.6 - np.array([0.3, -1.2])
    tl = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(0.6, dtype=torch.float64, requires_grad=True)
    ty = ((torch.tensor(logit_u) + tl) / tt).sigmoid()
    (ty**2).sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), tl.grad.numpy(), rtol=1e-7)
    np.testing.assert_allclose(temp.grad.numpy(), tt.grad.numpy(), rtol=1e-7)
    # the relaxed one-hot sample lies on the simplex and concentrates on the likely category when τ → 0
    chainrule.manual_seed(1)
    s = cd.RelaxedOneHotCategorical(chainrule.tensor(0.05), probs=chainrule.tensor([0.1, 0.8, 0.1])).sample(
        (4000,)
    )
    np.testing.assert_allclose(s.numpy().sum(-1), 1.0, rtol=1e-5)
    assert abs((s.numpy().argmax(-1) == 1).mean() - 0.8) < 0.03
