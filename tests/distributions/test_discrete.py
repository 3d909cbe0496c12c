"""Bernoulli, Binomial, Geometric, Poisson, Categorical, OneHotCategorical against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

from ._helpers import assert_stats, check_moments, close, ours_theirs, to_pair

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(2)
P = R.uniform(0.05, 0.95, size=(2, 3))
L = R.normal(size=(2, 3))
PK = R.dirichlet(np.ones(4), size=(2, 3))
LK = R.normal(size=(2, 3, 4))

CASES = [
    ("Bernoulli", dict(probs=P), R.integers(0, 2, size=(5, 2, 3)).astype(float)),
    ("Bernoulli", dict(logits=L), R.integers(0, 2, size=(5, 2, 3)).astype(float)),
    ("Binomial", dict(total_count=7, probs=P), R.integers(0, 8, size=(5, 2, 3)).astype(float)),
    ("Binomial", dict(total_count=5, logits=L), R.integers(0, 6, size=(5, 2, 3)).astype(float)),
    ("Geometric", dict(probs=P), R.integers(0, 9, size=(5, 2, 3)).astype(float)),
    ("Geometric", dict(logits=L), R.integers(0, 9, size=(5, 2, 3)).astype(float)),
    ("Poisson", dict(rate=P * 6), R.integers(0, 9, size=(5, 2, 3)).astype(float)),
    ("Categorical", dict(probs=PK), R.integers(0, 4, size=(5, 2, 3))),
    ("Categorical", dict(logits=LK), R.integers(0, 4, size=(5, 2, 3))),
    ("OneHotCategorical", dict(probs=PK), np.eye(4)[R.integers(0, 4, size=(5, 2, 3))]),
    ("OneHotCategorical", dict(logits=LK), np.eye(4)[R.integers(0, 4, size=(5, 2, 3))]),
]
IDS = [f"{c[0]}-{'-'.join(c[1])}" for c in CASES]
DTYPES = [np.float32, np.float64]


def _value_pair(name, value, dtype):
    if name == "Categorical":
        return chainrule.tensor(value), torch.tensor(value)
    return to_pair(value, dtype, torch)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,params,value", CASES, ids=IDS)
def test_log_prob_entropy_moments(name, params, value, dtype):
    ours, theirs = ours_theirs(name, params, dtype, torch)
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    v, tv = _value_pair(name, value, dtype)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
    if name != "Poisson":
        close(ours.entropy(), theirs.entropy(), dtype, **tol)
    close(ours.mean, theirs.mean, dtype, **tol)
    close(ours.variance, theirs.variance, dtype, **tol)
    mo, mt = ours.mode, theirs.mode
    np.testing.assert_allclose(mo.numpy(), mt.numpy(), equal_nan=True)
    if name != "Poisson":
        close(ours.probs, theirs.probs, dtype, **tol)
        close(ours.logits, theirs.logits, dtype, **tol)
    check_moments(ours, theirs, dtype, ())


@pytest.mark.parametrize("name,params,value", CASES, ids=IDS)
def test_shapes_expand_enumerate(name, params, value):
    ours, theirs = ours_theirs(name, params, np.float32, torch)
    for sample_shape in [(), (5,), (2, 4)]:
        s, ts = ours.sample(sample_shape), theirs.sample(sample_shape)
        assert tuple(s.shape) == tuple(ts.shape) and s.dtype.is_floating_point == ts.dtype.is_floating_point
        assert tuple(ours.log_prob(s).shape) == tuple(theirs.log_prob(torch.tensor(s.numpy())).shape)
    big = (3,) + tuple(ours.batch_shape)
    e = ours.expand(big)
    assert type(e) is type(ours) and tuple(e.batch_shape) == big
    assert tuple(e.sample().shape) == tuple(theirs.expand(big).sample().shape)
    assert ours.has_enumerate_support == theirs.has_enumerate_support
    if ours.has_enumerate_support:
        for expand in (True, False):
            close(ours.enumerate_support(expand), theirs.enumerate_support(expand),
                  np.float32 if name != "Categorical" else np.int64)  # fmt: skip


def test_log_prob_gradients_match_torch():
    for name, params, value in CASES:
        ps = {k: chainrule.tensor(v, dtype=chainrule.float64, requires_grad=True)
              for k, v in params.items() if k != "total_count"}  # fmt: skip
        tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()
              if k != "total_count"}  # fmt: skip
        extra = {"total_count": params["total_count"]} if "total_count" in params else {}
        v, tv = _value_pair(name, value, np.float64)
        ours = getattr(cd, name)(**ps, **extra)
        theirs = getattr(torch.distributions, name)(**tp, **extra)
        out, tout = ours.log_prob(v).sum(), theirs.log_prob(tv).sum()
        if name not in ("Poisson",):
            out, tout = out + ours.entropy().sum(), tout + theirs.entropy().sum()
        out.backward()
        tout.backward()
        for k in ps:
            np.testing.assert_allclose(ps[k].grad.numpy(), tp[k].grad.numpy(), rtol=1e-8, atol=1e-10,
                                       err_msg=f"{name} {k}")  # fmt: skip


@pytest.mark.parametrize("name,params", [
    ("Bernoulli", dict(probs=P)), ("Binomial", dict(total_count=7, probs=P)), ("Geometric", dict(probs=P)),
    ("Poisson", dict(rate=P * 6)), ("OneHotCategorical", dict(probs=PK)),
])  # fmt: skip
def test_sample_statistics(name, params):
    d = getattr(cd, name)(
        **{k: chainrule.tensor(v) if isinstance(v, np.ndarray) else v for k, v in params.items()}
    )
    assert_stats(d)


def test_categorical_frequencies():
    chainrule.manual_seed(0)
    p = np.array([0.1, 0.0, 0.6, 0.3])
    x = cd.Categorical(chainrule.tensor(p)).sample((40000,)).numpy()
    assert x.dtype == np.int64
    freq = np.bincount(x, minlength=4) / x.size
    assert freq[1] == 0
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / x.size) + 1e-12)


def test_errors_match_torch():
    for lib in (cd, torch.distributions):
        with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
            lib.Bernoulli()
        with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
            lib.Categorical(probs=None, logits=None)
    with pytest.raises(ValueError, match="Expected parameter probs"):
        cd.Bernoulli(probs=chainrule.tensor([1.5]))
    with pytest.raises(ValueError, match="Expected parameter probs"):
        cd.Categorical(probs=chainrule.tensor([0.5, -0.1, 0.6]))
    with pytest.raises(ValueError, match="to be within the support"):
        cd.Bernoulli(probs=chainrule.tensor([0.5])).log_prob(chainrule.tensor([0.5]))
    with pytest.raises(ValueError, match="to be within the support"):
        cd.Categorical(probs=chainrule.tensor([0.5, 0.5])).log_prob(chainrule.tensor(2))
    with pytest.raises(ValueError, match="one-dimensional"):
        cd.Categorical(probs=chainrule.tensor(1.0))
