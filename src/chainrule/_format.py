"""PyTorch's tensor printing: ``tensor([1.0000, 2.0000], requires_grad=True)``.

A port of PyTorch's ``_tensor_str`` rules (precision 4, threshold 1000, edgeitems 3, line width 80):
floats print in one of three modes chosen from the non-zero finite values -- integer mode
(``1.``), fixed (``1.2346``) or scientific (``1.2346e+08``, when max/min > 1000, max > 1e8 or
min < 1e-4) -- right-aligned to a common width; tensors with more than 1000 elements show the
first and last 3 entries of each dimension around ``...``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["tensor_repr", "set_printoptions", "PRINT_OPTS"]


class _PrintOptions:
    precision = 4
    threshold: float = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set printing options (PyTorch's ``set_printoptions``); ``profile`` is default/short/full."""
    if profile is not None:
        full = {"default": (4, 1000, 3), "short": (2, 1000, 2), "full": (4, math.inf, 3)}
        if profile not in full:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; expected default, short or full")
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems = full[profile]
        PRINT_OPTS.linewidth = 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


class _Formatter:
    """Chooses the mode and the common width from the (summarized) values, then formats one value."""

    def __init__(self, data: np.ndarray) -> None:
        self.floating = data.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = data.reshape(-1)
        if not self.floating:
            if flat.size:
                self.max_width = max(len(str(v)) for v in flat.tolist())
            return
        vals = flat.astype(np.float64)
        vals = vals[np.isfinite(vals) & (vals != 0)]
        if vals.size == 0:
            return
        absv = np.abs(vals)
        vmin, vmax = float(absv.min()), float(absv.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        p = PRINT_OPTS.precision
        sci = PRINT_OPTS.sci_mode
        self.sci_mode = (vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4) if sci is None else sci
        if self.sci_mode:
            fmt, extra = f"{{:.{p}e}}", 0
        elif self.int_mode:
            fmt, extra = "{:.0f}", 1
        else:
            fmt, extra = f"{{:.{p}f}}", 0
        self.max_width = max(len(fmt.format(v)) + extra for v in np.unique(vals).tolist())

    def format(self, value: Any) -> str:
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(data: np.ndarray) -> np.ndarray:
    """The entries that will be printed (first/last ``edgeitems`` of every dimension)."""
    e = PRINT_OPTS.edgeitems
    for axis in range(data.ndim):
        if data.shape[axis] > 2 * e:
            idx = np.r_[0:e, data.shape[axis] - e : data.shape[axis]]
            data = np.take(data, idx, axis=axis)
    return data


def _vector_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * e:
        items = [fmt.format(v) for v in data[:e].tolist()] + [" ..."]
        items += [fmt.format(v) for v in data[-e:].tolist()]
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _str_with_formatter(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * e:
        slices = [_str_with_formatter(data[i], indent + 1, summarize, fmt) for i in range(e)]
        slices.append("...")
        slices += [_str_with_formatter(data[i], indent + 1, summarize, fmt) for i in range(n - e, n)]
    else:
        slices = [_str_with_formatter(data[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(data: np.ndarray, indent: int) -> str:
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(data) if summarize else data)
    return _str_with_formatter(data, indent, summarize, fmt)


def _add_suffixes(body: str, suffixes: list[str], indent: int) -> str:
    parts = [body]
    last_line_len = len(body) - body.rfind("\n") + 1
    for suffix in suffixes:
        # measured as PyTorch's "torch.float64", so that lines break exactly where PyTorch's do
        n = len(suffix) - 4 * suffix.count("chainrule.")
        if last_line_len + n + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t: Any, prefix: str = "tensor(") -> str:
    """``repr(t)`` exactly as PyTorch prints it (with ``chainrule.`` for ``torch.``)."""
    from ._dtype import get_default_dtype

    data = t._data
    indent = len(prefix)
    suffixes = []
    name = t.dtype.name
    default = get_default_dtype().name
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if name != default:
            suffixes.append(f"dtype=chainrule.{name}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        if name not in (default, "int64", "bool"):
            suffixes.append(f"dtype=chainrule.{name}")
        body = _tensor_str(data, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
