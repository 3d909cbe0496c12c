"""Pareto, Weibull and NegativeBinomial against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

from ._helpers import assert_stats, check_moments, close, ours_theirs, to_pair

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(7)
S = (2, 3)
CASES = [
    ("Pareto", dict(scale=R.uniform(0.5, 2, size=S), alpha=R.uniform(2.5, 5, size=S)), R.uniform(2.0, 6, size=(4,) + S)),
    ("Weibull", dict(scale=R.uniform(0.5, 2, size=S), concentration=R.uniform(0.8, 3, size=S)),
     R.uniform(0.1, 3, size=(4,) + S)),
    ("NegativeBinomial", dict(total_count=R.uniform(1, 6, size=S), probs=R.uniform(0.1, 0.8, size=S)),
     R.integers(0, 9, size=(4,) + S).astype(float)),
    ("NegativeBinomial", dict(total_count=R.uniform(1, 6, size=S), logits=R.normal(size=S)),
     R.integers(0, 9, size=(4,) + S).astype(float)),
    ("FisherSnedecor", dict(df1=R.uniform(3, 9, size=S), df2=R.uniform(9, 14, size=S)), R.uniform(0.1, 3, size=(4,) + S)),
    ("Kumaraswamy", dict(concentration1=R.uniform(1.2, 3, size=S), concentration0=R.uniform(1.2, 3, size=S)),
     R.uniform(0.05, 0.95, size=(4,) + S)),
]  # fmt: skip
IDS = [
    "Pareto",
    "Weibull",
    "NegativeBinomial-probs",
    "NegativeBinomial-logits",
    "FisherSnedecor",
    "Kumaraswamy",
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,params,value", CASES, ids=IDS)
def test_matches_torch(name, params, value, dtype):
    ours, theirs = ours_theirs(name, params, dtype, torch)
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    v, tv = to_pair(value, dtype, torch)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
    if name not in ("NegativeBinomial", "FisherSnedecor"):
        close(ours.entropy(), theirs.entropy(), dtype, **tol)
    if name in ("Pareto", "Weibull"):
        close(ours.cdf(v), theirs.cdf(tv), dtype, **tol)
    check_moments(ours, theirs, dtype, ("mean", "variance", "mode"), **tol)
    for shape in [(), (5,)]:
        assert tuple(ours.sample(shape).shape) == tuple(theirs.sample(shape).shape)
    e = ours.expand((3,) + S)
    assert type(e) is type(ours) and tuple(e.sample().shape) == (3,) + S
    d = getattr(cd, name)(**{k: chainrule.tensor(p) for k, p in params.items()})
    assert_stats(d, n=60000, check_var=name != "Pareto")


def test_log_prob_gradients_match_torch():
    for name, params, value in CASES:
        cps = {k: chainrule.tensor(v, requires_grad=True) for k, v in params.items()}
        tps = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        getattr(cd, name)(**cps).log_prob(chainrule.tensor(value)).sum().backward()
        getattr(torch.distributions, name)(**tps).log_prob(torch.tensor(value)).sum().backward()
        for k in params:
            np.testing.assert_allclose(
                cps[k].grad.numpy(), tps[k].grad.numpy(), rtol=1e-8, err_msg=f"{name} {k}"
            )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_half_cauchy_matches_torch(dtype):
    scale = R.uniform(0.5, 2, size=S)
    ours, theirs = ours_theirs("HalfCauchy", dict(scale=scale), dtype, torch)
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    v, tv = to_pair(R.uniform(0, 4, size=(4,) + S), dtype, torch)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype, **tol)
    close(ours.cdf(v), theirs.cdf(tv), dtype, **tol)
    u, tu = to_pair(R.uniform(0.05, 0.95, size=S), dtype, torch)
    close(
        ours.icdf(u), theirs.icdf(tu), dtype, **(dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else tol)
    )
    close(ours.entropy(), theirs.entropy(), dtype, **tol)
    check_moments(ours, theirs, dtype, ("mean", "variance", "mode"), **tol)
    chainrule.manual_seed(0)
    x = cd.HalfCauchy(chainrule.tensor([2.0])).sample((40000,)).numpy()
    assert x.min() >= 0 and abs(np.median(x) - 2.0) < 0.1  # the median of HalfCauchy(γ) is γ


def test_import_is_lazy_and_both_spellings_work():
    import subprocess
    import sys

    code = (
        "import sys, chainrule\n"
        "assert 'chainrule.distributions' not in sys.modules\n"
        "assert chainrule.distributions.Normal is __import__('chainrule.distributions').distributions.Normal\n"
        "import chainrule.distributions as d\n"
        "from chainrule.distributions.normal import Normal\n"
        "assert d.Normal is Normal\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_support_validation():
    with pytest.raises(ValueError, match="to be within the support"):
        cd.Pareto(chainrule.tensor([2.0]), chainrule.tensor([3.0])).log_prob(chainrule.tensor([1.0]))
    with pytest.raises(ValueError, match="Expected parameter probs"):
        cd.NegativeBinomial(chainrule.tensor([2.0]), probs=chainrule.tensor([1.0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("key", ["probs", "logits"])
def test_continuous_bernoulli_matches_torch(key, dtype):
    # includes λ inside the Taylor band around ½ and near the ends
    p = np.array([[0.05, 0.3, 0.4995], [0.5, 0.5008, 0.93]])
    param = p if key == "probs" else np.log(p / (1 - p))
    cp = chainrule.tensor(param.astype(dtype), requires_grad=True)
    tp = torch.tensor(param.astype(dtype), requires_grad=True)
    ours, theirs = cd.ContinuousBernoulli(**{key: cp}), torch.distributions.ContinuousBernoulli(**{key: tp})
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-10)
    v, tv = to_pair(R.uniform(0.01, 0.99, size=(4, 2, 3)), dtype, torch)
    lp, tlp = ours.log_prob(v), theirs.log_prob(tv)
    close(lp, tlp, dtype, **tol)
    close(ours.cdf(v), theirs.cdf(tv), dtype, **tol)
    close(ours.icdf(v), theirs.icdf(tv), dtype, **tol)
    close(ours.entropy(), theirs.entropy(), dtype, **tol)
    check_moments(ours, theirs, dtype, ("mean", "variance", "stddev"), **tol)
    assert tuple(ours.rsample((5,)).shape) == (5, 2, 3)
    assert tuple(ours.expand((4, 2, 3)).sample().shape) == (4, 2, 3)
    if dtype == np.float64:
        (lp.sum() + ours.entropy().sum() + ours.mean.sum()).backward()
        (tlp.sum() + theirs.entropy().sum() + theirs.mean.sum()).backward()
        np.testing.assert_allclose(cp.grad.numpy(), tp.grad.numpy(), rtol=1e-7, atol=1e-9)
        assert_stats(cd.ContinuousBernoulli(probs=chainrule.tensor(p)), n=60000)


def test_continuous_bernoulli_rsample_gradient_with_same_noise():
    """x = icdf(u): recover u from our draw with cdf and rebuild with PyTorch; the gradients agree."""
    p = np.array([0.2, 0.7, 0.9])
    cp = chainrule.tensor(p, requires_grad=True)
    chainrule.manual_seed(4)
    x = cd.ContinuousBernoulli(probs=cp).rsample((6,))
    x.sum().backward()
    u = cd.ContinuousBernoulli(probs=chainrule.tensor(p)).cdf(x.detach()).numpy()
    tp = torch.tensor(p, requires_grad=True)
    tx = torch.distributions.ContinuousBernoulli(probs=tp).icdf(torch.tensor(u))
    np.testing.assert_allclose(tx.detach().numpy(), x.detach().numpy(), rtol=1e-9)
    tx.sum().backward()
    np.testing.assert_allclose(cp.grad.numpy(), tp.grad.numpy(), rtol=1e-7)
