"""``chainrule.testing`` (``torch.testing``): ``assert_close`` for tensors, arrays, numbers and nested
sequences/mappings of them, with PyTorch's per-dtype default tolerances and failure messages."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._tensor import Tensor

__all__ = ["assert_close"]

# (rtol, atol) by dtype; the larger of the two inputs' applies; integers and bools compare exactly
_PRECISION = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5), np.dtype(np.float64): (1e-7, 1e-7),
              np.dtype(np.complex64): (1.3e-6, 1e-5), np.dtype(np.complex128): (1e-7, 1e-7)}  # fmt: skip


def _fail(text: str, msg: Any, where: str) -> None:
    raise AssertionError(msg if msg is not None else text + where)


def _tolerances(dtypes: list[np.dtype], rtol: float | None, atol: float | None) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.")
    if rtol is not None:
        return float(rtol), float(atol)  # type: ignore[arg-type]
    pairs = [_PRECISION.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _compare_arrays(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool, msg: Any, where: str) -> None:
    if a.size == 0:
        return
    af, ef = a.astype(np.float64) if a.dtype.kind in "biu" else a, e.astype(np.float64) if e.dtype.kind in "biu" else e
    with np.errstate(all="ignore"):
        diff = np.abs(af - ef)
        ok = diff <= atol + rtol * np.abs(ef)
        ok |= af == ef  # equal infinities
        if equal_nan:
            ok |= np.isnan(af) & np.isnan(ef)
        if ok.all():
            return
        rel = diff / np.abs(ef)
    exact = rtol == 0 and atol == 0
    bad = int((~ok).sum())

    def worst(values: np.ndarray, as_int: bool = False) -> str:
        flat = np.where(np.isnan(values), np.inf, values).ravel()
        i = int(np.argmax(flat))
        idx = tuple(int(k) for k in np.unravel_index(i, values.shape))
        v = values.ravel()[i]
        number = int(v) if as_int and math.isfinite(v) else float(v)
        return f"{number} at index {idx}"

    allowed_a, allowed_r = ("", "") if exact else (f" (up to {atol} allowed)", f" (up to {rtol} allowed)")
    _fail(
        f"Tensor-likes are not {'equal' if exact else 'close'}!\n\nMismatched elements: {bad} / {a.size} "
        f"({100 * bad / a.size:.1f}%)\nGreatest absolute difference: {worst(diff, a.dtype.kind in 'biu')}{allowed_a}\n"
        f"Greatest relative difference: {worst(rel)}{allowed_r}", msg, where)  # fmt: skip


def _close(actual: Any, expected: Any, path: list[Any], o: dict[str, Any]) -> None:
    where = f"\n\nThe failure occurred for item {''.join(f'[{p!r}]' for p in path)}" if path else ""
    arrays = (Tensor, np.ndarray)
    if isinstance(actual, arrays) or isinstance(expected, arrays):
        if not (isinstance(actual, arrays) and isinstance(expected, arrays)) or (
            isinstance(actual, Tensor) != isinstance(expected, Tensor)
        ):
            raise TypeError(
                f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}."
            )
        a = actual.detach().numpy() if isinstance(actual, Tensor) else actual
        e = expected.detach().numpy() if isinstance(expected, Tensor) else expected
        if a.shape != e.shape:
            shape = actual.shape if isinstance(actual, Tensor) else a.shape
            other = expected.shape if isinstance(expected, Tensor) else e.shape
            _fail(f"The values for attribute 'shape' do not match: {shape} != {other}.", o["msg"], where)
        if o["check_dtype"] and a.dtype != e.dtype:
            da = actual.dtype if isinstance(actual, Tensor) else a.dtype
            de = expected.dtype if isinstance(expected, Tensor) else e.dtype
            _fail(f"The values for attribute 'dtype' do not match: {da} != {de}.", o["msg"], where)
        rtol, atol = _tolerances([a.dtype, e.dtype], o["rtol"], o["atol"])
        _compare_arrays(a, e, rtol, atol, o["equal_nan"], o["msg"], where)
    elif isinstance(actual, (bool, int, float, complex, np.number)) and isinstance(expected, (bool, int, float, complex, np.number)):
        kinds = [np.asarray(x).dtype if not isinstance(x, float) else np.dtype(np.float64) for x in (actual, expected)]
        rtol, atol = _tolerances(kinds, o["rtol"], o["atol"])
        diff = abs(actual - expected)
        if diff <= atol + rtol * abs(expected) or actual == expected or (o["equal_nan"] and actual != actual and expected != expected):
            return
        _fail(f"Scalars are not close!\n\nExpected {expected} but got {actual}.\nAbsolute difference: {diff} "
              f"(up to {atol} allowed)\nRelative difference: {diff / abs(expected) if expected else math.inf} "
              f"(up to {rtol} allowed)", o["msg"], where)  # fmt: skip
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match:\nMissing keys in the actual mapping: "
                  f"{sorted(map(repr, set(expected) - set(actual)))}\nAdditional keys in the actual mapping: "
                  f"{sorted(map(repr, set(actual) - set(expected)))}", o["msg"], where)  # fmt: skip
        for k in expected:
            _close(actual[k], expected[k], [*path, k], o)
    elif isinstance(actual, Sequence) and isinstance(expected, Sequence) and not isinstance(actual, str) and not isinstance(expected, str):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", o["msg"], where)
        for i, (x, y) in enumerate(zip(actual, expected)):
            _close(x, y, [*path, i], o)
    elif actual is None and expected is None:
        return
    else:
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")


def assert_close(
    actual: Any, expected: Any, *, allow_subclasses: bool = True, rtol: float | None = None, atol: float | None = None,
    equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
    check_stride: bool = False, msg: Any = None,
) -> None:  # fmt: skip
    """Raise AssertionError unless ``|actual - expected| <= atol + rtol·|expected|`` elementwise.

    Inputs: tensors, arrays, numbers, or sequences/mappings of them (compared item by item). Shapes must
    match, and dtypes too unless ``check_dtype=False``. Default (rtol, atol): float16 (1e-3, 1e-5), float32
    (1.3e-6, 1e-5), float64 (1e-7, 1e-7), integers and bools exact. NaNs are equal only with ``equal_nan``.
    Device, layout and stride checks are trivially true on the CPU."""
    _close(actual, expected, [], {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_dtype": check_dtype, "msg": msg})
