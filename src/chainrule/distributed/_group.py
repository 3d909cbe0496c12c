"""The default process group: MPI's ``COMM_WORLD`` through mpi4py, or a single-process stand-in.

``mpi4py`` is imported here, lazily, on ``init_process_group`` — never at ``import chainrule``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from datetime import timedelta
from typing import Any

__all__ = ["init_process_group", "destroy_process_group", "is_initialized", "is_available", "is_mpi_launched",
           "launched_world_size", "get_rank", "get_world_size", "get_backend", "DEFAULT_TIMEOUT", "abort",
           "defer_to_rank0"]

DEFAULT_TIMEOUT = timedelta(minutes=30)  # PyTorch's default for its CPU backends
# environment variables that MPI launchers set: MPICH/Hydra (PMI), Open MPI, Intel MPI, Slurm's PMIx
_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")


class _Watchdog:
    """A daemon thread that aborts the job when a collective outlives the group's timeout.

    The main thread blocks inside MPI (mpi4py releases the GIL there) with ``arm(what)`` before and
    ``disarm()`` after; arming costs two attribute writes, so collectives run at MPI's own speed.
    """

    def __init__(self, g: _Group) -> None:
        self.g = g
        self.what: str | None = None
        self.deadline: float | None = None
        self.seq = 0  # counts arm() calls: tells one wait from the next
        self.limit = g.timeout.total_seconds()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def arm(self, what: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="chainrule-mpi-watchdog", daemon=True)
            self.thread.start()
        self.what = what
        self.seq += 1
        self.deadline = time.monotonic() + self.limit

    def disarm(self) -> None:
        self.deadline = None

    def _run(self) -> None:
        from ._exit import collect, exited_peer

        period = min(1.0, max(0.02, self.limit / 20))
        suspect: int | None = None  # the wait during which a peer was seen to have exited
        while not self.stop.wait(period):
            collect(self.g)
            d, what, seq = self.deadline, self.what, self.seq
            peer = exited_peer(self.g) if d is not None else None
            if peer is not None and suspect == seq:  # still the same wait one period later: it cannot complete
                self._peer_exited(peer, what)
            suspect = seq if peer is not None else None
            if d is not None and time.monotonic() > d:
                g = self.g
                sys.stderr.write(
                    f"[rank {g.rank}] chainrule.distributed: {what} did not complete within the timeout of "
                    f"{g.timeout} (init_process_group(timeout=...)); another rank is stalled, has crashed or "
                    "took a different code path (e.g. skipped a backward). Aborting all ranks.\n")
                abort(1)

    def _peer_exited(self, peer: tuple[int, int], what: str | None) -> None:
        rank, status = peer
        code = status or 1
        sys.stderr.write(
            f"[rank {self.g.rank}] chainrule.distributed: rank {rank} has exited (status {status}) while this rank "
            f"waits in {what}, which needs every rank. The ranks took different paths: e.g. they had different "
            "numbers of batches (give every rank the same number, as DistributedSampler does), or one rank called "
            f"sys.exit early. Ending the job with status {code}.\n")
        abort(code)


class _Group:
    __slots__ = ("comm", "rank", "size", "timeout", "hook_installed", "prev_hook", "watchdog", "exit")

    def __init__(self, comm: Any, rank: int, size: int, timeout: timedelta) -> None:
        self.comm, self.rank, self.size, self.timeout = comm, rank, size, timeout
        self.hook_installed, self.prev_hook = False, None
        self.watchdog = _Watchdog(self)
        self.exit: Any = None  # the exit notices (see _exit.py)


_group: _Group | None = None


def is_available() -> bool:
    """True if mpi4py (and so an MPI library) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def launched_world_size() -> int:
    """The number of processes an MPI launcher (``mpiexec -n N``) started, read from its environment
    (1 when the script was not started by a launcher). Needs no MPI import."""
    for var in _SIZE_VARS:
        v = os.environ.get(var)
        if v and v.isdigit():
            return int(v)
    return 1


def is_mpi_launched() -> bool:
    """True when this process was started by ``mpiexec -n N`` with N > 1."""
    return launched_world_size() > 1


