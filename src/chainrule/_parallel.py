"""Element-wise and row-wise work on large arrays split over a small thread pool (NumPy releases the GIL).

NumPy's ufuncs run on one thread. For arrays of a few hundred thousand elements and more, the work
can be cut into disjoint chunks along the leading axis, one per thread: each element (or row) still
sees the same float operations in the same order, so the result is bit for bit the single-threaded
one. The number of threads is chainrule's thread setting: ``set_num_threads(n)``, else
``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS``, else the CPUs this process may run on — so a process
limited to one thread never starts a pool.

The API:
- ``threads_for(size)``: how many chunks an op over ``size`` elements should use (1 below
  ``ELEMENTWISE_MIN`` or with one thread);
- ``for_rows(fn, n_rows, size)``: ``fn(rows)`` for slices ``rows`` of ``range(n_rows)`` covering it,
  run on the pool when ``threads_for(size) > 1``;
- ``elementwise(fn, out, *inputs)``: ``fn(out_chunk, *input_chunks)`` over flat chunks of
  same-shaped C-contiguous arrays (one call on the whole arrays otherwise);
- ``run_chunks(fn, chunks)``: the primitive under both; the chunks are claimed one at a time by the
  calling thread and the pool's, and the caller never waits for a pool thread that has not started
  (on a machine whose other core is busy, a late pool thread takes only what is left, or nothing);
- ``for_rows(..., blas=True)``: chunks that call BLAS (a batch of small matrix products, as in attention)
  run with BLAS's own threads set to 1 meanwhile, so the two levels of threads do not fight: a batch of
  small GEMMs each split over BLAS threads spends its time synchronising them.

The pool is made on first use (never at import), once per process (a forked child makes its own),
and a chunk that itself asks for chunks runs them inline, so nested calls cannot deadlock. Work done
inside a chunk calls BLAS (matrix products) only under ``blas=True``: BLAS has its own threads.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = [
    "PARALLEL_MIN", "ELEMENTWISE_MIN", "elementwise_threads", "set_elementwise_threads", "threads_for",
    "row_slices", "for_rows", "elementwise", "run_chunks", "override", "single_threaded_blas",
]  # fmt: skip

# elements: below this, handing chunks to threads costs more than a second core gains (measured on
# 2 shared cores: Adam over 1.9M parameters 1.24x faster with 2 threads, over 235k 0.78x)
PARALLEL_MIN = 1 << 20

# elements of a single element-wise or row-wise pass (ReLU, softmax, layer norm, ...): one float32
# pass over 2^18 elements takes ~60-120 µs on one core here, handing a chunk to a pool thread ~20-40 µs
ELEMENTWISE_MIN = 1 << 18

_threads: int | None = None  # set by set_num_threads; None = from the environment, read once
_min_size: int | None = None  # set by ``override`` (tests): None = ELEMENTWISE_MIN
_pool: Any = None
_pool_size = 0
_pool_pid = 0  # the process that made the pool (a forked child makes its own: the threads stay behind)
_pool_lock = threading.Lock()
_local = threading.local()  # .inside: this thread is running a chunk (nested requests run inline)
_blas: list[Any] | None = None  # threadpoolctl controllers of the loaded BLAS libraries, found on first use
_blas_modules = 0  # len(sys.modules) when they were looked for
_blas_saved: list[int] = []
_blas_depth = 0
_blas_lock = threading.Lock()


def _from_environment() -> int:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def elementwise_threads() -> int:
    """How many threads element-wise chunks may use (at least 1)."""
    global _threads
    if _threads is None:
        _threads = max(1, _from_environment())
    return _threads


def set_elementwise_threads(n: int) -> None:
    """Use ``n`` threads for element-wise chunks from now on (called by ``set_num_threads``)."""
    global _threads
    _threads = max(1, int(n))


def threads_for(size: int, min_size: int | None = None) -> int:
    """Chunks for one pass over ``size`` elements: 1 below the threshold, on one thread or inside a chunk."""
    limit = (ELEMENTWISE_MIN if _min_size is None else _min_size) if min_size is None else min_size
    if size < limit or getattr(_local, "inside", False):
        return 1
    return elementwise_threads()


def row_slices(n: int, parts: int) -> list[slice]:
    """``parts`` (at most ``n``) contiguous slices covering ``range(n)``, sizes differing by at most one."""
    parts = max(1, min(parts, n))
    base, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + base + (1 if i < extra else 0)
        out.append(slice(start, stop))
        start = stop
    return out


def for_rows(
    fn: Callable[[slice], Any], n_rows: int, size: int, min_size: int | None = None, blas: bool = False
) -> None:
    """``fn(rows)`` over slices of the leading axis covering ``range(n_rows)``; ``size`` (elements of the
    work) decides the number of chunks (``threads_for``). ``fn`` writes its rows' results in place.
    ``blas=True``: ``fn`` calls BLAS, whose threads are set to 1 while the chunks run. Such chunks are
    off unless ``override`` asks for them (tests): on a quiet 2-core machine the RNN time loops and the
    attention kernel ran 1.1-1.4x slower split this way than with OpenBLAS threading each GEMM itself
    (`python -m bench --threads 0`: lstm 7.1 vs 8.5 steps/s), though faster with other jobs on the cores."""
    if blas and _min_size is None:
        fn(slice(0, n_rows))
        return
    parts = threads_for(size, min_size) if n_rows > 1 else 1
    if parts == 1:
        fn(slice(0, n_rows))
    elif blas:
        with single_threaded_blas():
            run_chunks(fn, row_slices(n_rows, parts))
    else:
        run_chunks(fn, row_slices(n_rows, parts))


def elementwise(fn: Callable[..., Any], out: Any, *inputs: Any, min_size: int | None = None) -> Any:
    """``fn(out, *inputs)`` (a pass writing ``out``), over flat chunks when the arrays are large; returns ``out``.

    Chunked only when every array is C-contiguous with ``out``'s shape (else one call on the whole arrays,
    which may broadcast): then chunk k of each is ``a.reshape(-1)[rows_k]``.
    """
    parts = threads_for(out.size, min_size)
    if parts > 1 and out.flags.c_contiguous and all(
        a.shape == out.shape and a.flags.c_contiguous for a in inputs
    ):
        flat = [out.reshape(-1)] + [a.reshape(-1) for a in inputs]
        run_chunks(lambda s: fn(*(a[s] for a in flat)), row_slices(out.size, parts))
    else:
        fn(out, *inputs)
    return out


def _get_pool(workers: int) -> Any:
    global _pool, _pool_pid, _pool_size
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid() or _pool_size < workers:
            from concurrent.futures import ThreadPoolExecutor

            _pool_pid, _pool_size = os.getpid(), workers
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chainrule")
        return _pool


class _Queue:
    """The chunks of one ``run_chunks`` call, handed out one at a time to whichever thread asks first."""

    __slots__ = ("chunks", "next", "lock")

    def __init__(self, chunks: Sequence[Any]) -> None:
        self.chunks, self.next, self.lock = chunks, 0, threading.Lock()

    def take(self) -> tuple[bool, Any]:
        with self.lock:
            i = self.next
            if i >= len(self.chunks):
                return False, None
            self.next = i + 1
        return True, self.chunks[i]

    def stop(self) -> None:
        with self.lock:
            self.next = len(self.chunks)


def _drain(fn: Callable[[Any], Any], queue: _Queue) -> None:
    """Run ``fn`` on chunks taken from ``queue`` until none is left (nested requests run inline)."""
    saved = getattr(_local, "inside", False)
    _local.inside = True
    try:
        while True:
            found, chunk = queue.take()
            if not found:
                return
            fn(chunk)
    except BaseException:
        queue.stop()
        raise
    finally:
        _local.inside = saved


def run_chunks(fn: Callable[[Any], Any], chunks: Sequence[Any]) -> None:
    """``fn(chunk)`` for every chunk, each exactly once, by the calling thread and the pool's threads.

    The chunks are claimed one by one: the calling thread starts at once, and a pool thread that
    starts late (its core busy with another process) takes whatever is left, or nothing — the call
    waits only for chunks a pool thread has begun, never for a pool thread that has not started.
    Inside a chunk (a nested request) every chunk runs on the calling thread.
    """
    if len(chunks) == 1 or getattr(_local, "inside", False):
        for c in chunks:
            fn(c)
        return
    helpers = min(elementwise_threads(), len(chunks)) - 1
    if helpers < 1:
        for c in chunks:
            fn(c)
        return
    pool = _get_pool(max(2, elementwise_threads()))
    queue = _Queue(chunks)
    futures = [pool.submit(_drain, fn, queue) for _ in range(helpers)]
    try:
        _drain(fn, queue)
    finally:
        for f in futures:
            if not f.cancel():  # started: it may be running a chunk
                f.result()


def _blas_controllers() -> list[Any]:
    global _blas, _blas_modules
    # looked for again once modules were imported since: a library may have loaded another BLAS
    # (numba's first compilation loads SciPy's OpenBLAS beside NumPy's)
    if _blas is None or len(sys.modules) != _blas_modules:
        _blas_modules = len(sys.modules)
        try:
            from threadpoolctl import ThreadpoolController

            _blas = list(ThreadpoolController().select(user_api="blas").lib_controllers)
        except Exception:  # pragma: no cover - threadpoolctl cannot read this BLAS: leave its threads alone
            _blas = []
    return _blas


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS (NumPy's matrix products) on one thread inside the block; the setting is process-wide, and
    nested or concurrent blocks restore it once, when the last one ends."""
    global _blas_depth, _blas_saved
    ctls = _blas_controllers()
    with _blas_lock:
        if _blas_depth == 0:
            _blas_saved = [c.get_num_threads() for c in ctls]
            for c in ctls:
                c.set_num_threads(1)
        _blas_depth += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_depth -= 1
            if _blas_depth == 0:
                for c, n in zip(ctls, _blas_saved):
                    c.set_num_threads(n)


@contextlib.contextmanager
def override(threads: int | None = None, min_size: int | None = None) -> Iterator[None]:
    """Temporarily use ``threads`` threads and a size threshold of ``min_size`` elements (for tests:
    ``override(3, 1)`` exercises the chunked paths on small arrays, ``override(1)`` the single-threaded)."""
    global _threads, _min_size
    saved = _threads, _min_size
    if threads is not None:
        _threads = max(1, int(threads))
    if min_size is not None:
        _min_size = int(min_size)
    try:
        yield
    finally:
        _threads, _min_size = saved
