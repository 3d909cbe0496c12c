"""``chainrule.compiler``: the queries and decorators of ``torch.compiler`` that model code calls.

chainrule's own compiler is ``chainrule.compile`` (trace once, replay as one graph node); code it runs
is not "being compiled" in PyTorch's sense, so ``is_compiling()`` is False and ``disable`` returns the
function unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["is_compiling", "is_dynamo_compiling", "is_exporting", "disable", "allow_in_graph",
           "assume_constant_result", "reset"]


def is_compiling() -> bool:
    """False: no PyTorch-style graph capture is running."""
    return False


def is_dynamo_compiling() -> bool:
    """False: there is no TorchDynamo in chainrule."""
    return False


def is_exporting() -> bool:
    """False: no ``torch.export`` capture is running."""
    return False


def disable(fn: Callable[..., Any] | None = None, recursive: bool = True, *, reason: str | None = None) -> Any:
    """Decorator that leaves ``fn`` as it is (usable bare or with arguments)."""
    if fn is None:
        return lambda f: f
    return fn


def allow_in_graph(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Returns ``fn`` unchanged."""
    return fn


def assume_constant_result(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Returns ``fn`` unchanged."""
    return fn


def reset() -> None:
    """No-op: there are no compilation caches to clear."""
