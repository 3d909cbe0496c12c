"""L-BFGS beside PyTorch's: the same iterates on smooth problems, with and without strong Wolfe."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

rng = np.random.default_rng(3)
X = rng.standard_normal((64, 5))
Y = (X @ rng.standard_normal(5) + 0.3 * rng.standard_normal(64) > 0).astype(np.float64)


def _rosenbrock(lib, dtype):
    xy = lib.nn.Parameter(lib.tensor(np.array([-1.5, 2.0], dtype)))

    def loss():
        x, y = xy[0], xy[1]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    return [xy], loss


def _logistic(lib, dtype):
    w = lib.nn.Parameter(lib.tensor(np.zeros((1, 5), dtype)))
    b = lib.nn.Parameter(lib.tensor(np.zeros(1, dtype)))
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))

    def loss():
        z = (x @ w.T).reshape(-1) + b
        return lib.nn.functional.binary_cross_entropy_with_logits(z, y) + 1e-2 * (w**2).sum()

    return [w, b], loss


def _run(lib, problem, dtype, outer, **kwargs):
    params, f = problem(lib, dtype)
    opt = lib.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    out = []
    for _ in range(outer):
        loss = opt.step(closure)
        out.append((loss.item(), [p.detach().numpy().copy() for p in params]))
    return out, opt


CASES = [
    ("rosenbrock", _rosenbrock, dict(line_search_fn="strong_wolfe"), 6),
    ("rosenbrock", _rosenbrock, dict(lr=0.1, max_iter=5), 10),  # fixed steps: small lr for stability
    ("rosenbrock", _rosenbrock, dict(line_search_fn="strong_wolfe", history_size=3, max_iter=7), 8),
    ("logistic", _logistic, dict(line_search_fn="strong_wolfe"), 4),
    ("logistic", _logistic, dict(lr=0.5, max_iter=10, history_size=4), 6),
    ("logistic", _logistic, dict(line_search_fn="strong_wolfe", max_iter=4, max_eval=6, tolerance_change=1e-6), 5),
]


@pytest.mark.parametrize(("name", "problem", "kwargs", "outer"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_trajectory_matches_torch(name, problem, kwargs, outer, dtype) -> None:
    """Loss and parameters after every ``step`` equal PyTorch's, and so do the evaluation counts.

    Tolerances: the two libraries' dot products round differently in the last bit (PyTorch fuses
    multiply-adds). Rosenbrock's curved valley amplifies a 1e-16 difference to ~1e-7 over dozens of
    iterations, and in float32 the runs stop at a loss change below float32's resolution, so they
    can end one iteration apart near the (flat) optimum: 3e-4 there.
    """
    rtol = {"float64": 1e-6 if name == "rosenbrock" else 1e-9, "float32": 3e-4}[dtype]
    ours, opt = _run(chainrule, problem, dtype, outer, **kwargs)
    theirs, th_opt = _run(torch, problem, dtype, outer, **kwargs)
    for i, ((lc, pc), (lt, pt)) in enumerate(zip(ours, theirs)):
        assert lc == pytest.approx(lt, rel=rtol, abs=rtol), f"step {i}"
        for a, b in zip(pc, pt):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol, err_msg=f"step {i}")
    cs, ts = opt.state_dict()["state"][0], th_opt.state_dict()["state"][0]
    assert set(cs) == set(ts)
    if dtype == "float64":
        assert (cs["func_evals"], cs["n_iter"]) == (ts["func_evals"], ts["n_iter"])
    if name == "rosenbrock" and "strong_wolfe" in kwargs.values() and outer >= 6:
        np.testing.assert_allclose(ours[-1][1][0], [1.0, 1.0], atol=1e-4)  # it reaches the minimum


def test_state_dict_resume_and_torch_state_loads() -> None:
    """Two steps, save; a fresh optimizer loading our state (with our parameters) continues exactly
    as the original, and one loading PyTorch's (with PyTorch's parameters) continues as PyTorch does."""
    kwargs = dict(line_search_fn="strong_wolfe", max_iter=3)
    params, f = _logistic(chainrule, "float64")
    opt = chainrule.optim.LBFGS(params, **kwargs)
    th_params, th_f = _logistic(torch, "float64")
    th_opt = torch.optim.LBFGS(th_params, **kwargs)

    def closure_for(o, fn):
        def closure():
            o.zero_grad()
            loss = fn()
            loss.backward()
            return loss
        return closure

    for _ in range(2):
        opt.step(closure_for(opt, f))
        th_opt.step(closure_for(th_opt, th_f))
    saved, th_saved = opt.state_dict(), copy.deepcopy(th_opt.state_dict())  # PyTorch's shares live tensors
    th_at_save = [p.detach().numpy().copy() for p in th_params]  # a checkpoint holds both
    snapshot = [p.detach().numpy().copy() for p in params]
    reference = [opt.step(closure_for(opt, f)).item() for _ in range(3)]
    th_reference = [th_opt.step(closure_for(th_opt, th_f)).item() for _ in range(3)]
    for state, start, expected, rtol in ((saved, snapshot, reference, 0.0), (th_saved, th_at_save, th_reference, 1e-9)):
        fresh, g = _logistic(chainrule, "float64")
        with chainrule.no_grad():
            for p, s in zip(fresh, start):
                p.copy_(chainrule.tensor(s))
        o = chainrule.optim.LBFGS(fresh, **kwargs)
        o.load_state_dict(state)
        resumed = [o.step(closure_for(o, g)).item() for _ in range(3)]
        np.testing.assert_allclose(resumed, expected, rtol=rtol)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
        (dict(lr="1"), TypeError, "lr must be"),
        (dict(history_size=0), ValueError, "history_size"),
        (dict(max_iter="20"), TypeError, "max_iter"),
        (dict(line_search_fn="armijo"), RuntimeError, "only 'strong_wolfe' is supported"),
    ],
)
def test_validation(kwargs, exc, match) -> None:
    p = chainrule.nn.Parameter(chainrule.zeros(2))
    with pytest.raises(exc, match=match):
        chainrule.optim.LBFGS([p], **kwargs)


def test_one_group_only_and_closure_required() -> None:
    a, b = chainrule.nn.Parameter(chainrule.zeros(2)), chainrule.nn.Parameter(chainrule.zeros(2))
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        chainrule.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(TypeError):  # the closure is required, as in PyTorch
        chainrule.optim.LBFGS([a]).step()
