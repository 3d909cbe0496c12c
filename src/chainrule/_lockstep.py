"""Steps that must run in order, each cut into chunks that may run at once: a time loop over two cores.

A recurrence's step t needs all of step t−1 (the whole state h_{t−1}), but within a step the hidden units
are independent: ``run_steps(fn, n_steps, n_chunks)`` calls ``fn(step, chunk)`` for every pair, the chunks of
a step on the calling thread and on chainrule's pool (``_parallel``), and starts step s + 1 only when all
of step s is done. The chunks are claimed one at a time in order, by whichever thread asks first: a pool
thread that has not started (its core busy with another process) leaves all the work to the caller,
which never waits for a thread that has not claimed anything. ``fn`` releases the GIL for most of its work
(BLAS, NumPy, compiled kernels); whatever a chunk computes, it computes the same way on either thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from . import _parallel

__all__ = ["run_steps"]


class _Steps:
    """The shared state of one ``run_steps`` call: next chunk to claim, chunks done, the first error."""

    def __init__(self, fn: Callable[[int, int], Any], n_steps: int, n_chunks: int) -> None:
        self.fn, self.n, self.total = fn, n_chunks, n_steps * n_chunks
        self.cond = threading.Condition(threading.Lock())
        self.next = 0  # chunks are claimed in the order step-major, chunk-minor
        self.done = 0  # chunks finished; a chunk of step s may start once done >= s·n
        self.failed = False

    def work(self) -> None:
        """Claim and run chunks until none is left (or another thread failed)."""
        n, total, cond, fn = self.n, self.total, self.cond, self.fn
        while True:
            with cond:
                while True:
                    k = self.next
                    if k >= total or self.failed:
                        return
                    if self.done >= k - k % n:  # every chunk of the earlier steps has finished
                        break
                    cond.wait()
                self.next = k + 1
            try:
                fn(k // n, k % n)
            except BaseException:
                with cond:
                    self.failed = True
                    cond.notify_all()
                raise
            with cond:
                self.done += 1
                if self.done % n == 0:
                    cond.notify_all()


def run_steps(fn: Callable[[int, int], Any], n_steps: int, n_chunks: int) -> None:
    """``fn(step, chunk)`` for every step in ``range(n_steps)`` and chunk in ``range(n_chunks)``; all chunks
    of a step finish before any chunk of the next starts. Runs on the caller and ``n_chunks − 1`` pool
    threads (at most chainrule's thread count − 1); inline when there is one chunk or we are in a chunk."""
    helpers = min(n_chunks, _parallel.elementwise_threads()) - 1
    if helpers < 1 or getattr(_parallel._local, "inside", False):
        for s in range(n_steps):
            for c in range(n_chunks):
                fn(s, c)
        return
    state = _Steps(fn, n_steps, n_chunks)
    pool = _parallel._get_pool(max(2, _parallel.elementwise_threads()))
    futures = [pool.submit(_inside, state.work) for _ in range(helpers)]
    try:
        _inside(state.work)
    finally:
        for f in futures:
            if not f.cancel():  # started: wait until it has left its last chunk
                f.result()


def _inside(work: Callable[[], None]) -> None:
    """Run ``work`` marked as inside a chunk (nested parallel requests run inline)."""
    saved = getattr(_parallel._local, "inside", False)
    _parallel._local.inside = True
    try:
        work()
    finally:
        _parallel._local.inside = saved
