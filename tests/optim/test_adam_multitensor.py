"""Adam/AdamW's multi-tensor fast path (flat state arrays per group) against the per-parameter path.

The fast path promises the same bits as ``Adam._update``, so most tests here run two copies of
the same problem, one with the fast path and one forced onto the per-parameter loop, and compare
every parameter and state entry byte for byte after every step.
"""

from __future__ import annotations

import copy
import itertools
import pickle

import numpy as np
import pytest

import chainrule
from chainrule.optim import lr_scheduler as crs

SHAPES = [(), (3,), (4, 5), (2, 3, 4), (1,)]

pytestmark = pytest.mark.usefixtures("update_path")  # each test on both update paths (conftest)



def _params(shapes=SHAPES, dtypes="float32", seed=0):
    rng = np.random.default_rng(seed)
    if isinstance(dtypes, str):
        dtypes = [dtypes] * len(shapes)
    return [chainrule.nn.Parameter(chainrule.tensor(np.asarray(rng.standard_normal(s)).astype(dt)))
            for s, dt in zip(shapes, dtypes)]


def _twins(shapes=SHAPES, dtypes="float32"):
    return _params(shapes, dtypes), _params(shapes, dtypes)


def _per_param(opt):
    """Force the per-parameter ``_update`` loop on this optimizer (the reference)."""
    opt._step_group = lambda group: False
    return opt


def _set_grads(param_lists, rng, skip=()):
    """The same random gradients (in each parameter's dtype) for every list; indices in skip get none."""
    for i, group in enumerate(zip(*param_lists)):
        g = np.asarray(rng.standard_normal(group[0].shape)).astype(group[0]._data.dtype)
        for p in group:
            p.grad = None if i in skip else chainrule.tensor(g.copy())


