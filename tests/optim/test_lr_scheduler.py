"""Every learning-rate scheduler follows PyTorch's sequence step for step (300 steps, 2 param groups),
resumes exactly from a state dict saved at step 150, and rejects bad input like PyTorch."""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest

import chainrule
import chainrule.optim
from chainrule.optim import lr_scheduler as crs

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

STEPS, RESUME_AT = 300, 150
LRS = (0.1, 0.05)  # the two param groups' lrs


def _optimizer(lib, kind="sgd"):
    params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    for p in params:
        p.grad = lib.ones(p.shape)
    groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": LRS[1]}]
    if kind == "sgd":
        return lib.optim.SGD(groups, lr=LRS[0], momentum=0.9)
    if kind == "adam":
        return lib.optim.Adam(groups, lr=LRS[0], betas=(0.9, 0.99))
    return lib.optim.RMSprop(groups, lr=LRS[0], momentum=0.5)


def _sched_module(lib):
    return crs if lib is chainrule else torch.optim.lr_scheduler


class Scale:
    """A callable object with state: its __dict__ is saved in the state dict (a lambda is not)."""

    def __init__(self, base: float) -> None:
        self.base = base

    def __call__(self, x: float) -> float:
        return self.base**x


# (id, optimizer kind, factory(M, opt) -> scheduler); M is the lr_scheduler module of either library
CASES = [
    ("Lambda", "sgd", lambda M, o: M.LambdaLR(o, lambda e: 0.97**e)),
    ("Lambda-per-group", "sgd", lambda M, o: M.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: 0.5 + (e % 7) / 10])),
    ("Lambda-object", "sgd", lambda M, o: M.LambdaLR(o, Scale(0.99))),
    ("Multiplicative", "sgd", lambda M, o: M.MultiplicativeLR(o, lambda e: 0.98)),
    ("Multiplicative-per-group", "sgd", lambda M, o: M.MultiplicativeLR(o, [lambda e: 0.99, lambda e: 1.0 + (e % 3 == 0) * 0.01])),
    ("Step", "sgd", lambda M, o: M.StepLR(o, step_size=30)),
    ("Step-gamma", "adam", lambda M, o: M.StepLR(o, step_size=7, gamma=0.8)),
    ("MultiStep", "sgd", lambda M, o: M.MultiStepLR(o, milestones=[30, 80, 150, 151], gamma=0.5)),
    ("MultiStep-repeated-unsorted", "sgd", lambda M, o: M.MultiStepLR(o, milestones=[200, 10, 10, 0])),
    ("Constant", "sgd", lambda M, o: M.ConstantLR(o)),
    ("Constant-long", "sgd", lambda M, o: M.ConstantLR(o, factor=0.25, total_iters=170)),
    ("Linear", "sgd", lambda M, o: M.LinearLR(o)),
    ("Linear-decay", "sgd", lambda M, o: M.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=200)),
    ("Linear-long", "adam", lambda M, o: M.LinearLR(o, start_factor=0.01, end_factor=0.7, total_iters=400)),
    ("Exponential", "sgd", lambda M, o: M.ExponentialLR(o, gamma=0.97)),
    ("Polynomial", "sgd", lambda M, o: M.PolynomialLR(o)),
    ("Polynomial-power", "sgd", lambda M, o: M.PolynomialLR(o, total_iters=250, power=2.5)),
    ("Polynomial-long", "sgd", lambda M, o: M.PolynomialLR(o, total_iters=400, power=0.5)),
    ("Cosine", "sgd", lambda M, o: M.CosineAnnealingLR(o, T_max=50)),
    ("Cosine-eta", "sgd", lambda M, o: M.CosineAnnealingLR(o, T_max=37, eta_min=0.001)),
    ("Cosine-long", "adam", lambda M, o: M.CosineAnnealingLR(o, T_max=1000, eta_min=1e-4)),
    ("WarmRestarts", "sgd", lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=10)),
    ("WarmRestarts-mult", "sgd", lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-3)),
    ("Cyclic", "sgd", lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=20)),
    ("Cyclic-tri2", "sgd", lambda M, o: M.CyclicLR(o, [0.01, 0.02], [0.1, 0.3], step_size_up=15, step_size_down=25,
                                                     mode="triangular2", base_momentum=[0.7, 0.8], max_momentum=0.95)),
    ("Cyclic-exp", "adam", lambda M, o: M.CyclicLR(o, 0.001, 0.01, step_size_up=10, mode="exp_range", gamma=0.99)),
    ("Cyclic-nomomentum", "adam", lambda M, o: M.CyclicLR(o, 0.001, 0.01, 10, mode="exp_range", gamma=0.995,
                                                            cycle_momentum=False)),
    ("Cyclic-scale-fn", "sgd", lambda M, o: M.CyclicLR(o, 0.01, 0.1, 8, scale_fn=lambda x: 0.5 * (1 + math.sin(x)),
                                                         scale_mode="iterations")),
    ("Cyclic-scale-object", "rmsprop", lambda M, o: M.CyclicLR(o, 0.01, 0.1, 8, scale_fn=Scale(0.9))),
    ("OneCycle", "sgd", lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=300)),
    ("OneCycle-linear", "adam", lambda M, o: M.OneCycleLR(o, max_lr=[0.1, 0.2], epochs=10, steps_per_epoch=31,
                                                            anneal_strategy="linear", pct_start=0.25)),
    ("OneCycle-3phase", "sgd", lambda M, o: M.OneCycleLR(o, 0.1, total_steps=320, three_phase=True, div_factor=10.0,
                                                           final_div_factor=100.0, base_momentum=[0.8, 0.85])),
    ("OneCycle-nomomentum", "adam", lambda M, o: M.OneCycleLR(o, 0.1, total_steps=310, cycle_momentum=False)),
    ("Sequential", "sgd", lambda M, o: M.SequentialLR(o, [M.LinearLR(o, 0.1, total_iters=20),
                                                          M.CosineAnnealingLR(o, T_max=200)], milestones=[20])),
    ("Sequential-3", "sgd", lambda M, o: M.SequentialLR(o, [M.ConstantLR(o, 0.5, total_iters=5), M.ExponentialLR(o, 0.95),
                                                            M.StepLR(o, 10, 0.5)], milestones=[40, 140])),
    ("Chained", "sgd", lambda M, o: M.ChainedScheduler([M.ConstantLR(o, 0.1, total_iters=20), M.ExponentialLR(o, 0.99)])),
    ("Chained-3", "adam", lambda M, o: M.ChainedScheduler([M.LinearLR(o, 0.5, total_iters=30), M.StepLR(o, 25, 0.7),
                                                           M.CosineAnnealingLR(o, 60, 1e-3)], optimizer=o)),
]
IDS = [c[0] for c in CASES]


