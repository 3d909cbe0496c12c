"""ONNX nodes for Tensor arithmetic, math functions, comparisons, reductions and casts.

Each handler gets the graph, the call's bound arguments (``a["input"]`` ...) and the real output,
and returns the ONNX name(s) of that output. Python scalars take the dtype of the result, as in
chainrule (a float scalar never promotes float32 to float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._errors import UnsupportedOperatorError
from ._graph import Graph
from ._trace import register

A = dict[str, Any]


def dt(t: Any) -> np.dtype:
    return t._data.dtype


def operand_dtype(*xs: Any) -> np.dtype:
    """The dtype chainrule computes ``xs`` in (tensors decide; a float scalar makes ints float32)."""
    tensors = [x._data.dtype for x in xs if isinstance(x, Tensor)]
    d = np.result_type(*tensors) if tensors else np.dtype(np.float32)
    if d.kind in "biu" and any(isinstance(x, float) for x in xs):
        d = np.dtype(np.float32)
    if d.kind == "b" and any(isinstance(x, int) and not isinstance(x, bool) for x in xs):
        d = np.dtype(np.int64)
    return d


def axes_of(dim: Any, ndim: int) -> list[int] | None:
    """``dim`` (int, sequence, None or ()) as a list of non-negative axes; None for "all"."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    dims = [dim] if isinstance(dim, int) else list(dim)
    return [d % max(ndim, 1) for d in dims]


# --- elementwise binary -----------------------------------------------------------------------
def _binary(op: str, on_out_dtype: bool = True) -> Any:
    def handler(g: Graph, a: A, out: Any) -> str:
        x, y = a["input"], next(v for k, v in a.items() if k not in ("input", "_name"))
        want = dt(out) if on_out_dtype else operand_dtype(x, y)
        return g.node(op, [g.value(x, want), g.value(y, want)])

    return handler


for _op, _names in {
    "Mul": ("mul", "multiply"), "Max": ("maximum", "fmax"), "Min": ("minimum", "fmin"),
    "MatMul": ("matmul", "mm", "bmm"),
}.items():  # fmt: skip
    register(*(f"ops.{n}" for n in _names))(_binary(_op))

for _op, _names in {
    "Equal": ("eq",), "Greater": ("gt", "greater"), "GreaterOrEqual": ("ge", "greater_equal"),
    "Less": ("lt", "less"), "LessOrEqual": ("le", "less_equal"), "And": ("logical_and",),
    "Or": ("logical_or",), "Xor": ("logical_xor",),
}.items():  # fmt: skip
    register(*(f"ops.{n}" for n in _names))(_binary(_op, on_out_dtype=False))


@register("ops.ne", "ops.not_equal")
def _ne(g: Graph, a: A, out: Any) -> str:
    want = operand_dtype(a["input"], a["other"])
    return g.node("Not", [g.node("Equal", [g.value(a["input"], want), g.value(a["other"], want)])])


@register("ops.add", "ops.sub", "ops.subtract")
def _add(g: Graph, a: A, out: Any) -> str:
    want = dt(out)
    y = a["other"]
    alpha = a.get("alpha", 1)
    yv = g.value(y, want)
    if alpha != 1:
        yv = g.node("Mul", [yv, g.scalar(alpha, want)])
    op = "Sub" if a["_name"] in ("sub", "subtract") else "Add"
    return g.node(op, [g.value(a["input"], want), yv])


@register("ops.div", "ops.divide", "ops.true_divide")
def _div(g: Graph, a: A, out: Any) -> str:
    if a.get("rounding_mode") is not None:
        raise UnsupportedOperatorError("div", f"rounding_mode={a['rounding_mode']!r}")
    want = dt(out)
    return g.node("Div", [g.value(a["input"], want), g.value(a["other"], want)])


@register("ops.pow", "ops.float_power")
def _pow(g: Graph, a: A, out: Any) -> str:
    want = dt(out)
    x, e = a["input"], a["exponent"]
    if isinstance(e, (int, float)) and not isinstance(x, (int, float)) and e == 2:
        xv = g.value(x, want)
        return g.node("Mul", [xv, xv])
    return g.node("Pow", [g.value(x, want), g.value(e, want)])


