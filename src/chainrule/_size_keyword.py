"""Sizes passed by keyword to functions that take them as varargs.

PyTorch accepts a shape either spread out or by its keyword: ``x.reshape(2, 3)``, ``x.reshape((2, 3))`` and
``x.reshape(shape=(2, 3))``; likewise ``view(size=)``, ``permute(dims=)``, ``expand(size=)``,
``repeat(repeats=)``, ``flip(dims=)`` and the creation functions' ``zeros(size=)``. Our functions take the
varargs form; this turns the keyword form into it.
"""

from __future__ import annotations

from typing import Any


def sizes_or_keyword(args: tuple[Any, ...], kwargs: dict[str, Any], name: str, op: str) -> tuple[Any, ...]:
    """``args`` unchanged, or ``(kwargs[name],)`` when the sizes came by keyword.

    Raises TypeError (Python's wording) for any other keyword, or when sizes come both ways."""
    if not kwargs:
        return args
    unknown = [k for k in kwargs if k != name]
    if unknown:
        raise TypeError(f"{op}() got an unexpected keyword argument '{unknown[0]}'")
    if args:
        raise TypeError(f"{op}() got multiple values for argument '{name}'; pass the sizes either by position or as {name}=")
    return (kwargs[name],)
