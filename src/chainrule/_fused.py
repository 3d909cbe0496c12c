"""Fused element-wise kernels: one pass over memory where NumPy makes one pass per operation.

A chain of element-wise operations in NumPy reads and writes whole arrays once per operation: Adam's
update is 13 passes over the parameters, an LSTM step's gate math about 20. Written instead as a
plain Python loop over elements and compiled by numba (the ``fast`` extra: in the clone,
``pip install -e ".[fast]"``), the chain is one SIMD pass, several times faster once the
arrays no longer fit in the core's cache. Without numba, or with the environment variable
``CHAINRULE_FUSED=0``, every caller runs its NumPy passes instead.

A kernel keeps the floats: each element sees the same float32/float64 operations in the same order
as the NumPy passes it replaces (no fast-math, so nothing is reordered or contracted into an FMA;
NumPy's error model, so x/0 is ±inf and 0/0 nan rather than an exception). Its results are bit for
bit those of the NumPy path, and every kernel has a test that says so.

The API:
- ``@kernel`` marks a function of arrays and scalars as a kernel; ``k.compiled`` is the compiled
  function (compiled on first use, kept in numba's on-disk cache), or None when kernels are off;
- ``enabled()``: whether kernels run (numba importable and not switched off);
- ``override(False)`` / ``override(True)``: tests run both paths.

Kernels release the GIL, so callers split large arrays over chainrule's threads with
``_parallel.run_chunks`` as for their NumPy passes. Callers pass only float32/float64 arrays.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["kernel", "Kernel", "enabled", "override", "FLOATS"]

FLOATS = ("float32", "float64")  # the dtypes (by name) a kernel is called with

_UNSET: Any = object()
_numba: Any = _UNSET  # the numba module once looked for, None if it is not installed
_forced: bool | None = None  # set by override()
_env_on: bool | None = None  # CHAINRULE_FUSED, read on first use


def _find_numba() -> Any:
    global _numba
    if _numba is _UNSET:
        try:
            import numba
        except ImportError:
            numba = None
        _numba = numba
    return _numba


def enabled() -> bool:
    """Whether fused kernels run: numba is installed and neither ``override(False)`` nor
    ``CHAINRULE_FUSED=0`` (read once) switched them off."""
    global _env_on
    if _forced is not None:
        return _forced and _find_numba() is not None
    if _env_on is None:
        _env_on = os.environ.get("CHAINRULE_FUSED", "1") != "0"
    return _env_on and _find_numba() is not None


class Kernel:
    """A function of arrays written as a loop over elements, compiled by numba on first use."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self._jitted: Any = None
        self.__doc__ = fn.__doc__  # help(kernel) shows the formula
        self.__name__ = fn.__name__

    @property
    def compiled(self) -> Callable[..., Any] | None:
        """The compiled kernel, or None when kernels are off (callers then run their NumPy passes)."""
        if not enabled():
            return None
        if self._jitted is None:
            numba = _find_numba()
            self._jitted = numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)(self.fn)
        return self._jitted

    def __repr__(self) -> str:
        return f"<fused kernel {self.__name__}>"


def kernel(fn: Callable[..., Any]) -> Kernel:
    """Mark ``fn`` (a loop over array elements) as a fused kernel; see the module docstring."""
    return Kernel(fn)


@contextlib.contextmanager
def override(on: bool) -> Iterator[None]:
    """Run with kernels on (if numba is installed) or off inside the block (tests run both paths)."""
    global _forced
    saved = _forced
    _forced = bool(on)
    try:
        yield
    finally:
        _forced = saved
