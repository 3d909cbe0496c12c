"""Optimizer hooks, as PyTorch's: code that runs before and after every ``step()`` (of one optimizer, or of
all of them), and around ``state_dict()``/``load_state_dict()``. While a profile records, each step and
``zero_grad`` is a named range (``Optimizer.step#Adam.step``), as in PyTorch's profiles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .._tensor import _RemovableHandle as RemovableHandle
from ..profiler import _record, record_function

__all__ = ["register_optimizer_step_post_hook", "register_optimizer_step_pre_hook"]

_global_pre: list[Callable[..., Any]] = []
_global_post: list[Callable[..., Any]] = []


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's ``step``; it may return new
    ``(args, kwargs)``."""
    _global_pre.append(hook)
    return RemovableHandle(_global_pre, hook)


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    _global_post.append(hook)
    return RemovableHandle(_global_post, hook)


def add_hook(opt: Any, kind: str, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
    """Register ``hook`` in the optimizer's list ``kind`` (created on first use), first with ``prepend``."""
    hooks = opt.__dict__.setdefault(kind, [])
    hooks.insert(0, hook) if prepend else hooks.append(hook)
    return RemovableHandle(hooks, hook)


def with_step_hooks(step: Callable[..., Any]) -> Callable[..., Any]:
    """``step`` running the global and the optimizer's pre-hooks before it and its own then the global
    post-hooks after it, as PyTorch's: each hook gets ``(optimizer, args, kwargs)`` where ``args`` starts
    with the optimizer; inside a profiler range while a profile records."""
    if getattr(step, "_with_hooks", False):
        return step

    @functools.wraps(step)
    def hooked_step(*args: Any, **kwargs: Any) -> Any:
        self = args[0]
        if _record.current() is None:
            return _run_step(step, self, args, kwargs)
        with record_function(f"Optimizer.step#{type(self).__name__}.step"):
            return _run_step(step, self, args, kwargs)

    hooked_step._with_hooks = True  # type: ignore[attr-defined]
    return hooked_step


def _run_step(step: Callable[..., Any], self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    own_pre, own_post = self.__dict__.get("_step_pre_hooks"), self.__dict__.get("_step_post_hooks")
    if _global_pre or own_pre:
        for hook in [*_global_pre, *(own_pre or ())]:
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}."
                    )
                args, kwargs = result
    out = step(*args, **kwargs)
    if _global_post or own_post:
        for hook in [*(own_post or ()), *_global_post]:
            hook(self, args, kwargs)
    return out


def in_profile_range(fn: Callable[..., Any], what: str) -> Callable[..., Any]:
    """``fn`` (e.g. ``zero_grad``) inside the range ``Optimizer.<what>#<class>.<what>`` while a profile records."""

    @functools.wraps(fn)
    def ranged(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _record.current() is None:
            return fn(self, *args, **kwargs)
        with record_function(f"Optimizer.{what}#{type(self).__name__}.{what}"):
            return fn(self, *args, **kwargs)

    return ranged
