"""What runs inside a DataLoader worker process: seeding, ``get_worker_info``, fetching, errors.

A worker receives ``(task_id, index)`` messages on its task pipe, fetches and collates one batch
per message and sends ``(task_id, batch)`` back on its result pipe. ``None`` (or the main process
going away) ends it. Errors travel back as an :class:`ExceptionWrapper` holding the formatted
traceback, and are raised again in the main process by ``reraise``.
"""

from __future__ import annotations

import os
import pickle
import random
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

_POLL = 1.0  # seconds between checks that the main process is still there

_worker_info: WorkerInfo | None = None


class WorkerInfo:
    """About the current DataLoader worker: ``id``, ``num_workers``, ``seed`` and its copy of ``dataset`` (read-only)."""

    __slots__ = ("id", "num_workers", "seed", "dataset")

    def __init__(self, id: int, num_workers: int, seed: int, dataset: Any) -> None:  # noqa: A002
        for name, value in (("id", id), ("num_workers", num_workers), ("seed", seed), ("dataset", dataset)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is read-only")

    def __repr__(self) -> str:
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset!r})"


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process, its :class:`WorkerInfo`; in the main process, ``None``.

    An ``IterableDataset`` shards itself with it: ``info = get_worker_info()``, then yield only
    every ``info.num_workers``-th item starting at ``info.id``.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its class and traceback text."""

    def __init__(self, where: str) -> None:
        import traceback

        exc_type, exc, tb = sys.exc_info()
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where
        try:  # the class must unpickle in the main process; else the error arrives as RuntimeError
            pickle.loads(pickle.dumps(exc_type))
            self.exc_type: type[BaseException] = exc_type  # type: ignore[assignment]
        except Exception:
            self.exc_type = RuntimeError

    def reraise(self) -> None:
        """Raise the worker's exception class with "Caught X in DataLoader worker process N" and its traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            raise KeyError(_PlainMessage(msg))
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _PlainMessage(str):
    """A KeyError's argument shown as text, not as the repr of a key (keeps the traceback readable)."""

    def __repr__(self) -> str:
        return str(self)


class WorkerEnded:
    """Sent when a worker's ``IterableDataset`` iterator is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


RESET = "reset"  # task message: start a new epoch (persistent workers); answered with (RESET, None)


def worker_seeds(base_seed: int, worker_id: int) -> tuple[int, list[int]]:
    """The seed of worker ``worker_id``, and the 4-word NumPy legacy seed derived from it as PyTorch does.

    The worker's ``chainrule`` and ``random`` generators get ``base_seed + worker_id``; NumPy's
    global generator gets a ``SeedSequence`` of ``(worker_id, low and high words of base_seed, 0)``,
    so workers draw different NumPy numbers even though they share ``base_seed``.
    """
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return base_seed + worker_id, np.random.SeedSequence(words).generate_state(4).tolist()


def make_fetcher(iterable: bool, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any],
                 drop_last: bool, batch_size: int | None) -> Callable[[Any], Any]:
    """A function ``index -> batch``: one dataset lookup (or ``batch_size`` draws from the stream) collated.

    For an ``IterableDataset`` the index is ignored and ``StopIteration`` means the stream ended.
    """
    if iterable:
        stream = iter(dataset)

        def fetch_stream(_: Any) -> Any:
            if not auto_collation:
                return collate_fn(next(stream))
            batch: list[Any] = []
            for sample in stream:
                batch.append(sample)
                if len(batch) == batch_size:
                    break
            if not batch or (drop_last and len(batch) < (batch_size or 0)):
                raise StopIteration
            return collate_fn(batch)

        return fetch_stream
    if auto_collation:
        return lambda indices: collate_fn([dataset[i] for i in indices])
    return lambda index: collate_fn(dataset[index])


def worker_loop(iterable: bool, dataset: Any, tasks: Any, results: Any, not_mine: tuple[Any, ...],
                auto_collation: bool, collate_fn: Callable[[Any], Any], drop_last: bool, batch_size: int | None,
                base_seed: int, init_fn: Callable[[int], None] | None, worker_id: int, num_workers: int) -> None:
    """The body of worker ``worker_id``: seed, run ``init_fn``, then answer task messages until told to stop."""
    global _worker_info
    for conn in not_mine:  # the main process's ends of our pipes: closed, so a vanished peer is noticed
        conn.close()
    parent = os.getppid()
    try:
        from ... import _random, _threads

        seed, np_seed = worker_seeds(base_seed, worker_id)
        random.seed(seed)
        _random.manual_seed(seed)
        np.random.seed(np_seed)
        try:
            _threads.set_num_threads(1)  # as PyTorch: workers do not compete for BLAS threads
        except Exception:  # threadpoolctl missing: keep the default threads
            pass
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error: ExceptionWrapper | None = None
        fetch: Callable[[Any], Any] | None = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetch = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last, batch_size)
        except Exception:
            init_error = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        ended = False
        while True:
            if not tasks.poll(_POLL):
                if os.getppid() != parent:  # the main process died: nobody will read our batches
                    return
                continue
            msg = tasks.recv()
            if msg is None:
                return
            if msg == RESET:
                ended = False
                fetch = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last, batch_size)
                results.send((RESET, None))
                continue
            if ended:
                continue
            task_id, index = msg
            data: Any
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetch(index)  # type: ignore[misc]
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                    else:
                        data, ended = WorkerEnded(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            try:
                results.send((task_id, data))
            except (pickle.PicklingError, TypeError, AttributeError):
                results.send((task_id, ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")))
            del data
    except (KeyboardInterrupt, BrokenPipeError, EOFError, ConnectionResetError):
        pass  # Ctrl-C reaches the main process too; a closed pipe means the main process is done with us
    finally:
        tasks.close()
        results.close()
