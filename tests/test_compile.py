"""chainrule.compile: replayed training is bit-identical to eager; what cannot replay runs eagerly.

Every model here trains side by side, eager and compiled, from the same weights on the same
batches, and the parameters must stay equal bit for bit; the fallbacks (random numbers, in-place
writes, values read back into Python...) must warn, name the reason and still give eager's result.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F


class Residual(nn.Module):
    """A DAG: ``h`` feeds two branches and ``x`` three, so gradients are summed at several values."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.norm = nn.Linear(8, 8), nn.Linear(8, 8), nn.LayerNorm(8)

    def forward(self, x: Any) -> Any:
        h = self.a(x).relu()
        return self.norm(x + self.b(h) + h * 0.5) + x.tanh()


MODELS: dict[str, tuple[Callable[[], Any], Callable[[], Any], Callable[[Any], Any]]] = {
    "tiny_mlp_mse": (
        lambda: nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)),
        lambda: (cr.randn(32, 2), cr.randn(32, 1)),
        lambda out_y: F.mse_loss(*out_y),
    ),
    "mlp_cross_entropy": (
        lambda: nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 5)),
        lambda: (cr.randn(16, 10), cr.randint(0, 5, (16,))),
        lambda out_y: F.cross_entropy(*out_y),
    ),
    "cnn": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
            nn.AvgPool2d(2), nn.Flatten(), nn.Linear(8 * 2 * 2, 5),
        ),
        lambda: (cr.randn(6, 1, 8, 8), cr.randint(0, 5, (6,))),
        lambda out_y: F.cross_entropy(*out_y),
    ),
    "transformer_layer": (
        lambda: nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, batch_first=True, norm_first=True),
        lambda: (cr.randn(3, 5, 16), cr.randn(3, 5, 16)),
        lambda out_y: F.mse_loss(*out_y),
    ),
    "residual_dag": (Residual, lambda: (cr.randn(7, 8), cr.randn(7, 8)), lambda out_y: F.l1_loss(*out_y)),
    "embedding_batchnorm_eval": (
        lambda: nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 6), nn.BatchNorm1d(6)).eval(),
        lambda: (cr.randint(0, 10, (5, 3)), cr.randn(5, 6)),
        lambda out_y: F.smooth_l1_loss(*out_y),
    ),
}  # fmt: skip


def _pair(make: Callable[[], Any]) -> tuple[Any, Any]:
    cr.manual_seed(0)
    eager = make()
    cr.manual_seed(0)
    return eager, make()


