"""Normal, Laplace, Cauchy, Uniform, Exponential against torch.distributions: densities, moments, cdf/icdf,
entropy, shapes, reparameterised gradients with the same noise, and sample statistics."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

from ._helpers import assert_stats, check_moments, close, ours_theirs, to_pair

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(0)
LOC = R.normal(size=(2, 3))
SCALE = R.uniform(0.5, 2.0, size=(2, 3))
LOW = R.normal(size=(3,))
HIGH = LOW + R.uniform(0.5, 2.0, size=(3,))
RATE = R.uniform(0.3, 3.0, size=(2, 3))

CASES = [
    ("Normal", dict(loc=LOC, scale=SCALE), R.normal(size=(4, 2, 3))),
    ("Laplace", dict(loc=LOC, scale=SCALE), R.normal(size=(4, 2, 3))),
    ("Cauchy", dict(loc=LOC, scale=SCALE), R.normal(size=(4, 2, 3))),
    ("Uniform", dict(low=LOW, high=HIGH), LOW + (HIGH - LOW) * R.uniform(size=(4, 3))),
    ("Exponential", dict(rate=RATE), R.exponential(size=(4, 2, 3))),
]
DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,params,value", CASES, ids=[c[0] for c in CASES])
def test_log_prob_cdf_entropy_moments(name, params, value, dtype):
    ours, theirs = ours_theirs(name, params, dtype, torch)
    v, tv = to_pair(value, dtype, torch)
    close(ours.log_prob(v), theirs.log_prob(tv), dtype)
    close(ours.cdf(v), theirs.cdf(tv), dtype)
    u, tu = to_pair(R.uniform(0.02, 0.98, size=value.shape), dtype, torch)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else {}
    close(ours.icdf(u), theirs.icdf(tu), dtype, **tol)
    close(ours.entropy(), theirs.entropy(), dtype)
    names = ("mean", "variance", "mode") if name == "Cauchy" else ("mean", "variance", "stddev", "mode")
    check_moments(ours, theirs, dtype, names)


@pytest.mark.parametrize("name,params,value", CASES, ids=[c[0] for c in CASES])
def test_shapes_and_expand(name, params, value):
    ours, theirs = ours_theirs(name, params, np.float32, torch)
    for sample_shape in [(), (5,), (2, 4)]:
        s = ours.sample(sample_shape)
        assert tuple(s.shape) == tuple(theirs.sample(sample_shape).shape)
        assert tuple(ours.rsample(sample_shape).shape) == tuple(s.shape)
        assert tuple(ours.log_prob(s).shape) == tuple(theirs.log_prob(torch.tensor(s.numpy())).shape)
    big = (4,) + tuple(ours.batch_shape)
    e = ours.expand(big)
    assert type(e) is type(ours) and tuple(e.batch_shape) == big
    assert tuple(e.sample().shape) == tuple(theirs.expand(big).sample().shape)
    assert ours.has_rsample


def test_scalar_parameters_give_empty_batch_shape():
    assert tuple(cd.Normal(0.0, 1.0).batch_shape) == ()
    assert cd.Normal(0.0, 1.0).sample().dtype == chainrule.float32
    assert tuple(cd.Uniform(0.0, chainrule.ones(3)).batch_shape) == (3,)
    # NumPy scalars are numbers too (numbers.Number, as PyTorch's broadcast_all accepts)
    d = cd.Normal(np.float32(0.5), np.float64(2.0))
    assert tuple(d.batch_shape) == () and d.loc.dtype == chainrule.float32
    assert tuple(cd.Uniform(0, 3).sample((2,)).shape) == (2,)
    with pytest.raises(ValueError, match="Input arguments must all be instances of numbers.Number"):
        cd.Normal(np.zeros(2), 1.0)


def _rsample_grad(lib, name, params, noise_fn):
    """Gradient of Σ rsample w.r.t. each parameter, the noise built by ``noise_fn`` from the library."""
    ps = {k: lib.tensor(v, dtype=lib.float64, requires_grad=True) for k, v in params.items()}
    x = noise_fn(lib, ps)
    (x * x).sum().backward()
    return {k: p.grad.numpy() for k, p in ps.items()}


def test_rsample_gradients_match_torch_with_same_noise():
    """Our rsample formula gives the same gradients as PyTorch's for the same ε (we capture ours)."""
    for name, params in [("Normal", dict(loc=LOC, scale=SCALE)), ("Laplace", dict(loc=LOC, scale=SCALE)),
                         ("Cauchy", dict(loc=LOC, scale=SCALE)), ("Uniform", dict(low=LOW, high=HIGH)),
                         ("Exponential", dict(rate=RATE))]:  # fmt: skip
        ps = {k: chainrule.tensor(v, requires_grad=True, dtype=chainrule.float64) for k, v in params.items()}
        chainrule.manual_seed(3)
        x = getattr(cd, name)(**ps).rsample((7,))
        (x * x).sum().backward()
        # recover the noise from the sample and rebuild PyTorch's formula with it
        xs = x.detach().numpy()
        tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
        if name in ("Normal", "Laplace", "Cauchy"):
            eps = torch.tensor((xs - params["loc"]) / params["scale"])
            tx = tp["loc"] + eps * tp["scale"]
        elif name == "Uniform":
            u = torch.tensor((xs - params["low"]) / (params["high"] - params["low"]))
            tx = tp["low"] + u * (tp["high"] - tp["low"])
        else:
            tx = torch.tensor(xs * params["rate"]) / tp["rate"]
        np.testing.assert_allclose(tx.detach().numpy(), xs, rtol=1e-12)
        (tx * tx).sum().backward()
        for k in params:
            np.testing.assert_allclose(ps[k].grad.numpy(), tp[k].grad.numpy(), rtol=1e-10, err_msg=name + k)


