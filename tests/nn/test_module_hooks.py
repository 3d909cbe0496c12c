"""Module hooks against PyTorch: full backward hooks and pre-hooks (what they see, replacing gradients),
forward hooks with kwargs and always_call, state_dict and load_state_dict hooks, global module hooks."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _pair(make: Any) -> tuple[Any, Any]:
    torch.manual_seed(0)
    th, cr = make(torch).double(), make(chainrule).double()
    cr.load_state_dict({k: v.detach().numpy() for k, v in th.state_dict().items()})
    return th, cr


def _np(v: Any) -> Any:
    if v is None:
        return None
    return v.detach().numpy() if hasattr(v, "detach") else np.asarray(v)


class _Two(torch.nn.Module):
    """Two tensor inputs and a non-tensor one; two outputs (a tuple)."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, a: Any, b: Any, scale: float) -> Any:
        h = self.lin(a) * b
        return h * scale, h.sum(-1)


class _TwoCr(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, a: Any, b: Any, scale: float) -> Any:
        h = self.lin(a) * b
        return h * scale, h.sum(-1)


def _run_backward_hooks(lib: Any, model: Any, xs: list[np.ndarray], replace: bool, pre: bool) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def hook(module: Any, grad_input: Any, grad_output: Any) -> Any:
        seen["grad_input"] = [_np(g) for g in grad_input]
        seen["grad_output"] = [_np(g) for g in grad_output]
        if replace:
            return tuple(None if g is None else g * 3 for g in grad_input)
        return None

    def pre_hook(module: Any, grad_output: Any) -> Any:
        seen["pre"] = [_np(g) for g in grad_output]
        return tuple(None if g is None else g * 0.5 for g in grad_output) if pre else None

    model.register_full_backward_hook(hook)
    model.register_full_backward_pre_hook(pre_hook)
    leaves = [lib.tensor(x, requires_grad=i == 0) for i, x in enumerate(xs)]
    out = model(*leaves, 2.0)
    outs = out if isinstance(out, tuple) else (out,)
    w = [lib.tensor(_x(*tuple(o.shape), seed=7 + i)) for i, o in enumerate(outs)]
    sum((o * wi).sum() for o, wi in zip(outs, w)).backward()
    seen["x_grad"] = _np(leaves[0].grad)
    seen["param_grads"] = [_np(p.grad) for p in model.parameters()]
    return seen


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("pre", [False, True])
def test_full_backward_hooks_match_torch(replace: bool, pre: bool) -> None:
    th, cr = _pair(lambda lib: _Two() if lib is torch else _TwoCr())
    xs = [_x(4, 3), _x(4, 3, seed=1)]
    a = _run_backward_hooks(torch, th, xs, replace, pre)
    b = _run_backward_hooks(chainrule, cr, xs, replace, pre)
    for key in ("grad_input", "grad_output", "pre", "param_grads"):
        assert len(a[key]) == len(b[key]), key
        for u, v in zip(a[key], b[key]):
            assert (u is None) == (v is None), key
            if u is not None:
                np.testing.assert_allclose(v, u, rtol=1e-10, err_msg=key)
    np.testing.assert_allclose(b["x_grad"], a["x_grad"], rtol=1e-10)


def test_backward_hook_when_no_input_requires_grad_and_removal() -> None:
    def check(lib: Any) -> None:
        lin = lib.nn.Linear(3, 2)
        calls: list[Any] = []
        handle = lin.register_full_backward_hook(lambda m, gi, go: calls.append((gi, tuple(go[0].shape))))
        with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed with respect to module outputs"):
            lin(lib.randn(4, 3)).sum().backward()
        assert calls == [((None,), (4, 2))]
        handle.remove()
        lin(lib.randn(4, 3)).sum().backward()
        assert len(calls) == 1

    for lib in (torch, chainrule):
        check(lib)


def test_backward_hooks_on_submodules_in_order() -> None:
    order = {}
    def check(lib: Any) -> None:
        torch.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
        names: list[str] = []
        for i, m in enumerate(model):
            m.register_full_backward_hook(lambda mod, gi, go, i=i: names.append(f"full{i}"))
            m.register_full_backward_pre_hook(lambda mod, go, i=i: names.append(f"pre{i}"))
        model(lib.randn(2, 3, requires_grad=True)).sum().backward()
        order[lib.__name__] = names

    for lib in (torch, chainrule):
        check(lib)
    assert order["chainrule"] == order["torch"]


