"""Transforms composed with ``vmap`` against ``torch.func``: per-sample gradients of an MLP and a small CNN,
``vmap(jacrev)``, ``vmap(grad(grad))``, gradients through ``vmap``, and the batched cost (op calls per batch)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.function import Function
from chainrule.func import functional_call, grad, jacrev, vmap

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for vmap")

RNG = np.random.default_rng(1)


def _pair(make_torch, make_ours):
    """The same network in both libraries, float64, with PyTorch's initial weights copied into ours."""
    torch.manual_seed(0)
    tm = make_torch().double()
    cm = make_ours().double()
    cm.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, cm


def _mlp():
    return _pair(
        lambda: torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16),
                                    torch.nn.LayerNorm(16), torch.nn.ReLU(), torch.nn.Linear(16, 4)),
        lambda: cr.nn.Sequential(cr.nn.Linear(6, 16), cr.nn.Tanh(), cr.nn.Linear(16, 16),
                                 cr.nn.LayerNorm(16), cr.nn.ReLU(), cr.nn.Linear(16, 4)),
    )  # fmt: skip


def _cnn():
    return _pair(
        lambda: torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.GroupNorm(2, 4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                    torch.nn.Conv2d(4, 4, 3), torch.nn.Flatten(), torch.nn.Linear(16, 3)),
        lambda: cr.nn.Sequential(cr.nn.Conv2d(2, 4, 3, padding=1), cr.nn.GroupNorm(2, 4), cr.nn.ReLU(), cr.nn.MaxPool2d(2),
                                 cr.nn.Conv2d(4, 4, 3), cr.nn.Flatten(), cr.nn.Linear(16, 3)),
    )  # fmt: skip


def _per_sample_grads(lib, model, x, y):
    func = lib.func if lib is cr else torch.func
    F = lib.nn.functional

    def loss(params, xi, yi):
        out = func.functional_call(model, params, (xi.unsqueeze(0),))
        return F.cross_entropy(out, yi.unsqueeze(0))

    params = {k: v.detach() for k, v in model.named_parameters()}
    return func.vmap(func.grad(loss), in_dims=(None, 0, 0))(params, x, y)


@pytest.mark.parametrize(("make", "xshape"), [(_mlp, (6,)), (_cnn, (2, 8, 8))], ids=["mlp", "cnn"])
def test_per_sample_gradients_match_torch_func(make, xshape) -> None:
    tm, cm = make()
    x = RNG.standard_normal((7, *xshape))
    y = RNG.integers(0, 3, 7)
    theirs = _per_sample_grads(torch, tm, torch.tensor(x), torch.tensor(y))
    ours = _per_sample_grads(cr, cm, cr.tensor(x), cr.tensor(y))
    assert set(ours) == set(theirs)
    for k in theirs:
        assert type(ours[k]) is cr.Tensor and tuple(ours[k].shape) == (7, *theirs[k].shape[1:])
        np.testing.assert_allclose(ours[k].numpy(), theirs[k].numpy(), rtol=1e-10, atol=1e-12)


def test_per_sample_gradients_equal_a_loop_of_single_sample_gradients() -> None:
    _, cm = _mlp()
    x, y = cr.tensor(RNG.standard_normal((5, 6))), cr.tensor(RNG.integers(0, 4, 5))
    batched = _per_sample_grads(cr, cm, x, y)
    params = {k: v.detach() for k, v in cm.named_parameters()}
    for i in range(5):
        single = grad(lambda p, i=i: cr.nn.functional.cross_entropy(functional_call(cm, p, (x[i : i + 1],)), y[i : i + 1]))(params)
        for k in params:
            np.testing.assert_allclose(batched[k][i].numpy(), single[k].numpy(), rtol=1e-12, atol=1e-14)