def _equal(a: Any, b: Any) -> bool:
    return all(np.array_equal(p.detach().numpy(), q.detach().numpy()) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize("name", list(MODELS))
def test_training_is_bit_identical_to_eager(name: str) -> None:
    make, batch, loss_fn = MODELS[name]
    eager, model = _pair(make)
    compiled = cr.compile(model)
    opts = [cr.optim.Adam(m.parameters(), lr=1e-2) for m in (eager, model)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback may happen for these models
        for _ in range(8):
            x, y = batch()
            losses = []
            for m, opt in zip((eager, compiled), opts):
                opt.zero_grad()
                loss = loss_fn((m(x), y))
                loss.backward()
                opt.step()
                losses.append(loss.item())
            assert losses[0] == losses[1]
            assert _equal(eager, model)
    (program,) = compiled._compiled._cache.values()
    assert program is not None and program.verified  # it really replayed


def test_inputs_that_require_grad_get_eager_gradients() -> None:
    eager, model = _pair(MODELS["residual_dag"][0])
    compiled = cr.compile(model)
    for _ in range(3):
        a = np.random.default_rng(1).standard_normal((7, 8)).astype(np.float32)
        x1, x2 = cr.tensor(a, requires_grad=True), cr.tensor(a, requires_grad=True)
        (eager(x1) ** 3).sum().backward()
        (compiled(x2) ** 3).sum().backward()
        np.testing.assert_array_equal(x1.grad.numpy(), x2.grad.numpy())


def test_functions_tuple_outputs_and_no_grad() -> None:
    w = cr.randn(4, 3, requires_grad=True)

    @cr.compile
    def f(x: Any) -> Any:
        h = x @ w
        return h.softmax(-1), h.amax(-1)

    def g(x: Any) -> Any:
        h = x @ w
        return h.softmax(-1), h.amax(-1)

    for _ in range(3):
        x = cr.randn(5, 4)
        (a1, b1), (a2, b2) = f(x), g(x)
        np.testing.assert_array_equal(a1.detach().numpy(), a2.detach().numpy())
        np.testing.assert_array_equal(b1.detach().numpy(), b2.detach().numpy())
        (a1.sum() + b1.sum()).backward()
        grad = w.grad.numpy().copy()
        w.grad = None
        (a2.sum() + b2.sum()).backward()
        np.testing.assert_array_equal(grad, w.grad.numpy())
        w.grad = None
    with cr.no_grad():
        out = f(cr.randn(5, 4))
    assert out[0].grad_fn is None and not out[0].requires_grad


def test_retain_graph_and_second_backward_error_as_eager() -> None:
    model = cr.compile(nn.Sequential(nn.Linear(3, 3), nn.Tanh()))
    x = cr.randn(2, 3)
    for _ in range(2):
        model(x)  # trace, then verify
    out = model(x).sum()
    out.backward(retain_graph=True)
    once = model._orig_mod[0].weight.grad.numpy().copy()
    out.backward()
    np.testing.assert_allclose(model._orig_mod[0].weight.grad.numpy(), 2 * once, rtol=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()


def test_in_place_change_of_a_saved_parameter_is_detected() -> None:
    eager, model = _pair(lambda: nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 2)))
    compiled = cr.compile(model)
    x = cr.randn(4, 3)
    for _ in range(2):
        compiled(x)
    for m, inner in ((eager, eager), (compiled, model)):
        loss = m(x).sum()
        with cr.no_grad():
            inner[1].weight.mul_(2.0)  # what an optimizer step before backward would do: backward needs W
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


@pytest.mark.parametrize(
    ("forward", "reason"),
    [
        (lambda m, x: F.dropout(m(x), 0.5, training=True), "random numbers"),
        (lambda m, x: m(x) * float(m(x).sum().item() > 0), "reads a value back"),
        (lambda m, x: m(x).relu_(), "in-place"),
        (lambda m, x: m(x) + cr.tensor(x.detach().numpy().sum()), "reads a value back"),
    ],
    ids=["dropout", "item", "inplace", "numpy"],
)
def test_what_cannot_replay_runs_eagerly_with_a_warning(forward: Callable[..., Any], reason: str) -> None:
    layer = nn.Linear(3, 3)
    fn = cr.compile(lambda x: forward(layer, x))
    x = cr.randn(4, 3)
    with pytest.warns(UserWarning, match=reason):
        fn(x)
    for seed in range(3):  # from now on eager, and so equal to calling forward directly
        cr.manual_seed(seed)
        got = fn(x)
        cr.manual_seed(seed)
        np.testing.assert_array_equal(got.detach().numpy(), forward(layer, x).detach().numpy())
    strict = cr.compile(lambda x: forward(layer, x), fullgraph=True)
    with pytest.raises(RuntimeError, match="fullgraph=True"):
        strict(x)


def test_batchnorm_in_training_mode_runs_eagerly_and_updates_statistics() -> None:
    eager, model = _pair(lambda: nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4)))
    compiled = cr.compile(model)
    with pytest.warns(UserWarning, match="in-place"):
        for _ in range(3):
            x = cr.randn(8, 4)
            np.testing.assert_array_equal(eager(x).detach().numpy(), compiled(x).detach().numpy())
    np.testing.assert_array_equal(eager[1].running_mean.numpy(), model[1].running_mean.numpy())


def test_guards_retrace_on_mode_attributes_parameters_and_dtype() -> None:
    layer = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    compiled = cr.compile(layer)
    x = cr.randn(4, 3)
    layer.eval()
    for _ in range(3):
        np.testing.assert_array_equal(compiled(x).detach().numpy(), layer(x).detach().numpy())
    layer[1].p = 0.0  # an attribute forward reads: new trace (and dropout with p=0 draws nothing)
    layer.train()
    np.testing.assert_array_equal(compiled(x).detach().numpy(), layer(x).detach().numpy())
    layer[0].weight = nn.Parameter(cr.ones(3, 3))  # a replaced parameter is used at once
    for _ in range(3):
        np.testing.assert_array_equal(compiled(x).detach().numpy(), layer(x).detach().numpy())
    layer.double()
    out = compiled(x.double())
    assert out.dtype == cr.float64
    np.testing.assert_array_equal(out.detach().numpy(), layer(x.double()).detach().numpy())


def test_each_input_signature_has_its_own_trace_up_to_the_limit() -> None:
    model = nn.Linear(3, 2)
    compiled = cr.compile(model)
    fn = compiled._compiled
    fn.cache_size_limit = 3
    for n in (1, 2, 3, 1, 2, 3):
        x = cr.randn(n, 3)
        np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())
    assert len(fn._cache) == 3 and all(p is not None and p.verified for p in fn._cache.values())
    with pytest.warns(UserWarning, match="cache_size_limit=3"):
        compiled(cr.randn(9, 3))


def test_a_frozen_python_value_is_caught_by_the_first_replay_check() -> None:
    scale = [1.0]
    fn = cr.compile(lambda x: x.tanh() * scale[0])
    x = cr.randn(3)
    fn(x)  # traced with scale 1.0
    scale[0] = 2.0
    with pytest.warns(UserWarning, match="did not reproduce"):
        out = fn(x)
    np.testing.assert_array_equal(out.numpy(), (x.tanh() * 2.0).numpy())