def init_process_group(backend: str | None = "mpi", init_method: str | None = None, timeout: timedelta | None = None,
                       world_size: int = -1, rank: int = -1, **kwargs: Any) -> None:
    """Join the default process group (PyTorch's ``torch.distributed.init_process_group``).

    ``backend="mpi"`` (the only backend): the group is MPI's ``COMM_WORLD``; rank and world size come
    from the launcher (``mpiexec -n N python script.py``), so ``world_size``/``rank`` may only repeat them.
    Without a launcher the group has one process (rank 0) and every collective is a no-op, so the same
    script runs with and without ``mpiexec``; this also holds when mpi4py is not installed. Started by
    ``mpiexec -n N`` (N > 1) without mpi4py is an error (each process would train alone).

    ``timeout`` (default 30 minutes): a collective that has not completed by then aborts the whole job
    (``MPI_Abort``) with a message naming the operation and the rank — a stalled or dead rank ends the
    job instead of hanging it. A watchdog thread checks it; collectives themselves run at MPI's speed.
    With more than one process, an uncaught exception on any rank prints its traceback and calls
    ``MPI.COMM_WORLD.Abort(1)``, so every rank ends within moments (no deadlock).
    """
    global _group
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(f"init_process_group: backend {backend!r} is not supported; chainrule runs on MPI: "
                         "use backend='mpi' (launch with `mpiexec -n N python script.py`)")
    if _group is not None:
        raise ValueError("init_process_group: trying to initialize the default process group twice!")
    if init_method not in (None, "env://"):
        raise ValueError(f"init_process_group: init_method {init_method!r} is not used by the MPI backend; the "
                         "launcher (mpiexec) connects the processes. Leave init_method unset.")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if not isinstance(timeout, timedelta) or timeout.total_seconds() <= 0:
        raise TypeError(f"init_process_group: timeout must be a positive datetime.timedelta; got {timeout!r}")
    launched = launched_world_size()
    try:
        from mpi4py import MPI
    except ImportError:
        if launched > 1:
            raise RuntimeError(f"init_process_group: this process was started by an MPI launcher with {launched} "
                               "processes, but mpi4py is not installed, so they cannot communicate. Install it "
                               "with `python -m pip install mpi4py mpich` (mpi4py and the mpich wheel).") from None
        comm, size, r = None, 1, 0
    else:
        comm = MPI.COMM_WORLD
        size, r = comm.Get_size(), comm.Get_rank()
    if world_size not in (-1, size) or rank not in (-1, r):
        raise ValueError(f"init_process_group: world_size={world_size}, rank={rank} were given but the MPI launcher "
                         f"started this process as rank {r} of {size}; with backend='mpi' leave them unset "
                         "(set the process count with `mpiexec -n N`).")
    _group = _Group(comm if size > 1 else None, r, size, timeout)
    if size > 1:
        from ._exit import install

        _install_excepthook(_group)
        install(_group)


def destroy_process_group(group: Any = None) -> None:
    """Leave the default group (MPI itself is finalized by mpi4py at exit); uninstalls the abort hook."""
    global _group
    g = _group
    if g is None:
        return
    if g.hook_installed and sys.excepthook is _abort_hook:
        sys.excepthook = g.prev_hook or sys.__excepthook__
    from ._exit import uninstall

    uninstall(g)
    g.watchdog.stop.set()
    _group = None


def is_initialized() -> bool:
    """True after ``init_process_group`` (and before ``destroy_process_group``)."""
    return _group is not None


def _require(op: str) -> _Group:
    if _group is None:
        raise ValueError(f"{op}: the default process group has not been initialized; call "
                         "chainrule.distributed.init_process_group(backend='mpi') first.")
    return _group


def get_rank(group: Any = None) -> int:
    """This process's rank in the default group (0 .. world size − 1)."""
    return _require("get_rank").rank


def get_world_size(group: Any = None) -> int:
    """The number of processes in the default group."""
    return _require("get_world_size").size


def get_backend(group: Any = None) -> str:
    """``"mpi"``."""
    _require("get_backend")
    return "mpi"


def _state() -> _Group | None:
    return _group


# --- an exception on one rank ends all of them ------------------------------------------------------
def _install_excepthook(g: _Group) -> None:
    g.prev_hook = sys.excepthook
    sys.excepthook = _abort_hook
    g.hook_installed = True


REPORT_DELAY = 1.0  # seconds a rank other than 0 waits before reporting an error (see defer_to_rank0)


def defer_to_rank0() -> None:
    """Called before reporting an error that ends the job: on ranks other than 0, wait a moment first.

    An error every rank meets (a bad argument, a file that does not fit) is then reported once, by
    rank 0, which ends the job before the others print; an error of one rank only is still reported
    by that rank, a second later."""
    g = _group
    if g is not None and g.comm is not None and g.rank != 0:
        time.sleep(REPORT_DELAY)


def _abort_hook(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
    defer_to_rank0()
    g = _group
    prefix = f"[rank {g.rank}] " if g is not None else ""
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    sys.stderr.write("".join(prefix + line + "\n" for line in text.rstrip("\n").split("\n")))
    if g is not None and g.comm is not None:
        sys.stderr.write(f"{prefix}chainrule.distributed: aborting all {g.size} ranks (MPI_Abort) after the "
                         "exception above.\n")
        sys.stderr.flush()
        sys.stdout.flush()
        abort(1)


def abort(code: int = 1) -> None:
    """End every rank of the job at once (``MPI.COMM_WORLD.Abort``); a plain exit in a single process."""
    g = _group
    sys.stdout.flush()
    sys.stderr.flush()
    if g is not None and g.comm is not None:
        time.sleep(0.25)  # let the launcher forward what this rank printed before it tears the job down
        g.comm.Abort(code)
    os._exit(code)  # pragma: no cover - Abort does not return
