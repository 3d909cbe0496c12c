"""Hyperparameter checks shared by every optimizer: PyTorch's checks, in PyTorch's words and classes.

PyTorch compares each hyperparameter with a bound (``0.0 <= lr``), so a value of the wrong type
raises a ``TypeError`` about ``'<='`` at construction; here the same ``TypeError`` names the
optimizer, the argument and what was expected. Range errors keep PyTorch's exact ``ValueError``
messages (``"Invalid learning rate: -1"``), so code that matches on them keeps working. Where
PyTorch accepts a value at construction and fails only inside ``step`` (ASGD's ``alpha`` as a
string, Rprop's ``step_sizes`` of one value, L-BFGS's ``history_size=0``), the check runs at
construction with a clear message instead.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._tensor import Tensor

__all__ = ["real", "check_lr", "nonneg", "check_betas", "positive_int", "as_scalar", "check_tensor_lr", "check_fused"]


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def real(opt: str, name: str, value: Any, *, tensor_ok: bool = False) -> float:
    """``value`` as a float if it is a real number (bool, int, float, NumPy real); TypeError otherwise.

    With ``tensor_ok`` a 1-element Tensor is accepted too (PyTorch's Tensor ``lr``): a Tensor of
    another size is PyTorch's ValueError ``"Tensor lr must be 1-element"``.
    """
    if isinstance(value, Tensor):
        if not tensor_ok:
            raise TypeError(f"{opt}: {name} must be a real number, got a Tensor of shape {list(value.shape)}")
        if value.numel() != 1:
            raise ValueError(f"Tensor {name} must be 1-element")
        if value._data.dtype.kind not in "biuf":
            raise TypeError(f"{opt}: {name} must be a real number, got a Tensor of dtype {value.dtype}")
        return float(value._data.reshape(()))
    if isinstance(value, numbers.Real) or (isinstance(value, np.generic) and value.dtype.kind in "biuf"):
        return float(value)
    hint = " (a string: pass a number, e.g. float(value))" if isinstance(value, str) else ""
    kind = "a real number or a 1-element Tensor" if tensor_ok else "a real number"
    raise TypeError(f"{opt}: {name} must be {kind}; got {_describe(value)}{hint}")


def check_lr(opt: str, lr: Any, *, strict: bool = False, nan_ok: bool = False) -> float:
    """The learning rate: a real number or a 1-element Tensor, ``lr >= 0`` (``> 0`` when ``strict``).

    ``nan_ok`` follows SGD, whose ``lr < 0`` test lets NaN through where the others (``0 <= lr``) do not.
    """
    value = real(opt, "lr", lr, tensor_ok=True)
    bad = (value <= 0.0 if strict else value < 0.0) or (value != value and not nan_ok)
    if bad:
        raise ValueError(f"Invalid learning rate: {lr}")
    return value


def nonneg(opt: str, name: str, value: Any, label: str | None = None, *, strict: bool = False,
           tensor_ok: bool = False) -> float:
    """``value`` real and ``>= 0`` (``> 0`` when ``strict``): PyTorch's ``"Invalid {label} value: {v}"``.

    ``label`` is PyTorch's word for the argument when it differs from the name (``epsilon`` for eps).
    """
    v = real(opt, name, value, tensor_ok=tensor_ok)
    if not (v > 0.0 if strict else v >= 0.0):
        raise ValueError(f"Invalid {label or name} value: {value}")
    return v


def check_betas(opt: str, betas: Any, *, floats_or_tensors: bool = False) -> tuple[float, float]:
    """``betas = (β₁, β₂)`` with ``0 <= βᵢ < 1`` (PyTorch's ``"Invalid beta parameter at index i: β"``).

    A non-sequence is a TypeError and a sequence shorter than two an IndexError, PyTorch's classes.
    ``floats_or_tensors`` adds Adam's rule that both are Python floats or both Tensors.
    """
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__getitem__") or not hasattr(betas, "__len__"):
        raise TypeError(f"{opt}: betas must be a pair (beta1, beta2) of real numbers; got {_describe(betas)}")
    if len(betas) < 2:
        raise IndexError(f"{opt}: betas must be a pair (beta1, beta2) of real numbers; got {len(betas)} value(s): {betas!r}")
    if len(betas) > 2:
        raise ValueError(f"{opt}: betas must be a pair (beta1, beta2) of real numbers; got {len(betas)} values: {betas!r}")
    values = []
    for i in range(2):
        b = real(opt, f"betas[{i}]", betas[i], tensor_ok=True)
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
        values.append(b)
    if floats_or_tensors and not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
        raise ValueError("betas must be either both floats or both Tensors")
    return values[0], values[1]


def positive_int(opt: str, name: str, value: Any, *, minimum: int = 1) -> int:
    """An integer (not a bool) ``>= minimum``: TypeError for another type, ValueError below the bound."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{opt}: {name} must be an int; got {_describe(value)}")
    if value < minimum:
        raise ValueError(f"{opt}: {name} must be at least {minimum}; got {value}")
    return int(value)


def as_scalar(value: Any) -> Any:
    """A Tensor hyperparameter (a 1-element ``lr``) as a Python float for the update arithmetic."""
    return float(value._data.reshape(())) if isinstance(value, Tensor) else value


def check_tensor_lr(opt: str, group: dict[str, Any]) -> None:
    """Adam's rule: a Tensor ``lr`` (or beta) needs ``capturable=True`` when ``foreach=True``."""
    if group.get("foreach") and not group.get("capturable"):
        if isinstance(group.get("lr"), Tensor):
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        for i, b in enumerate(group.get("betas", ())):
            if isinstance(b, Tensor):
                raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and foreach=True")


def check_fused(group: dict[str, Any]) -> None:
    """``fused=True`` excludes ``differentiable`` and ``foreach`` (PyTorch's RuntimeErrors)."""
    if group.get("fused"):
        if group.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if group.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
