"""Optimizer step and state_dict hooks against PyTorch: the order hooks run in, what they see, that a
pre-hook's (args, kwargs) replace the call's, that handles remove them; custom subclasses with their own
step; and the profiler range of a step."""

from __future__ import annotations

import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _trace(lib) -> list:
    from importlib import import_module

    optimizer_mod = import_module(f"{lib.__name__}.optim.optimizer")
    seen: list = []
    w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    opt = lib.optim.SGD([w], lr=0.5)
    h_global = optimizer_mod.register_optimizer_step_pre_hook(lambda o, a, k: seen.append(("global pre", len(a))))
    h_pre = opt.register_step_pre_hook(lambda o, a, k: seen.append(("pre", o is opt)))
    h_post = opt.register_step_post_hook(lambda o, a, k: seen.append(("post", [round(v, 4) for v in w.tolist()])))
    h_gpost = optimizer_mod.register_optimizer_step_post_hook(lambda o, a, k: seen.append(("global post",)))
    (w * w).sum().backward()
    opt.step()
    for h in (h_global, h_pre, h_post, h_gpost):
        h.remove()
    opt.step()  # no hooks now
    seen.append(("after", [round(v, 4) for v in w.tolist()]))
    opt.register_state_dict_pre_hook(lambda o: seen.append(("sd pre",)))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    sd = opt.state_dict()
    seen.append(("sd keys", sorted(sd)))
    opt.register_load_state_dict_pre_hook(lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: seen.append(("loaded",)))
    opt.load_state_dict(sd)
    return seen


def test_step_and_state_dict_hooks_as_torch() -> None:
    assert _trace(chainrule) == _trace(torch)


def test_pre_hook_replaces_the_closure_and_custom_step_runs_hooks_once() -> None:
    def run(lib):
        class HalfSGD(lib.optim.Optimizer):
            """Plain gradient descent at half the rate, written as tutorials write custom optimizers."""

            def __init__(self, params, lr=0.1):
                super().__init__(params, dict(lr=lr))

            @lib.no_grad()
            def step(self, closure=None):
                loss = None if closure is None else closure()
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p.add_(p.grad, alpha=-group["lr"] / 2)
                return loss

        w = lib.nn.Parameter(lib.tensor([3.0]))
        opt = HalfSGD([w], lr=1.0)
        calls = []
        opt.register_step_pre_hook(lambda o, a, k: (calls.append("pre"), ((o, lambda: lib.tensor(7.0)), k))[1])
        opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
        (w * w).sum().backward()
        loss = opt.step(lambda: lib.tensor(1.0))
        return calls, loss.item(), w.item()

    assert run(chainrule) == run(torch) == (["pre", "post"], 7.0, 0.0)


def test_profile_shows_optimizer_ranges() -> None:
    w = chainrule.nn.Parameter(chainrule.ones(3))
    opt = chainrule.optim.Adam([w])
    with chainrule.profiler.profile() as prof:
        opt.zero_grad()
        w.sum().backward()
        opt.step()
    names = {e.key for e in prof.key_averages()}
    assert {"Optimizer.step#Adam.step", "Optimizer.zero_grad#Adam.zero_grad"} <= names
