"""Collectives on Tensors and NumPy arrays: in place, through MPI's buffer interface (no pickling).

Every collective is a non-blocking MPI request completed by ``wait_all`` under the group's watchdog
(a stalled collective aborts the job after the timeout given to ``init_process_group``).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import numpy as np

from .._tensor import Tensor
from ._group import _Group, _require

__all__ = ["ReduceOp", "Work", "all_reduce", "broadcast", "barrier", "all_gather_object", "broadcast_object_list",
           "wait_all"]


class ReduceOp(Enum):
    """Reduction operations of ``all_reduce`` (``AVG`` = ``SUM`` then division by the world size)."""

    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"


def _mpi_op(op: ReduceOp) -> Any:
    from mpi4py import MPI

    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}[op]


def wait_all(g: _Group, requests: list[Any], what: str) -> None:
    """Wait for MPI ``requests`` (MPI's own blocking wait, so it progresses at full speed) under the
    group's watchdog: past the timeout the job is aborted with a message naming ``what``."""
    if not requests:
        return
    from mpi4py import MPI

    g.watchdog.arm(what)
    try:
        MPI.Request.Waitall(requests)
    finally:
        g.watchdog.disarm()


class Work:
    """A pending collective (``async_op=True``): ``wait()`` finishes it, ``is_completed()`` polls."""

    def __init__(self, g: _Group | None, requests: list[Any], what: str, finish: Any = None) -> None:
        self._g, self._requests, self._what, self._finish = g, requests, what, finish
        self._done = not requests and finish is None

    def is_completed(self) -> bool:
        """True once the collective has finished (polls MPI without blocking; finishes it if it has)."""
        if self._done:
            return True
        from mpi4py import MPI

        if MPI.Request.Testall(self._requests):
            self.wait()
        return self._done

    def wait(self, timeout: Any = None) -> bool:
        """Block until the collective has finished and its result is in the tensor; returns True."""
        if not self._done:
            if self._g is not None:
                wait_all(self._g, self._requests, self._what)
            if self._finish is not None:
                self._finish()
            self._done = True
        return True


def _array(t: Any, op: str) -> np.ndarray:
    if isinstance(t, Tensor):
        return t._data
    if isinstance(t, np.ndarray):
        return t
    raise TypeError(f"{op}: expected a chainrule.Tensor or numpy.ndarray; got {type(t).__name__}")


def _writable_contiguous(a: np.ndarray, op: str) -> tuple[np.ndarray, bool]:
    if not a.flags.writeable:
        raise ValueError(f"{op}: the tensor of shape {tuple(a.shape)} is read-only; collectives work in place")
    if a.flags.c_contiguous:
        return a, False
    return np.ascontiguousarray(a), True


def all_reduce(tensor: Any, op: ReduceOp = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> Work | None:
    """Reduce ``tensor`` across all ranks, in place, so every rank holds the result
    (``Allreduce``; with MPICH the result is bit-identical on every rank)."""
    g = _require("all_reduce")
    if not isinstance(op, ReduceOp):
        raise TypeError(f"all_reduce: op must be a chainrule.distributed.ReduceOp; got {op!r}")
    a = _array(tensor, "all_reduce")
    if op is ReduceOp.AVG and a.dtype.kind not in "fc":
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating-point tensor; got dtype {a.dtype}. Use "
                        "ReduceOp.SUM and divide by get_world_size() yourself.")
    if g.comm is None:
        return Work(None, [], "all_reduce") if async_op else None
    buf, copied = _writable_contiguous(a, "all_reduce")
    from mpi4py import MPI

    req = g.comm.Iallreduce(MPI.IN_PLACE, buf, _mpi_op(op))

    def finish() -> None:
        if op is ReduceOp.AVG:
            np.divide(buf, g.size, out=buf)
        if copied:
            a[...] = buf

    work = Work(g, [req], f"all_reduce of {a.nbytes:,} bytes", finish)
    if async_op:
        return work
    work.wait()
    return None


def broadcast(tensor: Any, src: int = 0, group: Any = None, async_op: bool = False) -> Work | None:
    """Copy ``tensor`` of rank ``src`` into ``tensor`` on every other rank, in place (``Bcast``)."""
    g = _require("broadcast")
    a = _array(tensor, "broadcast")
    if not isinstance(src, int) or not 0 <= src < g.size:
        raise ValueError(f"broadcast: src must be a rank in [0, {g.size - 1}]; got {src!r}")
    if g.comm is None:
        return Work(None, [], "broadcast") if async_op else None
    buf, copied = _writable_contiguous(a, "broadcast")
    req = g.comm.Ibcast(buf, root=src)

    def finish() -> None:
        if copied:
            a[...] = buf

    work = Work(g, [req], f"broadcast of {a.nbytes:,} bytes from rank {src}", finish)
    if async_op:
        return work
    work.wait()
    return None


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Work | None:
    """Wait until every rank has reached this call (subject to the group's timeout)."""
    g = _require("barrier")
    if g.comm is None:
        return Work(None, [], "barrier") if async_op else None
    work = Work(g, [g.comm.Ibarrier()], "barrier")
    if async_op:
        return work
    work.wait()
    return None


def all_gather_object(object_list: list[Any], obj: Any, group: Any = None) -> None:
    """Fill ``object_list`` (length world size) with ``obj`` of every rank (pickled; for small metadata)."""
    g = _require("all_gather_object")
    if not isinstance(object_list, list) or len(object_list) != g.size:
        n = len(object_list) if isinstance(object_list, list) else type(object_list).__name__
        raise ValueError(f"all_gather_object: object_list must be a list of world size {g.size}; got {n}")
    if g.comm is None:
        object_list[0] = obj
        return
    import pickle

    data = np.frombuffer(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), dtype=np.uint8)
    sizes = np.zeros(g.size, dtype=np.int64)
    _allgather(g, np.array([data.size], dtype=np.int64), sizes, "all_gather_object (sizes)")
    width = int(sizes.max())
    send = np.zeros(width, dtype=np.uint8)
    send[:data.size] = data
    recv = np.zeros(width * g.size, dtype=np.uint8)
    _allgather(g, send, recv, "all_gather_object")
    for i in range(g.size):
        object_list[i] = pickle.loads(recv[i * width:i * width + int(sizes[i])].tobytes())


def broadcast_object_list(object_list: list[Any], src: int = 0, group: Any = None) -> None:
    """Replace the items of ``object_list`` on every rank by those of rank ``src`` (pickled)."""
    g = _require("broadcast_object_list")
    if g.comm is None:
        return
    import pickle

    payload = np.frombuffer(pickle.dumps(list(object_list), protocol=pickle.HIGHEST_PROTOCOL), dtype=np.uint8)
    n = np.array([payload.size if g.rank == src else 0], dtype=np.int64)
    broadcast(n, src)
    buf = payload.copy() if g.rank == src else np.zeros(int(n[0]), dtype=np.uint8)
    broadcast(buf, src)
    object_list[:] = pickle.loads(buf.tobytes())


def _allgather(g: _Group, send: np.ndarray, recv: np.ndarray, what: str) -> None:
    wait_all(g, [g.comm.Iallgather(send, recv)], what)


