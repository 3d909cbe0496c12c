"""kl_divergence for every pair PyTorch registers among our distributions, against torch's values and
gradients; register_kl dispatch and errors."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd
from chainrule.distributions import kl as _kl

from ._helpers import close

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(5)
S = (2, 3)


def _pos(lo=0.5, hi=2.5):
    return R.uniform(lo, hi, size=S)


# name -> (constructor kwargs as arrays, for p) ; distributions share shapes so any pair broadcasts
PARAMS = {
    "Bernoulli": lambda: dict(probs=R.uniform(0.1, 0.9, size=S)),
    "Beta": lambda: dict(concentration1=_pos(), concentration0=_pos()),
    "Binomial": lambda: dict(total_count=6, probs=R.uniform(0.1, 0.9, size=S)),
    "Categorical": lambda: dict(probs=R.dirichlet(np.ones(4), size=S)),
    "OneHotCategorical": lambda: dict(probs=R.dirichlet(np.ones(4), size=S)),
    "Dirichlet": lambda: dict(concentration=R.uniform(0.5, 3, size=S + (4,))),
    "Exponential": lambda: dict(rate=_pos()),
    "Gamma": lambda: dict(concentration=_pos(), rate=_pos()),
    "Gumbel": lambda: dict(loc=R.normal(size=S), scale=_pos()),
    "Geometric": lambda: dict(probs=R.uniform(0.1, 0.9, size=S)),
    "HalfNormal": lambda: dict(scale=_pos()),
    "Laplace": lambda: dict(loc=R.normal(size=S), scale=_pos()),
    "Normal": lambda: dict(loc=R.normal(size=S), scale=_pos()),
    "Poisson": lambda: dict(rate=_pos()),
    "Uniform": lambda: dict(low=R.uniform(0.1, 0.3, size=S), high=R.uniform(0.6, 0.9, size=S)),
    "Cauchy": lambda: dict(loc=R.normal(size=S), scale=_pos()),
    "LogNormal": lambda: dict(loc=R.normal(size=S), scale=_pos()),
    "Pareto": lambda: dict(scale=_pos(0.5, 1.5), alpha=_pos(2.5, 5.0)),
    "ContinuousBernoulli": lambda: dict(probs=R.uniform(0.05, 0.95, size=S)),
}
SAME = sorted(PARAMS)
CROSS = [
    ("Bernoulli", "Poisson"), ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"),
    ("Exponential", "Beta"), ("Exponential", "Uniform"), ("Exponential", "Gamma"), ("Exponential", "Gumbel"),
    ("Exponential", "Normal"), ("Gamma", "Beta"), ("Gamma", "Uniform"), ("Gamma", "Exponential"),
    ("Gamma", "Gumbel"), ("Gamma", "Normal"), ("Gumbel", "Beta"), ("Gumbel", "Exponential"), ("Gumbel", "Gamma"),
    ("Gumbel", "Uniform"), ("Gumbel", "Normal"), ("Laplace", "Beta"), ("Laplace", "Exponential"),
    ("Laplace", "Gamma"), ("Laplace", "Uniform"), ("Laplace", "Normal"), ("Normal", "Beta"),
    ("Normal", "Exponential"), ("Normal", "Gamma"), ("Normal", "Uniform"), ("Normal", "Gumbel"),
    ("Normal", "Laplace"), ("Poisson", "Bernoulli"), ("Poisson", "Binomial"), ("Uniform", "Beta"),
    ("Uniform", "Exponential"), ("Uniform", "Gamma"), ("Uniform", "Gumbel"), ("Uniform", "Normal"),
    ("Beta", "Pareto"), ("Exponential", "Pareto"), ("Gamma", "Pareto"), ("Gumbel", "Pareto"), ("Laplace", "Pareto"),
    ("Normal", "Pareto"), ("Pareto", "Beta"), ("Pareto", "Uniform"), ("Pareto", "Exponential"), ("Pareto", "Gamma"),
    ("Pareto", "Normal"), ("Uniform", "Pareto"),
    ("Beta", "ContinuousBernoulli"), ("Uniform", "ContinuousBernoulli"), ("ContinuousBernoulli", "Exponential"),
    ("ContinuousBernoulli", "Normal"), ("ContinuousBernoulli", "Uniform"), ("ContinuousBernoulli", "Pareto"),
    ("Exponential", "ContinuousBernoulli"), ("Gamma", "ContinuousBernoulli"), ("Gumbel", "ContinuousBernoulli"),
    ("Laplace", "ContinuousBernoulli"), ("Normal", "ContinuousBernoulli"), ("Pareto", "ContinuousBernoulli"),
]  # fmt: skip


def _build(name, params, dtype, requires_grad=False, leaves=None):
    def conv(lib, v):
        if not isinstance(v, np.ndarray):
            return v
        t = lib.tensor(v.astype(dtype))
        if requires_grad:
            t.requires_grad_(True)
            if leaves is not None:
                leaves.append(t)
        return t

    ours = getattr(cd, name)(**{k: conv(chainrule, v) for k, v in params.items()})
    theirs = getattr(torch.distributions, name)(**{k: conv(torch, v) for k, v in params.items()})
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "pair", [(n, n) for n in SAME] + CROSS, ids=[f"{n}-{n}" for n in SAME] + [f"{a}-{b}" for a, b in CROSS]
)
def test_kl_matches_torch(pair, dtype):
    pn, qn = pair
    pp, qp = PARAMS[pn](), PARAMS[qn]()
    if pn == "Binomial" and qn == "Binomial":
        qp["total_count"] = 6
    p, tp = _build(pn, pp, dtype)
    q, tq = _build(qn, qp, dtype)
    tol = dict(rtol=5e-5, atol=5e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    close(cd.kl_divergence(p, q), torch.distributions.kl_divergence(tp, tq), dtype, **tol)


@pytest.mark.parametrize("pair", [("Normal", "Normal"), ("Gamma", "Gamma"), ("Beta", "Beta"), ("Dirichlet", "Dirichlet"),
                                  ("Categorical", "Categorical"), ("Bernoulli", "Bernoulli"), ("Gamma", "Normal"),
                                  ("Uniform", "Beta"), ("Normal", "Laplace"), ("Gumbel", "Gumbel")])  # fmt: skip
def test_kl_gradients_match_torch(pair):
    pn, qn = pair
    pp, qp = PARAMS[pn](), PARAMS[qn]()
    leaves = []  # ours and torch's alternate: the same parameter built for each library in turn
    p, tp = _build(pn, pp, np.float64, requires_grad=True, leaves=leaves)
    q, tq = _build(qn, qp, np.float64, requires_grad=True, leaves=leaves)
    cd.kl_divergence(p, q).sum().backward()
    torch.distributions.kl_divergence(tp, tq).sum().backward()
    ours = [t for t in leaves if isinstance(t, chainrule.Tensor)]
    theirs = [t for t in leaves if isinstance(t, torch.Tensor)]
    assert len(ours) == len(theirs) > 0
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_kl_mvn_and_independent_match_torch():
    k = 3
    locs = [R.normal(size=(2, k)) for _ in range(2)]
    covs = []
    for _ in range(2):
        a = R.normal(size=(2, k, k))
        covs.append(a @ a.transpose(0, 2, 1) + k * np.eye(k))
    p = cd.MultivariateNormal(chainrule.tensor(locs[0]), covariance_matrix=chainrule.tensor(covs[0]))
    q = cd.MultivariateNormal(
        chainrule.tensor(locs[1]), scale_tril=chainrule.tensor(np.linalg.cholesky(covs[1]))
    )
    tp = torch.distributions.MultivariateNormal(
        torch.tensor(locs[0]), covariance_matrix=torch.tensor(covs[0])
    )
    tq = torch.distributions.MultivariateNormal(
        torch.tensor(locs[1]), scale_tril=torch.tensor(np.linalg.cholesky(covs[1]))
    )
    close(cd.kl_divergence(p, q), torch.distributions.kl_divergence(tp, tq), np.float64)
    n1, n2 = PARAMS["Normal"](), PARAMS["Normal"]()
    a, ta = _build("Normal", n1, np.float64)
    b, tb = _build("Normal", n2, np.float64)
    close(cd.kl_divergence(cd.Independent(a, 1), cd.Independent(b, 1)),
          torch.distributions.kl_divergence(torch.distributions.Independent(ta, 1), torch.distributions.Independent(tb, 1)),
          np.float64)  # fmt: skip


def test_kl_infinite_where_supports_do_not_nest():
    p = cd.Uniform(chainrule.tensor([0.0, 0.2]), chainrule.tensor([1.0, 0.5]))
    q = cd.Uniform(chainrule.tensor([0.1, 0.0]), chainrule.tensor([1.0, 1.0]))
    out = cd.kl_divergence(p, q).numpy()
    assert np.isinf(out[0]) and np.isfinite(out[1])
    # Uniform ‖ Pareto is finite only where the interval lies above the Pareto scale
    u = cd.Uniform(chainrule.tensor([1.5, 0.5]), chainrule.tensor([3.0, 3.0]))
    par = cd.Pareto(chainrule.tensor([1.0, 1.0]), chainrule.tensor([2.0, 2.0]))
    tu = torch.distributions.Uniform(torch.tensor([1.5, 0.5]), torch.tensor([3.0, 3.0]))
    tpar = torch.distributions.Pareto(torch.tensor([1.0, 1.0]), torch.tensor([2.0, 2.0]))
    np.testing.assert_allclose(cd.kl_divergence(u, par).numpy(), torch.distributions.kl_divergence(tu, tpar).numpy(),
                               rtol=1e-6)  # fmt: skip
    bern_p = cd.Bernoulli(probs=chainrule.tensor([0.0, 0.5]))
    bern_q = cd.Bernoulli(probs=chainrule.tensor([0.3, 1.0]))
    t = torch.distributions.kl_divergence(torch.distributions.Bernoulli(probs=torch.tensor([0.0, 0.5])),
                                          torch.distributions.Bernoulli(probs=torch.tensor([0.3, 1.0])))  # fmt: skip
    np.testing.assert_allclose(cd.kl_divergence(bern_p, bern_q).numpy(), t.numpy(), rtol=1e-6)


def test_register_kl_and_dispatch():
    class MyNormal(cd.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), cd.Normal(1.0, 2.0)
    # subclasses use the parent's formula until a more specific one is registered
    np.testing.assert_allclose(cd.kl_divergence(p, q).item(), cd.kl_divergence(cd.Normal(0.0, 1.0), q).item())
    try:

        @cd.register_kl(MyNormal, cd.Normal)
        def _mine(p, q):
            return p.loc * 0 + 42.0

        assert cd.kl_divergence(p, q).item() == 42.0
    finally:
        _kl._KL_REGISTRY.pop((MyNormal, cd.Normal), None)
        _kl._KL_MEMOIZE.clear()
    with pytest.raises(
        NotImplementedError, match=r"No KL\(p \|\| q\) is implemented for p type Cauchy and q type Normal"
    ):
        cd.kl_divergence(cd.Cauchy(0.0, 1.0), cd.Normal(0.0, 1.0))
    with pytest.raises(TypeError):
        cd.register_kl(int, cd.Normal)


def test_kl_monte_carlo_agrees_for_a_cross_pair():
    """An independent check of one closed form: E_p[log p − log q] by sampling (Gamma ‖ Normal)."""
    p = cd.Gamma(
        chainrule.tensor([2.0], dtype=chainrule.float64), chainrule.tensor([1.5], dtype=chainrule.float64)
    )
    q = cd.Normal(
        chainrule.tensor([1.0], dtype=chainrule.float64), chainrule.tensor([0.8], dtype=chainrule.float64)
    )
    chainrule.manual_seed(0)
    x = p.sample((200000,))
    mc = (p.log_prob(x) - q.log_prob(x)).numpy()
    assert abs(mc.mean() - cd.kl_divergence(p, q).item()) < 5 * mc.std() / np.sqrt(mc.size)


def test_kl_lowrank_pairs_match_torch():
    k, m = 4, 2
    rng = np.random.default_rng(9)

    def lowrank(lib):
        return lib.distributions.LowRankMultivariateNormal(
            lib.tensor(rng_vals["loc"]), lib.tensor(rng_vals["W"]), lib.tensor(rng_vals["D"])
        )

    def full(lib):
        return lib.distributions.MultivariateNormal(
            lib.tensor(rng_vals["loc2"]), scale_tril=lib.tensor(rng_vals["L"])
        )

    a = rng.normal(size=(2, k, k))
    rng_vals = dict(loc=rng.normal(size=(2, k)), W=rng.normal(size=(2, k, m)), D=rng.uniform(0.5, 2, size=(2, k)),
                    loc2=rng.normal(size=(2, k)), L=np.linalg.cholesky(a @ a.transpose(0, 2, 1) + k * np.eye(k)))  # fmt: skip
    for make_p, make_q in ((lowrank, lowrank), (full, lowrank), (lowrank, full)):
        ours = cd.kl_divergence(make_p(chainrule), make_q(chainrule))
        theirs = torch.distributions.kl_divergence(make_p(torch), make_q(torch))
        close(ours, theirs, np.float64, rtol=1e-9, atol=1e-9)
    assert abs(cd.kl_divergence(lowrank(chainrule), lowrank(chainrule)).numpy()).max() < 1e-9


def test_exponential_family_generic_entropy_and_kl_match_torch():
    """The Bregman forms (ExponentialFamily.entropy and the generic KL) agree with PyTorch's and with the
    closed forms; the class hierarchy matches PyTorch's."""
    from chainrule.distributions import kl as ckl

    tkl = torch.distributions.kl
    for name in ("Normal", "Bernoulli", "Beta", "Dirichlet", "Exponential", "Gamma"):
        p, tp = _build(name, PARAMS[name](), np.float64)
        q, tq = _build(name, PARAMS[name](), np.float64)
        assert isinstance(p, cd.ExponentialFamily) and isinstance(tp, torch.distributions.ExponentialFamily)
        if name in ("Beta", "Dirichlet"):  # no carrier measure stated (as PyTorch): no generic entropy
            with pytest.raises(NotImplementedError):
                cd.ExponentialFamily.entropy(p)
        else:
            close(
                cd.ExponentialFamily.entropy(p), torch.distributions.ExponentialFamily.entropy(tp), np.float64
            )
            close(cd.ExponentialFamily.entropy(p), p.entropy(), np.float64, rtol=1e-8, atol=1e-10)
        close(
            ckl._kl_expfamily_expfamily(p, q),
            tkl._kl_expfamily_expfamily(tp, tq),
            np.float64,
            rtol=1e-8,
            atol=1e-10,
        )
        close(ckl._kl_expfamily_expfamily(p, q), cd.kl_divergence(p, q), np.float64, rtol=1e-8, atol=1e-10)
    for name in ("Categorical", "Binomial", "Geometric", "Laplace", "Uniform", "MultivariateNormal"):
        assert issubclass(getattr(cd, name), cd.ExponentialFamily) == issubclass(
            getattr(torch.distributions, name), torch.distributions.ExponentialFamily
        )
    with pytest.raises(NotImplementedError, match="cannot be computed using Bregman divergences"):
        cd.kl_divergence(cd.Bernoulli(probs=chainrule.tensor([0.3])), cd.Exponential(chainrule.tensor([1.0])))