def _assert_bits(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, what
    assert np.array_equal(a, b) and a.tobytes() == b.tobytes(), what


def _assert_same(params_a, opt_a, params_b, opt_b, where=""):
    for i, (p, q) in enumerate(zip(params_a, params_b)):
        _assert_bits(p._data, q._data, f"param {i} {where}")
        sa, sb = opt_a.state.get(p), opt_b.state.get(q)
        assert (sa is None) == (sb is None), f"state {i} {where}"
        if sa is not None:
            assert list(sa) == list(sb), f"state keys {i} {where}"
            for k in sa:
                _assert_bits(sa[k]._data, sb[k]._data, f"state {i}[{k}] {where}")


def _flat_base(opt, params, key="exp_avg"):
    """The one array all the params' ``key`` state tensors view into, or None (per-parameter state)."""
    bases = {id(opt.state[p][key]._data.base) for p in params if p in opt.state}
    base = opt.state[params[0]][key]._data.base if params[0] in opt.state else None
    return base if len(bases) == 1 and base is not None else None


def _fast(opt, params):
    """Whether the params' state views the flat arrays the optimizer keeps now (its last step was fast)."""
    base = _flat_base(opt, params)
    return base is not None and any(base is flat.m for flat in (opt._flat or {}).values())


OPTIONS = [
    dict(zip(("amsgrad", "maximize", "weight_decay"), combo))
    for combo in itertools.product((False, True), (False, True), (0.0, 0.1))
]


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", OPTIONS, ids=[str(sorted(o.items())) for o in OPTIONS])
def test_fast_path_is_bit_identical(name, dtype, options) -> None:
    fast_params, ref_params = _twins(dtypes=dtype)
    cls = getattr(chainrule.optim, name)
    fast = cls(fast_params, lr=0.05, betas=(0.8, 0.95), **options)
    ref = _per_param(cls(ref_params, lr=0.05, betas=(0.8, 0.95), **options))
    rng = np.random.default_rng(1)
    for step in range(5):
        _set_grads([fast_params, ref_params], rng)
        versions = [p._version for p in fast_params]
        fast.step(), ref.step()
        _assert_same(fast_params, fast, ref_params, ref, f"step {step}")
        assert [p._version for p in fast_params] == [v + 1 for v in versions]
        assert _fast(fast, fast_params), "the fast path ran"
        assert not _fast(ref, ref_params)
        assert float(fast.state[fast_params[0]]["step"]) == step + 1
    for p in fast_params:
        assert p.dtype == getattr(chainrule, dtype)
        assert fast.state[p]["step"]._data.dtype == np.float32 and fast.state[p]["step"]._data.shape == ()


def test_foreach_false_takes_the_per_parameter_path() -> None:
    fast_params, ref_params = _twins()
    fast = chainrule.optim.Adam(fast_params, lr=0.1)
    ref = chainrule.optim.Adam(ref_params, lr=0.1, foreach=False)
    rng = np.random.default_rng(2)
    for _ in range(3):
        _set_grads([fast_params, ref_params], rng)
        fast.step(), ref.step()
    _assert_same(fast_params, fast, ref_params, ref)
    assert _fast(fast, fast_params) and not _fast(ref, ref_params)


# --- parity with PyTorch, several parameters and steps --------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), [
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2, amsgrad=True)),
    ("Adam", dict(lr=1e-2, maximize=True, weight_decay=0.05)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1, amsgrad=True, maximize=True)),
])
@pytest.mark.parametrize(("dtype", "rtol"), [("float64", 1e-7), ("float32", 2e-3)])
def test_multi_parameter_parity_with_torch(name, kwargs, dtype, rtol) -> None:
    """An MLP's six parameters in two groups, 30 steps of the same gradients: same params and state."""
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    cr_model = chainrule.nn.Sequential(chainrule.nn.Linear(7, 16), chainrule.nn.Tanh(), chainrule.nn.Linear(16, 8),
                                       chainrule.nn.Tanh(), chainrule.nn.Linear(8, 1)).to(getattr(chainrule, dtype))
    th_model = torch.nn.Sequential(torch.nn.Linear(7, 16), torch.nn.Tanh(), torch.nn.Linear(16, 8),
                                   torch.nn.Tanh(), torch.nn.Linear(8, 1)).to(getattr(torch, dtype))
    with torch.no_grad():
        for c, t in zip(cr_model.parameters(), th_model.parameters()):
            t.copy_(torch.from_numpy(c.detach().numpy().copy()))
    cr_ps, th_ps = list(cr_model.parameters()), list(th_model.parameters())
    cr_opt = getattr(chainrule.optim, name)([{"params": cr_ps[:4]}, {"params": cr_ps[4:], "lr": 5e-3}], **kwargs)
    th_opt = getattr(torch.optim, name)([{"params": th_ps[:4]}, {"params": th_ps[4:], "lr": 5e-3}], **kwargs)
    rng = np.random.default_rng(3)
    for step in range(30):
        for c, t in zip(cr_ps, th_ps):
            g = rng.standard_normal(tuple(c.shape)).astype(dtype)
            c.grad, t.grad = chainrule.tensor(g), torch.from_numpy(g.copy())
        cr_opt.step(), th_opt.step()
        for c, t in zip(cr_ps, th_ps):
            np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=rtol / 10,
                                       err_msg=f"step {step}")
    assert _fast(cr_opt, cr_ps[:4])
    cs, ts = cr_opt.state_dict()["state"], th_opt.state_dict()["state"]
    assert set(cs) == set(ts)
    for i in ts:
        assert set(cs[i]) == set(ts[i])
        for k in ts[i]:
            np.testing.assert_allclose(cs[i][k].numpy(), ts[i][k].numpy(), rtol=rtol, atol=rtol / 10, err_msg=f"{i} {k}")


# --- fallbacks and state that changes under the fast path -----------------------------------------

def _run_pair(make, schedule, steps=8, seed=4):
    """Run ``make(params)`` on twins, one forced per-parameter; ``schedule(step, fast, ref, fp, rp)``
    may change either before each step and returns which parameter indices get no gradient."""
    fast_params, ref_params = _twins()
    fast, ref = make(fast_params), _per_param(make(ref_params))
    rng = np.random.default_rng(seed)
    for step in range(steps):
        skip = schedule(step, fast, ref, fast_params, ref_params) or ()
        _set_grads([fast_params, ref_params], rng, skip)
        fast.step(), ref.step()
        _assert_same(fast_params, fast, ref_params, ref, f"step {step}")
    return fast, fast_params, ref, ref_params


@pytest.mark.parametrize("amsgrad", [False, True])
def test_params_without_grad_on_some_steps(amsgrad) -> None:
    skips = {0: {1}, 3: {0, 4}, 5: {2}}  # steps counts diverge: the fast path must stay out
    fast, fast_params, _, _ = _run_pair(lambda ps: chainrule.optim.Adam(ps, lr=0.1, amsgrad=amsgrad),
                                        lambda step, *_: skips.get(step))
    assert len({float(fast.state[p]["step"]) for p in fast_params}) > 1


def test_a_step_without_any_grad_keeps_the_fast_path() -> None:
    everything = set(range(len(SHAPES)))
    fast, fast_params, _, _ = _run_pair(lambda ps: chainrule.optim.Adam(ps, lr=0.1),
                                        lambda step, *_: everything if step in (0, 4) else None)
    assert _fast(fast, fast_params)
    assert {float(fast.state[p]["step"]) for p in fast_params} == {6.0}


