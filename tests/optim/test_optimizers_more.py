"""NAdam, RAdam, Adamax, Adadelta, ASGD, Rprop with their options: 100 steps beside PyTorch's, state_dict
resume, and a PyTorch state_dict loaded mid-run continues as PyTorch does."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

from .test_optimizers import _setup

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

CONFIGS = [
    ("NAdam", dict(lr=1e-2)),
    ("NAdam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2, momentum_decay=1e-2)),
    ("NAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=1e-2, maximize=True, weight_decay=0.05)),
    ("RAdam", dict(lr=1e-2)),
    ("RAdam", dict(lr=1e-2, betas=(0.5, 0.9), eps=1e-6, weight_decay=1e-2)),  # ρ_t > 5 from step 6
    ("RAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adamax", dict(lr=1e-2)),
    ("Adamax", dict(lr=1e-2, betas=(0.3, 0.9), eps=1e-6, weight_decay=1e-2)),  # 1 − β₁ ≥ ½: lerp's other form
    ("Adamax", dict(lr=1e-2, maximize=True)),
    ("Adadelta", dict(lr=1.0)),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=1e-2)),
    ("Adadelta", dict(lr=1.0, maximize=True)),
    ("ASGD", dict(lr=1e-2)),
    ("ASGD", dict(lr=2e-2, lambd=1e-3, alpha=0.6, t0=20, weight_decay=1e-2)),  # averaging starts at 20
    ("ASGD", dict(lr=1e-2, t0=5, maximize=True)),
    ("Rprop", dict(lr=1e-2)),
    ("Rprop", dict(lr=1e-3, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05))),
    ("Rprop", dict(lr=1e-2, maximize=True)),
]
IDS = [f"{n}-{sorted(k.items())}" for n, k in CONFIGS]


def _compare(cr_params, th_params, rtol, where):
    for c, t in zip(cr_params, th_params):
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=rtol / 10, err_msg=where)


# Rprop acts on sign(g·g_prev) and Adamax with a small β₁ on max(β₂u, |g| + ε): a last-bit difference in a
# float32 gradient (the libraries' tanh and matmul round differently) can flip a decision, after which the
# runs part. In float32 these are checked on identical gradients instead (test_float32_on_identical_gradients).
_DISCRETE = {IDS[i] for i, (n, k) in enumerate(CONFIGS) if n == "Rprop" or k.get("betas") == (0.3, 0.9)}
TRAJ = [pytest.param(n, k, d, r, id=f"{d}-{i}") for n, k, i in zip(*zip(*CONFIGS), IDS)
        for d, r in [("float64", 1e-7), ("float32", 2e-3)] if not (d == "float32" and i in _DISCRETE)]


@pytest.mark.parametrize(("name", "kwargs", "dtype", "rtol"), TRAJ)
def test_trajectory_matches_torch(name, kwargs, dtype, rtol) -> None:
    """Parameters equal PyTorch's after every one of 100 steps (float64: the same rule; float32: round-off)."""
    cr_params, _, cr_step = _setup(chainrule, name, kwargs, dtype)
    th_params, _, th_step = _setup(torch, name, kwargs, dtype)
    for i in range(100):
        cr_loss, th_loss = cr_step(), th_step()
        assert cr_loss == pytest.approx(th_loss, rel=rtol, abs=rtol / 10), f"step {i}"
        _compare(cr_params, th_params, rtol, f"step {i}")


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS[::2], ids=IDS[::2])
def test_state_dict_resume_is_exact(name, kwargs) -> None:
    params, opt, step = _setup(chainrule, name, kwargs)
    for _ in range(10):
        step()
    saved_params = [p.detach().numpy().copy() for p in params]
    saved = opt.state_dict()
    reference = [step() for _ in range(10)]
    params2, opt2, step2 = _setup(chainrule, name, kwargs)
    with chainrule.no_grad():
        for p, s in zip(params2, saved_params):
            p.copy_(chainrule.tensor(s))
    opt2.load_state_dict(saved)
    assert [step2() for _ in range(10)] == reference
    for p, q in zip(params, params2):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


EARLIER = [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=1e-2, amsgrad=True)), ("AdamW", dict(lr=1e-2)),
           ("RMSprop", dict(lr=1e-2, centered=True, momentum=0.5)), ("Adagrad", dict(lr=0.1, lr_decay=0.01))]


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS + EARLIER, ids=IDS + [f"{n}-{sorted(k.items())}" for n, k in EARLIER])
def test_state_dict_matches_torch_and_torch_state_loads(name, kwargs) -> None:
    """Same state keys, group keys and values as PyTorch; PyTorch's state_dict, loaded after 10 of
    its steps, continues here as it continues in PyTorch (float64, so the two runs agree closely)."""
    _, cr_opt, cr_step = _setup(chainrule, name, kwargs, "float64")
    th_params, th_opt, th_step = _setup(torch, name, kwargs, "float64")
    for _ in range(10):
        cr_step(), th_step()
    cs, ts = cr_opt.state_dict(), th_opt.state_dict()
    assert set(cs["state"]) == set(ts["state"])
    for k in ts["state"]:
        assert set(cs["state"][k]) == set(ts["state"][k])
        for key, tv in ts["state"][k].items():
            np.testing.assert_allclose(np.asarray(cs["state"][k][key]), tv.numpy(), rtol=1e-7, atol=1e-9)
    for cg, tg in zip(cs["param_groups"], ts["param_groups"]):
        assert set(cg) == set(tg)
        for key in tg:
            assert cg[key] == tg[key], key

    fresh_params, fresh_opt, fresh_step = _setup(chainrule, name, kwargs, "float64")
    with chainrule.no_grad():
        for p, t in zip(fresh_params, th_params):
            p.copy_(chainrule.tensor(t.detach().numpy()))
    fresh_opt.load_state_dict(th_opt.state_dict())  # PyTorch's tensors, read through __array__
    for i in range(10):
        assert fresh_step() == pytest.approx(th_step(), rel=1e-7), f"step {i}"
    _compare(fresh_params, th_params, 1e-7, "after resuming from PyTorch's state_dict")


def _fed_run(lib, name, kwargs, steps=100):
    """float32 parameters stepped on gradients computed outside either library from the parameters'
    own bits: g = tanh(3θ) + 0.3θ − c, so both optimizers see the same gradient while they agree."""
    rng = np.random.default_rng(1)
    start = [rng.standard_normal(s).astype(np.float32) for s in ((8, 3), (8,), (1, 8), (1,))]
    targets = [rng.standard_normal(s.shape) for s in start]
    params = [lib.nn.Parameter(lib.tensor(a)) for a in start]
    opt = getattr(lib.optim, name)([{"params": params[:2]}, {"params": params[2:], "lr": kwargs["lr"] * 0.5}], **kwargs)
    out = []
    for _ in range(steps):
        for p, c in zip(params, targets):
            x = p.detach().numpy().astype(np.float64)
            p.grad = lib.tensor((np.tanh(3 * x) + 0.3 * x - c).astype(np.float32))
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=IDS)
def test_float32_on_identical_gradients(name, kwargs) -> None:
    """Every configuration in float32 on the same gradients: PyTorch's parameters at every step to
    float32 round-off (Rprop and Adamax, whose kernels are reproduced exactly, bit for bit)."""
    ours, theirs = _fed_run(chainrule, name, kwargs), _fed_run(torch, name, kwargs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            if name in ("Rprop", "Adamax"):
                np.testing.assert_array_equal(x, y, err_msg=f"step {i}")
            else:
                np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6, err_msg=f"step {i}")
