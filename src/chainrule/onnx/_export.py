"""``chainrule.onnx.export``: trace one forward pass and write an ONNX model."""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._tensor import Tensor
from . import DEFAULT_OPSET
from ._errors import INSTALL_HINT
from ._graph import Graph
from ._trace import tracing

__all__ = ["export"]

_MIN_OPSET, _MAX_OPSET = 17, 21


def _flat_outputs(out: Any) -> list[Any]:
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        res: list[Any] = []
        for o in out:
            res.extend(_flat_outputs(o))
        return res
    if out is None:
        return []
    raise TypeError(
        f"chainrule.onnx.export: the model returned {type(out).__name__}; expected a Tensor or a (nested) "
        "tuple/list of Tensors"
    )


def _names(given: Sequence[str] | None, n: int, stem: str, what: str) -> list[str]:
    if given is None:
        return [stem] if n == 1 else [f"{stem}_{i}" for i in range(n)]
    names = list(given)
    if len(names) > n:
        raise ValueError(
            f"chainrule.onnx.export: got {len(names)} {what} for {n} {what.split('_')[0]}s; expected at most {n}"
        )
    names += [f"{stem}_{i}" for i in range(len(names), n)]
    if len(set(names)) != len(names):
        raise ValueError(f"chainrule.onnx.export: {what} must be unique; got {names}")
    return names


def _dims(name: str, shape: tuple[int, ...], dynamic_axes: Mapping[str, Any] | None) -> list[Any]:
    dims: list[Any] = list(shape)
    if dynamic_axes is None:
        if dims:
            dims[0] = "batch"
        return dims
    spec = dynamic_axes.get(name)
    if spec is None:
        return dims
    items = spec.items() if isinstance(spec, Mapping) else ((ax, f"{name}_dynamic_axes_{ax}") for ax in spec)
    for ax, label in items:
        if not -len(dims) <= ax < len(dims):
            raise ValueError(
                f"chainrule.onnx.export: dynamic_axes[{name!r}] names axis {ax}, but {name} has shape {list(shape)}; "
                f"expected an axis in [{-len(dims)}, {len(dims) - 1}]"
            )
        dims[ax] = str(label)
    return dims


