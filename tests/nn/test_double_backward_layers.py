"""Second derivatives of layers and losses against PyTorch: ``grad(..., create_graph=True)`` twice,
same weights (copied through ``state_dict``), float64."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is the test oracle for second derivatives")


def _layers(m):
    return {
        "linear": (lambda: m.nn.Linear(4, 3), (5, 4)),
        "mlp_tanh": (lambda: m.nn.Sequential(m.nn.Linear(4, 6), m.nn.Tanh(), m.nn.Linear(6, 2)), (5, 4)),
        "mlp_sigmoid_softplus": (
            lambda: m.nn.Sequential(m.nn.Linear(4, 6), m.nn.Sigmoid(), m.nn.Linear(6, 3), m.nn.Softplus()), (5, 4)
        ),
        "mlp_elu_leaky": (
            lambda: m.nn.Sequential(m.nn.Linear(4, 6), m.nn.ELU(), m.nn.Linear(6, 3), m.nn.LeakyReLU(0.2)), (5, 4)
        ),
        "mlp_relu": (lambda: m.nn.Sequential(m.nn.Linear(4, 6), m.nn.ReLU(), m.nn.Linear(6, 2)), (5, 4)),
        "gelu": (lambda: m.nn.Sequential(m.nn.Linear(4, 4), m.nn.GELU()), (3, 4)),
        "gelu_tanh": (lambda: m.nn.Sequential(m.nn.Linear(4, 4), m.nn.GELU(approximate="tanh")), (3, 4)),
        "silu": (lambda: m.nn.Sequential(m.nn.Linear(4, 4), m.nn.SiLU()), (3, 4)),
        "layer_norm": (lambda: m.nn.Sequential(m.nn.Linear(4, 6), m.nn.LayerNorm(6)), (2, 3, 4)),
        "rms_norm": (lambda: m.nn.Sequential(m.nn.Linear(4, 6), m.nn.RMSNorm(6)), (3, 4)),
        "softmax": (lambda: m.nn.Sequential(m.nn.Linear(4, 5), m.nn.Softmax(dim=-1)), (3, 4)),
        "log_softmax": (lambda: m.nn.Sequential(m.nn.Linear(4, 5), m.nn.LogSoftmax(dim=1)), (3, 4)),
        "conv2d_stride_groups": (lambda: m.nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2), (2, 2, 5, 6)),
        "conv2d_dilated": (lambda: m.nn.Conv2d(2, 3, 2, dilation=2, padding=(1, 0)), (1, 2, 5, 5)),
        "conv1d_tanh": (lambda: m.nn.Sequential(m.nn.Conv1d(3, 2, 3, padding=1), m.nn.Tanh()), (2, 3, 7)),
        "batch_norm_train": (lambda: m.nn.Sequential(m.nn.Conv2d(2, 3, 2), m.nn.BatchNorm2d(3)), (3, 2, 4, 4)),
        "batch_norm_eval": (lambda: m.nn.Sequential(m.nn.Linear(4, 3), m.nn.BatchNorm1d(3)).eval(), (5, 4)),
        "group_norm": (lambda: m.nn.Sequential(m.nn.Conv1d(3, 4, 2), m.nn.GroupNorm(2, 4)), (2, 3, 5)),
        "prelu_channels": (lambda: m.nn.Sequential(m.nn.Linear(4, 6), m.nn.PReLU(6)), (5, 4)),
        "prelu_shared": (lambda: m.nn.Sequential(m.nn.Conv1d(2, 3, 2), m.nn.PReLU()), (2, 2, 5)),
    }


def _build(name):
    torch.manual_seed(0)
    make_t, shape = _layers(torch)[name]
    tm = make_t().double()
    cm = _layers(cr)[name][0]().double()
    cm.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return cm, tm, shape


def _second(m, model, x, loss_fn):
    """d/d(x, θ) of Σ v·∇_(x, θ) loss: a Hessian-vector product through the layer."""
    params = [x, *model.parameters()]
    g = m.autograd.grad(loss_fn(model(x)), params, create_graph=True)
    rng = np.random.default_rng(5)
    s = sum((gi * m.tensor(rng.standard_normal(tuple(gi.shape)))).sum() for gi in g)
    return [t.detach().numpy() for t in g], [t.detach().numpy() for t in m.autograd.grad(s, params)]


@pytest.mark.parametrize("name", list(_layers(torch)))
def test_layer_second_derivatives_match_torch(name):
    cm, tm, shape = _build(name)
    a = np.random.default_rng(2).standard_normal(shape)

    def loss(m):
        return lambda y: (y * y * y).sum() / 3 + y.sum()

    g_c, h_c = _second(cr, cm, cr.tensor(a, requires_grad=True), loss(cr))
    g_t, h_t = _second(torch, tm, torch.tensor(a, requires_grad=True), loss(torch))
    for c, t in zip(g_c + h_c, g_t + h_t):
        np.testing.assert_allclose(c, t, rtol=1e-9, atol=1e-11)


def _loss_cases(m):
    F = m.nn.functional
    tgt = np.array([1, 0, 4, 2])
    y = np.random.default_rng(3).standard_normal((4, 5))
    w = np.array([0.5, 1.0, 2.0, 1.5, 0.7])
    p = np.random.default_rng(6).uniform(0.05, 0.95, (4, 5))
    return {
        "cross_entropy": lambda z: F.cross_entropy(z, m.tensor(tgt)),
        "cross_entropy_weight_smooth": lambda z: F.cross_entropy(
            z, m.tensor(tgt), weight=m.tensor(w), label_smoothing=0.1, ignore_index=4
        ),
        "cross_entropy_sum": lambda z: F.cross_entropy(z, m.tensor(tgt), reduction="sum"),
        "nll": lambda z: F.nll_loss(F.log_softmax(z, 1), m.tensor(tgt), weight=m.tensor(w)),
        "mse": lambda z: F.mse_loss(z.tanh(), m.tensor(y)),
        "l1": lambda z: F.l1_loss(z.tanh(), m.tensor(y), reduction="sum"),
        "smooth_l1": lambda z: F.smooth_l1_loss(z * z, m.tensor(y), beta=0.5),
        "huber": lambda z: F.huber_loss(z * z, m.tensor(y), delta=0.7),
        "bce": lambda z: F.binary_cross_entropy(z.sigmoid(), m.tensor(p), weight=m.tensor(w)),
        "bce_with_logits": lambda z: F.binary_cross_entropy_with_logits(z, m.tensor(p), pos_weight=m.tensor(w)),
        "kl_div_batchmean": lambda z: F.kl_div(F.log_softmax(z, 1), m.tensor(p), reduction="batchmean"),
        "kl_div_log_target": lambda z: F.kl_div(z * z, m.tensor(y), reduction="sum", log_target=True),
        "cross_entropy_probs": lambda z: F.cross_entropy(z, m.tensor(p), weight=m.tensor(w), label_smoothing=0.2),
        "sdpa_causal": lambda z: F.scaled_dot_product_attention(
            z[None, :, :3], z[None, :, 1:4], z[None, :, 2:], is_causal=True
        ).pow(2).sum(),
        "sdpa_mask": lambda z: F.scaled_dot_product_attention(
            z[:, None, :2], z[:, None, 2:4], z[:, None, 3:], attn_mask=m.tensor(np.tril(np.ones((1, 1), bool)))
        ).sin().sum(),
    }


@pytest.mark.parametrize("name", list(_loss_cases(torch)))
def test_loss_second_derivatives_match_torch(name):
    a = np.random.default_rng(4).standard_normal((4, 5))
    out = []
    for m in (cr, torch):
        z = m.tensor(a, requires_grad=True)
        (g,) = m.autograd.grad(_loss_cases(m)[name](z), z, create_graph=True)
        (h,) = m.autograd.grad((g * g).sum(), z)
        out.append((g.detach().numpy(), h.detach().numpy()))
    for c, t in zip(*out):
        np.testing.assert_allclose(c, t, rtol=1e-9, atol=1e-11)


_IDX = np.array([[1, 4, 2, 1], [0, 3, 3, 5]])
_BAGS = [(0, 3), (3, 3), (3, 6), (6, 8)]  # offsets [0, 3, 3, 6] over the 8 flat indices (one bag empty)


def _bags_torch(e, flat, reduce, psw=None):
    """PyTorch's own double backward stops at embedding_bag (NotImplementedError), so its oracle is the
    same function composed: embedding rows, weighted, reduced per bag (0 for the empty bag)."""
    rows = torch.nn.functional.embedding(flat, e.weight)
    if psw is not None:
        rows = rows * psw[:, None]
    out = [reduce(rows[a:b]) if b > a else rows.new_zeros(rows.shape[1]) for a, b in _BAGS]
    return torch.stack(out)


def _index_layers(m):
    """Layers whose inputs carry no gradient (indices) or come in pairs: (model, inputs, call)."""
    nn = m.nn
    ids = m.tensor(_IDX)
    flat, offsets = m.tensor(_IDX.reshape(-1)), m.tensor(np.array([0, 3, 3, 6]))
    psw = np.random.default_rng(7).standard_normal(8)
    x1, x2 = np.random.default_rng(8).standard_normal((2, 3, 4)), np.random.default_rng(9).standard_normal((3, 5))
    if m is torch:  # (see _bags_torch)
        bag_mean = lambda e, t: torch.stack([e.weight[i].mean(0) for i in ids])  # noqa: E731
        bag_sum = lambda e, t: _bags_torch(e, flat, lambda r: r.sum(0), t(psw))  # noqa: E731
        bag_max = lambda e, t: _bags_torch(e, flat, lambda r: r.max(0).values)  # noqa: E731
    else:
        bag_mean = lambda e, t: e(ids)  # noqa: E731
        bag_sum = lambda e, t: e(flat, offsets, per_sample_weights=t(psw))  # noqa: E731
        bag_max = lambda e, t: e(flat, offsets)  # noqa: E731
    return {
        "embedding": (lambda: nn.Embedding(6, 3), lambda e, t: e(ids)),
        "embedding_padding": (lambda: nn.Embedding(6, 3, padding_idx=3), lambda e, t: e(ids)),
        "embedding_bag_mean": (lambda: nn.EmbeddingBag(6, 3), bag_mean),
        "embedding_bag_sum_weights": (lambda: nn.EmbeddingBag(6, 3, mode="sum"), bag_sum),
        "embedding_bag_max": (lambda: nn.EmbeddingBag(6, 3, mode="max"), bag_max),
        "bilinear": (lambda: nn.Bilinear(4, 5, 2), lambda b, t: b(t(x1), t(x2.reshape(1, 3, 5).repeat(2, 0)))),
        "bilinear_nobias": (lambda: nn.Bilinear(4, 5, 3, bias=False), lambda b, t: b(t(x1[0]), t(x2))),
    }


@pytest.mark.parametrize("name", list(_index_layers(torch)))
def test_index_and_pair_layers_second_derivatives_match_torch(name):
    """Embedding, EmbeddingBag and Bilinear: second derivatives in the weights (and float inputs)."""
    torch.manual_seed(0)
    make_t, call_t = _index_layers(torch)[name]
    tm = make_t().double()
    make_c, call_c = _index_layers(cr)[name]
    cm = make_c().double()
    cm.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    out = []
    for m, model, call in ((cr, cm, call_c), (torch, tm, call_t)):
        leaves = []

        def leaf(a, m=m, leaves=leaves):
            t = m.tensor(a, dtype=m.float64, requires_grad=True)
            leaves.append(t)
            return t

        y = call(model, leaf)
        params = [*leaves, *model.parameters()]
        g = m.autograd.grad((y * y * y).sum() / 3 + y.sum(), params, create_graph=True)
        rng = np.random.default_rng(5)
        s = sum((gi * m.tensor(rng.standard_normal(tuple(gi.shape)))).sum() for gi in g)
        h = m.autograd.grad(s, params)
        out.append([t.detach().numpy() for t in (*g, *h)])
    for c, t in zip(*out):
        np.testing.assert_allclose(c, t, rtol=1e-9, atol=1e-11)



# --- spatial, recurrent and attention layers (fused ops whose double backward is their composite) ---
def _first_output(m, make):
    """A module returning the first output of ``make()`` (RNNs: the sequence; attention: out + Σw²)."""

    class First(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = make()

        def forward(self, x):
            out = self.inner(x, x, x) if isinstance(self.inner, m.nn.MultiheadAttention) else self.inner(x)
            if isinstance(out, tuple) and isinstance(self.inner, m.nn.MultiheadAttention):
                return out[0] + (out[1] * out[1]).sum()
            return out[0] if isinstance(out, tuple) else out

    return First()


def _fused_layers(m):
    nn = m.nn
    return {
        "conv_transpose2d": (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1), (1, 2, 3, 3)),
        "conv_transpose2d_groups": (lambda: nn.ConvTranspose2d(2, 4, 2, stride=1, groups=2, dilation=2), (2, 2, 3, 2)),
        "conv_transpose1d": (lambda: nn.ConvTranspose1d(2, 2, 3, stride=2), (2, 2, 4)),
        "conv3d": (lambda: nn.Conv3d(2, 2, 2, padding=1, stride=(1, 2, 1)), (1, 2, 3, 3, 3)),
        "conv_transpose3d": (lambda: nn.ConvTranspose3d(2, 2, 2, stride=2), (1, 2, 2, 2, 2)),
        "max_pool2d": (lambda: nn.Sequential(nn.Conv2d(2, 2, 2), nn.MaxPool2d(2, padding=1)), (1, 2, 5, 6)),
        "max_pool3d": (lambda: nn.Sequential(nn.Conv3d(1, 2, 2), nn.MaxPool3d(2)), (1, 1, 5, 5, 5)),
        "avg_pool2d": (
            lambda: nn.Sequential(nn.Conv2d(2, 2, 2), nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)),
            (1, 2, 6, 6),
        ),
        "avg_pool3d": (lambda: nn.Sequential(nn.Conv3d(1, 2, 2), nn.AvgPool3d(2, padding=1)), (1, 1, 4, 4, 4)),
        "adaptive_avg_pool2d": (lambda: nn.Sequential(nn.Conv2d(2, 3, 2), nn.AdaptiveAvgPool2d((2, 3))), (2, 2, 6, 7)),
        "adaptive_max_pool2d": (lambda: nn.Sequential(nn.Conv2d(2, 2, 2), nn.AdaptiveMaxPool2d((2, 3))), (1, 2, 6, 6)),
        "unfold_fold": (
            lambda: nn.Sequential(nn.Unfold(2, padding=1), nn.Tanh(), nn.Fold((3, 4), 2, padding=1)), (1, 2, 3, 4)
        ),
        "upsample_bilinear": (lambda: nn.Sequential(nn.Conv2d(2, 2, 2), nn.Upsample(scale_factor=2, mode="bilinear")), (1, 2, 4, 3)),  # fmt: skip
        "mha": (lambda: _first_output(m, lambda: nn.MultiheadAttention(4, 2)), (3, 2, 4)),
        "mha_one_head_bf": (lambda: _first_output(m, lambda: nn.MultiheadAttention(4, 1, batch_first=True)), (2, 3, 4)),
        "transformer_encoder_layer": (
            lambda: nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True), (2, 3, 4)
        ),
        "lstm_bidir": (lambda: _first_output(m, lambda: nn.LSTM(3, 4, bidirectional=True)), (3, 2, 3)),
        "lstm_proj": (lambda: _first_output(m, lambda: nn.LSTM(3, 4, proj_size=2, batch_first=True)), (2, 3, 3)),
        "gru_2layer": (lambda: _first_output(m, lambda: nn.GRU(3, 4, num_layers=2)), (3, 2, 3)),
        "rnn_tanh": (lambda: _first_output(m, lambda: nn.RNN(3, 4)), (4, 2, 3)),
    }


@pytest.mark.parametrize("name", list(_fused_layers(torch)))
def test_fused_layer_second_derivatives_match_torch(name):
    torch.manual_seed(0)
    make_t, shape = _fused_layers(torch)[name]
    tm = make_t().double()
    cm = _fused_layers(cr)[name][0]().double()
    cm.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    a = np.random.default_rng(2).standard_normal(shape)

    def loss(y):
        return (y * y * y).sum() / 3 + y.sum()

    g_c, h_c = _second(cr, cm, cr.tensor(a, requires_grad=True), loss)
    from torch.nn.attention import SDPBackend, sdpa_kernel

    with sdpa_kernel(SDPBackend.MATH):  # PyTorch's fused CPU attention kernel has no double backward
        g_t, h_t = _second(torch, tm, torch.tensor(a, requires_grad=True), loss)
    for c, t in zip(g_c + h_c, g_t + h_t):
        np.testing.assert_allclose(c, t, rtol=1e-8, atol=1e-10)


def _second_of(m, fn, arrays):
    """Gradients of fn(*leaves) and d/d(leaves) of Σ v·gradient (a Hessian-vector product)."""
    leaves = [m.tensor(a, requires_grad=True) for a in arrays]
    g = m.autograd.grad(fn(m, *leaves), leaves, create_graph=True)
    rng = np.random.default_rng(7)
    s = sum((gi * m.tensor(rng.standard_normal(tuple(gi.shape)))).sum() for gi in g)
    return [t.detach().numpy() for t in g] + [t.detach().numpy() for t in m.autograd.grad(s, leaves)]


_rng = np.random.default_rng(8)
_X, _GRID = _rng.standard_normal((2, 2, 4, 5)), _rng.uniform(-1.1, 1.1, (2, 3, 2, 2))


@pytest.mark.parametrize(
    "mode,padding,align",
    [("bilinear", "zeros", False), ("bilinear", "reflection", True), ("bicubic", "border", False), ("nearest", "zeros", True)],
)
def test_grid_sample_second_derivatives_match_torch(mode, padding, align):
    def fn(m, x, grid):
        y = m.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding, align_corners=align)
        return (y * y * y).sum()

    for c, t in zip(_second_of(cr, fn, [_X, _GRID]), _second_of(torch, fn, [_X, _GRID])):
        np.testing.assert_allclose(c, t, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("mode,kw", [("bilinear", {"align_corners": False}), ("bilinear", {"align_corners": True}),
                                     ("bicubic", {"align_corners": False}), ("nearest", {})])  # fmt: skip
def test_interpolate_second_derivatives_match_torch(mode, kw):
    def fn(m, x):
        y = m.nn.functional.interpolate(x.tanh(), size=(5, 7), mode=mode, **kw)
        return (y * y * y).sum()

    for c, t in zip(_second_of(cr, fn, [_X]), _second_of(torch, fn, [_X])):
        np.testing.assert_allclose(c, t, rtol=1e-8, atol=1e-10)


def _torch_ctc(lp, targets, il, tl, blank=0):
    """Σ_n −log p(l_n | x_n): the CTC forward recursion in log space written with torch ops (PyTorch's own
    ctc_loss has no double backward), so autograd differentiates the textbook definition twice."""
    total = 0
    for n in range(lp.shape[1]):
        ext = [blank]
        for c in targets[n][: tl[n]]:
            ext += [int(c), blank]
        alpha = [lp[0, n, ext[0]], lp[0, n, ext[1]] if len(ext) > 1 else None] + [None] * (len(ext) - 2)
        for t in range(1, il[n]):  # None: an unreachable state (log α = −∞)
            new = []
            for s, c in enumerate(ext):
                terms = [alpha[s]] + ([alpha[s - 1]] if s > 0 else [])
                if s > 1 and c != blank and c != ext[s - 2]:
                    terms.append(alpha[s - 2])
                terms = [a for a in terms if a is not None]
                new.append(lp[t, n, c] + torch.logsumexp(torch.stack(terms), 0) if terms else None)
            alpha = new
        ends = [a for a in alpha[-2:] if a is not None]
        total = total - torch.logsumexp(torch.stack(ends), 0)
    return total


def test_ctc_loss_second_derivatives_match_torch():
    """Through log_softmax (where PyTorch's extra exp(lp) gradient term cancels), the second derivatives of
    chainrule's CTCLoss equal autograd's on the log-space recursion; first derivatives equal F.ctc_loss's."""
    z = np.random.default_rng(9).standard_normal((5, 2, 4))
    targets, il, tl = np.array([[1, 2, 2], [3, 1, 0]]), [5, 4], [3, 2]

    def ours(m, z):
        lp = m.nn.functional.log_softmax(z, 2)
        return m.nn.CTCLoss(reduction="sum")(lp, m.tensor(targets), m.tensor(il), m.tensor(tl))

    def theirs(m, z):
        return _torch_ctc(m.nn.functional.log_softmax(z, 2), targets, il, tl)

    c, t = _second_of(cr, ours, [z]), _second_of(torch, theirs, [z])
    (g_ref,) = torch.autograd.grad(ours(torch, zt := torch.tensor(z, requires_grad=True)), zt)
    np.testing.assert_allclose(c[0], g_ref.numpy(), rtol=1e-9, atol=1e-11)
    for a, b in zip(c, t):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_ctc_loss_raw_log_probs_double_backward_differentiates_its_gradient():
    """With log_probs straight in, the first derivative is PyTorch's (it adds exp(lp) for t < T'), recorded
    or not, and the double backward is the derivative of exactly that gradient (finite differences)."""
    lp = np.random.default_rng(10).standard_normal((4, 2, 3)) - 1.0
    targets, il, tl = np.array([[1, 2], [2, 0]]), [4, 3], [2, 1]

    def grad_of(m, x, create_graph):
        loss = m.nn.functional.ctc_loss(x, m.tensor(targets), m.tensor(il), m.tensor(tl), reduction="sum")
        return m.autograd.grad(loss, x, create_graph=create_graph)[0]

    xt = torch.tensor(lp, requires_grad=True)
    xc = cr.tensor(lp, requires_grad=True)
    np.testing.assert_allclose(grad_of(cr, xc, True).detach().numpy(), grad_of(torch, xt, False).numpy(), rtol=1e-9)

    def gradient(x):  # finite differences evaluate it without grad mode and on plain inputs
        with cr.enable_grad():
            return grad_of(cr, x if x.requires_grad else x.detach().requires_grad_(), True)

    assert cr.autograd.gradcheck(gradient, [cr.tensor(lp, requires_grad=True)])