def test_forward_hooks_with_kwargs_and_always_call() -> None:
    def check(lib: Any) -> None:
        mha = lib.nn.MultiheadAttention(4, 2, batch_first=True)
        log: list[str] = []

        def pre(m: Any, args: Any, kwargs: Any) -> Any:
            log.append(f"pre need_weights={kwargs.get('need_weights')}")
            return args, {**kwargs, "need_weights": False}

        def post(m: Any, args: Any, kwargs: Any, out: Any) -> Any:
            log.append(f"post weights={out[1] is None} nargs={len(args)}")
            return out[0]

        mha.register_forward_pre_hook(pre, with_kwargs=True)
        mha.register_forward_hook(post, with_kwargs=True)
        x = lib.randn(2, 3, 4)
        out = mha(x, x, x, need_weights=True)
        assert tuple(out.shape) == (2, 3, 4)
        assert log == ["pre need_weights=True", "post weights=True nargs=3"]

        lin = lib.nn.Linear(3, 2)
        seen: list[Any] = []
        lin.register_forward_hook(lambda m, a, o: seen.append(o), always_call=True)
        lin.register_forward_hook(lambda m, a, o: seen.append("plain"))
        with pytest.raises(RuntimeError):
            lin(lib.randn(2, 5))
        assert seen == [None]

    for lib in (torch, chainrule):
        check(lib)


def test_state_dict_hooks() -> None:
    def check(lib: Any) -> None:
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        calls: list[Any] = []
        model[1].register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append(("pre", prefix, keep_vars)))

        def post(m: Any, sd: Any, prefix: str, meta: Any) -> None:
            calls.append(("post", prefix, list(sd)[-1]))
            sd[prefix + "extra"] = lib.tensor(1.0)

        model.register_state_dict_post_hook(post)
        sd = model.state_dict()
        assert calls == [("pre", "1.", False), ("post", "", "1.num_batches_tracked")]
        assert list(sd)[-1] == "extra"
        model[0].register_state_dict_post_hook(lambda m, sd, p, meta: sd)
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            model.state_dict()

    for lib in (torch, chainrule):
        check(lib)


def test_load_state_dict_hooks_rename_and_forgive() -> None:
    results = {}
    def check(lib: Any) -> None:
        torch.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Linear(3, 1))
        old = {k.replace("0.", "encoder."): v.clone() * 2 for k, v in model.state_dict().items() if k.startswith("0.")}
        before = _np(model[0].weight).copy()

        def rename(m: Any, sd: Any, prefix: str, meta: Any, strict: bool, missing: Any, unexpected: Any, errors: Any) -> None:
            for k in [k for k in sd if k.startswith("encoder.")]:
                sd[k.replace("encoder.", prefix + "0.")] = sd.pop(k)

        seen: list[Any] = []

        def forgive(m: Any, keys: Any) -> None:
            seen.append((list(keys.missing_keys), list(keys.unexpected_keys)))
            keys.missing_keys.clear()

        model.register_load_state_dict_pre_hook(rename)
        model.register_load_state_dict_post_hook(forgive)
        res = model.load_state_dict(old)
        assert "encoder.weight" in old  # the caller's dict is left as it was
        results[lib.__name__] = (seen, list(res.missing_keys), np.allclose(_np(model[0].weight), 2 * before))
        model[1].register_load_state_dict_post_hook(lambda m, keys: keys)
        with pytest.raises(AssertionError, match="not expected to return new values"):
            model.load_state_dict(old, strict=False)

    for lib in (torch, chainrule):
        check(lib)
    assert results["chainrule"][0] == results["torch"][0] == [(["1.weight", "1.bias"], [])]
    assert results["chainrule"][1] == results["torch"][1] == []
    assert results["chainrule"][2] and results["torch"][2]


def test_global_module_hooks() -> None:
    def check(lib: Any) -> None:
        mm = lib.nn.modules.module
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
        fwd: list[str] = []
        bwd: list[str] = []
        handles = [
            mm.register_module_forward_pre_hook(lambda m, a: fwd.append("pre " + type(m).__name__)),
            mm.register_module_forward_hook(lambda m, a, o: fwd.append("post " + type(m).__name__)),
            mm.register_module_full_backward_hook(lambda m, gi, go: bwd.append(type(m).__name__)),
        ]
        try:
            model(lib.randn(2, 3, requires_grad=True)).sum().backward()
        finally:
            for h in handles:
                h.remove()
        assert fwd == ["pre Sequential", "pre Linear", "post Linear", "pre ReLU", "post ReLU", "pre Linear", "post Linear", "post Sequential"]
        assert bwd == ["Linear", "ReLU", "Linear", "Sequential"]
        fwd.clear()
        model(lib.randn(2, 3))
        assert fwd == []

    for lib in (torch, chainrule):
        check(lib)
    assert not chainrule.nn._module_hooks.global_active[0]


def test_hooks_survive_deepcopy_and_plain_path_is_unchanged() -> None:
    import copy

    lin = nn.Linear(2, 2)
    seen: list[int] = []
    lin.register_forward_hook(lambda m, a, o: seen.append(1))
    copy.deepcopy(lin)(chainrule.randn(1, 2))
    assert seen == [1]
    assert isinstance(nn.Linear(2, 2).state_dict(), OrderedDict)