def export(
    model: Any,
    args: Any,
    f: str | os.PathLike[str] | io.IOBase,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    dynamic_axes: Mapping[str, Sequence[int] | Mapping[int, str]] | None = None,
    opset_version: int | None = None,
    *,
    check: bool = True,
    verbose: bool = False,
) -> Any:
    """Implementation of :func:`chainrule.onnx.export` (imports ``onnx`` on first use)."""
    try:
        import onnx
        from onnx import helper
    except ImportError as e:
        raise ImportError(
            INSTALL_HINT
        ) from e

    from .. import __version__, enable_grad, from_numpy
    from ..io import atomic_write

    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not _MIN_OPSET <= opset <= _MAX_OPSET:
        raise ValueError(
            f"chainrule.onnx.export: opset_version must be in [{_MIN_OPSET}, {_MAX_OPSET}]; got {opset_version}"
        )
    args_t = args if isinstance(args, tuple) else (args,)
    kwargs: dict[str, Any] = {}
    if args_t and isinstance(args_t[-1], dict):
        args_t, kwargs = args_t[:-1], dict(args_t[-1])
    tensor_args = [a for a in (*args_t, *kwargs.values()) if isinstance(a, Tensor)]
    if not tensor_args:
        raise TypeError(
            "chainrule.onnx.export: args holds no Tensor; expected a Tensor or a tuple of Tensors"
        )
    in_names = _names(input_names, len(tensor_args), "input", "input_names")
    if dynamic_axes is not None and not isinstance(dynamic_axes, Mapping):
        raise TypeError(
            f"chainrule.onnx.export: dynamic_axes must be a dict {{name: [axes] or {{axis: label}}}}; "
            f"got {type(dynamic_axes).__name__}"
        )

    const_names: dict[int, str] = {}
    if hasattr(model, "named_parameters"):
        for n, p in model.named_parameters():
            const_names[id(p)] = n
        for n, b in model.named_buffers():
            const_names[id(b)] = n
    g = Graph(opset, const_names)
    g.reserve(
        [*in_names, *(output_names or ()), "output", *(f"output_{i}" for i in range(len(tensor_args) + 64))]
    )

    params = list(model.parameters()) if hasattr(model, "parameters") else []
    grads = [p._requires_grad for p in params]
    modes = [(m, m.training) for m in model.modules()] if hasattr(model, "modules") else []
    traced_inputs: dict[int, Any] = {}

    def trace_input(a: Any) -> Any:
        if not isinstance(a, Tensor):
            return a
        data = a._data.copy()
        # floats: a non-leaf copy that requires grad, so results of ops export cannot see are detected
        # (they carry autograd history back to an input) and in-place ops on the input are allowed
        if data.dtype.kind == "f":
            t = from_numpy(data).requires_grad_(True).clone()
        else:
            t = from_numpy(data)
        traced_inputs[id(t)] = t
        g.bind(t, in_names[len(traced_inputs) - 1])
        return t

    try:
        if modes:
            model.eval()
        for p in params:
            p._requires_grad = False
        with enable_grad():
            call_args = [trace_input(a) for a in args_t]
            call_kwargs = {k: trace_input(v) for k, v in kwargs.items()}
            with tracing(g, model):
                out = model(*call_args, **call_kwargs)
    finally:
        for p, r in zip(params, grads):
            p._requires_grad = r
        for m, mode in modes:  # each module's own mode (a frozen BatchNorm in a training model stays eval)
            m.__dict__["training"] = mode

    outs = _flat_outputs(out)
    if not outs:
        raise ValueError("chainrule.onnx.export: the model returned no Tensor; expected at least one output")
    out_names = _names(output_names, len(outs), "output", "output_names")
    clash = set(out_names) & set(in_names)
    if clash:
        raise ValueError(f"chainrule.onnx.export: names {sorted(clash)} are used for both inputs and outputs")
    unknown = sorted(set(dynamic_axes or ()) - set(in_names) - set(out_names))
    if unknown:  # as torch: a warning, the other entries still apply
        warnings.warn(
            f"chainrule.onnx.export: dynamic_axes names {unknown}, which are not inputs or outputs "
            f"(inputs {in_names}, outputs {out_names}); ignored",
            stacklevel=2,
        )
    for o, name in zip(outs, out_names):
        g.nodes.append(helper.make_node("Identity", [g.value(o)], [name], name=f"{name}_identity"))

    used = {i for n in g.nodes for i in n.input}
    for t, name in zip(traced_inputs.values(), in_names):
        if name not in used:
            warnings.warn(
                f"chainrule.onnx.export: input '{name}' (shape {list(t.shape)}) is not used by the exported graph; "
                "it may have been read by an operation export cannot trace (its value would then be baked in)",
                stacklevel=2,
            )

    def vinfo(name: str, t: Tensor) -> Any:
        elem = helper.np_dtype_to_tensor_dtype(np.dtype(t._data.dtype))
        return helper.make_tensor_value_info(name, elem, _dims(name, tuple(t.shape), dynamic_axes))

    graph = helper.make_graph(
        g.nodes,
        type(model).__name__,
        [vinfo(n, t) for n, t in zip(in_names, traced_inputs.values())],
        [vinfo(n, o) for n, o in zip(out_names, outs)],
        initializer=g.initializers,
    )
    proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="chainrule",
        producer_version=__version__,
    )
    proto.ir_version = min(proto.ir_version, 10)
    if check:
        onnx.checker.check_model(proto, full_check=True)
    if verbose:
        printer = getattr(onnx, "printer", None)  # onnx >= 1.15; printable_graph is deprecated since 1.19
        print(printer.to_text(proto.graph) if printer is not None else helper.printable_graph(proto.graph))
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)  # type: ignore[union-attr]
    else:
        atomic_write(f, data)  # type: ignore[arg-type]
    return proto
