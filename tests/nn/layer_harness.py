"""Layer parity with PyTorch: same weights (copied through state_dict), same input, same upstream grad.

``check_layer(make, inputs)``: ``make(lib)`` builds the layer with ``lib`` = chainrule or torch;
torch's state_dict is copied into chainrule's (so the keys must agree), both run forward on the
same input in train and eval mode, and the input and every parameter gradient are compared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def copy_state(th_module: Any, cr_module: Any) -> None:
    """Load torch's state_dict (as NumPy) into the chainrule module; keys must match exactly."""
    th_state = {k: v.detach().numpy().copy() for k, v in th_module.state_dict().items()}
    cr_keys = list(cr_module.state_dict().keys())
    assert cr_keys == list(th_state.keys()), f"state_dict keys differ: {cr_keys} vs {list(th_state)}"
    cr_module.load_state_dict(th_state)


def _as_list(out: Any) -> list[Any]:
    if isinstance(out, (tuple, list)):
        return [o for item in out for o in _as_list(item)]
    return [out] if out is not None else []


def check_layer(
    make: Callable[[Any], Any],
    inputs: Sequence[np.ndarray],
    *,
    call: Callable[[Any, Sequence[Any]], Any] | None = None,
    train: bool = True,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    grad_inputs: bool = True,
    dtype: str = "float32",
    seed: int = 0,
) -> tuple[Any, Any]:
    """Compare forward outputs and all gradients of a layer between chainrule and torch."""
    torch.manual_seed(seed)
    th_layer = make(torch)
    cr_layer = make(chainrule)
    if dtype == "float64":
        th_layer = th_layer.double()
        cr_layer = cr_layer.double()
    copy_state(th_layer, cr_layer)
    th_layer.train(train)
    cr_layer.train(train)

    def leaves(lib: Any) -> list[Any]:
        out = []
        for a in inputs:
            if a.dtype.kind == "f":
                out.append(lib.tensor(a.astype(dtype), requires_grad=grad_inputs))
            else:
                out.append(lib.tensor(a))
        return out

    th_in, cr_in = leaves(torch), leaves(chainrule)
    run = call or (lambda layer, xs: layer(*xs))
    th_out, cr_out = _as_list(run(th_layer, th_in)), _as_list(run(cr_layer, cr_in))
    assert len(th_out) == len(cr_out)
    rng = np.random.default_rng(seed + 1)
    th_loss, cr_loss = 0, 0
    for t, c in zip(th_out, cr_out):
        assert tuple(c.shape) == tuple(t.shape), f"output shape {tuple(c.shape)} vs torch {tuple(t.shape)}"
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), atol=atol, rtol=rtol, err_msg="forward")
        if t.requires_grad:
            w = rng.standard_normal(tuple(t.shape)).astype(dtype)
            th_loss = th_loss + (t * torch.tensor(w)).sum()
            cr_loss = cr_loss + (c * chainrule.tensor(w)).sum()
    if isinstance(th_loss, int):
        return th_layer, cr_layer
    th_loss.backward()
    cr_loss.backward()
    for i, (t, c) in enumerate(zip(th_in, cr_in)):
        if t.grad is not None:
            np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), atol=atol * 10, rtol=rtol * 10, err_msg=f"grad of input {i}")
    th_params = dict(th_layer.named_parameters())
    for name, p in cr_layer.named_parameters():
        tp = th_params[name]
        if tp.grad is None:
            assert p.grad is None or not np.any(p.grad.numpy()), f"{name}: grad where torch has none"
            continue
        assert p.grad is not None, f"{name}: no gradient"
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), atol=atol * 10, rtol=rtol * 10, err_msg=f"grad of {name}")
    for (name, b), (_, tb) in zip(cr_layer.named_buffers(), th_layer.named_buffers()):
        np.testing.assert_allclose(b.numpy(), tb.numpy(), atol=atol, rtol=rtol, err_msg=f"buffer {name}")
    return th_layer, cr_layer


def gradcheck_layer(make: Callable[[Any], Any], inputs: Sequence[np.ndarray], *, call: Callable[..., Any] | None = None) -> None:
    """Float64 finite-difference check of a chainrule layer w.r.t. its inputs and parameters."""
    layer = make(chainrule).double()
    params = [p for p in layer.parameters() if p.requires_grad]
    xs = [chainrule.tensor(a, dtype=chainrule.float64, requires_grad=True) if a.dtype.kind == "f" else chainrule.tensor(a) for a in inputs]
    diff = [x for x in xs if x.requires_grad]
    run = call or (lambda lay, args: lay(*args))

    def f(*flat: Any) -> Any:
        it = iter(flat[: len(diff)])  # parameters are perturbed in place, so only inputs are substituted
        return _as_list(run(layer, [next(it) if x.requires_grad else x for x in xs]))

    assert chainrule.autograd.gradcheck(f, [*diff, *params])