def _state(opt, sched):
    keys = [(g["lr"], g.get("momentum"), tuple(g["betas"]) if "betas" in g else None) for g in opt.param_groups]
    return keys, list(sched.get_last_lr())


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [x for item in value for x in _flat(item)]
    return [] if value is None else [float(value)]


def _assert_close(ours, theirs, step, rel=1e-12):
    for a, b in zip(_flat(ours), _flat(theirs), strict=True):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-300), f"step {step}: {ours} != {theirs}"


def _run(lib, kind, factory, steps, sched=None, opt=None):
    if sched is None:
        opt = _optimizer(lib, kind)
        sched = factory(_sched_module(lib), opt)
    states = [_state(opt, sched)]
    for _ in range(steps):
        opt.step()
        sched.step()
        states.append(_state(opt, sched))
    return opt, sched, states


@pytest.mark.parametrize(("name", "kind", "factory"), CASES, ids=IDS)
def test_sequence_matches_torch(name, kind, factory) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # in particular no "lr_scheduler.step() before optimizer.step()"
        _, _, ours = _run(chainrule, kind, factory, STEPS)
        _, _, theirs = _run(torch, kind, factory, STEPS)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        _assert_close(a, b, step)


@pytest.mark.parametrize(("name", "kind", "factory"), CASES, ids=IDS)
def test_resume_from_state_dict(name, kind, factory) -> None:
    _, _, theirs = _run(torch, kind, factory, STEPS)
    opt, sched, ours = _run(chainrule, kind, factory, RESUME_AT)
    opt_state, sched_state = copy.deepcopy(opt.state_dict()), sched.state_dict()
    assert "optimizer" not in sched_state
    opt.step()
    sched.step()  # stepping the old scheduler further must not alter the saved state
    fresh_opt = _optimizer(chainrule, kind)
    fresh = factory(crs, fresh_opt)
    fresh_opt.load_state_dict(opt_state)
    fresh.load_state_dict(sched_state)
    _, _, resumed = _run(chainrule, kind, factory, STEPS - RESUME_AT, sched=fresh, opt=fresh_opt)
    for step, (a, b) in enumerate(zip(ours[:-1] + resumed, theirs)):
        _assert_close(a, b, step)


