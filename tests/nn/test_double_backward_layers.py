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

