"""ONNX nodes for convolution, pooling and normalization functionals.

Unbatched inputs ((C, L) or (C, H, W)) get a leading axis for the ONNX node and lose it after.
BatchNorm exports with its running statistics (eval mode); GroupNorm and RMSNorm are written with
primitive nodes (``GroupNormalization`` and ``RMSNormalization`` need newer opsets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._errors import UnsupportedOperatorError
from ._graph import Graph
from ._ops_tensor import A, dt
from ._trace import register


def _tup(v: Any, nd: int) -> list[int]:
    return [int(v)] * nd if isinstance(v, int) else [int(e) for e in v]


def _batched(g: Graph, a: A, nd: int, body: Callable[[str], Any]) -> Any:
    """Run ``body`` on a batched view of ``a["input"]``; squeeze the batch axis back if it was added."""
    x = a["input"]
    xv = g.value(x)
    if x.ndim == nd + 1:
        res = body(g.unsqueeze(xv, [0]))
        return [g.squeeze(r, [0]) for r in res] if isinstance(res, list) else g.squeeze(res, [0])
    return body(xv)


def _conv_pads(a: A, nd: int, kernel: list[int], dil: list[int]) -> list[int]:
    p = a.get("padding", 0)
    if p == "valid":
        return [0] * (2 * nd)
    if p == "same":
        total = [d * (k - 1) for d, k in zip(dil, kernel)]
        return [t // 2 for t in total] + [t - t // 2 for t in total]
    return _tup(p, nd) * 2


@register("F.conv1d", "F.conv2d")
def _conv(g: Graph, a: A, out: Any) -> Any:
    nd = 1 if a["_name"] == "conv1d" else 2
    w, b = a["weight"], a.get("bias")
    kernel, dil = list(w.shape[2:]), _tup(a.get("dilation", 1), nd)
    attrs = {"strides": _tup(a.get("stride", 1), nd), "dilations": dil, "group": int(a.get("groups", 1)),
             "pads": _conv_pads(a, nd, kernel, dil), "kernel_shape": kernel}  # fmt: skip
    ins = [g.value(w)] + ([g.value(b)] if b is not None else [])
    return _batched(g, a, nd, lambda x: g.node("Conv", [x, *ins], **attrs))


@register("F.conv_transpose1d", "F.conv_transpose2d")
def _conv_t(g: Graph, a: A, out: Any) -> Any:
    nd = 1 if a["_name"] == "conv_transpose1d" else 2
    w, b = a["weight"], a.get("bias")
    attrs = {
        "strides": _tup(a.get("stride", 1), nd), "dilations": _tup(a.get("dilation", 1), nd),
        "group": int(a.get("groups", 1)), "pads": _tup(a.get("padding", 0), nd) * 2,
        "output_padding": _tup(a.get("output_padding", 0), nd), "kernel_shape": list(w.shape[2:]),
    }  # fmt: skip
    ins = [g.value(w)] + ([g.value(b)] if b is not None else [])
    return _batched(g, a, nd, lambda x: g.node("ConvTranspose", [x, *ins], **attrs))


# --- pooling ---------------------------------------------------------------------------------------
def _pool_nd(a: A) -> int:
    return 1 if "1d" in a["_name"] else 2


@register("F.max_pool1d", "F.max_pool2d", "F.max_pool1d_with_indices", "F.max_pool2d_with_indices")
def _max_pool(g: Graph, a: A, out: Any) -> Any:
    if a.get("return_indices") or a["_name"].endswith("with_indices"):
        raise UnsupportedOperatorError(a["_name"], "return_indices=True")
    nd = _pool_nd(a)
    k = _tup(a["kernel_size"], nd)
    s = _tup(a.get("stride") or k, nd)
    attrs = {"kernel_shape": k, "strides": s, "pads": _tup(a.get("padding", 0), nd) * 2,
             "dilations": _tup(a.get("dilation", 1), nd), "ceil_mode": int(bool(a.get("ceil_mode")))}  # fmt: skip
    return _batched(g, a, nd, lambda x: g.node("MaxPool", [x], **attrs))


@register("F.avg_pool1d", "F.avg_pool2d")
def _avg_pool(g: Graph, a: A, out: Any) -> Any:
    if a.get("divisor_override") is not None:
        raise UnsupportedOperatorError(a["_name"], "divisor_override")
    nd = _pool_nd(a)
    k = _tup(a["kernel_size"], nd)
    s = _tup(a.get("stride") or k, nd)
    attrs = {"kernel_shape": k, "strides": s, "pads": _tup(a.get("padding", 0), nd) * 2,
             "count_include_pad": int(bool(a.get("count_include_pad", True))),
             "ceil_mode": int(bool(a.get("ceil_mode")))}  # fmt: skip
    return _batched(g, a, nd, lambda x: g.node("AveragePool", [x], **attrs))


@register("F.adaptive_avg_pool1d", "F.adaptive_avg_pool2d", "F.adaptive_max_pool1d", "F.adaptive_max_pool2d")
def _adaptive(g: Graph, a: A, out: Any) -> Any:
    if a.get("return_indices"):
        raise UnsupportedOperatorError(a["_name"], "return_indices=True")
    nd = _pool_nd(a)
    x = a["input"]
    size_in = list(x.shape[-nd:])
    size_out = list(out.shape[-nd:])
    is_max = "max" in a["_name"]
    if all(o == 1 for o in size_out):
        op = "GlobalMaxPool" if is_max else "GlobalAveragePool"
        return _batched(g, a, nd, lambda v: g.node(op, [v]))
    if any(i % o for i, o in zip(size_in, size_out)):
        raise UnsupportedOperatorError(
            a["_name"], f"input size {size_in} is not a multiple of output size {size_out}"
        )
    k = [i // o for i, o in zip(size_in, size_out)]
    op = "MaxPool" if is_max else "AveragePool"
    return _batched(g, a, nd, lambda v: g.node(op, [v], kernel_shape=k, strides=k))


# --- normalization ---------------------------------------------------------------------------------
def _channel_shape(ndim: int) -> list[int]:
    return [-1] + [1] * (ndim - 2)


@register("F.batch_norm")
def _batch_norm(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    d = dt(out)
    c = x.shape[1] if x.ndim > 1 else x.shape[0]
    w = g.value(a["weight"]) if a.get("weight") is not None else g.const(np.ones(c, d))
    b = g.value(a["bias"]) if a.get("bias") is not None else g.const(np.zeros(c, d))
    eps = float(a.get("eps", 1e-5))
    rm, rv = a.get("running_mean"), a.get("running_var")
    if not a.get("training") and rm is not None and rv is not None:
        return g.node("BatchNormalization", [g.value(x), w, b, g.value(rm), g.value(rv)], epsilon=eps)
    # batch statistics (training=True, or no running stats): normalize over every axis but 1
    axes = [i for i in range(x.ndim) if i != 1]
    xv = g.value(x)
    mean = g.reduce("ReduceMean", xv, axes, True)
    diff = g.node("Sub", [xv, mean])
    var = g.reduce("ReduceMean", g.node("Mul", [diff, diff]), axes, True)
    norm = g.node("Div", [diff, g.node("Sqrt", [g.node("Add", [var, g.scalar(eps, d)])])])
    cs = _channel_shape(x.ndim)
    return g.node("Add", [g.node("Mul", [norm, g.reshape(w, cs)]), g.reshape(b, cs)])


@register("F.layer_norm")
def _layer_norm(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    ns = [a["normalized_shape"]] if isinstance(a["normalized_shape"], int) else list(a["normalized_shape"])
    d = dt(out)
    w = g.value(a["weight"]) if a.get("weight") is not None else g.const(np.ones(ns, d))
    ins = [g.value(x), w] + ([g.value(a["bias"])] if a.get("bias") is not None else [])
    return g.node("LayerNormalization", ins, axis=-len(ns), epsilon=float(a.get("eps", 1e-5)))


@register("F.rms_norm")
def _rms_norm(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    ns = [a["normalized_shape"]] if isinstance(a["normalized_shape"], int) else list(a["normalized_shape"])
    d = dt(out)
    eps = float(np.finfo(d).eps) if a.get("eps") is None else float(a["eps"])
    xv = g.value(x)
    axes = list(range(x.ndim - len(ns), x.ndim))
    ms = g.reduce("ReduceMean", g.node("Mul", [xv, xv]), axes, True)
    y = g.node("Div", [xv, g.node("Sqrt", [g.node("Add", [ms, g.scalar(eps, d)])])])
    return g.node("Mul", [y, g.value(a["weight"])]) if a.get("weight") is not None else y


@register("F.group_norm")
def _group_norm(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    d = dt(out)
    groups, eps = int(a["num_groups"]), float(a.get("eps", 1e-5))
    xv = g.value(x)
    grouped = g.reshape(xv, [0, groups, -1])
    mean = g.reduce("ReduceMean", grouped, [2], True)
    diff = g.node("Sub", [grouped, mean])
    var = g.reduce("ReduceMean", g.node("Mul", [diff, diff]), [2], True)
    norm = g.node("Div", [diff, g.node("Sqrt", [g.node("Add", [var, g.scalar(eps, d)])])])
    y = g.node("Reshape", [norm, g.node("Shape", [xv])])
    cs = _channel_shape(x.ndim)
    if a.get("weight") is not None:
        y = g.node("Mul", [y, g.reshape(g.value(a["weight"]), cs)])
    if a.get("bias") is not None:
        y = g.node("Add", [y, g.reshape(g.value(a["bias"]), cs)])
    return y


@register("F.instance_norm")
def _instance_norm(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    if not a.get("use_input_stats", True):
        return _batch_norm(g, {**a, "training": False}, out)
    d = dt(out)
    c = x.shape[1]
    w = g.value(a["weight"]) if a.get("weight") is not None else g.const(np.ones(c, d))
    b = g.value(a["bias"]) if a.get("bias") is not None else g.const(np.zeros(c, d))
    return g.node("InstanceNormalization", [g.value(x), w, b], epsilon=float(a.get("eps", 1e-5)))


@register("F.normalize")
def _normalize(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    p, dim, eps = float(a.get("p", 2.0)), a.get("dim", 1) % x.ndim, float(a.get("eps", 1e-12))
    if p not in (1.0, 2.0):
        raise UnsupportedOperatorError("normalize", f"p={p}")
    xv = g.value(x)
    norm = g.reduce("ReduceL2" if p == 2.0 else "ReduceL1", xv, [dim], True)
    return g.node("Div", [xv, g.node("Max", [norm, g.scalar(eps, dt(out))])])