def test_state_dict_keys_match_torch() -> None:
    for name, kind, factory in CASES:
        ours = factory(crs, _optimizer(chainrule, kind)).state_dict()
        theirs = factory(torch.optim.lr_scheduler, _optimizer(torch, kind)).state_dict()
        assert sorted(ours) == sorted(theirs), name


def test_lambda_state_saves_callable_objects_only() -> None:
    opt = _optimizer(chainrule)
    sched = crs.LambdaLR(opt, [lambda e: 1.0, Scale(0.5)])
    sched.lr_lambdas[1].base = 0.25
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"base": 0.25}]
    other = crs.LambdaLR(_optimizer(chainrule), [lambda e: 1.0, Scale(0.9)])
    other.load_state_dict(state)
    assert other.lr_lambdas[1].base == 0.25


# --- ReduceLROnPlateau ------------------------------------------------------------------------------
_rng = np.random.default_rng(0)
METRICS = [1.0 / (1 + 0.1 * i) + 0.02 * _rng.standard_normal() for i in range(100)] + \
          [0.5 + 0.01 * _rng.standard_normal() for _ in range(100)] + [0.5 + 0.001 * (i % 5) for i in range(100)]
PLATEAU = [
    {},
    {"patience": 3, "factor": 0.5},
    {"mode": "max", "patience": 2, "factor": 0.7, "threshold": 0.01},
    {"threshold_mode": "abs", "threshold": 0.005, "patience": 4, "cooldown": 3},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.0, "patience": 0, "factor": 0.9},
    {"patience": 1, "cooldown": 2, "min_lr": [0.01, 0.001], "factor": 0.3},
    {"patience": 1, "factor": 0.5, "min_lr": 0.004, "eps": 1e-3},
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(sorted(k.items())) for k in PLATEAU])
def test_reduce_on_plateau_matches_torch(kwargs) -> None:
    sign = -1 if kwargs.get("mode") == "max" else 1
    runs = []
    for lib, M in ((chainrule, crs), (torch, torch.optim.lr_scheduler)):
        opt = _optimizer(lib)
        sched = M.ReduceLROnPlateau(opt, **kwargs)
        seq = []
        for i, m in enumerate(METRICS):
            opt.step()
            sched.step(lib.tensor(sign * m) if i % 2 else sign * m)
            seq.append(_state(opt, sched) + (sched.num_bad_epochs, sched.cooldown_counter, sched.best))
            if lib is chainrule and i == RESUME_AT:  # resume from a fresh optimizer+scheduler
                opt_state, sched_state = opt.state_dict(), sched.state_dict()
                opt = _optimizer(lib)
                sched = M.ReduceLROnPlateau(opt, **kwargs)
                opt.load_state_dict(opt_state)
                sched.load_state_dict(sched_state)
        runs.append(seq)
    for step, (a, b) in enumerate(zip(*runs)):
        _assert_close(a[:2], b[:2], step)
        assert a[2:4] == b[2:4] and math.isclose(a[4], b[4], rel_tol=1e-12), step


# --- step(epoch): closed forms and fractional warm-restart epochs -------------------------------------
EPOCH_CASES = [c for c in CASES if c[0] in ("Step-gamma", "MultiStep", "Constant-long", "Linear-decay", "Exponential",
                                            "Polynomial-power", "Cosine-eta", "Lambda")]


@pytest.mark.parametrize(("name", "kind", "factory"), EPOCH_CASES, ids=[c[0] for c in EPOCH_CASES])
def test_step_with_epoch_uses_closed_form(name, kind, factory) -> None:
    epochs = [3, 10, 4, 60, 61, 200, 150, 0, 7]
    runs = []
    for lib in (chainrule, torch):
        opt = _optimizer(lib, kind)
        sched = factory(_sched_module(lib), opt)
        with pytest.warns(UserWarning, match="epoch parameter"):
            for e in epochs:
                opt.step()
                sched.step(e)
                runs.append(_state(opt, sched))
    half = len(runs) // 2
    for step, (a, b) in enumerate(zip(runs[:half], runs[half:])):
        _assert_close(a, b, step)


