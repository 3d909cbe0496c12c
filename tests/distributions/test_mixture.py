"""MixtureSameFamily and Multinomial against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

from ._helpers import close

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(6)
DTYPES = [np.float32, np.float64]


def _mixtures(lib, dtype, w, comp):
    D = lib.distributions
    t = lambda a: lib.tensor(a.astype(dtype), requires_grad=True)  # noqa: E731
    ws, cs = t(w), {k: t(v) for k, v in comp[1].items()}
    m = D.MixtureSameFamily(D.Categorical(probs=ws), getattr(D, comp[0])(**cs)
                            if comp[0] != "IndNormal" else D.Independent(D.Normal(**cs), 1))  # fmt: skip
    return m, [ws] + list(cs.values())


COMPONENTS = [
    ("Normal", R.dirichlet(np.ones(3), size=2), dict(loc=R.normal(size=(2, 3)), scale=R.uniform(0.5, 2, size=(2, 3))),
     R.normal(size=(5, 2))),
    ("IndNormal", R.dirichlet(np.ones(3)), dict(loc=R.normal(size=(3, 2)), scale=R.uniform(0.5, 2, size=(3, 2))),
     R.normal(size=(5, 2))),
    ("Gamma", R.dirichlet(np.ones(4)), dict(concentration=R.uniform(0.5, 3, size=(4,)), rate=R.uniform(0.5, 3, size=(4,))),
     R.gamma(2.0, size=(5,))),
]  # fmt: skip


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,w,params,value", COMPONENTS, ids=[c[0] for c in COMPONENTS])
def test_mixture_matches_torch(name, w, params, value, dtype):
    ours, leaves = _mixtures(chainrule, dtype, w, (name, params))
    theirs, tleaves = _mixtures(torch, dtype, w, (name, params))
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    lp = ours.log_prob(chainrule.tensor(value.astype(dtype)))
    tlp = theirs.log_prob(torch.tensor(value.astype(dtype)))
    close(lp, tlp, dtype, **tol)
    close(ours.mean, theirs.mean, dtype, **tol)
    close(ours.variance, theirs.variance, dtype, **tol)
    if name == "Normal":
        close(
            ours.cdf(chainrule.tensor(value.astype(dtype))),
            theirs.cdf(torch.tensor(value.astype(dtype))),
            dtype,
            **tol,
        )
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    for shape in [(), (6,), (2, 3)]:
        assert tuple(ours.sample(shape).shape) == tuple(theirs.sample(shape).shape)
    e = ours.expand((4,) + tuple(ours.batch_shape))
    assert tuple(e.sample().shape) == tuple(theirs.expand((4,) + tuple(theirs.batch_shape)).sample().shape)
    if dtype == np.float64:
        lp.sum().backward()
        tlp.sum().backward()
        for a, b in zip(leaves, tleaves):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_mixture_sample_statistics():
    w = np.array([0.2, 0.5, 0.3])
    m = cd.MixtureSameFamily(cd.Categorical(probs=chainrule.tensor(w)),
                             cd.Normal(chainrule.tensor([-3.0, 0.0, 4.0]), chainrule.tensor([0.5, 1.0, 2.0])))  # fmt: skip
    chainrule.manual_seed(0)
    x = m.sample((50000,)).numpy().astype(np.float64)
    assert abs(x.mean() - m.mean.item()) < 5 * np.sqrt(m.variance.item() / x.size)
    np.testing.assert_allclose(x.var(), m.variance.item(), rtol=0.05)


def test_mixture_errors_match_torch():
    for lib in (chainrule, torch):
        D = lib.distributions
        with pytest.raises(ValueError, match="does not equal"):
            D.MixtureSameFamily(D.Categorical(probs=lib.ones(2)), D.Normal(lib.zeros(3), lib.ones(3)))
        with pytest.raises(ValueError, match="needs to be an  instance"):
            D.MixtureSameFamily(D.Normal(lib.zeros(3), lib.ones(3)), D.Normal(lib.zeros(3), lib.ones(3)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_multinomial_matches_torch(dtype):
    p = R.dirichlet(np.ones(4), size=(2,))
    value = np.array([[1.0, 2.0, 0.0, 3.0], [0.0, 0.0, 6.0, 0.0]])
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    for key in ("probs", "logits"):
        param = p if key == "probs" else np.log(p)
        cp = chainrule.tensor(param.astype(dtype), requires_grad=True)
        tp = torch.tensor(param.astype(dtype), requires_grad=True)
        ours, theirs = cd.Multinomial(6, **{key: cp}), torch.distributions.Multinomial(6, **{key: tp})
        lp, tlp = (
            ours.log_prob(chainrule.tensor(value.astype(dtype))),
            theirs.log_prob(torch.tensor(value.astype(dtype))),
        )
        close(lp, tlp, dtype, **tol)
        # PyTorch's entropy takes log n! of an int64 tensor, i.e. in float32
        close(ours.entropy(), theirs.entropy(), dtype, rtol=1e-6, atol=1e-6)
        close(ours.mean, theirs.mean, dtype, **tol)
        close(ours.variance, theirs.variance, dtype, **tol)
        s = ours.sample((3, 5))
        assert tuple(s.shape) == tuple(theirs.sample((3, 5)).shape) and np.all(s.numpy().sum(-1) == 6)
        if dtype == np.float64:
            lp.sum().backward()
            tlp.sum().backward()
            np.testing.assert_allclose(cp.grad.numpy(), tp.grad.numpy(), rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="to be within the support"):
        cd.Multinomial(3, probs=chainrule.ones(2)).log_prob(chainrule.tensor([2.0, 2.0]))
    chainrule.manual_seed(0)
    counts = cd.Multinomial(20, probs=chainrule.tensor([0.1, 0.6, 0.3])).sample((5000,)).numpy()
    np.testing.assert_allclose(counts.mean(0), [2.0, 12.0, 6.0], atol=0.1)
