"""The main-process side of ``DataLoader(num_workers>0)``: hand out indices, gather batches in order.

Index sampling stays here, so the batches are the ones ``num_workers=0`` gives for the same
generator. Task ``k`` (the k-th batch of indices) goes to worker ``k mod num_workers`` (skipping
workers whose stream has ended); at most ``prefetch_factor * num_workers`` tasks are out at once.
Each worker has its own task pipe and result pipe; results that arrive early wait in ``_pending``
until their turn (``in_order=True``). Waiting watches the result pipes and the workers' process
sentinels together, so a worker that dies — killed by a signal or exiting — raises a RuntimeError
at once instead of hanging. Shutdown (end of epoch, early ``break``, garbage collection, errors)
sends every worker ``None``, closes the pipes, joins, and terminates a worker that does not leave.
"""

from __future__ import annotations

import signal
import time
import weakref
from typing import Any

import numpy as np

from ..._random import rng
from ._worker import RESET, ExceptionWrapper, WorkerEnded, worker_loop

_JOIN_TIMEOUT = 5.0  # seconds a worker gets to leave before it is terminated


class _Forever:
    """The index source of an IterableDataset: workers draw from their own streams, the index is unused."""

    def __iter__(self) -> Any:
        while True:
            yield None


def resolve_context(context: Any) -> Any:
    """``multiprocessing_context`` as a context object (None: the standard library's default)."""
    import multiprocessing  # here, not at import: ``import chainrule.utils.data`` stays light

    if context is None:
        return multiprocessing.get_context()
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                f"multiprocessing_context option should specify a valid start method in {methods!r}, "
                f"but got multiprocessing_context={context!r}"
            )
        return multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context object or a string specifying the "
            f"start method, but got multiprocessing_context={context}"
        )
    return context


def base_seed(generator: Any, pass_number: int) -> int:
    """The workers' base seed for one pass: the loader's generator's next draw, mixed with the pass number.

    PyTorch consumes one draw from the generator per ``iter(loader)``; chainrule reads that draw
    without consuming it, so the indices sampled afterwards — and every stream of random numbers the
    program draws — are those of ``num_workers=0``, while each pass still seeds its workers anew.
    """
    peek = np.random.Generator(np.random.PCG64())
    peek.bit_generator.state = rng(generator).bit_generator.state
    draw = int(peek.integers(0, 2**63 - 1))
    words = np.random.SeedSequence([draw & 0xFFFFFFFF, draw >> 32, pass_number]).generate_state(2, np.uint32)
    return (int(words[1]) << 31) ^ int(words[0])


