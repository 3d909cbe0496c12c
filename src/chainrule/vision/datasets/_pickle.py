"""A restricted reader for the CIFAR pickles: dicts, lists, strings, bytes, numbers and NumPy arrays only.

Unpickling can run any function a file names, so ``pickle.load`` on a downloaded file is code execution.
This reader resolves only the few globals that rebuilding a NumPy array needs (``_reconstruct``,
``ndarray``, ``dtype``, ``scalar``, ``_frombuffer``, and ``_codecs.encode`` for Python-2 byte strings);
any other global — ``os.system``, ``builtins.eval``, a class — raises ``pickle.UnpicklingError`` before
anything is called. Arrays of Python objects are refused too, so what comes back is plain data.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np

__all__ = ["restricted_load"]

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
}  # fmt: skip


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"restricted_load: the pickle asks for {module}.{name}, which a CIFAR batch never holds; refused "
                "(only dicts, lists, strings, numbers and NumPy arrays are read)")
        return super().find_class(module, name)


def _check(obj: Any, path: str) -> None:
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise pickle.UnpicklingError(f"restricted_load: {path} holds an array of Python objects; refused")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _check(k, path)
            _check(v, path)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _check(v, path)
    elif not isinstance(obj, (str, bytes, int, float, bool, np.generic, type(None))):
        raise pickle.UnpicklingError(f"restricted_load: {path} holds a {type(obj).__name__}; refused")


def restricted_load(path: str, encoding: str = "latin1") -> Any:
    """Read the pickle at ``path`` allowing only plain data and NumPy arrays (see the module docstring)."""
    with open(path, "rb") as f:
        raw = f.read()
    obj = _Restricted(io.BytesIO(raw), encoding=encoding).load()
    _check(obj, path)
    return obj
