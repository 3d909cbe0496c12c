"""Every distribution, one table: batch/event/sample shapes, expand, has_rsample/has_enumerate_support and the
support's repr agree with PyTorch's for the same parameters."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(11)
B = (2, 3)


def _p(*shape, lo=0.2, hi=0.8):
    return R.uniform(lo, hi, size=shape)


def _spd(*batch, k=3):
    a = R.normal(size=batch + (k, k))
    return a @ np.swapaxes(a, -1, -2) + k * np.eye(k)


# name -> kwargs builder (arrays become tensors; "T" wraps a sub-distribution built in the same library)
TABLE = {
    "Normal": lambda: dict(loc=R.normal(size=B), scale=_p(*B)),
    "Laplace": lambda: dict(loc=R.normal(size=B), scale=_p(*B)),
    "Cauchy": lambda: dict(loc=R.normal(size=B), scale=_p(*B)),
    "Gumbel": lambda: dict(loc=R.normal(size=B), scale=_p(*B)),
    "LogNormal": lambda: dict(loc=R.normal(size=B), scale=_p(*B)),
    "HalfNormal": lambda: dict(scale=_p(*B)),
    "HalfCauchy": lambda: dict(scale=_p(*B)),
    "Uniform": lambda: dict(low=_p(*B, lo=0, hi=0.4), high=_p(*B, lo=0.6, hi=1)),
    "Exponential": lambda: dict(rate=_p(*B)),
    "Gamma": lambda: dict(concentration=_p(*B, hi=3), rate=_p(*B)),
    "Chi2": lambda: dict(df=_p(*B, lo=1, hi=4)),
    "Beta": lambda: dict(concentration1=_p(*B, hi=3), concentration0=_p(*B, hi=3)),
    "StudentT": lambda: dict(df=_p(*B, lo=2, hi=5), loc=R.normal(size=B), scale=_p(*B)),
    "Pareto": lambda: dict(scale=_p(*B), alpha=_p(*B, lo=2, hi=4)),
    "Weibull": lambda: dict(scale=_p(*B), concentration=_p(*B, lo=1, hi=3)),
    "Dirichlet": lambda: dict(concentration=_p(*B, 4, hi=3)),
    "FisherSnedecor": lambda: dict(df1=_p(*B, lo=1, hi=6), df2=_p(*B, lo=1, hi=6)),
    "Kumaraswamy": lambda: dict(concentration1=_p(*B, lo=0.5, hi=3), concentration0=_p(*B, lo=0.5, hi=3)),
    "Bernoulli": lambda: dict(probs=_p(*B)),
    "ContinuousBernoulli": lambda: dict(probs=_p(*B)),
    "Binomial": lambda: dict(total_count=5, probs=_p(*B)),
    "Geometric": lambda: dict(probs=_p(*B)),
    "Poisson": lambda: dict(rate=_p(*B, hi=4)),
    "NegativeBinomial": lambda: dict(total_count=_p(*B, lo=1, hi=4), probs=_p(*B)),
    "Categorical": lambda: dict(probs=_p(*B, 4)),
    "OneHotCategorical": lambda: dict(logits=R.normal(size=B + (4,))),
    "OneHotCategoricalStraightThrough": lambda: dict(logits=R.normal(size=B + (4,))),
    "InverseGamma": lambda: dict(concentration=_p(*B, hi=3), rate=_p(*B)),
    "Multinomial": lambda: dict(total_count=4, probs=_p(*B, 4)),
    "RelaxedBernoulli": lambda: dict(temperature=np.array(0.5), probs=_p(*B)),
    "RelaxedOneHotCategorical": lambda: dict(temperature=np.array(0.5), probs=_p(*B, 4)),
    "LogisticNormal": lambda: dict(loc=R.normal(size=B), scale=_p(*B)),
    "MultivariateNormal": lambda: dict(loc=R.normal(size=B), covariance_matrix=_spd(2)),
    "LowRankMultivariateNormal": lambda: dict(
        loc=R.normal(size=B), cov_factor=R.normal(size=(3, 2)), cov_diag=_p(*B)
    ),  # fmt: skip
}
NAMES = sorted(TABLE)


def _make(lib, name, params):
    def conv(v):
        return lib.tensor(v) if isinstance(v, np.ndarray) else v

    return getattr(lib.distributions, name)(**{k: conv(v) for k, v in params.items()})


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_flags_match_torch(name):
    params = TABLE[name]()
    ours, theirs = _make(chainrule, name, params), _make(torch, name, params)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    assert ours.has_rsample == theirs.has_rsample
    assert ours.has_enumerate_support == theirs.has_enumerate_support
    assert repr(ours.support) == repr(theirs.support) or name in ("Uniform", "Binomial", "Categorical", "Pareto",
                                                                    "Multinomial")  # fmt: skip
    for shape in [(), (4,), (2, 1)]:
        s, ts = ours.sample(shape), theirs.sample(shape)
        assert tuple(s.shape) == tuple(ts.shape), shape
        assert s.dtype.is_floating_point == ts.dtype.is_floating_point
        lp = ours.log_prob(s)
        assert tuple(lp.shape) == tuple(theirs.log_prob(ts).shape)
        assert np.all(np.isfinite(lp.numpy())), name
        if ours.has_rsample:
            assert tuple(ours.rsample(shape).shape) == tuple(ts.shape)
    big = (5,) + tuple(ours.batch_shape)
    e, te = ours.expand(big), theirs.expand(big)
    assert type(e) is type(ours)
    assert tuple(e.batch_shape) == tuple(te.batch_shape) and tuple(e.event_shape) == tuple(te.event_shape)
    assert tuple(e.sample((2,)).shape) == tuple(te.sample((2,)).shape)
    assert tuple(e.log_prob(e.sample()).shape) == big


def test_every_exported_distribution_is_in_the_table():
    skip = {
        "Distribution",
        "ExponentialFamily",
        "TransformedDistribution",
        "Independent",
        "MixtureSameFamily",
    }
    exported = {
        n
        for n in cd.__all__
        if isinstance(getattr(cd, n), type) and issubclass(getattr(cd, n), cd.Distribution)
    }
    assert exported - skip == set(TABLE), exported - skip ^ set(TABLE)