@pytest.mark.parametrize("kwargs", [dict(T_0=3), dict(T_0=4, T_mult=2, eta_min=0.01), dict(T_0=1, T_mult=3)])
def test_warm_restarts_fractional_epochs(kwargs) -> None:
    runs = []
    for lib in (chainrule, torch):
        opt = _optimizer(lib)
        sched = _sched_module(lib).CosineAnnealingWarmRestarts(opt, **kwargs)
        seq = []
        for epoch in range(40):
            for i in range(7):
                opt.step()
                sched.step(epoch + i / 7)
                seq.append(_state(opt, sched) + (sched.T_cur, sched.T_i, sched.last_epoch))
        opt.step()
        sched.step()  # back to plain stepping
        seq.append(_state(opt, sched) + (sched.T_cur, sched.T_i, sched.last_epoch))
        runs.append(seq)
    for step, (a, b) in enumerate(zip(*runs)):
        _assert_close(a[:2], b[:2], step)
        assert math.isclose(a[2], b[2], rel_tol=1e-12, abs_tol=1e-12) and a[3:] == b[3:], step


# --- warnings like PyTorch --------------------------------------------------------------------------
def test_warns_when_scheduler_steps_before_optimizer() -> None:
    for lib in (chainrule, torch):
        opt = _optimizer(lib)
        sched = _sched_module(lib).StepLR(opt, 2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()
        with pytest.warns(UserWarning, match="get_last_lr"):
            sched.get_lr()


# --- WarmupCosineLR ---------------------------------------------------------------------------------
def _warmup_cosine(t, base, warmup, total, floor, s):
    if t < warmup:
        return base * (s + (1 - s) * t / warmup)
    if t >= total:
        return floor
    return floor + (base - floor) * (1 + math.cos(math.pi * (t - warmup) / (total - warmup))) / 2


@pytest.mark.parametrize(("warmup", "total", "min_lr", "s"), [(20, 200, 0.0, 0.1), (1, 100, 1e-3, 0.5),
                                                                (50, 299, 0.01, 1.0), (25, 300, 1e-4, 1e-3)])
def test_warmup_cosine_equals_torch_sequential(warmup, total, min_lr, s) -> None:
    opt = _optimizer(chainrule)
    ours = crs.WarmupCosineLR(opt, warmup, total, min_lr=min_lr, warmup_start_factor=s)
    topt = _optimizer(torch)
    M = torch.optim.lr_scheduler
    theirs = M.SequentialLR(topt, [M.LinearLR(topt, s, 1.0, total_iters=warmup),
                                   M.CosineAnnealingLR(topt, T_max=total - warmup, eta_min=min_lr)], [warmup])
    for step in range(total + 1):
        for a, b in zip(ours.get_last_lr(), theirs.get_last_lr(), strict=True):
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15), (step, a, b)
        for stepper in (opt, ours, topt, theirs):
            stepper.step()


@pytest.mark.parametrize("kwargs", [dict(warmup_steps=10, total_steps=100), dict(warmup_steps=0, total_steps=250),
                                    dict(warmup_steps=30, total_steps=200, min_lr_ratio=0.1, warmup_start_factor=0.2),
                                    dict(warmup_steps=5, total_steps=120, min_lr=[0.001, 0.002])])
def test_warmup_cosine_closed_form_and_resume(kwargs) -> None:
    warmup, total, s = kwargs["warmup_steps"], kwargs["total_steps"], kwargs.get("warmup_start_factor", 0.0)
    min_lr = kwargs.get("min_lr", 0.0)
    floors = [kwargs["min_lr_ratio"] * lr for lr in LRS] if "min_lr_ratio" in kwargs else \
        (min_lr if isinstance(min_lr, list) else [min_lr] * 2)
    factory = lambda M, o: M.WarmupCosineLR(o, **kwargs)  # noqa: E731
    opt, sched, _ = _run(chainrule, "sgd", factory, 0)
    for t in range(STEPS + 1):
        expected = [_warmup_cosine(t, lr, warmup, total, f, s) for lr, f in zip(LRS, floors)]
        assert sched.get_last_lr() == pytest.approx(expected, rel=1e-14, abs=1e-300), t
        assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()
        if t == RESUME_AT:
            state, opt_state = sched.state_dict(), opt.state_dict()
            opt = _optimizer(chainrule)
            sched = crs.WarmupCosineLR(opt, **kwargs)
            opt.load_state_dict(opt_state)
            sched.load_state_dict(state)
        opt.step()
        sched.step()


