"""Nested Python state <-> (JSON tree, flat dict of arrays).

Arrays and Tensors are stored in the safetensors body under their '/'-joined path
(``"model/fc1.weight"``, ``"optimizer/state/0/exp_avg"``), so a flat state dict keeps its keys
verbatim. Everything else becomes JSON. Native JSON values (null, bools, ints, finite floats,
strings, lists) stand for themselves; every JSON object is a tagged node ``{"$": kind, ...}``:

- ``dict``: ``{"$": "dict", "v": {key: node}}`` (string keys) or ``"items": [[key, node], ...]``
  (other keys, e.g. the int parameter indices of an optimizer state); ``"ordered": true`` for
  an ``OrderedDict``;
- ``tuple`` (``"v": [...]``), ``float`` (``"v": "nan" | "inf" | "-inf"``), ``bytes`` (base64),
  ``np`` (a NumPy scalar: ``"dtype"``, ``"v"``), ``dtype`` (a chainrule dtype name);
- ``tensor`` / ``ndarray``: ``{"key": name in the body, "dtype": NumPy name}``, plus
  ``"requires_grad"`` / ``"parameter"`` flags for Tensors.
"""

from __future__ import annotations

import base64
import math
from collections import OrderedDict
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor

__all__ = ["flatten", "unflatten"]

_STORABLE = frozenset("biuf")  # bool, signed/unsigned int, float (itemsize checked by the writer)
_JSON_SCALARS = (type(None), bool, int, str)