def test_vmap_of_jacrev_and_of_second_derivatives() -> None:
    x = RNG.standard_normal((4, 3))
    w = RNG.standard_normal((2, 3))

    def f(lib):
        return lambda v, m: lib.tanh(m @ v) * v.sum()

    ours = vmap(jacrev(f(cr)), in_dims=(0, None))(cr.tensor(x), cr.tensor(w))
    theirs = torch.func.vmap(torch.func.jacrev(f(torch)), in_dims=(0, None))(torch.tensor(x), torch.tensor(w))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)

    def s(lib):
        return lambda t: lib.sin(t) * t**3

    t = RNG.standard_normal(6)
    ours = vmap(grad(grad(s(cr))))(cr.tensor(t))
    theirs = torch.func.vmap(torch.func.grad(torch.func.grad(s(torch))))(torch.tensor(t))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)
    # grad with respect to a mapped and an unmapped argument at once
    g = lambda lib: lib.func.grad(lambda v, m: (lib.tanh(m @ v) ** 2).sum(), argnums=(0, 1))  # noqa: E731
    ours = vmap(g(cr), in_dims=(0, None))(cr.tensor(x), cr.tensor(w))
    theirs = torch.func.vmap(g(torch), in_dims=(0, None))(torch.tensor(x), torch.tensor(w))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