def test_warmup_cosine_errors() -> None:
    opt = _optimizer(chainrule)
    W = crs.WarmupCosineLR
    for kwargs, words in [(dict(warmup_steps=-1, total_steps=10), "warmup_steps"),
                          (dict(warmup_steps=10, total_steps=10), "total_steps"),
                          (dict(warmup_steps=1, total_steps=10, warmup_start_factor=1.5), "warmup_start_factor"),
                          (dict(warmup_steps=1, total_steps=10, min_lr=0.1, min_lr_ratio=0.1), "either min_lr"),
                          (dict(warmup_steps=1, total_steps=10, min_lr_ratio=2.0), "min_lr_ratio"),
                          (dict(warmup_steps=1, total_steps=10, min_lr=[0.1]), "same length"),
                          (dict(warmup_steps=1, total_steps=10, min_lr=-0.1), "non-negative")]:
        with pytest.raises(ValueError, match=words):
            W(opt, **kwargs)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        W(object(), 1, 10)


# --- bad input --------------------------------------------------------------------------------------
def _other_opt(lib):
    return lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)


def _no_momentum(lib):
    return lib.optim.Adagrad([lib.zeros(1, requires_grad=True)], lr=0.1)


def _step_past_total(M, o, lib=None):
    sched = M.OneCycleLR(o, 0.1, total_steps=3)
    for _ in range(4):
        o.step()
        sched.step()


def _resume_without_initial_lr(M, o, lib=None):
    for group in o.param_groups:
        group.pop("initial_lr", None)
    M.StepLR(o, 3, last_epoch=5)


