"""The ONNX graph being built during a trace: value names, nodes, initializers.

``onnx`` is imported when a Graph is built (never at import time, so this module imports without it).
Every chainrule Tensor produced from a graph input by a recorded operation is *traced*: its
``id`` maps to the ONNX value holding it. Any other Tensor an operation reads is a constant and
becomes an initializer (parameters keep their ``state_dict`` names).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._errors import UnsupportedOperatorError

__all__ = ["Graph"]

INT_MAX = np.iinfo(np.int64).max


class Graph:
    """Nodes and initializers of one export, and the map ``id(tensor) -> ONNX value name``."""

    def __init__(self, opset: int, const_names: dict[int, str] | None = None) -> None:
        from onnx import helper, numpy_helper

        self._helper, self._numpy_helper = helper, numpy_helper
        self.opset = opset
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []  # onnx.TensorProto
        self.names: dict[int, str] = {}
        self._const_cache: dict[int, str] = {}
        self._const_names = const_names or {}
        self._used_names: set[str] = set()
        self._keep: list[Any] = []  # keeps constant tensors alive so their ids stay unique
        self._traced: list[Tensor] = []  # likewise for traced tensors
        self._versions: dict[int, int] = {}  # in-place writes export did not see change a tensor's version
        self._n = 0
        self.bound = 0  # how many outputs were bound so far (used by the in-place wrapper)
        self.last_bound: str | None = None

    # --- names ---------------------------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        self._n += 1
        name = f"/{hint}_{self._n}"
        self._used_names.add(name)
        return name

    def reserve(self, names: Any) -> None:
        """Names initializers must not take (graph input and output names)."""
        self._used_names.update(names)

    def is_traced(self, t: Any) -> bool:
        return isinstance(t, Tensor) and id(t) in self.names

    def bind(self, t: Tensor, name: str) -> None:
        """Record that tensor ``t`` (an op's output) is the ONNX value ``name``."""
        self.names[id(t)] = name
        self._versions[id(t)] = t._version
        self._traced.append(t)
        self.bound += 1
        self.last_bound = name

    def accept_version(self, t: Tensor) -> None:
        """``t`` was written in place by the op being recorded (which rebinds it): not an unseen write."""
        self._versions[id(t)] = t._version

    def value(self, t: Any, dtype: Any = None) -> str:
        """The ONNX name of ``t``: its traced value, or an initializer for a constant (cast to ``dtype``)."""
        if isinstance(t, Tensor):
            name = self.names.get(id(t))
            if name is not None:
                if t._version != self._versions[id(t)]:
                    raise UnsupportedOperatorError(
                        "in-place operation",
                        f"a traced tensor of shape {list(t.shape)} was modified in place by an operation export "
                        "could not see; use the out-of-place form",
                    )
                return self.cast(name, t._data.dtype, dtype) if dtype is not None else name
            self.constant_data(t)
            if dtype is None or np.dtype(dtype) == t._data.dtype:
                key = id(t)
                if key not in self._const_cache:
                    self._keep.append(t)
                    self._const_cache[key] = self.const(t._data, self._const_names.get(key))
                return self._const_cache[key]
            return self.const(t._data.astype(dtype))
        if isinstance(t, np.ndarray):
            return self.const(t if dtype is None else t.astype(dtype))
        if dtype is None:
            raise TypeError(f"chainrule.onnx.export: need a dtype for the Python scalar {t!r}")
        return self.const(np.asarray(t, dtype=dtype))

    def constant_data(self, t: Tensor) -> np.ndarray:
        """The array of a tensor used as a constant; raises if it was in fact computed from an input."""
        fn = self._escaped_op(t) if t._requires_grad and t._grad_fn is not None else None
        if fn is not None:
            raise UnsupportedOperatorError(
                fn,
                f"a tensor of shape {list(t.shape)} was computed from the model input by an operation that "
                f"export could not see ({fn}); call it through chainrule, chainrule.nn.functional or a Tensor method",
            )
        return t._data

    def _escaped_op(self, t: Tensor) -> str | None:
        """If ``t`` was computed from a traced value by ops export did not see, the name of the first such
        op on its autograd history; None when ``t`` does not depend on the inputs (a constant)."""
        traced = {id(k._grad_fn) for k in self._traced if k._grad_fn is not None}
        stack, seen = [t._grad_fn], {id(t._grad_fn)}
        while stack:
            node = stack.pop()
            for parent, _ in node.next_functions:
                if parent is None or id(parent) in seen:
                    continue
                if id(parent) in traced:  # node is the first unrecorded op after a traced value
                    return type(node).__name__.removesuffix("Backward")
                seen.add(id(parent))
                stack.append(parent)
        return None

    def tensor_attr(self, array: Any) -> Any:
        """``array`` as an ``onnx.TensorProto`` (for tensor-valued attributes)."""
        return self._numpy_helper.from_array(np.asarray(array))

    # --- constants -----------------------------------------------------------------------------
    def const(self, array: Any, name: str | None = None) -> str:
        """A new initializer holding ``array``."""
        arr = np.asarray(array)
        if name is None or name in self._used_names:
            name = self.fresh("const")
        self._used_names.add(name)
        self.initializers.append(self._numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def ints(self, values: Any) -> str:
        return self.const(np.asarray(list(values), dtype=np.int64))

    def scalar(self, value: float, dtype: Any) -> str:
        return self.const(np.asarray(value, dtype=dtype))

    # --- nodes ---------------------------------------------------------------------------------
    def node(self, op: str, inputs: list[str], n_out: int = 1, **attrs: Any) -> Any:
        """Append an ``op`` node; returns its output name (or a list of ``n_out`` names)."""
        outs = [self.fresh(op) for _ in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(
            self._helper.make_node(op, inputs, outs, name=outs[0].lstrip("/") + "_node", **attrs)
        )
        return outs[0] if n_out == 1 else outs

    def cast(self, name: str, have: Any, want: Any) -> str:
        if want is None or np.dtype(have) == np.dtype(want):
            return name
        return self.node("Cast", [name], to=self._helper.np_dtype_to_tensor_dtype(np.dtype(want)))

    def reduce(self, op: str, x: str, axes: list[int] | None, keepdims: bool) -> str:
        """``ReduceMean``/``ReduceMax``/... over ``axes`` (all when None), across the opset-18 change."""
        kd = int(bool(keepdims))
        if axes is None:
            return self.node(op, [x], keepdims=kd)
        if op == "ReduceSum" or self.opset >= 18:
            return self.node(op, [x, self.ints(axes)], keepdims=kd)
        return self.node(op, [x], axes=list(axes), keepdims=kd)

    def reshape(self, x: str, shape: list[int]) -> str:
        return self.node("Reshape", [x, self.ints(shape)])

    def unsqueeze(self, x: str, axes: list[int]) -> str:
        return self.node("Unsqueeze", [x, self.ints(axes)])

    def squeeze(self, x: str, axes: list[int]) -> str:
        return self.node("Squeeze", [x, self.ints(axes)])

    def transpose(self, x: str, perm: list[int]) -> str:
        return self.node("Transpose", [x], perm=list(perm))
