"""Every optimizer and option combination: 100 steps in chainrule and PyTorch stay together."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("Adam", dict(lr=1e-2, maximize=True, amsgrad=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.0)),  # lr = 0 (a warmup's first step) takes Adam's other update form
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=1e-2)),
    ("RMSprop", dict(lr=2e-3, alpha=0.9, momentum=0.5)),  # larger steps make this run chaotic
    ("RMSprop", dict(lr=1e-2, centered=True, weight_decay=1e-2)),
    ("RMSprop", dict(lr=1e-2, centered=True, momentum=0.9, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.1, maximize=True, eps=1e-8)),
]

rng = np.random.default_rng(0)
W1, B1 = rng.standard_normal((8, 3)).astype(np.float32), rng.standard_normal(8).astype(np.float32)
W2, B2 = rng.standard_normal((1, 8)).astype(np.float32), rng.standard_normal(1).astype(np.float32)
X = rng.standard_normal((16, 3)).astype(np.float32)
Y = rng.standard_normal((16, 1)).astype(np.float32)


def _setup(lib, name, kwargs, dtype="float32"):
    params = [lib.nn.Parameter(lib.tensor(a.astype(dtype))) for a in (W1, B1, W2, B2)]
    opt = getattr(lib.optim, name)([{"params": params[:2]}, {"params": params[2:], "lr": kwargs["lr"] * 0.5}], **kwargs)
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))

    sign = -1.0 if kwargs.get("maximize") else 1.0  # maximize the negated loss, so runs converge

    def step():
        w1, b1, w2, b2 = params
        loss = (((x @ w1.T + b1).tanh() @ w2.T + b2 - y) ** 2).mean()
        (sign * loss).backward()
        opt.step()
        opt.zero_grad()
        return loss.item()

    return params, opt, step


IDS = [f"{n}-{sorted(k.items())}" for n, k in CONFIGS]


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=IDS)
@pytest.mark.parametrize(("dtype", "rtol"), [("float64", 1e-7), ("float32", 2e-3)])
def test_trajectory_matches_torch(name, kwargs, dtype, rtol) -> None:
    """100 steps: float64 shows the update rules are the same to 1e-9; float32 stays within round-off.

    In float32 the two libraries' tanh/matmul round differently in the last bit and RMSprop's
    division by √s amplifies that, so float32 is held to round-off-level agreement, not bit equality.
    """
    cr_params, _, cr_step = _setup(chainrule, name, kwargs, dtype)
    th_params, _, th_step = _setup(torch, name, kwargs, dtype)
    for i in range(100):
        cr_loss, th_loss = cr_step(), th_step()
        assert cr_loss == pytest.approx(th_loss, rel=rtol, abs=rtol / 10), f"step {i}"
        for c, t in zip(cr_params, th_params):
            np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=rtol / 10, err_msg=f"step {i}")
    for c in cr_params:
        assert str(c.dtype) == f"chainrule.{dtype}"


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS[::3], ids=[n for n, _ in CONFIGS[::3]])
def test_state_dict_resume_is_exact(name, kwargs) -> None:
    params, opt, step = _setup(chainrule, name, kwargs)
    for _ in range(10):
        step()
    saved_params = [p.detach().numpy().copy() for p in params]
    saved = opt.state_dict()
    reference = [step() for _ in range(10)]
    final = [p.detach().numpy().copy() for p in params]
    with chainrule.no_grad():
        for p, s in zip(params, saved_params):
            p.copy_(chainrule.tensor(s))
    params2, opt2, step2 = _setup(chainrule, name, kwargs)
    with chainrule.no_grad():
        for p, s in zip(params2, saved_params):
            p.copy_(chainrule.tensor(s))
    opt2.load_state_dict(saved)
    resumed = [step2() for _ in range(10)]
    assert resumed == reference
    for p, f in zip(params2, final):
        np.testing.assert_array_equal(p.detach().numpy(), f)


def test_state_dict_structure_matches_torch() -> None:
    for name, kwargs in CONFIGS[::2]:
        _, cr_opt, cr_step = _setup(chainrule, name, kwargs)
        _, th_opt, th_step = _setup(torch, name, kwargs)
        cr_step(), th_step()
        cs, ts = cr_opt.state_dict(), th_opt.state_dict()
        assert set(cs["state"]) == set(ts["state"])
        for k in ts["state"]:
            assert set(cs["state"][k]) == set(ts["state"][k]), name
        for cg, tg in zip(cs["param_groups"], ts["param_groups"]):
            assert cg["params"] == tg["params"]
            common = set(tg) & set(cg)
            assert {"lr", "params"} <= common
            for key in common - {"params"}:
                assert cg[key] == tg[key], (name, key)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: chainrule.optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: chainrule.optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value"),
        (lambda p: chainrule.optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: chainrule.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
        (lambda p: chainrule.optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: chainrule.optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
        (lambda p: chainrule.optim.Adam(p, eps=-1e-8), "Invalid epsilon value"),
        (lambda p: chainrule.optim.AdamW(p, weight_decay=-1), "Invalid weight_decay value"),
        (lambda p: chainrule.optim.RMSprop(p, alpha=-0.1), "Invalid alpha value"),
        (lambda p: chainrule.optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value"),
        (lambda p: chainrule.optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: chainrule.optim.SGD([{"params": p}, {"params": p[:1]}], lr=0.1), "more than one parameter group"),
    ],
)
def test_invalid_hyperparameters(make, match) -> None:
    params = [chainrule.nn.Parameter(chainrule.zeros(2)), chainrule.nn.Parameter(chainrule.zeros(1))]
    with pytest.raises(ValueError, match=match):
        make(params)


def test_set_of_params_is_a_type_error_and_bad_state_dict_raises() -> None:
    p = chainrule.nn.Parameter(chainrule.zeros(2))
    with pytest.raises(TypeError, match="ordered collections"):
        chainrule.optim.SGD({p}, lr=0.1)
    opt = chainrule.optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict({"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]})


def test_add_param_group_and_per_group_lr() -> None:
    a, b = chainrule.nn.Parameter(chainrule.ones(2)), chainrule.nn.Parameter(chainrule.ones(2))
    opt = chainrule.optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 1.0})
    (a.sum() + b.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.9, 0.9], rtol=1e-6)
    np.testing.assert_allclose(b.detach().numpy(), [0.0, 0.0], atol=1e-7)


def test_step_with_closure_returns_loss() -> None:
    p = chainrule.nn.Parameter(chainrule.tensor([1.0, -2.0]))
    opt = chainrule.optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (p**2).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.detach().numpy(), [0.0, 0.0], atol=1e-7)


def test_updates_are_in_place() -> None:
    p = chainrule.nn.Parameter(chainrule.ones(3))
    before = p._data
    opt = chainrule.optim.Adam([p], lr=0.1)
    for _ in range(3):
        p.sum().backward()
        opt.step()
        opt.zero_grad()
    assert p._data is before
    assert opt.state[p]["exp_avg"].dtype == chainrule.float32
