"""Rank-0-only helpers: logging and saving once per job, not once per process.

They work without ``init_process_group`` (a single process is rank 0), so scripts need no ``if``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ._group import _state

__all__ = ["is_main_process", "rank_zero_only", "print_rank0", "save_on_rank0"]

F = TypeVar("F", bound=Callable[..., Any])


def is_main_process() -> bool:
    """True on rank 0, and in a process outside any process group."""
    g = _state()
    return g is None or g.rank == 0


def rank_zero_only(fn: F) -> F:
    """Decorator: call ``fn`` on rank 0 only (other ranks get ``None``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs) if is_main_process() else None

    return wrapper  # type: ignore[return-value]


def print_rank0(*args: Any, **kwargs: Any) -> None:
    """``print`` on rank 0 only (flushed, so lines from a job are not lost when it is aborted)."""
    if is_main_process():
        kwargs.setdefault("flush", True)
        print(*args, **kwargs)


def save_on_rank0(obj: Any, f: Any, *, barrier: bool = True) -> None:
    """``chainrule.save(obj, f)`` on rank 0 only; then (``barrier=True``) every rank waits until it is
    written, so a rank may read the file right after."""
    from .. import save

    if is_main_process():
        save(obj, f)
    g = _state()
    if barrier and g is not None and g.comm is not None:
        from ._collectives import barrier as _barrier

        _barrier()