@register("ops.where")
def _where(g: Graph, a: A, out: Any) -> str:
    if a.get("input") is None:
        raise UnsupportedOperatorError("where", "the one-argument form (nonzero) has a data-dependent shape")
    want = dt(out)
    cond = a["condition"]
    return g.node("Where", [g.value(cond, np.bool_), g.value(a["input"], want), g.value(a["other"], want)])


@register("ops.masked_fill")
def _masked_fill(g: Graph, a: A, out: Any) -> str:
    want = dt(out)
    mask = g.value(a["mask"], np.bool_)
    return g.node("Where", [mask, g.value(a["value"], want), g.value(a["input"], want)])


@register("ops.clamp", "ops.clip")
def _clamp(g: Graph, a: A, out: Any) -> str:
    want = dt(out)
    x = g.value(a["input"], want)
    lo, hi = a.get("min"), a.get("max")
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        if lo is not None:
            x = g.node("Max", [x, g.value(lo, want)])
        if hi is not None:
            x = g.node("Min", [x, g.value(hi, want)])
        return x
    return g.node(
        "Clip", [x, "" if lo is None else g.scalar(lo, want), "" if hi is None else g.scalar(hi, want)]
    )


# --- elementwise unary -------------------------------------------------------------------------
def _unary(op: str) -> Any:
    def handler(g: Graph, a: A, out: Any) -> str:
        return g.node(op, [g.value(a["input"], dt(out))])

    return handler


for _op, _names in {
    "Abs": ("abs", "absolute"), "Neg": ("neg", "negative"), "Exp": ("exp",), "Log": ("log",),
    "Sqrt": ("sqrt",), "Sin": ("sin",), "Cos": ("cos",), "Tan": ("tan",), "Asin": ("asin",),
    "Acos": ("acos",), "Atan": ("atan",), "Sinh": ("sinh",), "Cosh": ("cosh",), "Tanh": ("tanh",),
    "Sigmoid": ("sigmoid",), "Relu": ("relu",), "Erf": ("erf",), "Reciprocal": ("reciprocal",),
    "Floor": ("floor",), "Ceil": ("ceil",), "Sign": ("sign",), "Not": ("logical_not",),
}.items():  # fmt: skip
    register(*(f"ops.{n}" for n in _names))(_unary(_op))
register("F.tanh")(_unary("Tanh"))
register("F.sigmoid")(_unary("Sigmoid"))


@register("ops.bitwise_and", "ops.bitwise_or", "ops.bitwise_xor", "ops.bitwise_not")
def _bitwise(g: Graph, a: A, out: Any) -> str:
    kind = a["_name"].split("_")[1]
    d = dt(out)
    if d.kind == "b":  # on bools, & | ^ ~ are the logical ops
        op = {"and": "And", "or": "Or", "xor": "Xor", "not": "Not"}[kind]
    elif g.opset >= 18:
        op = "Bitwise" + kind.capitalize()
    else:
        raise UnsupportedOperatorError(a["_name"], f"on {d} tensors needs opset 18 or later")
    args = [a["input"]] if kind == "not" else [a["input"], a["other"]]
    return g.node(op, [g.value(t, d) for t in args])


@register("ops.rsqrt")
def _rsqrt(g: Graph, a: A, out: Any) -> str:
    return g.node("Reciprocal", [g.node("Sqrt", [g.value(a["input"], dt(out))])])


@register("ops.square")
def _square(g: Graph, a: A, out: Any) -> str:
    x = g.value(a["input"], dt(out))
    return g.node("Mul", [x, x])


