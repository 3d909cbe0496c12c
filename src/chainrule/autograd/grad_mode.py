"""Grad mode: whether operations record the graph for backward (thread-local, as in PyTorch)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    enabled = True  # class attribute: the default for every new thread


state = _GradState()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return state.enabled


class _GradModeContext:
    """Context manager and decorator that sets grad mode, restoring the previous mode on exit."""

    _mode = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # PyTorch allows the bare decorator form too: ``@no_grad`` as well as ``@no_grad()``.
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Disable graph recording: ``with chainrule.no_grad(): ...`` or ``@chainrule.no_grad()``."""

    _mode = False


class enable_grad(_GradModeContext):  # noqa: N801
    """Enable graph recording inside a ``no_grad`` block."""

    _mode = True


class inference_mode(_GradModeContext):  # noqa: N801
    """Like ``no_grad`` (chainrule has no separate inference tensors); ``mode=False`` is a no-op."""

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set grad mode to ``mode``; works as a function call, a context manager and a decorator."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self._mode  # PyTorch: calling it as a function takes effect at once

    def __enter__(self) -> None:
        pass

    def __call__(self, fn: F) -> F:
        state.enabled = self._prev  # used as a decorator: the mode applies only inside ``fn``
        return super().__call__(fn)
