"""ONNX nodes for ``chainrule.nn.functional``: activations, softmax, linear, dropout, embedding, pad.

Activations ONNX lacks at opset 17 (GELU, SiLU, Mish...) are written with primitive nodes.
Convolution, pooling and normalization live in ``_ops_conv``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import ops
from ._errors import UnsupportedOperatorError
from ._graph import Graph
from ._ops_tensor import A, dt
from ._trace import register


def _both(*names: str) -> list[str]:
    """Handler keys for ``F.<name>`` and, where chainrule has one, the top-level ``chainrule.<name>``."""
    return [f"F.{n}" for n in names] + [f"ops.{n}" for n in names if n in ops.__all__]


def _x(g: Graph, a: A, out: Any) -> tuple[str, np.dtype]:
    return g.value(a["input"], dt(out)), dt(out)


@register(*_both("relu", "relu_"))
def _relu(g: Graph, a: A, out: Any) -> str:
    return g.node("Relu", [_x(g, a, out)[0]])


@register(*_both("relu6", "hardtanh", "hardtanh_"))
def _hardtanh(g: Graph, a: A, out: Any) -> str:
    x, d = _x(g, a, out)
    lo, hi = (0.0, 6.0) if a["_name"] == "relu6" else (a.get("min_val", -1.0), a.get("max_val", 1.0))
    return g.node("Clip", [x, g.scalar(lo, d), g.scalar(hi, d)])


@register(*_both("leaky_relu", "leaky_relu_"))
def _leaky(g: Graph, a: A, out: Any) -> str:
    return g.node("LeakyRelu", [_x(g, a, out)[0]], alpha=float(a.get("negative_slope", 0.01)))


@register(*_both("rrelu", "rrelu_"))
def _rrelu(g: Graph, a: A, out: Any) -> str:
    if a.get("training"):
        raise UnsupportedOperatorError("rrelu", "training=True draws random slopes; export in eval mode")
    slope = (a.get("lower", 1 / 8) + a.get("upper", 1 / 3)) / 2
    return g.node("LeakyRelu", [_x(g, a, out)[0]], alpha=float(slope))


@register(*_both("elu", "elu_"))
def _elu(g: Graph, a: A, out: Any) -> str:
    return g.node("Elu", [_x(g, a, out)[0]], alpha=float(a.get("alpha", 1.0)))


@register(*_both("celu", "celu_"))
def _celu(g: Graph, a: A, out: Any) -> str:
    return g.node("Celu", [_x(g, a, out)[0]], alpha=float(a.get("alpha", 1.0)))


@register(*_both("selu", "selu_"))
def _selu(g: Graph, a: A, out: Any) -> str:
    return g.node("Selu", [_x(g, a, out)[0]])


@register(*_both("gelu"))
def _gelu(g: Graph, a: A, out: Any) -> str:
    x, d = _x(g, a, out)
    if a.get("approximate", "none") == "tanh":  # 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
        x3 = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [x3, g.scalar(0.044715, d)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.scalar(math.sqrt(2 / math.pi), d)])])
    else:  # 0.5 x (1 + erf(x / √2))
        t = g.node("Erf", [g.node("Div", [x, g.scalar(math.sqrt(2.0), d)])])
    half_x = g.node("Mul", [x, g.scalar(0.5, d)])
    return g.node("Mul", [half_x, g.node("Add", [t, g.scalar(1.0, d)])])


@register(*_both("silu"))
def _silu(g: Graph, a: A, out: Any) -> str:
    x, _ = _x(g, a, out)
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


@register(*_both("mish"))
def _mish(g: Graph, a: A, out: Any) -> str:
    x, _ = _x(g, a, out)
    return g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])])


@register(*_both("hardsigmoid"))
def _hardsigmoid(g: Graph, a: A, out: Any) -> str:
    return g.node("HardSigmoid", [_x(g, a, out)[0]], alpha=1.0 / 6, beta=0.5)


@register(*_both("hardswish"))
def _hardswish(g: Graph, a: A, out: Any) -> str:
    return g.node("HardSwish", [_x(g, a, out)[0]])


@register(*_both("softplus"))
def _softplus(g: Graph, a: A, out: Any) -> str:
    x, d = _x(g, a, out)
    beta, thr = float(a.get("beta", 1.0)), float(a.get("threshold", 20.0))
    bx = x if beta == 1.0 else g.node("Mul", [x, g.scalar(beta, d)])
    sp = g.node("Softplus", [bx])
    if beta != 1.0:
        sp = g.node("Div", [sp, g.scalar(beta, d)])
    return g.node("Where", [g.node("Greater", [bx, g.scalar(thr, d)]), x, sp])


@register(*_both("softsign"))
def _softsign(g: Graph, a: A, out: Any) -> str:
    return g.node("Softsign", [_x(g, a, out)[0]])


@register(*_both("logsigmoid"))
def _logsigmoid(g: Graph, a: A, out: Any) -> str:
    x, _ = _x(g, a, out)
    return g.node("Neg", [g.node("Softplus", [g.node("Neg", [x])])])


@register(*_both("tanhshrink"))
def _tanhshrink(g: Graph, a: A, out: Any) -> str:
    x, _ = _x(g, a, out)
    return g.node("Sub", [x, g.node("Tanh", [x])])


@register(*_both("softshrink", "hardshrink"))
def _shrink(g: Graph, a: A, out: Any) -> str:
    lambd = float(a.get("lambd", 0.5))
    bias = lambd if a["_name"] == "softshrink" else 0.0
    return g.node("Shrink", [_x(g, a, out)[0]], lambd=lambd, bias=bias)


@register(*_both("threshold", "threshold_"))
def _threshold(g: Graph, a: A, out: Any) -> str:
    x, d = _x(g, a, out)
    cond = g.node("Greater", [x, g.scalar(a["threshold"], d)])
    return g.node("Where", [cond, x, g.scalar(a["value"], d)])


@register(*_both("glu"))
def _glu(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    d = a.get("dim", -1) % x.ndim
    half = x.shape[d] // 2
    first, second = g.node("Split", [g.value(x), g.ints([half, half])], n_out=2, axis=d)
    return g.node("Mul", [first, g.node("Sigmoid", [second])])


@register(*_both("prelu"))
def _prelu(g: Graph, a: A, out: Any) -> str:
    x, w = a["input"], a["weight"]
    slope = g.value(w, dt(out))
    if w.numel() > 1 and x.ndim > 2:
        slope = g.reshape(slope, [-1] + [1] * (x.ndim - 2))
    return g.node("PRelu", [g.value(x), slope])


# --- softmax family --------------------------------------------------------------------------------
def _softmax_dim(a: A) -> int:
    x, dim = a["input"], a.get("dim")
    if dim is None:  # PyTorch's legacy implicit dim
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return dim % max(x.ndim, 1)


@register(*_both("softmax", "log_softmax", "softmin"))
def _softmax(g: Graph, a: A, out: Any) -> str:
    x = g.value(a["input"], dt(out))
    if a["_name"] == "softmin":
        x = g.node("Neg", [x])
    op = "LogSoftmax" if a["_name"] == "log_softmax" else "Softmax"
    return g.node(op, [x], axis=_softmax_dim(a))


@register("ops.logsumexp")
def _logsumexp(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    dims = [a["dim"]] if isinstance(a["dim"], int) else list(a["dim"])
    return g.reduce("ReduceLogSumExp", g.value(x), [d % x.ndim for d in dims], a.get("keepdim", False))


# --- linear, dropout, embedding, pad ---------------------------------------------------------------
@register("F.linear")
def _linear(g: Graph, a: A, out: Any) -> str:
    x, w, b = a["input"], a["weight"], a.get("bias")
    wt = g.transpose(g.value(w), [1, 0]) if g.is_traced(w) else g.const(g.constant_data(w).T)
    y = g.node("MatMul", [g.value(x), wt])
    return g.node("Add", [y, g.value(b)]) if b is not None else y


@register(
    "F.dropout",
    "F.dropout1d",
    "F.dropout2d",
    "F.dropout3d",
    "F.alpha_dropout",
    "F.feature_alpha_dropout",
    eval_kwargs={"training": False},
)
def _dropout(g: Graph, a: A, out: Any) -> str:
    return g.node("Identity", [g.value(a["input"])])


@register("F.embedding")
def _embedding(g: Graph, a: A, out: Any) -> str:
    if a.get("max_norm") is not None:
        raise UnsupportedOperatorError("embedding", "max_norm renormalizes the weight in place")
    idx = g.value(a["input"], np.int64)
    return g.node("Gather", [g.value(a["weight"]), idx], axis=0)


@register("F.pad")
def _pad(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    pad = list(a["pad"])
    mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}.get(
        a.get("mode")
    )
    if mode is None or (mode == "wrap" and g.opset < 19):
        raise UnsupportedOperatorError(
            "pad", f"mode={a.get('mode')!r} at opset {g.opset} (circular needs opset 19)"
        )
    n = len(pad) // 2
    begins, ends = [0] * x.ndim, [0] * x.ndim
    for i in range(n):  # pad lists the last dim first: (left, right, top, bottom, ...)
        begins[x.ndim - 1 - i], ends[x.ndim - 1 - i] = pad[2 * i], pad[2 * i + 1]
    if min(begins + ends) < 0:
        raise UnsupportedOperatorError("pad", "negative padding")
    inputs = [g.value(x), g.ints(begins + ends)]
    if mode == "constant":
        inputs.append(g.scalar(a.get("value") or 0.0, dt(out)))
    return g.node("Pad", inputs, mode=mode)
