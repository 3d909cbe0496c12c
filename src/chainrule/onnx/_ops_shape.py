"""ONNX nodes for shape operations: reshape/view/flatten, permute/transpose, (un)squeeze, cat/stack,
split/chunk, expand, indexing.

Target shapes are written so a dynamic (batch) dimension stays dynamic: a target size equal to the
input's size at the same position becomes ``0`` ("copy that dim") in ``Reshape``, ``-1`` stays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._errors import UnsupportedOperatorError
from ._graph import INT_MAX, Graph
from ._ops_tensor import A, dt
from ._trace import register


def _sizes(a: A, key: str) -> list[int]:
    s = a[key]
    if isinstance(s, tuple) and len(s) == 1 and not isinstance(s[0], int):
        s = s[0]
    if isinstance(s, int):
        s = [s]
    return [int(v) for v in s]


def dynamic_reshape(g: Graph, x: str, in_shape: tuple[int, ...], target: list[int]) -> str:
    """``Reshape`` to ``target`` with sizes equal to the input's (same position) written as 0."""
    spec = [
        t if t == -1 else (0 if i < len(in_shape) and t == in_shape[i] and t != 0 else t)
        for i, t in enumerate(target)
    ]
    return g.reshape(x, spec)


@register("ops.reshape", "ops.view")
def _reshape(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    shape = _sizes(a, "shape")
    return dynamic_reshape(g, g.value(x), tuple(x.shape), shape)


@register("ops.reshape_as", "ops.view_as")
def _reshape_as(g: Graph, a: A, out: Any) -> str:
    x, other = a["input"], a["other"]
    if g.is_traced(other):
        return g.node("Reshape", [g.value(x), g.node("Shape", [g.value(other)])])
    return dynamic_reshape(g, g.value(x), tuple(x.shape), list(other.shape))


@register("ops.flatten")
def _flatten(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    nd = max(x.ndim, 1)
    s, e = a.get("start_dim", 0) % nd, a.get("end_dim", -1) % nd
    if x.ndim == 0:
        return g.reshape(g.value(x), [1])
    if s == e:
        return g.node("Identity", [g.value(x)])
    if s == 1 and e == nd - 1:
        return g.node("Flatten", [g.value(x)], axis=1)
    return g.reshape(g.value(x), [0] * s + [-1] + list(x.shape[e + 1 :]))


@register("ops.unflatten")
def _unflatten(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    d = a["dim"] % x.ndim
    return g.reshape(g.value(x), [0] * d + list(a["sizes"]) + list(x.shape[d + 1 :]))


@register("ops.permute")
def _permute(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    return g.transpose(g.value(x), [d % x.ndim for d in _sizes(a, "dims")])


@register("ops.transpose", "ops.swapaxes", "ops.swapdims", "ops.t", "Tensor.mT")
def _transpose(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    nd = x.ndim
    if nd < 2:
        return g.node("Identity", [g.value(x)])
    if a["_name"] == "t":
        d0, d1 = 0, 1
    elif a["_name"] == "mT":
        d0, d1 = nd - 2, nd - 1
    else:
        keys = [k for k in a if k not in ("input", "_name")]
        d0, d1 = a[keys[0]] % nd, a[keys[1]] % nd
    perm = list(range(nd))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return g.transpose(g.value(x), perm)


@register("Tensor.T")
def _T(g: Graph, a: A, out: Any) -> str:  # noqa: N802
    x = a["input"]
    return g.transpose(g.value(x), list(range(x.ndim - 1, -1, -1)))


@register("ops.movedim", "ops.moveaxis")
def _movedim(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    nd = x.ndim
    src = [a["source"]] if isinstance(a["source"], int) else list(a["source"])
    dst = [a["destination"]] if isinstance(a["destination"], int) else list(a["destination"])
    src, dst = [s % nd for s in src], [d % nd for d in dst]
    rest = [i for i in range(nd) if i not in src]
    perm = [-1] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    it = iter(rest)
    perm = [p if p >= 0 else next(it) for p in perm]
    return g.transpose(g.value(x), perm)


@register("ops.unsqueeze")
def _unsqueeze(g: Graph, a: A, out: Any) -> str:
    return g.unsqueeze(g.value(a["input"]), [a["dim"] % out.ndim])


@register("ops.squeeze")
def _squeeze(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    dim = a.get("dim")
    dims = range(x.ndim) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    axes = sorted({d % max(x.ndim, 1) for d in dims if x.ndim and x.shape[d % x.ndim] == 1})
    return g.squeeze(g.value(x), axes) if axes else g.node("Identity", [g.value(x)])


@register("ops.cat", "ops.concat", "ops.concatenate")
def _cat(g: Graph, a: A, out: Any) -> str:
    ts = [t for t in a["tensors"] if not (isinstance(t, Tensor) and t.ndim == 1 and t.shape[0] == 0)]
    return g.node("Concat", [g.value(t, dt(out)) for t in ts], axis=a.get("dim", 0) % out.ndim)


@register("ops.stack")
def _stack(g: Graph, a: A, out: Any) -> str:
    d = a.get("dim", 0) % out.ndim
    parts = [g.unsqueeze(g.value(t, dt(out)), [d]) for t in a["tensors"]]
    return g.node("Concat", parts, axis=d)


@register("ops.split", "ops.chunk", "ops.unbind")
def _split(g: Graph, a: A, out: Any) -> list[str]:
    x = a["input"] if "input" in a else a["tensor"]
    d = a.get("dim", 0) % x.ndim
    sizes = [o.shape[d] for o in out] if a["_name"] != "unbind" else [1] * len(out)
    names = g.node("Split", [g.value(x), g.ints(sizes)], n_out=len(out), axis=d)
    names = [names] if isinstance(names, str) else names
    if a["_name"] == "unbind":
        names = [g.squeeze(n, [d]) for n in names]
    return names


@register("ops.expand", "ops.expand_as", "ops.broadcast_to")
def _expand(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    target = list(out.shape)
    lead = len(target) - x.ndim
    spec = [1 if (i >= lead and t == x.shape[i - lead]) else t for i, t in enumerate(target)]
    return g.node("Expand", [g.value(x), g.ints(spec)])


@register("ops.repeat", "ops.tile")
def _tile(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    reps = _sizes(a, "sizes" if "sizes" in a else "dims")
    xv = g.value(x)
    if len(reps) > x.ndim:
        xv = g.unsqueeze(xv, list(range(len(reps) - x.ndim)))
    elif len(reps) < x.ndim:
        reps = [1] * (x.ndim - len(reps)) + reps
    return g.node("Tile", [xv, g.ints(reps)])


@register("ops.getitem")
def _getitem(g: Graph, a: A, out: Any) -> str:
    x, index = a["input"], a["index"]
    idx = index if isinstance(index, tuple) else (index,)
    if any(
        not (i is None or i is Ellipsis or isinstance(i, (int, slice))) or isinstance(i, bool) for i in idx
    ):
        raise UnsupportedOperatorError("getitem", "only int, slice, None and ... indices are exported")
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    if Ellipsis in idx:
        k = idx.index(Ellipsis)
        idx = idx[:k] + (slice(None),) * (x.ndim - n_real) + idx[k + 1 :]
    starts, ends, axes, steps, squeeze, unsq = [], [], [], [], [], []
    d = out_d = 0
    for i in idx:
        if i is None:
            unsq.append(out_d)
            out_d += 1
            continue
        if isinstance(i, int):
            i = i % x.shape[d]
            starts.append(i), ends.append(i + 1), axes.append(d), steps.append(1)
            squeeze.append(d)
        elif i != slice(None):
            step = 1 if i.step is None else i.step
            if step <= 0:
                raise UnsupportedOperatorError("getitem", "slice steps must be positive")
            starts.append(0 if i.start is None else i.start)
            ends.append(INT_MAX if i.stop is None else i.stop)
            axes.append(d), steps.append(step)
            out_d += 1
        else:
            out_d += 1
        d += 1
    v = g.value(x)
    if axes:
        v = g.node("Slice", [v, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])
    if squeeze:
        v = g.squeeze(v, squeeze)
    if unsq:
        v = g.unsqueeze(v, unsq)
    return v if v != g.value(x) else g.node("Identity", [v])


@register("ops.diag", "ops.tril", "ops.triu")
def _tri(g: Graph, a: A, out: Any) -> str:
    if a["_name"] == "diag":
        raise UnsupportedOperatorError("diag")
    k = a.get("diagonal", 0)
    return g.node(
        "Trilu", [g.value(a["input"]), g.const(np.asarray(k, np.int64))], upper=int(a["_name"] == "triu")
    )


@register("ops.flip", "ops.fliplr", "ops.flipud")
def _flip(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    if a["_name"] == "flip":
        dims = _sizes(a, "dims")
    else:
        dims = [1 if a["_name"] == "fliplr" else 0]
    axes = [d % x.ndim for d in dims]
    n = len(axes)
    return g.node(
        "Slice", [g.value(x), g.ints([-1] * n), g.ints([-INT_MAX] * n), g.ints(axes), g.ints([-1] * n)]
    )
