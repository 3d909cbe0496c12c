"""PyTorch-like printing of tensors: ``tensor([1.0000, 2.0000], requires_grad=True)``."""

from __future__ import annotations

from typing import Any

import numpy as np


def _float_formatter(data: np.ndarray) -> dict[str, Any]:
    finite = data[np.isfinite(data)] if data.size else data
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        return {"float_kind": lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)}
    amax = np.abs(finite).max() if finite.size else 0.0
    amin = np.abs(finite[finite != 0]).min() if np.any(finite != 0) else 0.0
    if finite.size and (amax >= 1e8 or (amin and amin < 1e-4) or (amin and amax / amin > 1000)):
        return {"float_kind": lambda v: f"{v:.4e}"}
    return {"float_kind": lambda v: f"{v:.4f}"}


def tensor_repr(t: Any) -> str:
    data = t._data
    fmt = _float_formatter(data) if data.dtype.kind == "f" else None
    body = np.array2string(
        data,
        separator=", ",
        prefix="tensor(",
        formatter=fmt,
        threshold=1000,
        edgeitems=3,
        max_line_width=80,
    )
    extras = []
    if data.size == 0 and data.ndim != 1:
        body = "[]"
        extras.append(f"size={tuple(data.shape)}")
    name = t.dtype.name
    if name not in ("int64", "bool", _default_float().name):
        extras.append(f"dtype=chainrule.{name}")
    if t._grad_fn is not None:
        extras.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"


def _default_float() -> Any:
    from ._dtype import get_default_dtype

    return get_default_dtype()
