"""Forward-mode AD (``autograd.forward_ad``) against ``torch.autograd.forward_ad`` on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.autograd.forward_ad as fwAD
from chainrule.autograd._jvp import ForwardADNotImplemented
from chainrule.autograd.function import Function

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for forward-mode AD")
tfw = torch.autograd.forward_ad

RNG = np.random.default_rng(7)


def _r(*shape, positive=False):
    a = RNG.standard_normal(shape)
    return np.abs(a) + 0.5 if positive else a


def _jvp(m, fw, fn, primals, tangents):
    """(primal out, tangent out) of fn at primals in direction tangents, as NumPy arrays."""
    with fw.dual_level():
        duals = [fw.make_dual(m.tensor(p), m.tensor(t)) for p, t in zip(primals, tangents)]
        out = fn(m, *duals)
        outs = out if isinstance(out, tuple) else (out,)
        res = []
        for o in outs:
            p, t = fw.unpack_dual(o)
            res.append((p.detach().numpy(), None if t is None else t.detach().numpy()))
    return res


def _check(fn, primals, tangents=None, rtol=1e-10, atol=1e-12):
    tangents = tangents if tangents is not None else [_r(*np.shape(p)) for p in primals]
    ours = _jvp(cr, fwAD, fn, primals, tangents)
    theirs = _jvp(torch, tfw, fn, primals, tangents)
    assert len(ours) == len(theirs)
    for (p, t), (tp, tt) in zip(ours, theirs):
        np.testing.assert_allclose(p, tp, rtol=rtol, atol=atol)
        assert t is not None, "the output has no tangent"
        np.testing.assert_allclose(t, tt, rtol=rtol, atol=atol)
    return ours


UNARY = {
    "exp": lambda m, x: m.exp(x), "log": lambda m, x: m.log(x.abs() + 0.5), "sin": lambda m, x: m.sin(x),
    "cos": lambda m, x: m.cos(x), "tanh": lambda m, x: m.tanh(x), "sigmoid": lambda m, x: m.sigmoid(x),
    "sqrt": lambda m, x: m.sqrt(x * x + 1), "abs": lambda m, x: x.abs(), "neg": lambda m, x: -x,
    "erf": lambda m, x: m.erf(x), "rsqrt": lambda m, x: m.rsqrt(x * x + 1), "square": lambda m, x: m.square(x),
    "relu": lambda m, x: m.relu(x), "gelu": lambda m, x: m.nn.functional.gelu(x),
    "gelu_tanh": lambda m, x: m.nn.functional.gelu(x, approximate="tanh"), "silu": lambda m, x: m.nn.functional.silu(x),
    "softplus": lambda m, x: m.nn.functional.softplus(x, beta=2.0), "leaky_relu": lambda m, x: m.nn.functional.leaky_relu(x, 0.1),
    "elu": lambda m, x: m.nn.functional.elu(x), "logsigmoid": lambda m, x: m.nn.functional.logsigmoid(x),
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x, -0.5, 0.5), "clamp": lambda m, x: x.clamp(-0.5, 0.7),
    "softmax": lambda m, x: m.softmax(x, -1), "log_softmax": lambda m, x: m.log_softmax(x, 1),
    "softmax0": lambda m, x: m.softmax(x, 0),
    "sum": lambda m, x: x.sum(), "sum_dim": lambda m, x: x.sum(1, keepdim=True), "mean": lambda m, x: x.mean(0),
    "var": lambda m, x: x.var(1), "logsumexp": lambda m, x: m.logsumexp(x, 1), "prod_all": lambda m, x: x.prod(),
    "amax": lambda m, x: x.amax(1), "norm": lambda m, x: x.norm(),
    "reshape": lambda m, x: x.reshape(4, 3), "t": lambda m, x: x.t(), "permute": lambda m, x: x.permute(1, 0),
    "expand": lambda m, x: x[:, :1].expand(3, 5), "getitem": lambda m, x: x[1:, ::2], "index": lambda m, x: x[[0, 2, 0]],
    "flip": lambda m, x: x.flip(0), "split": lambda m, x: x.split([1, 3], 1), "unbind": lambda m, x: x.unbind(0),
    "cat": lambda m, x: m.cat([x, x * 2], 0), "stack": lambda m, x: m.stack([x, x.exp()], 1),
    "cumsum": lambda m, x: x.cumsum(1), "where": lambda m, x: m.where(x > 0, x, x * x),
    "pow_scalar": lambda m, x: x ** 3, "to_float32": lambda m, x: x.float().double(),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(UNARY))
def test_one_input_ops_match_torch(name):
    _check(UNARY[name], [_r(3, 4)])


BINARY = {
    "add": lambda m, a, b: a + b, "add_alpha": lambda m, a, b: m.add(a, b, alpha=2.5), "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b, "div": lambda m, a, b: a / (b * b + 1), "pow": lambda m, a, b: (a * a + 1) ** b,
    "maximum": lambda m, a, b: m.maximum(a, b), "minimum": lambda m, a, b: m.minimum(a, b),
    "atan2": lambda m, a, b: m.atan2(a, b), "matmul": lambda m, a, b: a @ b.T,
    "linear": lambda m, a, b: m.nn.functional.linear(a, b, b[:, 0]),
    "mse": lambda m, a, b: m.nn.functional.mse_loss(a, b), "l1": lambda m, a, b: m.nn.functional.l1_loss(a, b),
    "smooth_l1": lambda m, a, b: m.nn.functional.smooth_l1_loss(a, b),
    "bce_logits": lambda m, a, b: m.nn.functional.binary_cross_entropy_with_logits(a, m.sigmoid(b)),
    "bce": lambda m, a, b: m.nn.functional.binary_cross_entropy(m.sigmoid(a), m.sigmoid(b)),
    "kl_div": lambda m, a, b: m.nn.functional.kl_div(m.log_softmax(a, 1), m.softmax(b, 1), reduction="batchmean"),
    "cross_entropy_prob": lambda m, a, b: m.nn.functional.cross_entropy(a, m.softmax(b, 1)),
    "layer_norm": lambda m, a, b: m.nn.functional.layer_norm(a, (4,), b[0], b[1]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BINARY))
def test_two_input_ops_and_losses_match_torch(name):
    _check(BINARY[name], [_r(3, 4), _r(3, 4)])


def test_broadcasting_and_a_tangent_on_one_input_only():
    a, b = _r(3, 1), _r(1, 4)
    with fwAD.dual_level():
        x = fwAD.make_dual(cr.tensor(a), cr.tensor(np.ones((3, 1))))
        t = fwAD.unpack_dual(x * cr.tensor(b) + cr.tensor(b)).tangent
    np.testing.assert_allclose(t.numpy(), np.broadcast_to(b, (3, 4)))
    _check(lambda m, x, y: x * y + m.exp(y) / (1 + x * x), [a, b])


def test_class_losses_with_integer_targets():
    y = np.array([0, 2, 1])
    for fn in (
        lambda m, x: m.nn.functional.cross_entropy(x, m.tensor(y)),
        lambda m, x: m.nn.functional.cross_entropy(x, m.tensor(y), label_smoothing=0.1),
        lambda m, x: m.nn.functional.nll_loss(m.log_softmax(x, 1), m.tensor(y), reduction="sum"),
    ):
        _check(fn, [_r(3, 4)])


def _mlp(m):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3), torch.nn.ReLU(),
                              torch.nn.Linear(3, 2)).double()  # fmt: skip
    if m is torch:
        return net
    ours = cr.nn.Sequential(cr.nn.Linear(4, 8), cr.nn.Tanh(), cr.nn.Linear(8, 3), cr.nn.ReLU(), cr.nn.Linear(3, 2)).double()
    ours.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in net.state_dict().items()})
    return ours


def test_mlp_input_tangent_matches_torch():
    nets = {cr: _mlp(cr), torch: _mlp(torch)}
    _check(lambda m, x: nets[m](x), [_r(5, 4)])


def test_mlp_weight_tangents_through_functional_call():
    net_t, net_c = _mlp(torch), _mlp(cr)
    names = [n for n, _ in net_t.named_parameters()]
    ps = [p.detach().numpy() for _, p in net_t.named_parameters()]
    x = _r(5, 4)

    def f(m, *params):
        net = net_c if m is cr else net_t
        call = cr.func.functional_call if m is cr else torch.func.functional_call
        return call(net, dict(zip(names, params)), (m.tensor(x),)).sum()

    _check(f, ps)


def test_small_cnn_matches_torch():
    torch.manual_seed(1)
    conv_w, conv_b, fc_w, fc_b = _r(4, 2, 3, 3), _r(4), _r(3, 16), _r(3)

    def f(m, x, cw):
        F = m.nn.functional
        h = F.max_pool2d(F.relu(F.conv2d(x, cw, m.tensor(conv_b), padding=1)), 2)
        h = F.avg_pool2d(h, 2).flatten(1)
        h = F.batch_norm(h, None, None, training=True)
        return F.log_softmax(F.linear(h, m.tensor(fc_w[:, :16]), m.tensor(fc_b)), 1)

    _check(f, [_r(2, 2, 8, 8), conv_w], rtol=1e-8, atol=1e-10)


def test_attention_block_matches_torch():
    wq, wo = _r(8, 8) * 0.3, _r(8, 8) * 0.3

    def f(m, x, wk):
        F = m.nn.functional
        q, k, v = F.linear(x, m.tensor(wq)), F.linear(x, wk), x
        split = lambda t: t.reshape(2, 5, 2, 4).transpose(1, 2)  # noqa: E731
        a = F.scaled_dot_product_attention(split(q), split(k), split(v), is_causal=True)
        h = x + F.linear(a.transpose(1, 2).reshape(2, 5, 8), m.tensor(wo))
        return F.layer_norm(h, (8,)).pow(2).mean()

    from torch.nn.attention import SDPBackend, sdpa_kernel

    with sdpa_kernel(SDPBackend.MATH):  # torch's fused CPU kernel has no forward AD
        _check(f, [_r(2, 5, 8), _r(8, 8) * 0.3], rtol=1e-8, atol=1e-10)


def test_attention_softmax_form_matches_torch():
    def f(m, q, k):
        s = q @ k.transpose(-2, -1) / 2.0
        return m.softmax(s.masked_fill(m.tensor(np.triu(np.ones((4, 4), bool), 1)), -1e9), -1) @ k

    _check(f, [_r(2, 4, 4), _r(2, 4, 4)])


# --- the JVP rules agree with the double-vjp trick ---------------------------------------------------
RULED = ["add", "sub", "mul", "div", "pow", "maximum", "matmul", "linear"]
RULED_UNARY = ["exp", "tanh", "sigmoid", "relu", "softplus", "elu", "softmax", "log_softmax", "sum_dim", "mean",
               "reshape", "permute", "getitem", "index", "cat", "split", "clamp", "abs", "where"]  # fmt: skip


def _without_rules(monkeypatch):
    """Hide every JVP rule, so each op falls back to the double-vjp trick."""
    classes = set()

    def walk(c):
        for s in c.__subclasses__():
            classes.add(s)
            walk(s)

    walk(Function)
    for c in classes:
        if "jvp" in c.__dict__ or any("jvp" in b.__dict__ for b in c.__mro__[1:] if b is not Function):
            monkeypatch.setattr(c, "jvp", Function.jvp, raising=False)
        if getattr(c, "_jvp_linear", False):
            monkeypatch.setattr(c, "_jvp_linear", False, raising=False)


@pytest.mark.parametrize("name", RULED + RULED_UNARY)
def test_jvp_rules_agree_with_the_double_vjp_trick(name, monkeypatch):
    fn = BINARY.get(name) or UNARY[name]
    prim = [_r(3, 4), _r(3, 4)] if name in BINARY else [_r(3, 4)]
    tans = [_r(3, 4) for _ in prim]
    ruled = _jvp(cr, fwAD, fn, prim, tans)
    _without_rules(monkeypatch)
    trick = _jvp(cr, fwAD, fn, prim, tans)
    for (_, t), (_, t2) in zip(ruled, trick):
        np.testing.assert_allclose(t, t2, rtol=1e-12, atol=1e-13)


# --- reverse over forward, forward over reverse ----------------------------------------------------
def test_tangent_is_differentiable_in_reverse_mode():
    x0, v0 = _r(4), _r(4)
    res = []
    for m, fw in ((cr, fwAD), (torch, tfw)):
        x, v = m.tensor(x0, requires_grad=True), m.tensor(v0, requires_grad=True)
        with fw.dual_level():
            y = m.tanh(fw.make_dual(x, v) * 2).pow(2).sum()
            t = fw.unpack_dual(y).tangent
        gx, gv = m.autograd.grad(t, (x, v))
        res.append((t.detach().numpy(), gx.numpy(), gv.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_forward_over_reverse_gives_the_hessian_vector_product():
    x0, v0 = _r(5), _r(5)
    res = []
    for m, fw in ((cr, fwAD), (torch, tfw)):
        x = m.tensor(x0, requires_grad=True)
        with fw.dual_level():
            xd = fw.make_dual(x, m.tensor(v0))
            y = (m.sin(xd) * xd.exp() + m.softmax(xd, 0) * xd).sum()
            (g,) = m.autograd.grad(y, x, create_graph=True)
            res.append(fw.unpack_dual(g).tangent.detach().numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-10, atol=1e-12)


def test_custom_function_with_and_without_jvp():
    class Cube(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return 3 * x * x * t

    class NoJvp(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    with fwAD.dual_level():
        x = fwAD.make_dual(cr.tensor([1.0, 2.0]), cr.tensor([1.0, 1.0]))
        assert fwAD.unpack_dual(Cube.apply(x)).tangent.tolist() == [3.0, 12.0]
        with pytest.raises(RuntimeError, match="implement the jvp function"):
            NoJvp.apply(x)


# --- the API and its errors, as torch ---------------------------------------------------------------
def _err(fn, *args):
    with pytest.raises(Exception) as e:
        fn(*args)
    return e.value


def test_errors_as_torch():
    x, bad = np.zeros(3), np.zeros(4)
    for m, fw in ((cr, fwAD), (torch, tfw)):
        e = _err(fw.make_dual, m.tensor(x), m.tensor(x))
        assert type(e) is RuntimeError and "no level exists" in str(e)
    with fwAD.dual_level(), tfw.dual_level():
        pairs = [
            (lambda m, fw: fw.make_dual(m.tensor(x), m.tensor(bad)), "different size"),
            (lambda m, fw: fw.make_dual(m.tensor(x), m.tensor([1, 2, 3])), "Expected tangent to be floating point"),
            (lambda m, fw: fw.make_dual(m.tensor([1, 2, 3]), m.tensor(x)), "Expected primal to be floating point"),
            (lambda m, fw: fw.make_dual(fw.make_dual(m.tensor(x), m.tensor(x)), m.tensor(x)), "already has a forward"),
            (lambda m, fw: fw.exit_dual_level(level=5), "not the last one"),
        ]
        for make, text in pairs:
            ours, theirs = _err(make, cr, fwAD), _err(make, torch, tfw)
            assert type(ours) is type(theirs), (text, ours, theirs)
            assert text in str(ours) and text in str(theirs)
        for fw in (fwAD, tfw):
            e = _err(fw.dual_level().__enter__)
            assert type(e) is RuntimeError and "Nested forward mode AD is not supported" in str(e)


def test_level_lifecycle_and_unpack():
    x = cr.tensor([1.0, 2.0])
    assert fwAD.unpack_dual(x) == (x, None)
    with fwAD.dual_level() as level:
        assert level == 0
        d = fwAD.make_dual(x, cr.tensor([3.0, 4.0], dtype=cr.float32))
        assert d is not x and fwAD.unpack_dual(x).tangent is None
        p, t = fwAD.unpack_dual(d)
        assert isinstance(fwAD.unpack_dual(d), fwAD.UnpackedDualTensor)
        assert p.tolist() == [1.0, 2.0] and t.tolist() == [3.0, 4.0] and fwAD.unpack_dual(p).tangent is None
        assert fwAD.unpack_dual(d.detach()).tangent is None  # detach drops the tangent, as in torch
        y = d * 2
    assert fwAD.unpack_dual(y).tangent is None  # the level's tangents are gone after exit
    with pytest.raises(RuntimeError, match="no dual level is active"):
        fwAD.exit_dual_level()
    assert cr.autograd.forward_ad is fwAD


def test_level_exit_after_an_error_and_op_without_forward_ad(monkeypatch):
    class Opaque(Function):
        _array_op = True

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    with pytest.raises(ForwardADNotImplemented, match="OpaqueBackward: forward-mode AD"):
        with fwAD.dual_level():
            Opaque.apply(fwAD.make_dual(cr.tensor([1.0, 2.0]), cr.tensor([1.0, 1.0])))
    with fwAD.dual_level():  # the level was exited: a new one can be entered
        pass
    # no level: apply takes its usual path
    assert Opaque.apply(cr.tensor([1.0])).tolist() == [2.0]


# --- func.jvp / jacfwd / functional.jacobian in forward mode ----------------------------------------
def _no_double_vjp(monkeypatch):
    """Make the double-vjp fallbacks fail, so a passing call proves it ran on dual numbers."""
    import chainrule.autograd.functional as F
    import chainrule.func as func

    def boom(*a, **k):
        raise AssertionError("the double-vjp fallback ran")

    monkeypatch.setattr(func, "_jvp_double_vjp", boom)
    monkeypatch.setattr(F, "_jac_forward", boom)


def _mlp_fn(m):
    w1, b1, w2 = (m.tensor(a) for a in (_W1, _B1, _W2))
    return lambda x: m.tanh(m.nn.functional.linear(x, w1, b1)).relu() @ w2.T


_W1, _B1, _W2 = _r(6, 4), _r(6), _r(3, 6)


def _close(a, b, tol=1e-10):
    if isinstance(a, (tuple, list)):
        for x, y in zip(a, b):
            _close(x, y, tol)
        return
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def test_func_jvp_and_jacfwd_run_on_dual_numbers_and_match_torch(monkeypatch):
    _no_double_vjp(monkeypatch)
    x, v = _r(2, 4), _r(2, 4)
    _close(cr.func.jvp(_mlp_fn(cr), (cr.tensor(x),), (cr.tensor(v),)),
           torch.func.jvp(_mlp_fn(torch), (torch.tensor(x),), (torch.tensor(v),)))  # fmt: skip
    _close(cr.func.jacfwd(_mlp_fn(cr))(cr.tensor(x[0])), torch.func.jacfwd(_mlp_fn(torch))(torch.tensor(x[0])))
    f = lambda m: lambda a, b: (m.sin(a) * b, (a * b).sum())  # noqa: E731
    _close(cr.func.jacfwd(f(cr), argnums=(0, 1))(cr.tensor(x[0]), cr.tensor(v[0])),
           torch.func.jacfwd(f(torch), argnums=(0, 1))(torch.tensor(x[0]), torch.tensor(v[0])))  # fmt: skip
    jt = torch.autograd.functional.jacobian(_mlp_fn(torch), torch.tensor(x), strategy="forward-mode", vectorize=True)
    jc = cr.autograd.functional.jacobian(_mlp_fn(cr), cr.tensor(x), strategy="forward-mode", vectorize=True)
    _close(jc, jt)


def test_hessians_forward_over_reverse_match_torch(monkeypatch):
    _no_double_vjp(monkeypatch)
    x = _r(4)
    f = lambda m: lambda z: (m.softmax(z, 0) * m.sin(z)).sum() + (z**3).sum() * z[0]  # noqa: E731
    _close(cr.func.hessian(f(cr))(cr.tensor(x)), torch.func.hessian(f(torch))(torch.tensor(x)))
    _close(cr.func.jacfwd(cr.func.jacrev(f(cr)))(cr.tensor(x)), torch.func.jacfwd(torch.func.jacrev(f(torch)))(torch.tensor(x)))
    _close(cr.func.jacrev(cr.func.jacfwd(f(cr)))(cr.tensor(x)), torch.func.jacrev(torch.func.jacfwd(f(torch)))(torch.tensor(x)))
    _close(
        cr.autograd.functional.hessian(f(cr), cr.tensor(x), vectorize=True, outer_jacobian_strategy="forward-mode"),
        torch.autograd.functional.hessian(f(torch), torch.tensor(x), vectorize=True, outer_jacobian_strategy="forward-mode"),
    )  # fmt: skip
    v = _r(4)
    hvp = lambda m: m.func.jvp(m.func.grad(f(m)), (m.tensor(x),), (m.tensor(v),))[1]  # noqa: E731
    _close(hvp(cr), hvp(torch))


def test_func_jvp_falls_back_to_double_vjp_for_an_op_without_forward_mode():
    class Twice(Function):
        """out = 2x, VJP 2g, with a recordable backward but no JVP rule."""

        _array_op = True
        _graph_backward = True

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Opaque(Twice):
        _graph_backward = False

    x, v = cr.tensor([1.0, 2.0]), cr.tensor([1.0, -1.0])
    assert cr.func.jvp(lambda z: Twice.apply(z) ** 2, (x,), (v,))[1].tolist() == [8.0, -16.0]
    with pytest.raises(RuntimeError, match="OpaqueBackward"):  # neither way works: reverse-mode's error
        cr.func.jvp(lambda z: Opaque.apply(z) ** 2, (x,), (v,))


def test_in_place_ops_update_the_tangent_as_torch():
    a, b, ta = _r(3), _r(3), _r(3)
    res = []
    for m, fw in ((cr, fwAD), (torch, tfw)):
        with fw.dual_level():
            x = fw.make_dual(m.tensor(a), m.tensor(ta))
            y = m.tensor(b).clone()
            y.mul_(x)  # y had no tangent: it takes b·ẋ
            z = x.clone()
            z.add_(1.0).mul_(2.0)
            w = x * 1.0
            w.copy_(m.tensor(b))  # overwritten by a constant: tangent zero (torch) or none
            tw = fw.unpack_dual(w).tangent
            res.append([fw.unpack_dual(y).tangent.numpy(), fw.unpack_dual(z).tangent.numpy(),
                        np.zeros(3) if tw is None else tw.numpy()])  # fmt: skip
    for ours, theirs in zip(*res):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_hessian_through_fused_ops_matches_torch(monkeypatch):
    _no_double_vjp(monkeypatch)
    w = _r(3, 6)

    def f(m):
        F = m.nn.functional

        def g(x):
            h = F.gelu(F.layer_norm(x.reshape(2, 3), (3,)))
            return F.cross_entropy(h @ m.tensor(w[:, :3]).T, m.tensor([0, 2])) + F.mse_loss(F.silu(x), m.tensor(w[0]))

        return g

    x = _r(6)
    expected = torch.func.hessian(f(torch))(torch.tensor(x))
    _close(cr.func.hessian(f(cr))(cr.tensor(x)), expected)  # forward over reverse, through the composites
    _close(cr.func.jacrev(cr.func.jacfwd(f(cr)))(cr.tensor(x)), expected)  # reverse over forward


LINEAR_MAPS = {
    "adaptive_avg_pool2d": lambda m, x: m.nn.functional.adaptive_avg_pool2d(x, 3),
    "avg_pool3d": lambda m, x: m.nn.functional.avg_pool3d(x.unsqueeze(0), 2),
    "max_pool2d": lambda m, x: m.nn.functional.max_pool2d(x, 2, stride=1),
    "unfold_im2col": lambda m, x: m.nn.functional.unfold(x, 2, stride=2),
    "fold_col2im": lambda m, x: m.nn.functional.fold(x.reshape(2, 8, 4), (4, 4), 2, stride=2),
    "tensor_unfold": lambda m, x: x.unfold(3, 2, 1),
    "diagonal": lambda m, x: x.diagonal(0, 2, 3), "diag": lambda m, x: m.diag(x[0, 0]),
    "diag_embed": lambda m, x: m.diag_embed(x[0]),
    "interpolate": lambda m, x: m.nn.functional.interpolate(x, scale_factor=2, mode="bilinear"),
    "pad_reflect": lambda m, x: m.nn.functional.pad(x, (1, 1, 1, 1), mode="reflect"),
    "embedding": lambda m, x: m.nn.functional.embedding(m.tensor([[0, 3], [2, 2]]), x.reshape(16, 4)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LINEAR_MAPS))
def test_pooling_patch_and_linear_maps_match_torch(name):
    _check(LINEAR_MAPS[name], [_r(2, 2, 4, 4)])


def test_cnn_module_with_parameters_requiring_grad_matches_torch():
    torch.manual_seed(0)

    def build(m):
        nn = m.nn
        return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(3, 4, 3), nn.GELU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(4, 2)).double().eval()  # fmt: skip

    tm, cm = build(torch), build(cr)
    cm.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x, v = _r(2, 1, 8, 8), _r(2, 1, 8, 8)
    _close(cr.func.jvp(cm, (cr.tensor(x),), (cr.tensor(v),)), torch.func.jvp(tm, (torch.tensor(x),), (torch.tensor(v),)))
    _close(cr.func.jacfwd(cm)(cr.tensor(x[:1])), torch.func.jacfwd(tm)(torch.tensor(x[:1])))


def test_nested_jvp_and_jacfwd_match_torch():
    x0, v0, u0 = _r(3), _r(3), _r(3)
    f = lambda m: lambda x: m.sin(x) * x.exp() + m.softmax(x, 0)  # noqa: E731
    res = []
    for m in (cr, torch):
        inner = lambda x, m=m: m.func.jvp(f(m), (x,), (m.tensor(v0),))[1]  # noqa: E731
        res.append((m.func.jvp(inner, (m.tensor(x0),), (m.tensor(u0),))[1],  # the outer level is active: the
                    m.func.jacfwd(m.func.jacfwd(lambda x, m=m: f(m)(x).sum()))(m.tensor(x0))))  # inner falls back
    _close(res[0], res[1])
