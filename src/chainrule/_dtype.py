"""Data types and PyTorch's type-promotion rules.

A ``chainrule.dtype`` names a NumPy dtype with PyTorch's name and flags. Promotion follows
PyTorch, not NumPy: categories bool < integer < floating; a Python scalar or a 0-d tensor only
raises the result's *category*, never its width within a category, so ``float32 * 2.5`` and
``float32 + tensor(1.0, dtype=float64)`` both stay float32.
"""

from __future__ import annotations

import builtins as _builtins

import numpy as np

_py_float, _py_int, _py_bool = _builtins.float, _builtins.int, _builtins.bool

__all__ = [
    "dtype",
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
]

_BOOL, _INT, _FLOAT = 0, 1, 2


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor element type (``chainrule.float32`` ...), wrapping a NumPy dtype."""

    __module__ = "chainrule"  # chainrule.dtype, as torch.dtype

    __slots__ = ("name", "np", "category", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype: type, category: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_signed = category == _FLOAT or (category == _INT and self.np.kind == "i")
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self) -> bool:
        """Always False: chainrule has no complex dtypes."""
        return False

    def __repr__(self) -> str:
        return f"chainrule.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = dtype("float16", np.float16, _FLOAT)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
uint8 = dtype("uint8", np.uint8, _INT)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
bool = dtype("bool", np.bool_, _BOOL)  # noqa: A001 - PyTorch's name
bfloat16 = float32  # NumPy has no bfloat16; documented: bfloat16 tensors are stored as float32

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NP: dict[np.dtype, dtype] = {d.np: d for d in _ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    """The floating dtype of new tensors made from Python floats (float32 unless changed)."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype; only float32 and float64 are allowed, as in PyTorch."""
    if d is not float32 and d is not float64:
        raise TypeError(
            f"set_default_dtype: only floating-point types are supported as the default type; "
            f"expected chainrule.float32 or chainrule.float64, got {d}"
        )
    _default[0] = d


def from_numpy_dtype(np_dtype: np.dtype, where: str = "tensor") -> dtype:
    """The chainrule dtype of a NumPy dtype, or TypeError naming what is supported."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _FROM_NP:
        return _FROM_NP[np_dtype]
    if np_dtype.kind == "u":  # uint16/32/64: PyTorch has limited support; widen to int64
        return int64
    raise TypeError(
        f"{where}: unsupported NumPy dtype {np_dtype}; expected one of bool, uint8, int8, int16, "
        f"int32, int64, float16, float32, float64"
    )


def to_dtype(d: object, where: str = "dtype") -> dtype:
    """Accept a chainrule dtype, a NumPy dtype/type or a Python type (float, int, bool)."""
    if type(d) is dtype:
        return d  # type: ignore[return-value]
    if d is _py_float:
        return float64  # as in PyTorch: dtype=float means torch.float64
    if d is _py_int:
        return int64
    if d is _py_bool:
        return bool
    try:
        return from_numpy_dtype(np.dtype(d), where)  # type: ignore[call-overload]
    except TypeError as e:
        raise TypeError(f"{where}: expected a chainrule.dtype, got {d!r}") from e


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to (PyTorch's table)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _scalar_dtype(x: object) -> dtype:
    if isinstance(x, _py_bool) or isinstance(x, np.bool_):
        return bool
    if isinstance(x, (_py_int, np.integer)):
        return int64
    if isinstance(x, (_py_float, np.floating)):
        return get_default_dtype()
    raise TypeError(f"expected a Tensor or a Python number, got {type(x).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """PyTorch's combine_categories: a lower-priority operand may only raise the category."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: object) -> dtype:
    """The dtype of an elementwise op over tensors and Python scalars, as PyTorch computes it.

    Priority: tensors with dims > 0-d tensors > Python scalars; lower priorities only raise the
    category (bool -> int -> float), so ``int_tensor * 2.5`` is float32 but ``f32 * f64_0d`` is f32.
    """
    dim_r = zero_r = wrapped_r = None
    for x in operands:
        d = getattr(x, "_data", None)
        if d is None:
            s = _scalar_dtype(x)
            wrapped_r = s if wrapped_r is None else promote_types(wrapped_r, s)
        elif d.ndim:
            t = _FROM_NP[d.dtype]
            dim_r = t if dim_r is None else promote_types(dim_r, t)
        else:
            t = _FROM_NP[d.dtype]
            zero_r = t if zero_r is None else promote_types(zero_r, t)
    out = _combine(dim_r, _combine(zero_r, wrapped_r))
    if out is None:  # pragma: no cover - no operands
        raise ValueError("result_type: expected at least one operand")
    return out
