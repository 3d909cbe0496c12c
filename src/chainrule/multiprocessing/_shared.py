"""Tensors in shared memory: ``Tensor.share_memory_()``, ``is_shared()``, and how they cross processes.

``share_memory_`` moves a tensor's array into an anonymous shared-memory file (``memfd``; an
anonymous shared mapping where that is missing) mapped with MAP_SHARED, in place: the Tensor object
(and so every optimizer holding it) keeps its identity, and in-place updates write to the shared
pages. A forked child inherits the mapping. For other transports, multiprocessing's pickler is
taught to send a shared tensor as its file descriptor plus offset, dtype, shape and strides; the
receiver maps the same pages. Ordinary ``pickle`` still copies the data.
"""

from __future__ import annotations

import mmap
import os
import weakref
from typing import Any

import numpy as np

from .._tensor import Tensor


class _SharedMap(mmap.mmap):
    """A MAP_SHARED mapping that remembers its file descriptor (None: anonymous, shared by fork only)."""

    fd: int | None = None


def _root(arr: np.ndarray) -> Any:
    base: Any = arr
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return base


def _new_map(nbytes: int) -> _SharedMap:
    size = max(1, nbytes)
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("chainrule-shared-tensor")
        os.ftruncate(fd, size)
        block = _SharedMap(fd, size)
        block.fd = fd
        weakref.finalize(block, os.close, fd)
        return block
    return _SharedMap(-1, size)


def is_shared(t: Tensor) -> bool:
    """True if the tensor's data lives in shared memory (after ``share_memory_``)."""
    return isinstance(_root(t._data), _SharedMap)


def share_memory_(t: Tensor) -> Tensor:
    """Move ``t``'s data into shared memory in place (a no-op if it is there already); returns ``t``."""
    if is_shared(t):
        return t
    arr = t._data
    block = _new_map(arr.nbytes)
    shared = np.ndarray(arr.shape, dtype=arr.dtype, buffer=block)
    shared[...] = arr
    t._data = shared
    _register_reducer()
    return t


def _rebuild_block(dup: Any, size: int) -> _SharedMap:
    fd = dup.detach()
    block = _SharedMap(fd, size)
    block.fd = fd
    weakref.finalize(block, os.close, fd)
    return block


def _reduce_block(block: _SharedMap) -> Any:
    """multiprocessing's reduction of a mapping: its file descriptor, sent once per message.

    The pickler memoizes the mapping, so several tensors over one mapping in a message (views, or
    a tensor and its view) share one descriptor and arrive as views of one mapping, its only
    owner. A 'spawn' start passes the parent's descriptor number itself; handed over twice it
    would make the start fail, and two owners in the child would close it twice.
    """
    from multiprocessing.reduction import DupFd

    return _rebuild_block, (DupFd(block.fd), len(block))


def _rebuild_shared(block: _SharedMap, offset: int, dtype: str, shape: tuple[int, ...],
                    strides: tuple[int, ...], requires_grad: bool) -> Tensor:
    arr = np.ndarray(shape, dtype=np.dtype(dtype), buffer=block, offset=offset, strides=strides)
    _register_reducer()  # so this process can pass it on by descriptor too
    return Tensor._make(arr, requires_grad)


def _reduce_tensor(t: Tensor) -> Any:
    """multiprocessing's reduction of a Tensor: shared ones by file descriptor, others by value."""
    root = _root(t._data)
    if not isinstance(root, _SharedMap) or root.fd is None:
        return t.__reduce_ex__(4)
    start = np.frombuffer(root, dtype=np.uint8).__array_interface__["data"][0]
    offset = t._data.__array_interface__["data"][0] - start
    return _rebuild_shared, (root, offset, t._data.dtype.str, t._data.shape, t._data.strides, t._requires_grad)


_registered = False


def _register_reducer() -> None:
    global _registered
    if not _registered:
        from multiprocessing.reduction import ForkingPickler

        ForkingPickler.register(Tensor, _reduce_tensor)
        ForkingPickler.register(_SharedMap, _reduce_block)
        _registered = True