class _Positive(cr.autograd.Function):
    """An array op whose output shape depends on the data (as a built-in op could)."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x[x > 0]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:  # pragma: no cover - not differentiated here
        raise NotImplementedError


def test_data_dependent_shapes_fall_back() -> None:
    fn = cr.compile(lambda x: _Positive.apply(x * 2) + 1)
    fn(cr.tensor([1.0, -1.0, 2.0]))  # traced: 2 positive values
    with pytest.warns(UserWarning, match="changed shape"):
        out = fn(cr.tensor([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(out.numpy(), [3.0, 3.0, 5.0])
    with pytest.warns(UserWarning, match="no traced op computed"):
        cr.compile(lambda x: x.nonzero())(cr.ones(2))


@pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")
def test_state_dict_keys_and_attributes_are_torchs() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    ours = cr.compile(nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    theirs = torch.compile(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert type(ours).__name__ == type(theirs).__name__ == "OptimizedModule"
    assert ours.training and ours.__len__() == 2  # attributes reach the wrapped module, as torch's
    with pytest.raises(TypeError, match="not subscriptable"):
        ours[0]  # as torch's: index the ._orig_mod
    assert cr.compile(ours._orig_mod, disable=True) is ours._orig_mod


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="compile: expected a Module or a function, got int"):
        cr.compile(3)
    fn = cr.compile(lambda x, k: x * k[0])
    with pytest.warns(UserWarning, match="not hashable"):
        out = fn(cr.ones(2), [2.0])
    np.testing.assert_array_equal(out.numpy(), [2.0, 2.0])


def test_switching_train_and_eval_every_epoch_keeps_replaying() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
    compiled = cr.compile(model)
    fn = compiled._compiled
    fn.retrace_limit = 4
    x = cr.randn(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):  # more switches than the limit: each is followed by replays
            for mode in (True, False):
                model.train(mode)
                for _ in range(3):
                    np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())
    assert all(p is not None and p.verified for p in fn._cache.values())


def test_a_forward_that_sets_attributes_runs_eagerly() -> None:
    class Counting(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin, self.calls = nn.Linear(2, 2), 0

        def forward(self, x: Any) -> Any:
            self.calls += 1  # a side effect a replay would skip
            return self.lin(x)

    model = Counting()
    compiled = cr.compile(model)
    x = cr.randn(2, 2)
    with pytest.warns(UserWarning, match="module attribute was assigned"):
        for _ in range(6):
            np.testing.assert_array_equal(compiled(x).detach().numpy(), model.lin(x).detach().numpy())
    assert model.calls == 6  # every call ran forward


def test_guards_that_fail_on_every_call_end_in_eager_mode() -> None:
    model = nn.Linear(2, 2)
    compiled = cr.compile(model)
    compiled._compiled.retrace_limit = 3
    x = cr.randn(2, 2)
    with pytest.warns(UserWarning, match="retrace_limit=3"):
        for i in range(8):
            model.tag = i  # an attribute set outside forward before every call: each call retraces
            np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.__delitem__(1),
        lambda s: s.insert(1, nn.Tanh()),
        lambda s: s.append(nn.Sigmoid()),
        lambda s: s.__setitem__(0, nn.Linear(3, 3)),
    ],
    ids=["del", "insert", "append", "setitem"],
)
def test_editing_a_container_retraces(edit: Callable[[Any], Any]) -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3))
    compiled = cr.compile(model)
    x = cr.randn(4, 3)
    for _ in range(3):
        compiled(x)
    edit(model)
    for _ in range(3):
        np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())


def test_swapped_arrays_frozen_parameters_and_externals_with_history() -> None:
    """The replay's fast guard checks the externals' very arrays, ``requires_grad`` and leaf status;
    each change below must give eager's values and gradients at once (a stale array or edge would not)."""
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    compiled = cr.compile(model)
    x = cr.randn(5, 3)

    def grads_of(fn: Callable[[Any], Any]) -> tuple[np.ndarray, list[Any]]:
        model.zero_grad()
        out = fn(x)
        out.sum().backward()
        return out.detach().numpy(), [None if p.grad is None else p.grad.numpy().copy() for p in model.parameters()]

    def same_as_eager() -> None:
        for _ in range(3):  # trace, verified replay, plain replay
            (yc, gc), (ye, ge) = grads_of(compiled), grads_of(model)
            np.testing.assert_array_equal(yc, ye)
            assert [g is None for g in gc] == [g is None for g in ge]
            for a, b in zip(gc, ge):
                if a is not None:
                    np.testing.assert_array_equal(a, b)

    same_as_eager()
    model[0].weight.data = cr.randn(4, 3)  # a new array of the same shape and dtype
    same_as_eager()
    model[2].bias.requires_grad_(False)  # frozen: no gradient may reach it
    same_as_eager()
    assert model[2].bias.grad is None

    # a closed-over tensor computed with history: gradients must flow through it to ``w``
    w = cr.randn(4, requires_grad=True)
    scale = w * 2.0

    def scaled(inp: Any) -> Any:
        return model[0](inp) * scale

    compiled_scaled = cr.compile(scaled)
    for _ in range(3):
        w.grad = None
        compiled_scaled(x).sum().backward(retain_graph=True)
        got = w.grad.numpy().copy()
        w.grad = None
        scaled(x).sum().backward(retain_graph=True)
        np.testing.assert_array_equal(got, w.grad.numpy())