def test_mixed_dtypes_fall_back() -> None:
    dtypes = ["float32", "float64", "float32", "float64", "float32"]
    fast_params, ref_params = _twins(dtypes=dtypes)
    fast = chainrule.optim.AdamW(fast_params, lr=0.1, amsgrad=True)
    ref = _per_param(chainrule.optim.AdamW(ref_params, lr=0.1, amsgrad=True))
    rng = np.random.default_rng(5)
    for step in range(4):
        _set_grads([fast_params, ref_params], rng)
        fast.step(), ref.step()
        _assert_same(fast_params, fast, ref_params, ref, f"step {step}")
    assert not _fast(fast, fast_params)
    assert [fast.state[p]["exp_avg"]._data.dtype for p in fast_params] == [np.dtype(d) for d in dtypes]


def test_grads_of_another_dtype_or_layout_fall_back() -> None:
    """A float64 grad on a float32 param, then an F-ordered grad: per-parameter steps, then back."""
    fast_params, ref_params = _twins()
    fast = chainrule.optim.Adam(fast_params, lr=0.1)
    ref = _per_param(chainrule.optim.Adam(ref_params, lr=0.1))
    rng = np.random.default_rng(6)
    for step in range(6):
        _set_grads([fast_params, ref_params], rng)
        if step in (2, 3):
            g = np.arange(20.0).reshape(4, 5) / 7
            for ps in (fast_params, ref_params):  # float64, then float32 transposed (a strided view)
                ps[2].grad = chainrule.tensor(g) if step == 2 else chainrule.tensor(g.T.astype(np.float32)).T
            assert fast_params[2].grad._data.flags.c_contiguous == (step == 2)
        fast.step(), ref.step()
        _assert_same(fast_params, fast, ref_params, ref, f"step {step}")
        assert (not _fast(fast, fast_params)) == (step in (2, 3))


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_load_state_dict_then_continue_is_exact(name) -> None:
    cls = getattr(chainrule.optim, name)
    kwargs = dict(lr=0.05, amsgrad=True, weight_decay=0.1)
    rng = np.random.default_rng(7)
    grads = [[np.asarray(rng.standard_normal(s)).astype(np.float32) for s in SHAPES] for _ in range(10)]

    def run(params, opt, steps):
        for gs in steps:
            for p, g in zip(params, gs):
                p.grad = chainrule.tensor(g.copy())
            opt.step()

    params = _params()
    opt = cls(params, **kwargs)
    run(params, opt, grads)  # uninterrupted

    first = _params()
    opt1 = cls(first, **kwargs)
    run(first, opt1, grads[:5])
    saved = opt1.state_dict()
    resumed = _params()
    with chainrule.no_grad():
        for p, q in zip(resumed, first):
            p.copy_(q)
    opt2 = cls(resumed, **kwargs)
    opt2.load_state_dict(saved)
    run(resumed, opt2, grads[5:])
    _assert_same(params, opt, resumed, opt2)
    assert _fast(opt2, resumed)  # the loaded state was copied into flat arrays


def test_add_param_group_mid_training() -> None:
    def schedule(step, fast, ref, fast_params, ref_params):
        if step == 3:
            fast.add_param_group({"params": fast_params[3:], "lr": 0.02, "amsgrad": True})
            ref.add_param_group({"params": ref_params[3:], "lr": 0.02, "amsgrad": True})
        return set(range(3, len(SHAPES))) if step < 3 else None

    def make(ps):
        return chainrule.optim.Adam(ps[:3], lr=0.1, weight_decay=0.1)

    fast, fast_params, _, _ = _run_pair(make, schedule)
    assert _fast(fast, fast_params[:3]) and _fast(fast, fast_params[3:])
    assert _flat_base(fast, fast_params[:3]) is not _flat_base(fast, fast_params[3:])


def test_hyperparameter_changes_are_honoured() -> None:
    scheds = {}

    def schedule(step, fast, ref, *_):
        if step == 0:
            scheds["fast"], scheds["ref"] = crs.StepLR(fast, 2, gamma=0.5), crs.StepLR(ref, 2, gamma=0.5)
        else:
            scheds["fast"].step(), scheds["ref"].step()
        if step == 4:
            for opt in (fast, ref):
                opt.param_groups[0].update(betas=(0.5, 0.9), eps=1e-3, maximize=True, weight_decay=0.2)
        if step == 6:
            for opt in (fast, ref):
                opt.param_groups[0].update(decoupled_weight_decay=True)

    fast, fast_params, _, _ = _run_pair(lambda ps: chainrule.optim.Adam(ps, lr=0.1), schedule)
    assert fast.param_groups[0]["lr"] != 0.1
    assert _fast(fast, fast_params)


