"""Anomaly detection: name the backward op, and the forward line, that first produced a NaN."""

from __future__ import annotations

from typing import Any

from . import function as _function

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager: record forward stack traces and check every backward output for NaN.

    Example:
        >>> import chainrule as cr
        >>> with cr.autograd.detect_anomaly():
        ...     x = cr.tensor([0.0], requires_grad=True)
        ...     y = (x.sqrt() * 0).sum()
        ...     y.backward()  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        RuntimeError: Function 'MulBackward' returned nan values in its 0th output.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._prev = _function._anomaly[0]
        _function._anomaly[0] = self.check_nan

    def __exit__(self, *exc: Any) -> None:
        _function._anomaly[0] = self._prev


class set_detect_anomaly(detect_anomaly):  # noqa: N801
    """Turn anomaly detection on or off (also usable as a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.check_nan = mode and check_nan
        self._prev = _function._anomaly[0]
        _function._anomaly[0] = self.check_nan

    def __enter__(self) -> None:
        pass


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` or ``set_detect_anomaly(True)``: backward checks for NaN."""
    return _function._anomaly[0]