# (id, fn(M, opt, lib), exception class, message words, also raised identically by torch)
ERRORS = [
    ("not-optimizer", lambda M, o, lib: M.StepLR(object(), 3), TypeError, "object is not an Optimizer", True),
    ("not-optimizer-cyclic", lambda M, o, lib: M.CyclicLR(None, 0.1, 1.0), TypeError, "NoneType is not an Optimizer", True),
    ("not-optimizer-onecycle", lambda M, o, lib: M.OneCycleLR([1], 0.1, 10), TypeError, "list is not an Optimizer", True),
    ("not-optimizer-plateau", lambda M, o, lib: M.ReduceLROnPlateau("sgd"), TypeError, "str is not an Optimizer", True),
    ("not-optimizer-lambda", lambda M, o, lib: M.LambdaLR(object(), lambda e: 1), TypeError, "not an Optimizer", False),
    ("no-initial-lr", _resume_without_initial_lr, KeyError, r"param 'initial_lr' is not specified in param_groups\[0\]", True),
    ("lambda-count", lambda M, o, lib: M.LambdaLR(o, [lambda e: 1]), ValueError, "Expected 2 lr_lambdas, but got 1", True),
    ("multiplicative-not-callable", lambda M, o, lib: M.MultiplicativeLR(o, 0.9), TypeError, "lr_lambda should be a function", True),
    ("constant-factor", lambda M, o, lib: M.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1", True),
    ("linear-start", lambda M, o, lib: M.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor", True),
    ("linear-end", lambda M, o, lib: M.LinearLR(o, end_factor=1.2), ValueError, "Ending multiplicative factor", True),
    ("warm-T0", lambda M, o, lib: M.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "positive integer T_0", True),
    ("warm-T0-float", lambda M, o, lib: M.CosineAnnealingWarmRestarts(o, T_0=2.5), ValueError, "positive integer T_0", True),
    ("warm-Tmult", lambda M, o, lib: M.CosineAnnealingWarmRestarts(o, 3, T_mult=0), ValueError, "T_mult >= 1", True),
    ("warm-eta", lambda M, o, lib: M.CosineAnnealingWarmRestarts(o, 3, eta_min="0"), ValueError, "float or int eta_min", True),
    ("warm-epoch", lambda M, o, lib: M.CosineAnnealingWarmRestarts(o, 3).step(-1), ValueError, "non-negative epoch", True),
    ("cyclic-mode", lambda M, o, lib: M.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "mode is invalid", True),
    ("cyclic-lr-count", lambda M, o, lib: M.CyclicLR(o, [0.1], 1.0), ValueError, "base_lr must have the same length", True),
    ("cyclic-momentum", lambda M, o, lib: M.CyclicLR(_no_momentum(lib), 0.1, 1.0), ValueError, "must support momentum", True),
    ("onecycle-steps", lambda M, o, lib: M.OneCycleLR(o, 0.1), ValueError, "either total_steps OR", True),
    ("onecycle-total", lambda M, o, lib: M.OneCycleLR(o, 0.1, total_steps=0), ValueError, "positive integer total_steps", True),
    ("onecycle-epochs", lambda M, o, lib: M.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3), ValueError, "positive integer epochs", True),
    ("onecycle-pct", lambda M, o, lib: M.OneCycleLR(o, 0.1, 10, pct_start=1.5), ValueError, "pct_start", True),
    ("onecycle-anneal", lambda M, o, lib: M.OneCycleLR(o, 0.1, 10, anneal_strategy="quad"), ValueError, "anneal_strategy", True),
    ("onecycle-momentum", lambda M, o, lib: M.OneCycleLR(_no_momentum(lib), 0.1, 10), ValueError, "must support momentum", True),
    ("onecycle-past-end", _step_past_total, ValueError, "Tried to step 4 times", True),
    ("plateau-factor", lambda M, o, lib: M.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0", True),
    ("plateau-mode", lambda M, o, lib: M.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown", True),
    ("plateau-threshold-mode", lambda M, o, lib: M.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold mode pct is unknown", True),
    ("plateau-min-lr", lambda M, o, lib: M.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1", True),
    ("sequential-milestones", lambda M, o, lib: M.SequentialLR(o, [M.StepLR(o, 2), M.StepLR(o, 3)], [2, 4]), ValueError,
     "number of milestones to be equal to 2", True),
    ("sequential-empty", lambda M, o, lib: M.SequentialLR(o, [], []), ValueError, "at least one scheduler", True),
    ("sequential-plateau", lambda M, o, lib: M.SequentialLR(o, [M.ReduceLROnPlateau(o)], []), ValueError,
     "does not support `ReduceLROnPlateau`", True),
    ("sequential-other-optimizer", lambda M, o, lib: M.SequentialLR(o, [M.StepLR(_other_opt(lib), 2)], []), ValueError,
     "same optimizer", True),
    ("sequential-not-scheduler", lambda M, o, lib: M.SequentialLR(o, [3], []), TypeError, "should have `optimizer`", True),
    ("chained-empty", lambda M, o, lib: M.ChainedScheduler([]), ValueError, "at least one scheduler", True),
    ("chained-other-optimizer", lambda M, o, lib: M.ChainedScheduler([M.StepLR(o, 2), M.StepLR(_other_opt(lib), 2)]),
     ValueError, "same optimizer", True),
    # chainrule rejects up front what would fail later (ZeroDivisionError) or silently misbehave in PyTorch
    ("step-size", lambda M, o, lib: M.StepLR(o, 0), ValueError, "step_size must be positive", False),
    ("cosine-tmax", lambda M, o, lib: M.CosineAnnealingLR(o, 0), ValueError, "T_max must be nonzero", False),
    ("cyclic-step-up", lambda M, o, lib: M.CyclicLR(o, 0.1, 1.0, step_size_up=0), ValueError, "step_size_up must be positive", False),
    ("sequential-unsorted", lambda M, o, lib: M.SequentialLR(o, [M.StepLR(o, 2)] * 3, [5, 2]), ValueError, "non-decreasing", False),
]


@pytest.mark.parametrize(("name", "fn", "exc", "words", "torch_too"), ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input(name, fn, exc, words, torch_too) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=words):
            fn(crs, _optimizer(chainrule), chainrule)
        if torch_too:
            with pytest.raises(exc, match=words):
                fn(torch.optim.lr_scheduler, _optimizer(torch), torch)


def _saved(factory, steps=3):
    opt = _optimizer(chainrule)
    sched = factory(crs, opt)
    for _ in range(steps):
        opt.step()
        sched.step()
    return sched.state_dict()


WRONG_STATE = [
    ("other-class", lambda M, o: M.ExponentialLR(o, 0.9), _saved(lambda M, o: M.StepLR(o, 3)), ValueError,
     r"not saved by ExponentialLR.state_dict\(\); missing keys \[\], unexpected keys \['step_size'\]"),
    ("other-class-2", lambda M, o: M.StepLR(o, 3), _saved(lambda M, o: M.ExponentialLR(o, 0.9)), ValueError,
     r"missing keys \['step_size'\]"),
    ("missing-key", lambda M, o: M.StepLR(o, 3), {k: v for k, v in _saved(lambda M, o: M.StepLR(o, 3)).items()
                                                   if k != "last_epoch"}, ValueError, r"missing keys \['last_epoch'\]"),
    ("not-a-dict", lambda M, o: M.StepLR(o, 3), [("last_epoch", 3)], TypeError, "expected a dict"),
    ("plateau-from-step", lambda M, o: M.ReduceLROnPlateau(o), _saved(lambda M, o: M.StepLR(o, 3)), ValueError,
     "not saved by ReduceLROnPlateau"),
    ("group-count", lambda M, o: M.StepLR(o, 3), {**_saved(lambda M, o: M.StepLR(o, 3)), "base_lrs": [0.1]}, ValueError,
     "'base_lrs' has 1 values but the optimizer has 2 param groups"),
    ("sequential-count", lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2), M.StepLR(o, 3)], [4]),
     _saved(lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2)], [])), ValueError, "holds 1 schedulers; expected 2"),
    ("sequential-child", lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2), M.ExponentialLR(o, 0.9)], [4]),
     _saved(lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2), M.StepLR(o, 3)], [4])), ValueError, "not saved by ExponentialLR"),
    ("cyclic-scale-fn", lambda M, o: M.CyclicLR(o, 0.1, 1.0), _saved(lambda M, o: M.CyclicLR(o, 0.1, 1.0, scale_fn=Scale(0.9))),
     ValueError, "no scale_fn"),
    ("lambda-count", lambda M, o: M.LambdaLR(o, lambda e: 1.0), {**_saved(lambda M, o: M.LambdaLR(o, lambda e: 1.0)),
                                                                 "lr_lambdas": [None]}, ValueError, "holds 1 saved functions"),
]


