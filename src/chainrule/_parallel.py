"""Element-wise work on large arrays split over a small thread pool (NumPy releases the GIL in ufuncs).

NumPy's ufuncs run on one thread. For arrays of a few hundred thousand elements and more, an update
such as Adam's can be cut into disjoint chunks, one per thread: each element still sees the same
float operations in the same order, so the result is bit for bit the single-threaded one. The number
of threads is chainrule's thread setting: ``set_num_threads(n)``, else ``OMP_NUM_THREADS`` /
``OPENBLAS_NUM_THREADS``, else the CPUs this process may run on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["PARALLEL_MIN", "elementwise_threads", "run_chunks"]

# elements: below this, handing chunks to threads costs more than a second core gains (measured on
# 2 shared cores: Adam over 1.9M parameters 1.24x faster with 2 threads, over 235k 0.78x)
PARALLEL_MIN = 1 << 20

_threads: int | None = None  # set by set_num_threads; None = from the environment, read once
_pool: Any = None
_pool_pid = 0  # the process that made the pool (a forked child makes its own: the threads stay behind)


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


def run_chunks(fn: Callable[[Any], None], chunks: Sequence[Any]) -> None:
    """``fn(chunk)`` for every chunk: on the calling thread if there is one, else on the pool."""
    global _pool, _pool_pid
    if len(chunks) == 1:
        fn(chunks[0])
        return
    if _pool is None or _pool_pid != os.getpid():
        from concurrent.futures import ThreadPoolExecutor

        _pool_pid = os.getpid()
        _pool = ThreadPoolExecutor(max_workers=max(2, elementwise_threads()), thread_name_prefix="chainrule")
    futures = [_pool.submit(fn, c) for c in chunks[1:]]
    fn(chunks[0])  # the calling thread takes a share too
    for f in futures:
        f.result()
