"""The per-op fast paths (issue 6) agree with the general paths they short-cut.

Covers: ``Function.apply``'s unrolled 1/2/3-argument forms and its generic form, version checks
after the rewrite, the engine's bias unbroadcast and gradient "stealing" for ``x @ W.T``, the 2-D
MatMul backward, ``x.T``, ``Module.__getattr__``, and the allocation-free SGD/Adam updates (which
must be bit-identical to the textbook formulas they replace).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.engine import unbroadcast

rng = np.random.default_rng(0)


def _t(shape, grad=True, dtype=np.float32):
    return cr.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=grad)


@pytest.mark.parametrize("grad_on", [True, False])
def test_apply_arities_forward_and_grads(grad_on):
    a, b, c = _t((3, 4)), _t((3, 4)), _t((4,), grad=False)
    with cr.set_grad_enabled(grad_on):
        outs = [
            -a,  # 1 argument
            a * b,  # 2
            cr.add(a, c, alpha=2.0),  # 3 (alpha)
            cr.addcmul(a, b, c, value=0.5),  # composite / more arguments
        ]
    ref = [-a._data, a._data * b._data, a._data + 2.0 * c._data, a._data + 0.5 * b._data * c._data]
    for o, r in zip(outs, ref):
        np.testing.assert_allclose(o._data, r, rtol=1e-6)
        assert o.requires_grad is grad_on and (o.grad_fn is not None) is grad_on
    if grad_on:
        sum(o.sum() for o in outs).backward()
        ga = -1 + b._data + 1 + 1
        np.testing.assert_allclose(a.grad._data, ga, rtol=1e-6)
        np.testing.assert_allclose(b.grad._data, a._data + 0.5 * c._data, rtol=1e-6)
        assert c.grad is None


def test_needs_input_grad_per_argument():
    seen = []

    class Probe(cr.autograd.Function):
        _array_op = True

        @staticmethod
        def forward(ctx, x, y, z):
            seen.append(ctx.needs_input_grad)
            return x + y + z

        @staticmethod
        def backward(ctx, g):
            return g, g, g

    x, y = _t((2,)), _t((2,), grad=False)
    Probe.apply(x, y, 1.0).sum().backward()
    with cr.no_grad():
        Probe.apply(x, y, 1.0)
    assert seen == [(True, False, False), (False, False, False)]


@pytest.mark.parametrize("op", [lambda x, y: x * y, lambda x, y: cr.add(x, y, alpha=3.0)])
def test_inplace_change_of_saved_input_is_detected(op):
    x, y = _t((3,)), _t((3,))
    out = (op(x, y) * y).sum()  # Mul saves y
    with cr.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_saved_output_version_is_recorded():
    x = _t((3,))
    out = x.tanh()  # saves its output
    z = out.sum()
    out.add_(1.0)  # the saved output changes: backward must refuse
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


@pytest.mark.parametrize("gshape,shape", [((5, 3), (3,)), ((5, 3), (1, 3)), ((2, 5, 3), (5, 1)), ((4,), ())])
def test_unbroadcast_fast_path_matches_sum(gshape, shape):
    g = rng.standard_normal(gshape).astype(np.float32)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    ref = g.sum(axis=axes, keepdims=True).reshape(shape)
    got = unbroadcast(g, shape)
    assert type(got) is np.ndarray and got.shape == shape and got.dtype == g.dtype
    np.testing.assert_array_equal(got, ref)


def test_matmul_backward_2d_transposed_weight():
    x, w = _t((6, 5)), _t((4, 5))
    (x @ w.T).sum().backward()
    g = np.ones((6, 4), np.float32)
    np.testing.assert_allclose(w.grad._data, g.T @ x._data, rtol=1e-5)
    np.testing.assert_allclose(x.grad._data, g @ w._data, rtol=1e-5)
    assert w.grad._data.flags.c_contiguous


def test_stolen_leaf_gradient_is_private_and_accumulates():
    x, w = _t((6, 5)), _t((4, 5))
    (x @ w.T).sum().backward()
    first = w.grad._data.copy()
    (x @ w.T).sum().backward()  # accumulates in place into the (stolen) first gradient
    np.testing.assert_allclose(w.grad._data, 2 * first, rtol=1e-6)
    # a hook that keeps the gradient: the leaf must not alias what the hook holds
    w2 = _t((4, 5))
    kept = []
    w2.register_hook(lambda g: kept.append(g) or None)
    (x @ w2.T).sum().backward()
    assert not np.shares_memory(w2.grad._data, kept[0]._data) or w2.grad._data is kept[0]._data
    w2.grad._data[...] = 0  # whatever aliasing rule applies, the hook's copy stays intact
    np.testing.assert_allclose(kept[0]._data, first, rtol=1e-6)


def test_two_leaves_never_share_a_gradient():
    a = _t((3, 4))
    b = _t((3, 4))
    (a + b).sum().backward()  # Add returns the same array for both
    assert not np.shares_memory(a.grad._data, b.grad._data)


@pytest.mark.parametrize("shape", [(), (3,), (3, 4), (2, 3, 4)])
def test_T_property(shape):
    x = _t(shape)
    y = x.T
    np.testing.assert_array_equal(y._data, x._data.T)
    (y * cr.tensor(np.arange(y.numel(), dtype=np.float32).reshape(y.shape))).sum().backward()
    np.testing.assert_array_equal(x.grad._data, np.arange(x.numel(), dtype=np.float32).reshape(y.shape).T)


def test_module_getattr_fast_path():
    m = cr.nn.BatchNorm1d(3)
    m.extra = cr.nn.Linear(2, 2)
    assert m.weight is m._parameters["weight"]
    assert m.running_mean is m._buffers["running_mean"]
    assert m.extra is m._modules["extra"]
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        m.nope  # noqa: B018


def _grads(params):
    for p in params:
        p.grad = cr.tensor(rng.standard_normal(p.shape).astype(np.float32))


def test_sgd_fast_group_bit_identical():
    ps = [_t((3, 4)), _t((3, 4)), _t((4,))]  # two same-shape params share the scratch buffer
    ref = [p._data.copy() for p in ps]
    opt = cr.optim.SGD(ps, lr=0.1)
    for _ in range(3):
        _grads(ps)
        for r, p in zip(ref, ps):
            r -= 0.1 * p.grad._data
        v = [p._version for p in ps]
        opt.step()
        assert [p._version for p in ps] == [x + 1 for x in v]
    for r, p in zip(ref, ps):
        np.testing.assert_array_equal(p._data, r)
    assert not opt.state  # plain SGD keeps no state, as PyTorch


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_scratch_update_bit_identical(amsgrad):
    ps = [_t((3, 4)), _t((3, 4)), _t((4,))]
    ref = [p._data.copy() for p in ps]
    m = [np.zeros_like(r) for r in ref]
    v = [np.zeros_like(r) for r in ref]
    vmax = [np.zeros_like(r) for r in ref]
    lr, b1, b2, eps = 1e-2, 0.9, 0.999, 1e-8
    opt = cr.optim.Adam(ps, lr=lr, amsgrad=amsgrad)
    for step in range(1, 4):
        _grads(ps)
        for i, p in enumerate(ps):
            g = p.grad._data
            m[i] += (1 - b1) * (g - m[i])
            v[i] *= b2
            v[i] += (1 - b2) * (g * g)
            vh = v[i]
            if amsgrad:
                np.maximum(vmax[i], v[i], out=vmax[i])
                vh = vmax[i]
            denom = np.sqrt(vh)
            denom /= math.sqrt(1 - b2**step)
            denom += eps
            ref[i] -= lr / (1 - b1**step) * (m[i] / denom)
        opt.step()
    for r, p in zip(ref, ps):
        np.testing.assert_array_equal(p._data, r)
    for p, mi in zip(ps, m):
        np.testing.assert_array_equal(opt.state[p]["exp_avg"]._data, mi)
    assert set(opt.state_dict()["state"][0]) == {"step", "exp_avg", "exp_avg_sq"} | (
        {"max_exp_avg_sq"} if amsgrad else set()
    )