@pytest.mark.parametrize(("name", "factory", "state", "exc", "words"), WRONG_STATE, ids=[w[0] for w in WRONG_STATE])
def test_load_wrong_state_dict(name, factory, state, exc, words) -> None:
    sched = factory(crs, _optimizer(chainrule))
    before = sched.state_dict()
    with pytest.raises(exc, match=words):
        sched.load_state_dict(state)
    assert sched.state_dict().keys() == before.keys() and sched.last_epoch == before["last_epoch"]


def test_lr_scheduler_alias_and_exports() -> None:
    assert issubclass(crs._LRScheduler, crs.LRScheduler)
    assert set(torch.optim.lr_scheduler.__all__) <= set(crs.__all__)
    assert issubclass(crs.ReduceLROnPlateau, crs.LRScheduler)


@pytest.mark.parametrize(("name", "kind", "factory"), CASES, ids=IDS)
def test_loads_torch_state_dict(name, kind, factory) -> None:
    """The state dicts have PyTorch's keys and meaning: a run checkpointed in torch continues here."""
    topt, tsched, theirs = _run(torch, kind, factory, STEPS)
    topt, tsched, _ = _run(torch, kind, factory, RESUME_AT)
    opt = _optimizer(chainrule, kind)
    sched = factory(crs, opt)
    for ours, their in zip(opt.param_groups, topt.state_dict()["param_groups"]):
        ours.update({k: v for k, v in their.items() if k != "params"})
    sched.load_state_dict(tsched.state_dict())
    _, _, resumed = _run(chainrule, kind, factory, STEPS - RESUME_AT, sched=sched, opt=opt)
    for step, (a, b) in enumerate(zip(resumed, theirs[RESUME_AT:])):
        _assert_close(a, b, RESUME_AT + step)


def test_optimizer_copies_stay_independent() -> None:
    """The scheduler's step-order tracking must not tie a deep copy or a pickle to the original."""
    import pickle

    opt = _optimizer(chainrule)
    crs.StepLR(opt, 2)
    twin = copy.deepcopy(opt)
    twin.step()
    assert getattr(opt, "_opt_called", False) is False and twin._opt_called is True
    assert float(opt.param_groups[0]["params"][0][0]) == 0.0
    assert float(twin.param_groups[0]["params"][0][0]) != 0.0
    restored = pickle.loads(pickle.dumps(opt))
    for group in restored.param_groups:
        for p in group["params"]:
            p.grad = chainrule.ones(p.shape)
    restored.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a new scheduler on the unpickled optimizer tracks its steps again
        sched = crs.StepLR(restored, 2)
        restored.step()
        sched.step()
    assert float(restored.param_groups[0]["params"][0][0]) != 0.0
    assert float(opt.param_groups[0]["params"][0][0]) == 0.0