def flatten(obj: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """Split ``obj`` into a JSON-able tree and the arrays it references (TypeError if not storable)."""
    arrays: dict[str, np.ndarray] = {}
    return _enc(obj, "", arrays), arrays


def _array_node(kind: str, arr: np.ndarray, path: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    if arr.dtype.kind not in _STORABLE or arr.dtype.itemsize > 8:
        raise TypeError(
            f"chainrule.save: cannot store the {arr.dtype} array at '{path or '<root>'}'; supported "
            f"dtypes are bool, (u)int8-64 and float16/32/64"
        )
    key = path or kind
    if key in arrays:  # keys like 'a/b' inside 'a' collide with key 'b' inside 'a' - rename
        i = 1
        while f"{key}#{i}" in arrays:
            i += 1
        key = f"{key}#{i}"
    arrays[key] = np.asarray(arr, dtype=arr.dtype.newbyteorder("<"), order="C")
    return {"$": kind, "key": key, "dtype": arr.dtype.name}


def _enc(obj: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    t = type(obj)
    if t in _JSON_SCALARS:
        return obj
    if t is float:
        return obj if math.isfinite(obj) else {"$": "float", "v": repr(obj)}
    if isinstance(obj, Tensor):
        node = _array_node("tensor", obj._data, path, arrays)
        if obj._requires_grad:
            node["requires_grad"] = True
        if t is not Tensor:
            from ..nn.parameter import Parameter

            if isinstance(obj, Parameter):
                node["parameter"] = True
        return node
    if isinstance(obj, np.ndarray):
        return _array_node("ndarray", obj, path, arrays)
    if isinstance(obj, np.generic):
        if obj.dtype.kind not in _STORABLE or obj.dtype.itemsize > 8:
            raise TypeError(f"chainrule.save: cannot store the NumPy {obj.dtype} scalar at '{path or '<root>'}'")
        return {"$": "np", "dtype": obj.dtype.name, "v": _enc(obj.item(), path, arrays)}
    join = f"{path}/" if path else ""
    if isinstance(obj, dict):
        node: dict[str, Any] = {"$": "dict"}
        if all(type(k) is str for k in obj):
            node["v"] = {k: _enc(v, join + k, arrays) for k, v in obj.items()}
        else:
            node["items"] = [[_enc_key(k, path), _enc(v, join + str(k), arrays)] for k, v in obj.items()]
        if isinstance(obj, OrderedDict):
            node["ordered"] = True
        return node
    if isinstance(obj, list):
        return [_enc(v, f"{join}{i}", arrays) for i, v in enumerate(obj)]
    if isinstance(obj, tuple):
        return {"$": "tuple", "v": [_enc(v, f"{join}{i}", arrays) for i, v in enumerate(obj)]}
    if isinstance(obj, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(obj)
    if isinstance(obj, int):  # IntEnum and other int subclasses
        return int(obj)
    if isinstance(obj, float):
        return _enc(float(obj), path, arrays)
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return {"$": "bytes", "v": base64.b64encode(bytes(obj)).decode("ascii")}
    if isinstance(obj, _dtype.dtype):
        return {"$": "dtype", "v": obj.name}
    raise TypeError(
        f"chainrule.save: cannot store a {t.__module__}.{t.__qualname__} at '{path or '<root>'}'; "
        f"checkpoints hold dicts, lists, tuples, Tensors, NumPy arrays, numbers, str, bytes, bool and "
        f"None (call .state_dict() on modules, optimizers and schedulers)"
    )


def _enc_key(key: Any, path: str) -> Any:
    if isinstance(key, (Tensor, np.ndarray)):
        raise TypeError(f"chainrule.save: a dict at '{path or '<root>'}' has a tensor as a key; keys must be plain values")
    return _enc(key, path, {})


def unflatten(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Rebuild the object; KeyError/TypeError/ValueError on a damaged tree (the caller reports it)."""
    t = type(node)
    if t in _JSON_SCALARS or t is float:
        return node
    if t is list:
        return [unflatten(v, arrays) for v in node]
    if t is not dict:
        raise TypeError(f"unexpected {t.__name__} node")
    kind = node["$"]
    if kind == "tensor":
        arr = _checked(node, arrays)
        if arr.dtype.kind == "u" and arr.dtype.itemsize > 1:  # only from foreign tools
            arr = arr.astype(np.int64)
        if node.get("parameter"):
            from ..nn.parameter import Parameter

            return Parameter(Tensor._make(arr), requires_grad=bool(node.get("requires_grad")))
        out = Tensor._make(arr)
        if node.get("requires_grad"):
            out.requires_grad_(True)
        return out
    if kind == "ndarray":
        return _checked(node, arrays)
    if kind == "dict":
        cls = OrderedDict if node.get("ordered") else dict
        if "v" in node:
            return cls((k, unflatten(v, arrays)) for k, v in node["v"].items())
        return cls((_hashable(unflatten(k, arrays)), unflatten(v, arrays)) for k, v in node["items"])
    if kind == "tuple":
        return tuple(unflatten(v, arrays) for v in node["v"])
    if kind == "float":
        return float(node["v"])
    if kind == "np":
        return _np_scalar(node["dtype"], unflatten(node["v"], arrays))
    if kind == "bytes":
        return base64.b64decode(node["v"], validate=True)
    if kind == "dtype":
        if node["v"] not in _SCALAR_DTYPES:
            raise ValueError(f"unknown dtype {node['v']!r}")
        return _dtype.to_dtype(np.dtype(node["v"]))
    raise ValueError(f"unknown node kind {kind!r}")


# The NumPy scalar types the writer stores: bool, (u)int8-64, float16/32/64 (see _array_node).
_SCALAR_DTYPES = frozenset(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                            "float16", "float32", "float64"])


def _np_scalar(name: Any, value: Any) -> np.generic:
    """A NumPy scalar of a dtype the writer produces, from a value of the matching kind and range."""
    if type(name) is not str or name not in _SCALAR_DTYPES:
        raise ValueError(f"a NumPy scalar of dtype {name!r}; checkpoints hold only {', '.join(sorted(_SCALAR_DTYPES))}")
    dt = np.dtype(name)
    if dt.kind == "b":
        ok = type(value) is bool
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        ok = type(value) is int and info.min <= value <= info.max
    else:
        try:
            x = float(value) if type(value) in (int, float) else None
        except OverflowError:  # an int beyond float64
            x = None
        ok = x is not None and not (math.isfinite(x) and abs(x) > float(np.finfo(dt).max))
    if not ok:
        raise ValueError(f"a NumPy {name} scalar with the value {value!r:.40}")
    return dt.type(value)


def _checked(node: dict[str, Any], arrays: dict[str, np.ndarray]) -> np.ndarray:
    arr = arrays[node["key"]]
    if arr.dtype.name != node["dtype"]:
        raise ValueError(f"tensor '{node['key']}' is {arr.dtype.name} in the body but {node['dtype']} in the tree")
    return arr


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        raise TypeError("a dict key decoded to a list")
    return key