def test_normal_rsample_is_loc_plus_scale_eps():
    """Reproducible under manual_seed, and gradients are ∂x/∂loc = 1, ∂x/∂scale = ε."""
    loc = chainrule.tensor([0.5, -1.0], requires_grad=True)
    scale = chainrule.tensor([2.0, 0.5], requires_grad=True)
    chainrule.manual_seed(7)
    x = cd.Normal(loc, scale).rsample((3,))
    chainrule.manual_seed(7)
    x2 = cd.Normal(loc, scale).rsample((3,))
    np.testing.assert_array_equal(x.detach().numpy(), x2.detach().numpy())
    x.sum().backward()
    eps = (x.detach().numpy() - loc.detach().numpy()) / scale.detach().numpy()
    np.testing.assert_allclose(loc.grad.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-5)


@pytest.mark.parametrize("name,params", [
    ("Normal", dict(loc=LOC, scale=SCALE)), ("Laplace", dict(loc=LOC, scale=SCALE)),
    ("Uniform", dict(low=LOW, high=HIGH)), ("Exponential", dict(rate=RATE)),
])  # fmt: skip
def test_sample_statistics(name, params):
    d = getattr(cd, name)(**{k: chainrule.tensor(v) for k, v in params.items()})
    assert_stats(d)


def test_cauchy_sample_median():
    chainrule.manual_seed(0)
    x = cd.Cauchy(chainrule.tensor([1.0]), chainrule.tensor([2.0])).sample((40000,)).numpy()
    assert abs(np.median(x) - 1.0) < 0.06
    assert abs(np.median(np.abs(x - 1.0)) - 2.0) < 0.1


def test_log_prob_gradients_match_torch():
    v = R.normal(size=(2, 3))
    for name in ("Normal", "Laplace", "Cauchy"):
        loc, scale = chainrule.tensor(LOC, requires_grad=True), chainrule.tensor(SCALE, requires_grad=True)
        tl, ts = torch.tensor(LOC, requires_grad=True), torch.tensor(SCALE, requires_grad=True)
        getattr(cd, name)(loc, scale).log_prob(chainrule.tensor(v)).sum().backward()
        getattr(torch.distributions, name)(tl, ts).log_prob(torch.tensor(v)).sum().backward()
        np.testing.assert_allclose(loc.grad.numpy(), tl.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(scale.grad.numpy(), ts.grad.numpy(), rtol=1e-10)


def test_validation_errors_match_torch():
    for ctor in [lambda m: m.Normal(m.tensor([0.0]), m.tensor([-1.0])),
                 lambda m: m.Exponential(m.tensor([0.0]))]:  # fmt: skip
        with pytest.raises(ValueError) as ours:
            ctor(_Lib(chainrule))
        with pytest.raises(ValueError) as theirs:
            ctor(_Lib(torch))
        assert str(ours.value).split(" of distribution")[0] == str(theirs.value).split(" of distribution")[0]
        assert "to satisfy the constraint" in str(ours.value)
    with pytest.raises(ValueError, match="Uniform is not defined when low>= high"):
        cd.Uniform(chainrule.tensor([1.0]), chainrule.tensor([0.0]))
    n = cd.Normal(chainrule.zeros(3), chainrule.ones(3))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        n.log_prob(1.0)
    with pytest.raises(ValueError, match="Value is not broadcastable with batch_shape"):
        n.log_prob(chainrule.zeros(2))
    with pytest.raises(ValueError, match="to be within the support"):
        cd.Exponential(chainrule.ones(3)).log_prob(chainrule.tensor([-1.0, 1.0, 1.0]))
    assert cd.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0


def test_set_default_validate_args():
    try:
        cd.Distribution.set_default_validate_args(False)
        cd.Normal(0.0, -1.0)
    finally:
        cd.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        cd.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        cd.Distribution.set_default_validate_args("yes")


class _Lib:
    """``m.Normal`` / ``m.tensor`` for either library."""

    def __init__(self, lib):
        self.lib = lib
        self.tensor = lib.tensor

    def __getattr__(self, name):
        return getattr(self.lib.distributions, name)