def test_backward_through_vmap_sums_over_the_batch_as_torch() -> None:
    x, w = RNG.standard_normal((5, 3)), RNG.standard_normal((4, 3))
    grads = []
    for lib in (cr, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        vm = cr.func.vmap if lib is cr else torch.func.vmap
        out = vm(lambda v, m, lib=lib: lib.softmax(m @ v, 0)[1:].sum() * v.norm(), in_dims=(0, None))(xt, wt)
        (out**2).sum().backward()
        grads.append((xt.grad.numpy(), wt.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    # and a grad of a vmapped function (the outer transform differentiates through the batched ops)
    ours = grad(lambda m: vmap(lambda v, mm: (mm @ v).exp().sum(), in_dims=(0, None))(cr.tensor(x), m).sum())(cr.tensor(w))
    theirs = torch.func.grad(lambda m: torch.func.vmap(lambda v, mm: (mm @ v).exp().sum(), in_dims=(0, None))(
        torch.tensor(x), m).sum())(torch.tensor(w))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)


def _count_applies(monkeypatch, run) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    original = Function.apply.__func__

    def counting(cls, *args):
        counts[cls.__name__] += 1
        return original(cls, *args)

    monkeypatch.setattr(Function, "apply", classmethod(counting))
    run()
    monkeypatch.setattr(Function, "apply", classmethod(original))
    return counts


def test_per_sample_gradients_call_each_op_a_constant_number_of_times(monkeypatch) -> None:
    """One batched forward+backward: the op calls do not grow with the batch (64 samples = 4 samples)."""
    for make, xshape in ((_mlp, (6,)), (_cnn, (2, 8, 8))):
        _, cm = make()

        def run(n, cm=cm, xshape=xshape):
            x, y = cr.tensor(RNG.standard_normal((n, *xshape))), cr.tensor(RNG.integers(0, 3, n))
            return lambda: _per_sample_grads(cr, cm, x, y)

        small, large = _count_applies(monkeypatch, run(4)), _count_applies(monkeypatch, run(64))
        assert small == large
        assert small["ConvNd" if make is _cnn else "Linear"] <= 4 * (2 if make is _cnn else 3)
        assert sum(large.values()) < 200


X3 = RNG.standard_normal((3, 4, 5))
W2 = RNG.standard_normal((2, 5))


def _f(m):
    return lambda x, w: (m.tanh(w @ x) ** 2).sum()


COMPOSITIONS = {
    "vmap_vmap_grad": (lambda m: m.func.vmap(m.func.vmap(m.func.grad(_f(m), argnums=1), in_dims=(0, None)), in_dims=(0, None)), (X3, W2)),
    "vmap_hessian": (lambda m: m.func.vmap(m.func.hessian(_f(m)), in_dims=(0, None)), (X3[0], W2)),
    "vmap_jacfwd": (lambda m: m.func.vmap(m.func.jacfwd(lambda x, w: m.tanh(w @ x)), in_dims=(0, None)), (X3[0], W2)),
    "jacrev_of_vmap": (lambda m: m.func.jacrev(m.func.vmap(lambda x, w: m.tanh(w @ x), in_dims=(0, None)), argnums=1), (X3[0], W2)),
    "grad_of_vmap_grad": (lambda m: m.func.grad(lambda w, x: m.func.vmap(m.func.grad(_f(m), argnums=1), in_dims=(0, None))(x, w).pow(2).sum()), (W2, X3[0])),
    "vmap_vjp": (lambda m: m.func.vmap(lambda x, w: m.func.vjp(lambda a: m.tanh(w @ a), x)[1](m.ones(2, dtype=m.float64))[0], in_dims=(0, None)), (X3[0], W2)),
    "vmap_jvp": (lambda m: m.func.vmap(lambda x, w: m.func.jvp(lambda a: m.tanh(w @ a), (x,), (m.ones(5, dtype=m.float64),))[1], in_dims=(0, None)), (X3[0], W2)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMPOSITIONS))
def test_transform_compositions_match_torch_func(name: str) -> None:
    make, arrays = COMPOSITIONS[name]
    ours = make(cr)(*[cr.tensor(a) for a in arrays])
    theirs = make(torch)(*[torch.tensor(a) for a in arrays])
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_gradcheck_through_batched_rules() -> None:
    """Float64 gradient checks (and second order) through the batched paths: per-sample conv filters
    (grouped convolution), per-sample linear weights (batched matmul), norms, losses."""
    F = cr.nn.functional
    x = cr.tensor(RNG.standard_normal((2, 2, 5, 5)), requires_grad=True)
    w = cr.tensor(RNG.standard_normal((2, 3, 2, 3, 3)), requires_grad=True)
    lw = cr.tensor(RNG.standard_normal((2, 4, 27)), requires_grad=True)
    t = cr.tensor(RNG.integers(0, 4, 2))

    def per_sample(xi, wi, lwi, ti):
        h = F.group_norm(F.conv2d(xi.unsqueeze(0), wi, padding=0), 3).tanh()
        out = F.layer_norm(F.linear(h.flatten(1), lwi), (4,))
        return F.cross_entropy(out, ti.unsqueeze(0))

    def f(x, w, lw):
        return vmap(per_sample)(x, w, lw, t)

    assert cr.autograd.gradcheck(f, (x, w, lw))
    x1 = x.detach()[:, 0].requires_grad_()
    assert cr.autograd.gradgradcheck(lambda x, lw: vmap(lambda a, b: F.linear(a.flatten(), b).tanh().sum())(x, lw[:, :, :25]), (x1, lw))
    assert cr.autograd.gradgradcheck(lambda x, w: vmap(lambda a, b: F.conv2d(a, b).tanh())(x, w), (x, w))


def test_vmap_of_vjp_fn_gives_jacobian_rows_like_torch_func() -> None:
    """``vjp`` taken outside the vmap, its ``vjp_fn`` mapped over unit cotangents: each row is its own
    vᵀ·J (the graph was built once; only the cotangents are batched), not the sum of all rows."""
    from chainrule.func import vjp

    w, b, x = RNG.standard_normal((5, 4)), RNG.standard_normal(5), RNG.standard_normal(4)
    cots = RNG.standard_normal((3, 2, 5))  # two batch levels' worth of cotangents, as nested vmaps give

    def ours(x):
        return cr.nn.functional.linear(x, cr.tensor(w), cr.tensor(b)).tanh()

    def theirs(x):
        return torch.nn.functional.linear(x, torch.tensor(w), torch.tensor(b)).tanh()

    _, c_fn = vjp(ours, cr.tensor(x))
    _, t_fn = torch.func.vjp(theirs, torch.tensor(x))
    c_rows, = vmap(c_fn)(cr.eye(5, dtype=cr.float64))
    t_rows, = torch.func.vmap(t_fn)(torch.eye(5, dtype=torch.float64))
    np.testing.assert_allclose(c_rows.numpy(), t_rows.numpy(), rtol=1e-12)
    c_nested, = vmap(vmap(c_fn))(cr.tensor(cots))
    t_nested, = torch.func.vmap(torch.func.vmap(t_fn))(torch.tensor(cots))
    np.testing.assert_allclose(c_nested.numpy(), t_nested.numpy(), rtol=1e-12)
    # the same vjp_fn still works unbatched afterwards (the graph was retained)
    np.testing.assert_allclose(c_fn(cr.tensor(cots[0, 0]))[0].numpy(), t_fn(torch.tensor(cots[0, 0]))[0].numpy(),
                               rtol=1e-12)
