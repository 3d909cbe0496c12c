"""A rank that ends early ends the job: exit notices between the ranks of an MPI job.

When a rank's interpreter exits (``sys.exit(n)``, the end of the script, a returned CLI status) while
the group is still initialized, it sends an *exit notice* with its status to every other rank over a
communicator of its own (a duplicate of ``COMM_WORLD``, so notices never mix with collectives). Each
rank's watchdog thread collects the notices; a rank that is waiting in a collective when another rank
has already exited can never complete it, so the watchdog ends the job at once (``MPI_Abort``) with
the exited rank's status (1 if that was 0: the job did not finish) and a message saying which rank
left and where this one was waiting — instead of hanging until the collective's timeout. The usual
cause is ranks that ran different numbers of steps (e.g. different numbers of batches).

A rank that is not in a collective when another exits is not disturbed (rank 0 writing results
after the other ranks have finished is the normal end of a run).
"""

from __future__ import annotations

import atexit
import sys
import time
from typing import Any

import numpy as np

__all__ = ["install", "uninstall", "collect", "exited_peer"]

_TAG = 7301  # exit notices: one int64, the exiting rank's status


class _Exit:
    """What the exit handler needs: the notice communicator and the status passed to ``sys.exit``."""

    __slots__ = ("comm", "status", "exited", "real_exit", "active")

    def __init__(self, comm: Any) -> None:
        self.comm = comm
        self.status: int | None = None
        self.exited: dict[int, int] = {}  # peer rank -> status it exited with
        self.real_exit = sys.exit
        self.active = True


def install(g: Any) -> None:
    """Prepare the exit notices of group ``g`` (collective: every rank calls it from init_process_group).

    The watchdog thread receives the notices while the main thread waits inside MPI, which needs MPI's
    THREAD_MULTIPLE (mpi4py's default); with a lower thread level there are no notices."""
    from mpi4py import MPI

    if MPI.Query_thread() != MPI.THREAD_MULTIPLE:
        return
    ex = _Exit(g.comm.Dup())
    g.exit = ex

    def exit_(status: Any = None) -> None:
        """``sys.exit`` that remembers the status for the exit notice (then exits as usual)."""
        ex.status = _code(status)
        ex.real_exit(status)

    exit_.__wrapped__ = ex.real_exit  # type: ignore[attr-defined]
    sys.exit = exit_
    atexit.register(_at_exit, g)


def uninstall(g: Any) -> None:
    """Undo :func:`install` (``destroy_process_group``): no exit notice is sent for this group."""
    ex = getattr(g, "exit", None)
    if ex is None:
        return
    ex.active = False
    if getattr(sys.exit, "__wrapped__", None) is ex.real_exit:
        sys.exit = ex.real_exit
    atexit.unregister(_at_exit)


def _code(status: Any) -> int:
    """The process exit status Python gives ``sys.exit(status)``."""
    if status is None:
        return 0
    return status if isinstance(status, int) else 1


def collect(g: Any) -> None:
    """Receive the exit notices that have arrived (called by the watchdog thread)."""
    ex = getattr(g, "exit", None)
    if ex is None or not ex.active:
        return
    from mpi4py import MPI

    status = MPI.Status()
    while ex.comm.Iprobe(source=MPI.ANY_SOURCE, tag=_TAG, status=status):
        buf = np.zeros(1, np.int64)
        ex.comm.Recv(buf, source=status.Get_source(), tag=_TAG)
        ex.exited[status.Get_source()] = int(buf[0])


def exited_peer(g: Any) -> tuple[int, int] | None:
    """(rank, status) of a peer that has exited, or None."""
    ex = getattr(g, "exit", None)
    if ex is None or not ex.exited:
        return None
    rank = min(ex.exited)
    return rank, ex.exited[rank]


def _at_exit(g: Any) -> None:
    """Tell every other rank that this one is exiting (and with what status), then let MPI finalize."""
    ex = getattr(g, "exit", None)
    if ex is None or not ex.active:
        return
    ex.active = False
    g.watchdog.stop.set()
    t = g.watchdog.thread
    if t is not None:
        t.join(timeout=5.0)  # it must not call MPI while MPI finalizes
    status = np.array([ex.status if ex.status is not None else 0], np.int64)
    requests = [ex.comm.Isend(status, dest=r, tag=_TAG) for r in range(g.size) if r != g.rank]
    from mpi4py import MPI

    deadline = time.monotonic() + 2.0  # small messages complete at once; never hang the exit on a dead peer
    while not MPI.Request.Testall(requests) and time.monotonic() < deadline:
        time.sleep(0.01)
