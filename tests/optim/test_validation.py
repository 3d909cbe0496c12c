"""Hyperparameter validation of every optimizer against PyTorch's: the same exception class at
construction (and PyTorch's exact message for range errors); a value PyTorch accepts is accepted and
steps as in PyTorch; what PyTorch lets through only to fail obscurely inside ``step`` fails here at
construction with a message that names the optimizer and the argument."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "NAdam", "RAdam", "Adamax", "Adadelta", "ASGD", "Rprop",
         "SparseAdam", "LBFGS"]

CASES = {
    "lr_str": lambda lib: dict(lr="0.1"), "lr_none": lambda lib: dict(lr=None), "lr_neg": lambda lib: dict(lr=-1),
    "lr_nan": lambda lib: dict(lr=float("nan")), "lr_zero": lambda lib: dict(lr=0.0),
    "lr_tensor": lambda lib: dict(lr=lib.tensor([0.1])), "lr_tensor2": lambda lib: dict(lr=lib.tensor([0.1, 0.2])),
    "lr_true": lambda lib: dict(lr=True), "lr_int": lambda lib: dict(lr=1), "lr_np": lambda lib: dict(lr=np.float32(0.1)),
    "lr_complex": lambda lib: dict(lr=1j), "lr_list": lambda lib: dict(lr=[0.1]),
    "eps_str": lambda lib: dict(eps="1e-8"), "eps_none": lambda lib: dict(eps=None), "eps_neg": lambda lib: dict(eps=-1.0),
    "wd_str": lambda lib: dict(weight_decay="0"), "wd_neg": lambda lib: dict(weight_decay=-0.5),
    "mom_str": lambda lib: dict(momentum="0.9"), "mom_neg": lambda lib: dict(momentum=-0.9),
    "betas_str": lambda lib: dict(betas=("0.9", 0.99)), "betas_short": lambda lib: dict(betas=(0.9,)),
    "betas_float": lambda lib: dict(betas=0.9), "betas_int": lambda lib: dict(betas=(0, 0.99)),
    "betas_one": lambda lib: dict(betas=(1.0, 0.99)), "betas_neg": lambda lib: dict(betas=(0.9, -0.1)),
    "alpha_str": lambda lib: dict(alpha="0.9"), "alpha_neg": lambda lib: dict(alpha=-0.9),
    "rho_big": lambda lib: dict(rho=1.5), "rho_str": lambda lib: dict(rho="x"),
    "etas_bad": lambda lib: dict(etas=(1.5, 1.2)), "etas_low": lambda lib: dict(etas=(0.5, 0.9)),
    "mdecay": lambda lib: dict(momentum_decay=-1), "lr_decay": lambda lib: dict(lr_decay=-1.0),
    "lr_decay_str": lambda lib: dict(lr_decay="x"), "iav": lambda lib: dict(initial_accumulator_value=-1.0),
    "iav_str": lambda lib: dict(initial_accumulator_value="x"), "max_iter_str": lambda lib: dict(max_iter="x"),
    "lambd_neg": lambda lib: dict(lambd=-1e-4), "t0_neg": lambda lib: dict(t0=-1),
    "nesterov": lambda lib: dict(nesterov=True), "maximize_str": lambda lib: dict(maximize="yes"),
    "fused_diff": lambda lib: dict(fused=True, differentiable=True),
}
# PyTorch accepts these at construction and fails inside step (TypeError/ValueError/IndexError/RuntimeError):
# here they fail at construction, in the class named.
LATE = {
    ("ASGD", "alpha_str"): TypeError,
    ("Rprop", "step_sizes"): ValueError,
    ("LBFGS", "history_size"): ValueError,
    ("LBFGS", "line_search_fn"): RuntimeError,
    ("LBFGS", "lr_true"): TypeError,  # PyTorch: "Boolean alpha only supported for Boolean results." in step
}
LATE_KWARGS = {"step_sizes": dict(step_sizes=(1e-6,)), "history_size": dict(history_size=0),
               "line_search_fn": dict(line_search_fn="armijo")}


def _build(lib, name, kwargs):
    p = lib.nn.Parameter(lib.tensor([1.0, -2.0, 3.0]))
    return p, getattr(lib.optim, name)([p], **kwargs)


def _step(lib, name, p, opt):
    def closure():
        opt.zero_grad()
        loss = (p**2).sum()
        loss.backward()
        return loss

    if name == "SparseAdam" and lib is torch:
        opt.zero_grad()
        closure()
        p.grad = p.grad.to_sparse()
        opt.step()
    else:
        opt.step(closure)
    return p.detach().numpy().copy()


def _cases():
    for name in NAMES:
        sig = inspect.signature(getattr(torch.optim, name).__init__).parameters
        for case, make in CASES.items():
            if all(k in sig for k in make(torch)):
                yield pytest.param(name, case, id=f"{name}-{case}")


@pytest.mark.parametrize(("name", "case"), list(_cases()))
def test_construction_matches_torch(name, case) -> None:
    try:
        tp, topt = _build(torch, name, CASES[case](torch))
        torch_error = None
    except Exception as e:  # noqa: BLE001 — the class is what is compared
        torch_error = e
    if torch_error is None:
        try:
            expected = _step(torch, name, tp, topt)
        except Exception as e:  # noqa: BLE001
            assert (name, case) in LATE, f"PyTorch fails in step only: {e!r}"
            with pytest.raises(LATE[name, case]):
                _build(chainrule, name, CASES[case](chainrule))
            return
        p, opt = _build(chainrule, name, CASES[case](chainrule))
        np.testing.assert_allclose(_step(chainrule, name, p, opt), expected, rtol=1e-6, equal_nan=True)
        return
    with pytest.raises(type(torch_error)) as info:
        _build(chainrule, name, CASES[case](chainrule))
    ours = str(info.value)
    if isinstance(torch_error, ValueError) or isinstance(torch_error, RuntimeError):
        assert ours == str(torch_error)  # PyTorch's words
    else:  # PyTorch's TypeError/IndexError is about '<=' or a tuple index: ours names what was wrong
        assert name in ours and any(k.split("_")[0] in ours for k in CASES[case](torch)), ours


@pytest.mark.parametrize(("name", "arg"), [("ASGD", "alpha_str"), ("Rprop", "step_sizes"),
                                           ("LBFGS", "history_size"), ("LBFGS", "line_search_fn"),
                                           ("LBFGS", "lr_true")])
def test_late_torch_failures_fail_at_construction(name, arg) -> None:
    kwargs = CASES[arg](torch) if arg in CASES else LATE_KWARGS[arg]
    tp, topt = _build(torch, name, kwargs)  # PyTorch accepts it...
    with pytest.raises((TypeError, ValueError, IndexError, RuntimeError)):
        _step(torch, name, tp, topt)  # ...and fails in step
    with pytest.raises(LATE[name, arg], match=name):
        _build(chainrule, name, kwargs)


def test_string_lr_message_is_clear() -> None:
    """The issue's example: a string learning rate is a TypeError at construction that says what to do."""
    p = chainrule.nn.Parameter(chainrule.zeros(2))
    with pytest.raises(TypeError, match=r"SGD: lr must be a real number or a 1-element Tensor; got str '0.1'"):
        chainrule.optim.SGD([p], lr="0.1")
    with pytest.raises(TypeError, match="Adam: weight_decay"):
        chainrule.optim.Adam([{"params": [p], "weight_decay": "0.1"}])  # per-group values are checked too


