"""``spawn``/``start_processes``: run ``fn(i, *args)`` in ``nprocs`` processes and surface the first failure.

Each child runs ``fn`` inside a wrapper that, on an exception, sends the formatted traceback to
the parent through a pipe and exits with status 1. ``ProcessContext.join`` waits for the children;
when one fails, the others are terminated (after ``grace_period`` if given) and the parent raises
``ProcessRaisedException`` (with the child's traceback) or ``ProcessExitedException`` (exit code or
signal), as PyTorch does.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

__all__ = ["ProcessContext", "SpawnContext", "ProcessException", "ProcessRaisedException",
           "ProcessExitedException", "spawn", "start_processes"]


class ProcessException(Exception):
    """A child of ``spawn`` failed: ``error_index`` (its rank) and ``pid`` say which."""

    def __init__(self, msg: str, error_index: int, error_pid: int) -> None:
        super().__init__(msg)
        self.msg, self.error_index, self.pid = msg, error_index, error_pid

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A child raised an exception; the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A child exited with a non-zero code or was killed by a signal."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int, signal_name: str | None = None) -> None:
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _wrap(fn: Callable[..., Any], i: int, args: tuple[Any, ...], conn: Any) -> None:
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent is stopping everyone
    except Exception:
        conn.send(traceback.format_exc())
        conn.close()
        sys.exit(1)
    conn.close()


class ProcessContext:
    """The processes started by ``start_processes``; ``join()`` until done, raising the first failure."""

    def __init__(self, processes: list[Any], error_conns: list[Any]) -> None:
        self.processes = processes
        self.error_conns = error_conns
        self._errors: dict[int, str] = {}
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self) -> list[int]:
        """The children's process ids."""
        return [int(p.pid) for p in self.processes]

    def _drain(self) -> None:
        for i, conn in enumerate(self.error_conns):
            try:
                while conn.poll():
                    self._errors[i] = conn.recv()
            except (EOFError, OSError):
                pass

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds; True once every child exited cleanly, False if some still run.

        When a child fails, the others are terminated (SIGTERM, then SIGKILL) and the failure is raised.
        """
        if not self.sentinels:
            return True
        ready = wait(list(self.sentinels) + self.error_conns, timeout)
        self._drain()
        failed = None
        for s in ready:
            if s in self.sentinels:
                i = self.sentinels.pop(s)
                self.processes[i].join()
                if self.processes[i].exitcode != 0:
                    failed = i
                    break
        if failed is None:
            return not self.sentinels
        self._stop_others(grace_period)
        self._drain()
        proc = self.processes[failed]
        if failed in self._errors:
            msg = f"\n\n-- Process {failed:d} terminated with the following error:\n{self._errors[failed]}"
            raise ProcessRaisedException(msg, failed, proc.pid)
        code = proc.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"<Unknown signal {-code}>"
            raise ProcessExitedException(f"process {failed:d} terminated with signal {name}", failed, proc.pid, code, name)
        raise ProcessExitedException(f"process {failed:d} terminated with exit code {code:d}", failed, proc.pid, code)

    def _stop_others(self, grace_period: float | None) -> None:
        def join_all(seconds: float) -> None:
            end = time.monotonic() + seconds
            for p in self.processes:
                p.join(max(0.0, end - time.monotonic()))

        if grace_period is not None:
            join_all(grace_period)
        for p in self.processes:
            if p.is_alive():
                p.terminate()
        join_all(30.0 if grace_period is None else grace_period)
        for p in self.processes:
            if p.is_alive():
                p.kill()
            p.join()
        self.sentinels.clear()


SpawnContext = ProcessContext  # PyTorch's older name


def start_processes(fn: Callable[..., Any], args: tuple[Any, ...] = (), nprocs: int = 1, join: bool = True,
                    daemon: bool = False, start_method: str = "spawn") -> ProcessContext | None:
    """Start ``nprocs`` processes running ``fn(i, *args)`` with ``start_method``; join them if ``join``."""
    ctx = multiprocessing.get_context(start_method)
    processes, conns = [], []
    for i in range(nprocs):
        r, w = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_wrap, args=(fn, i, args, w), daemon=daemon)
        p.start()
        w.close()
        processes.append(p)
        conns.append(r)
    context = ProcessContext(processes, conns)
    if not join:
        return context
    while not context.join():
        pass
    return None


def spawn(fn: Callable[..., Any], args: tuple[Any, ...] = (), nprocs: int = 1, join: bool = True,
          daemon: bool = False, start_method: str = "spawn") -> ProcessContext | None:
    """``torch.multiprocessing.spawn``: ``fn(i, *args)`` for i in range(nprocs), each in a fresh process.

    ``fn`` must be importable (defined at module level) for the 'spawn' start method. With
    ``join=False`` the ``ProcessContext`` is returned; otherwise this waits, and the first child that
    fails makes the others stop and raises ``ProcessRaisedException``/``ProcessExitedException``.
    """
    return start_processes(fn, args, nprocs, join, daemon, start_method)
