"""ONNX nodes for indexing and contraction ops: index_select, gather, narrow, one_hot, cumsum, einsum,
and ``F.bilinear`` (an einsum)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._errors import UnsupportedOperatorError
from ._graph import Graph
from ._ops_tensor import A, dt
from ._trace import register


@register("ops.index_select")
def _index_select(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    return g.node("Gather", [g.value(x), g.value(a["index"], np.int64)], axis=a["dim"] % x.ndim)


@register("ops.gather", "ops.take_along_dim")
def _gather(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    idx = a.get("index", a.get("indices"))
    if a.get("dim") is None:
        raise UnsupportedOperatorError(a["_name"], "dim=None (flattened indexing)")
    if tuple(idx.shape) != tuple(out.shape) or idx.ndim != x.ndim:
        raise UnsupportedOperatorError(a["_name"], "indices that broadcast against the input")
    return g.node("GatherElements", [g.value(x), g.value(idx, np.int64)], axis=a["dim"] % x.ndim)


@register("ops.narrow")
def _narrow(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    d = a["dim"] % x.ndim
    start = a["start"] if isinstance(a["start"], int) else int(a["start"].item())
    start %= max(x.shape[d], 1)
    ends = g.ints([start + a["length"]])
    return g.node("Slice", [g.value(x), g.ints([start]), ends, g.ints([d])])


@register("ops.one_hot")
def _one_hot(g: Graph, a: A, out: Any) -> str:
    depth = g.const(np.asarray(out.shape[-1], np.int64))
    values = g.const(np.asarray([0, 1], dtype=dt(out)))
    return g.node("OneHot", [g.value(a["tensor"], np.int64), depth, values], axis=-1)


@register("ops.cumsum")
def _cumsum(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    return g.node("CumSum", [g.value(x, dt(out)), g.const(np.asarray(a["dim"] % max(x.ndim, 1), np.int64))])


@register("ops.einsum")
def _einsum(g: Graph, a: A, out: Any) -> str:
    ops = a["operands"]
    if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
        ops = ops[0]
    eq = a["equation"].replace(" ", "")
    if "->" not in eq:
        raise UnsupportedOperatorError("einsum", "an implicit output (write the '->' part)")
    return g.node("Einsum", [g.value(t, dt(out)) for t in ops], equation=eq)


@register("F.bilinear")
def _bilinear(g: Graph, a: A, out: Any) -> str:
    d = dt(out)
    y = g.node(
        "Einsum",
        [g.value(a["input1"], d), g.value(a["weight"], d), g.value(a["input2"], d)],
        equation="...i,oij,...j->...o",
    )
    b = a.get("bias")
    return g.node("Add", [y, g.value(b, d)]) if isinstance(b, Tensor) else y


@register("ops.sort", "ops.argsort", "ops.topk", "ops.msort")
def _topk(g: Graph, a: A, out: Any) -> Any:
    x = a["input"]
    name = a["_name"]
    d = (a.get("dim", -1) if name != "msort" else 0) % max(x.ndim, 1)
    if name == "topk":
        k, largest = int(a["k"]), bool(a.get("largest", True))
    else:
        k, largest = x.shape[d], bool(a.get("descending", False))
    values, indices = g.node(
        "TopK", [g.value(x), g.ints([k])], n_out=2, axis=d, largest=int(largest), sorted=1
    )
    return indices if name == "argsort" else (values if name == "msort" else [values, indices])
