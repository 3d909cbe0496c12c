"""Functionals and Tensor expressions called from user code are recorded and exported."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

from .harness import Fn, check_export, randn

W = cr.randn(6, 4)

CASES: list[tuple[str, Any, Any]] = [
    ("add-residual", lambda x: x + x.relu(), randn(6)),
    ("scalar-arith", lambda x: (2.0 - x) * 3 / 4 + 1, randn(6)),
    ("rsub-rdiv", lambda x: 1 / (1 + x.abs()) - 0.5, randn(6)),
    ("neg-pow", lambda x: -(x**2) + x.abs() ** 1.5, randn(6)),
    ("add-alpha", lambda x: cr.add(x, x.exp(), alpha=0.5), randn(6)),
    ("matmul-const", lambda x: x @ W, randn(3, 6)),
    ("matmul-traced", lambda x: x @ x.transpose(1, 2), randn(3, 4)),
    ("bmm-mT", lambda x: cr.bmm(x, x.mT), randn(3, 4)),
    ("linear-T", lambda x, w: x @ w.T, randn(4), (cr.randn(5, 4),)),
    ("F.linear", lambda x, w, b: F.linear(x, w, b), randn(4), (cr.randn(3, 4), cr.randn(3))),
    ("unary-math", lambda x: x.exp() + x.sin() * x.cos() + x.tanh() + x.sigmoid() + cr.erf(x), randn(6)),
    ("sqrt-log-rsqrt", lambda x: (x.abs() + 1).sqrt() + (x.abs() + 1).log() + (x * x + 1).rsqrt(), randn(6)),
    ("log1p-expm1", lambda x: cr.log1p(x.abs()) + cr.expm1(x) + cr.square(x), randn(6)),
    ("round-trunc-frac", lambda x: cr.round(x * 3) + cr.trunc(x * 3) * 10 + cr.frac(x * 3), randn(6)),
    (
        "log2-log10-exp2",
        lambda x: cr.log2(x.abs() + 1) + cr.log10(x.abs() + 1) + cr.exp2(x) + x.floor() + x.ceil(),
        randn(6),
    ),
    (
        "logical",
        lambda x: ((x > 0) & (x < 1) | (x != x.relu())).logical_not().float() + (x == 0).float(),
        randn(6),
    ),
    (
        "bitwise-int",
        lambda i: (i & 6) | (i ^ 3) | ~i,
        lambda b: cr.randint(0, 9, (b, 4)),
        (),
        {"opset_version": 18},
    ),
    ("sign-recip", lambda x: x.sign() * (x.abs() + 1).reciprocal() + x.sinh() * 0.1 + x.atan(), randn(6)),
    ("clamp", lambda x: x.clamp(-0.5, 0.7) + cr.clamp(x, min=0.1), randn(6)),
    ("where-compare", lambda x: cr.where(x > 0, x, x * 0.1) + (x <= 0.2).float(), randn(6)),
    ("masked_fill", lambda x: x.masked_fill(x < 0, -1.0), randn(6)),
    ("maximum", lambda x: cr.maximum(x, x.flip(1)) + cr.minimum(x, x * 0.5), randn(6)),
    ("reshape-batch", lambda x: x.reshape(x.shape[0], -1), randn(3, 4)),
    ("view-split-heads", lambda x: x.view(x.shape[0], 4, 2, 3).permute(0, 2, 1, 3), randn(4, 6)),
    ("flatten", lambda x: x.flatten(1), randn(3, 4)),
    ("flatten-middle", lambda x: cr.flatten(x, 1, 2), randn(3, 4, 2)),
    ("unflatten", lambda x: x.unflatten(1, (2, 3)), randn(6)),
    ("transpose", lambda x: x.transpose(1, 2).contiguous(), randn(3, 4)),
    ("unsqueeze-squeeze", lambda x: x.unsqueeze(1).unsqueeze(-1).squeeze(-1), randn(3)),
    ("cat", lambda x: cr.cat([x, x * 2, x.relu()], dim=1), randn(3)),
    ("stack", lambda x: cr.stack([x, -x], dim=1), randn(3)),
    ("chunk", lambda x: x.chunk(2, dim=1), randn(6)),
    ("split", lambda x: cr.split(x, [1, 2], dim=1), randn(3, 2)),
    ("mean-sum", lambda x: x.mean(dim=1) + x.sum(dim=-1, keepdim=True).squeeze(1), randn(5)),
    ("mean-all", lambda x: x.mean(), randn(5)),
    ("max-dim", lambda x: x.max(dim=1), randn(5)),
    ("max-binary", lambda x: cr.max(x, x.flip(1)) - cr.min(x, -x), randn(5)),
    ("flip", lambda x: x.flip((1, 2)) + cr.fliplr(x) * x.flip(-1), randn(3, 4)),
    ("amax-amin", lambda x: x.amax(1) - x.amin(1), randn(5)),
    ("var-std", lambda x: x.var(1) + x.std(1, keepdim=True).squeeze(1), randn(5)),
    ("argmax", lambda x: x.argmax(dim=1), randn(5)),
    ("softmax", lambda x: F.softmax(x, dim=-1) + F.log_softmax(x, dim=1) + x.softmax(1), randn(5)),
    ("getitem", lambda x: x[:, 1:3] * x[:, -1:], randn(4)),
    ("getitem-int-none", lambda x: x[..., 0][:, None] + x[:, None, 1, :2], randn(2, 3)),
    ("getitem-step", lambda x: x[:, ::2], randn(5)),
    ("expand", lambda x: x[:, :1].expand(-1, 4) + x, randn(4)),
    ("repeat", lambda x: x.repeat(1, 2), randn(3)),
    ("cast", lambda x: x.double().float(), randn(3)),
    ("inplace-add", lambda x: _inplace(x), randn(3)),
    ("F.relu-inplace", lambda x: F.relu((x * 1), inplace=True) + x, randn(3)),
    ("F.gelu", lambda x: F.gelu(x) + F.silu(x) + F.elu(x) + F.leaky_relu(x, 0.3), randn(6)),
    ("F.layer_norm", lambda x: F.layer_norm(x, (6,)), randn(6)),
    ("F.normalize", lambda x: F.normalize(x, dim=1), randn(6)),
    ("F.pad", lambda x: F.pad(x, (1, 2), value=0.5), randn(3, 4)),
    ("F.conv2d", lambda x, w: F.conv2d(x, w, stride=2, padding=1), randn(2, 5, 5), (cr.randn(3, 2, 3, 3),)),
    ("F.max_pool2d", lambda x: F.max_pool2d(x, 2) + F.avg_pool2d(x, 2), randn(2, 4, 4)),
    ("F.sdpa", lambda x: F.scaled_dot_product_attention(x, x, x), randn(2, 3, 4)),
    ("F.sdpa-causal", lambda x: F.scaled_dot_product_attention(x, x * 2, x, is_causal=True), randn(3, 4)),
    ("F.embedding", lambda i, w: F.embedding(i, w), lambda b: cr.randint(0, 7, (b, 3)), (cr.randn(7, 2),)),
    (
        "zeros_like",
        lambda x: cr.cat([x, cr.zeros_like(x), cr.full_like(x, 2.5), cr.ones_like(x[:, :1])], 1),
        randn(3),
    ),
    (
        "index_select",
        lambda x: x.index_select(1, cr.tensor([2, 0, 2])) + cr.gather(x, 1, x.argsort(1)),
        randn(3),
    ),
    (
        "sort-topk",
        lambda x: (x.sort(1, descending=True), cr.topk(x, 2, dim=1), cr.argsort(x, dim=1)),
        randn(5),
    ),
    ("narrow", lambda x: x.narrow(1, 1, 2) * cr.cumsum(x, 1)[:, :2], randn(4)),
    ("one_hot", lambda i: F.one_hot(i, 5).float() * 2, lambda b: cr.randint(0, 5, (b, 2))),
    (
        "einsum",
        lambda x, w: cr.einsum("bij,jk->bik", x, w) + cr.einsum("bij->bi", [x]).unsqueeze(-1),
        randn(3, 4),
        (cr.randn(4, 3),),
    ),
    ("bilinear", lambda x, w, b: F.bilinear(x, x * 2, w, b), randn(4), (cr.randn(2, 4, 4), cr.randn(2))),
    ("tril", lambda x: cr.tril(x) + x.triu(1), randn(3, 3)),
]


def _inplace(x: cr.Tensor) -> cr.Tensor:
    y = x * 2
    y += x
    y.mul_(0.5)
    return y


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_functional(case: tuple) -> None:
    name, fn, make, *rest = case
    params, kw = (rest[0] if rest else ()), (rest[1] if len(rest) > 1 else {})
    check_export(Fn(fn, *params), make, **kw)


def test_parameters_become_named_initializers_and_constants_fold() -> None:
    model = cr.nn.Sequential(cr.nn.Linear(3, 2))
    proto = check_export(model, randn(3))
    names = {i.name for i in proto.graph.initializer}
    assert "0.bias" in names
    assert all(n.op_type != "Transpose" for n in proto.graph.node)  # Wᵀ is folded into an initializer
    w = {i.name: i for i in proto.graph.initializer}
    from onnx import numpy_helper

    folded = [numpy_helper.to_array(i) for n, i in w.items() if n != "0.bias"]
    np.testing.assert_array_equal(folded[0], model[0].weight.detach().numpy().T)


def test_dropout_called_with_training_true_exports_as_identity() -> None:
    from .harness import session

    _, sess = session(Fn(lambda x: F.dropout(x, 0.5, training=True) * 2), cr.randn(2, 6))
    x = np.random.randn(4, 6).astype(np.float32)
    np.testing.assert_allclose(sess.run(None, {"input": x})[0], 2 * x, rtol=1e-6)