class MultiProcessIter:
    """Iterator over a DataLoader's batches computed by ``loader.num_workers`` worker processes."""

    def __init__(self, loader: Any) -> None:
        self._loader = weakref.ref(loader)  # not a strong reference: a persistent loader holds this iterator
        self._iterable = loader._iterable
        if self._iterable:
            self._source: Any = _Forever()
        else:
            self._source = loader.batch_sampler if loader.batch_sampler is not None else loader.sampler
        self._num_workers = loader.num_workers
        self._prefetch = max(1, loader.prefetch_factor * loader.num_workers)
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        self._shutdown = True
        self._workers: list[Any] = []
        self._tasks: list[Any] = []
        self._results: list[Any] = []
        seed = base_seed(loader.generator, loader._passes)
        ctx = resolve_context(loader.multiprocessing_context)
        auto = loader.batch_size is not None or loader.batch_sampler is not None
        try:
            for wid in range(self._num_workers):
                task_r, task_w = ctx.Pipe(duplex=False)
                res_r, res_w = ctx.Pipe(duplex=False)
                proc = ctx.Process(
                    target=worker_loop, daemon=True,
                    args=(self._iterable, loader.dataset, task_r, res_w, (task_w, res_r), auto, loader.collate_fn,
                          loader.drop_last, loader.batch_size, seed, loader.worker_init_fn, wid,
                          self._num_workers),
                )
                try:
                    proc.start()
                except BaseException:  # e.g. an unpicklable dataset under 'spawn'
                    task_w.close()
                    res_r.close()
                    raise
                finally:
                    task_r.close()
                    res_w.close()
                self._shutdown = False
                self._workers.append(proc)
                self._tasks.append(task_w)
                self._results.append(res_r)
        except BaseException:
            self.shutdown()
            raise
        self._reset(first=True)

    def _reset(self, first: bool = False) -> None:
        """Start an epoch: a fresh index iterator; persistent workers restart their streams."""
        self._indices = iter(self._source)
        self._next_task = 0  # id of the next task to send
        self._next_out = 0  # id of the next batch to yield
        self._pending: dict[int, list[Any]] = {}  # task id -> [worker id] or [worker id, data]
        self._active = [True] * self._num_workers  # worker still takes tasks (its stream has not ended)
        self._outstanding = 0
        self._turn = 0
        if not first:
            for wid in range(self._num_workers):
                self._send(wid, RESET)
            for wid in range(self._num_workers):  # drop batches of the previous epoch still on their way
                while self._receive_from(wid)[0] != RESET:
                    pass
        for _ in range(self._prefetch):
            self._put_task()

    def __iter__(self) -> MultiProcessIter:
        return self

    def __len__(self) -> int:
        loader = self._loader()
        return len(loader) if loader is not None else len(self._source)

    def _put_task(self) -> None:
        if self._outstanding >= self._prefetch:
            return
        for _ in range(self._num_workers):
            wid = self._turn
            self._turn = (self._turn + 1) % self._num_workers
            if self._active[wid]:
                break
        else:
            return  # every stream has ended
        try:
            index = next(self._indices)
        except StopIteration:
            return
        self._send(wid, (self._next_task, index))
        self._pending[self._next_task] = [wid]
        self._next_task += 1
        self._outstanding += 1

    def _send(self, wid: int, msg: Any) -> None:
        try:
            self._tasks[wid].send(msg)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self._raise_dead([wid])

    def __next__(self) -> Any:
        if self._shutdown:
            raise StopIteration
        while True:
            while self._next_out < self._next_task:  # skip tasks done out of order, or of ended streams
                entry = self._pending.get(self._next_out)
                if entry is not None and (len(entry) == 2 or self._active[entry[0]]):
                    break
                self._pending.pop(self._next_out, None)
                self._next_out += 1
            else:
                if not self._persistent:
                    self.shutdown()
                raise StopIteration
            entry = self._pending[self._next_out]
            if len(entry) == 2 and self._in_order:
                del self._pending[self._next_out]
                self._next_out += 1
                return self._deliver(entry[1])
            task_id, data = self._receive()
            self._outstanding -= 1
            if isinstance(data, WorkerEnded):  # its later tasks will never be answered
                wid = data.worker_id
                self._active[wid] = False
                self._outstanding -= sum(
                    1 for k, e in self._pending.items() if k != task_id and len(e) == 1 and e[0] == wid
                )
                self._put_task()
                continue
            if not self._in_order:
                del self._pending[task_id]
                return self._deliver(data)
            if task_id != self._next_out:
                self._pending[task_id].append(data)
                continue
            del self._pending[task_id]
            self._next_out += 1
            return self._deliver(data)

    def _deliver(self, data: Any) -> Any:
        self._put_task()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _receive(self) -> tuple[Any, Any]:
        """The next result from any worker, watching for dead workers and the timeout."""
        from multiprocessing.connection import wait

        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            for conn in self._results:
                if conn.poll():
                    return self._recv(conn)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            ready = wait(self._results + [w.sentinel for w in self._workers], left)
            for conn in self._results:
                if conn in ready:
                    return self._recv(conn)
            dead = [i for i, w in enumerate(self._workers) if w.sentinel in ready]
            if dead:
                self._raise_dead(dead)

    def _receive_from(self, wid: int) -> tuple[Any, Any]:
        from multiprocessing.connection import wait

        conn, proc = self._results[wid], self._workers[wid]
        while not conn.poll():
            if proc.sentinel in wait([conn, proc.sentinel]) and not conn.poll():
                self._raise_dead([wid])
        return self._recv(conn)

    def _recv(self, conn: Any) -> tuple[Any, Any]:
        try:
            return conn.recv()
        except (EOFError, ConnectionResetError, OSError):
            wid = self._results.index(conn)
            self._workers[wid].join(_JOIN_TIMEOUT)
            self._raise_dead([wid])
            raise  # unreachable: _raise_dead raises

    def _raise_dead(self, wids: list[int]) -> None:
        """A worker left unexpectedly: clean up the rest and say how it died, as PyTorch does."""
        msgs = []
        for wid in wids:
            proc = self._workers[wid]
            proc.join(_JOIN_TIMEOUT)
            code = proc.exitcode
            if code is not None and code < 0:
                try:
                    name = signal.strsignal(-code) or f"signal {-code}"
                except ValueError:
                    name = f"signal {-code}"
                msgs.append(f"DataLoader worker (pid {proc.pid}) is killed by signal: {name}. ")
            else:
                msgs.append(
                    f"DataLoader worker (pid {proc.pid}) exited unexpectedly with exit code {code}. Details are "
                    "lost due to multiprocessing. Rerunning with num_workers=0 may give better error trace."
                )
        self.shutdown()
        raise RuntimeError(" ".join(msgs))

    def shutdown(self) -> None:
        """Stop every worker and reap it: ask politely, close the pipes, join, terminate the stubborn."""
        if self._shutdown:
            return
        self._shutdown = True
        for conn in self._tasks:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
        for conn in self._tasks + self._results:  # a worker blocked writing a batch sees a closed pipe
            try:
                conn.close()
            except OSError:
                pass
        deadline = time.monotonic() + _JOIN_TIMEOUT
        for proc in self._workers:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.exitcode is None:
                proc.terminate()
                proc.join()

    def __del__(self) -> None:
        try:
            self.shutdown()
        except Exception:  # interpreter teardown: multiprocessing's own exit handler reaps daemon workers
            pass