def test_replaced_state_tensors_are_picked_up() -> None:
    def schedule(step, fast, ref, fast_params, ref_params):
        if step == 3:  # a user resets one moment in place and replaces another tensor
            for opt, ps in ((fast, fast_params), (ref, ref_params)):
                opt.state[ps[1]]["exp_avg"]._data[...] = 0
                opt.state[ps[2]]["exp_avg_sq"] = chainrule.ones(ps[2].shape)

    fast, fast_params, _, _ = _run_pair(lambda ps: chainrule.optim.Adam(ps, lr=0.1), schedule)
    assert _fast(fast, fast_params) and _flat_base(fast, fast_params, "exp_avg_sq") is not None


def test_a_step_counter_edited_in_place_is_honoured() -> None:
    def schedule(step, fast, ref, fast_params, ref_params):
        if step == 3:
            for opt, ps in ((fast, fast_params), (ref, ref_params)):
                opt.state[ps[2]]["step"]._data[...] = 1

    fast, fast_params, _, _ = _run_pair(lambda ps: chainrule.optim.Adam(ps, lr=0.1), schedule)
    assert [float(fast.state[p]["step"]) for p in fast_params] == [8, 8, 6, 8, 8]
    assert not _fast(fast, fast_params)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copies_of_a_fast_optimizer_are_independent_and_exact(how) -> None:
    params = _params()
    opt = chainrule.optim.Adam(params, lr=0.1, amsgrad=True)
    rng = np.random.default_rng(8)
    for _ in range(3):
        _set_grads([params], rng)
        opt.step()
    twin = copy.deepcopy(opt) if how == "deepcopy" else pickle.loads(pickle.dumps(opt))
    twin_params = twin.param_groups[0]["params"]
    # the copied state tensors own their data: cached flat arrays (and views of them) must not come along,
    # or a group that happens to get the old group's id (another process) would update orphaned arrays
    assert not twin._flat
    assert all(p is not q for p, q in zip(params, twin_params))
    for _ in range(3):
        _set_grads([params, twin_params], rng)
        opt.step(), twin.step()
        _assert_same(params, opt, twin_params, twin)
    assert _fast(twin, twin_params)
    assert not np.shares_memory(_flat_base(twin, twin_params), _flat_base(opt, params))


# --- state_dict ----------------------------------------------------------------------------------

@pytest.mark.parametrize("amsgrad", [False, True])
def test_state_dict_matches_the_per_parameter_one_and_does_not_alias(amsgrad) -> None:
    fast, fast_params, ref, _ = _run_pair(lambda ps: chainrule.optim.AdamW(ps, lr=0.1, amsgrad=amsgrad),
                                          lambda *_: None, steps=3)
    fs, rs = fast.state_dict(), ref.state_dict()
    assert fs["param_groups"] == rs["param_groups"]
    assert set(fs["state"]) == set(rs["state"])
    for i in rs["state"]:
        assert list(fs["state"][i]) == list(rs["state"][i])
        for k in rs["state"][i]:
            _assert_bits(fs["state"][i][k]._data, rs["state"][i][k]._data, f"{i} {k}")
    bases = [_flat_base(fast, fast_params, k) for k in ("step", "exp_avg", "exp_avg_sq")]
    assert all(b is not None for b in bases)
    before = {p: {k: t._data.copy() for k, t in fast.state[p].items()} for p in fast_params}
    for s in fs["state"].values():
        for t in s.values():
            assert not any(np.shares_memory(t._data, b) for b in bases)
            t._data[...] = 7
    for p in fast_params:
        for k, t in fast.state[p].items():
            _assert_bits(t._data, before[p][k], k)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_a_parameter_that_is_not_c_contiguous_is_updated_as_torch(name) -> None:
    """A parameter stored transposed (e.g. ``w.t().contiguous().t()``) is updated in place like any other:
    the flat update would write into a reshaped copy, so such a group takes the per-parameter path."""
    torch = pytest.importorskip("torch")
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    g = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    w = chainrule.nn.Parameter(chainrule.tensor(a).t().contiguous().t())
    assert not w._data.flags.c_contiguous
    tw = torch.nn.Parameter(torch.tensor(a))
    opt = getattr(chainrule.optim, name)([w], lr=0.1, weight_decay=0.01)
    topt = getattr(torch.optim, name)([tw], lr=0.1, weight_decay=0.01)
    for _ in range(3):
        w.grad = chainrule.tensor(g)
        tw.grad = torch.tensor(g)
        opt.step(), topt.step()
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert not np.allclose(w.detach().numpy(), a)