def test_tensor_lr_steps_and_is_kept() -> None:
    """A 1-element Tensor lr is used as its value; the group keeps the Tensor (as PyTorch's does)."""
    ours = [chainrule.nn.Parameter(chainrule.tensor([1.0, -2.0])) for _ in range(2)]
    theirs = [torch.nn.Parameter(torch.tensor([1.0, -2.0])) for _ in range(2)]
    for lib, (a, b) in ((chainrule, ours), (torch, theirs)):
        opt = lib.optim.Adam([a, b], lr=lib.tensor(0.05))
        for _ in range(3):
            opt.zero_grad()
            ((a * b).sum() + (a**2).sum()).backward()
            opt.step()
        assert isinstance(opt.param_groups[0]["lr"], lib.Tensor)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="lr as a Tensor is not supported for capturable=False and foreach=True"):
        chainrule.optim.Adam(ours, lr=chainrule.tensor(0.1), foreach=True)


@pytest.mark.parametrize("name", NAMES)
def test_constructor_signature_is_torchs(name) -> None:
    """Same argument names, order, kinds (positional / keyword-only) and defaults as PyTorch's."""
    ours = inspect.signature(getattr(chainrule.optim, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    assert list(ours) == list(theirs)
    for key, p in theirs.items():
        assert ours[key].kind == p.kind, key
        assert ours[key].default == p.default, key


def test_swa_utils_signatures_are_torchs() -> None:
    for name in ("AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
                 "get_ema_avg_fn", "get_swa_avg_fn"):
        ours = getattr(chainrule.optim.swa_utils, name)
        theirs = getattr(torch.optim.swa_utils, name)
        ours, theirs = (inspect.signature(f.__init__ if inspect.isclass(f) else f).parameters for f in (ours, theirs))
        assert [(k, p.kind, p.default) for k, p in ours.items()] == [(k, p.kind, p.default) for k, p in theirs.items()]


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.001),
    lambda lib, opt: lib.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=3),
], ids=["StepLR", "CosineAnnealingLR", "SWALR"])
def test_schedulers_fill_a_tensor_lr_in_place(make) -> None:
    """With a Tensor lr a scheduler writes into that Tensor (it stays the group's object), as PyTorch."""
    seqs = []
    for lib in (chainrule, torch):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0], dtype=lib.float64))
        lr = lib.tensor(0.1, dtype=lib.float64)
        opt = lib.optim.SGD([p], lr=lr)
        sched = make(lib, opt)
        seq = []
        for _ in range(6):
            opt.zero_grad()
            (p**2).sum().backward()
            opt.step()
            sched.step()
            assert opt.param_groups[0]["lr"] is lr
            seq.append((float(lr), *p.detach().numpy()))
        assert isinstance(sched.get_last_lr()[0], lib.Tensor) and sched.get_last_lr()[0] is not lr
        seqs.append(seq)
    np.testing.assert_allclose(seqs[0], seqs[1], rtol=1e-12)
