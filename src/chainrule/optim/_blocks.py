"""Blocks over a group's flat optimizer state: all passes of an update can run block by block.

Each element still sees the same float operations in the same order, so a blocked update is bit for
bit the unblocked one. Adam uses it to give each thread one chunk of a large group. (Cache-sized
blocks, all passes per block while it is cached, were measured too: no gain over whole-array passes
on a SkylakeX core with 16k-64k-element blocks, and 2x slower with 4k ones — NumPy's cost per call.)

A fused-expression library was measured as well: numexpr 2.14 (PyPI wheel) gives the same bits when
every constant is a float32 variable (a Python float literal is float64 there, and division by a
literal becomes multiplication by its reciprocal), but its virtual machine runs each operation of
an expression at a fraction of NumPy's SIMD speed: Adam over the 784-256-128-10 MLP (235k
parameters) took 1.4-1.8 ms against NumPy's 0.34-0.39 ms, and 3x longer at 1.9M and 7.5M
parameters, on one thread and on two. So the updates stay NumPy passes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["block_plan"]

Piece = tuple[int, int, int, int, int]  # (parameter index, start, stop in it, start, stop in the block)


def block_plan(shapes: Sequence[tuple[int, ...]], block: int) -> list[tuple[int, int, list[Piece]]]:
    """Cut the concatenation of flattened ``shapes`` into blocks of at most ``block`` elements.

    Returns ``[(start, stop, pieces)]`` in flat coordinates; ``pieces`` says which slice of which
    parameter lies where in the block. Every element is in exactly one piece of one block, in order.
    """
    sizes = [math.prod(s) for s in shapes]
    total = sum(sizes)
    plan: list[tuple[int, int, list[Piece]]] = []
    offsets = [0]
    for n in sizes:
        offsets.append(offsets[-1] + n)
    i = 0
    for start in range(0, total, block):
        stop = min(start + block, total)
        pieces: list[Piece] = []
        while i < len(sizes) and offsets[i] < stop:
            a, b = max(start, offsets[i]) - offsets[i], min(stop, offsets[i + 1]) - offsets[i]
            if b > a:
                pieces.append((i, a, b, offsets[i] + a - start, offsets[i] + b - start))
            if offsets[i + 1] <= stop:
                i += 1
            else:
                break
        plan.append((start, stop, pieces))
    return plan