@register("ops.log1p", "ops.expm1", "ops.exp2", "ops.log2", "ops.log10", "ops.trunc", "ops.round", "ops.frac")
def _misc_unary(g: Graph, a: A, out: Any) -> str:
    name = a["_name"]
    d = dt(out)
    x = g.value(a["input"], d)
    if name == "log1p":
        return g.node("Log", [g.node("Add", [x, g.scalar(1, d)])])
    if name == "expm1":
        return g.node("Sub", [g.node("Exp", [x]), g.scalar(1, d)])
    if name == "exp2":
        return g.node("Pow", [g.scalar(2, d), x])
    if name in ("log2", "log10"):
        return g.node("Div", [g.node("Log", [x]), g.scalar(np.log(2 if name == "log2" else 10), d)])
    if name == "round":
        if a.get("decimals", 0):
            raise UnsupportedOperatorError("round", "decimals != 0")
        return g.node("Round", [x])
    trunc = g.node("Mul", [g.node("Sign", [x]), g.node("Floor", [g.node("Abs", [x])])])
    return trunc if name == "trunc" else g.node("Sub", [x, trunc])


# --- reductions ----------------------------------------------------------------------------------
def _reduce(op: str) -> Any:
    def handler(g: Graph, a: A, out: Any) -> Any:
        x = a["input"]
        if isinstance(a.get("dim"), Tensor):  # max(a, b) / min(a, b): elementwise
            want = dt(out)
            return g.node(op[6:], [g.value(x, want), g.value(a["dim"], want)])
        if a.get("dtype") is not None:
            xv = g.value(x, dt(out))
        else:
            xv = g.value(x)
        axes = axes_of(a.get("dim"), x.ndim)
        if isinstance(out, tuple):  # max/min with dim: (values, indices)
            ax = axes[0] if axes else 0
            kd = int(bool(a.get("keepdim", False)))
            arg = "ArgMax" if op == "ReduceMax" else "ArgMin"
            return [g.reduce(op, xv, [ax], kd), g.node(arg, [xv], axis=ax, keepdims=kd, select_last_index=0)]
        return g.reduce(op, xv, axes, a.get("keepdim", False))

    return handler


register("ops.mean")(_reduce("ReduceMean"))
register("ops.sum")(_reduce("ReduceSum"))
register("ops.amax", "ops.max")(_reduce("ReduceMax"))
register("ops.amin", "ops.min")(_reduce("ReduceMin"))
register("ops.prod")(_reduce("ReduceProd"))


@register("ops.argmax", "ops.argmin")
def _argmax(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    op = "ArgMax" if a["_name"] == "argmax" else "ArgMin"
    kd = int(bool(a.get("keepdim", False)))
    if a.get("dim") is None:
        flat = g.reshape(g.value(x), [-1])
        return g.node(op, [flat], axis=0, keepdims=0)
    return g.node(op, [g.value(x)], axis=a["dim"] % x.ndim, keepdims=kd)


@register("ops.var", "ops.std")
def _var(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    axes = axes_of(a.get("dim"), x.ndim)
    corr = a.get("correction")
    if corr is None:
        corr = 1 if a.get("unbiased", True) is not False else 0
    xv = g.value(x)
    mean = g.reduce("ReduceMean", xv, axes, True)
    diff = g.node("Sub", [xv, mean])
    ss = g.reduce("ReduceSum", g.node("Mul", [diff, diff]), axes, a.get("keepdim", False))
    n = int(np.prod([x.shape[i] for i in (axes if axes is not None else range(x.ndim))]))
    var = g.node("Div", [ss, g.scalar(max(n - corr, 0), dt(out))])
    return g.node("Sqrt", [var]) if a["_name"] == "std" else var


# --- casts and copies ------------------------------------------------------------------------------
@register("Tensor.cast")
def _cast(g: Graph, a: A, out: Any) -> str:
    x = g.value(a["input"])
    return g.cast(x, dt(a["input"]), dt(out)) if dt(a["input"]) != dt(out) else g.node("Identity", [x])


@register("Tensor.identity", "ops.clone")
def _identity(g: Graph, a: A, out: Any) -> str:
    return g.node("Identity", [g.value(a["input"])])


@register("ops.zeros_like", "ops.ones_like", "ops.full_like", "ops.empty_like")
def _fill_like(g: Graph, a: A, out: Any) -> str:
    value = {"zeros_like": 0, "empty_like": 0, "ones_like": 1}.get(a["_name"], a.get("fill_value"))
    shape = g.node("Shape", [g.value(a["input"])])
    return g.node("ConstantOfShape", [shape], value=g.tensor_attr(np.asarray([value], dtype=dt(out))))
