"""Datasets for the DataLoader worker tests, in an importable module so 'spawn' workers can unpickle them."""

from __future__ import annotations

import os
import random
import signal
import time
from typing import Any

import numpy as np

import chainrule
from chainrule.utils import data as cdata


class Squares(cdata.Dataset):
    """Item i: a dict with a float feature row, the label i and the pid of the process that built it."""

    def __init__(self, n: int = 23) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        x = np.array([i, i * i, -i], dtype=np.float32)
        return {"x": x, "y": i, "pid": os.getpid()}


class Failing(cdata.Dataset):
    """Raises ``exc`` for index ``bad``; the message names the index."""

    def __init__(self, bad: int, exc: type[BaseException] = ValueError) -> None:
        self.bad, self.exc = bad, exc

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int) -> Any:
        if i == self.bad:
            raise self.exc(f"bad item {i}")
        return np.float32(i)


class TwoArgError(Exception):
    """An exception that cannot be rebuilt from a message alone."""

    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a}/{b}")


class TwoArgFailing(Failing):
    """Raises TwoArgError for every item."""

    def __getitem__(self, i: int) -> Any:
        raise TwoArgError(i, 2)


class Slow(cdata.Dataset):
    """Each item sleeps ``delay`` seconds."""

    def __init__(self, delay: float, n: int = 4) -> None:
        self.delay, self.n = delay, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        time.sleep(self.delay)
        return np.float32(i)


class Suicidal(cdata.Dataset):
    """Item ``bad`` kills its own worker process with SIGKILL."""

    def __init__(self, bad: int) -> None:
        self.bad = bad

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int) -> Any:
        if i == self.bad:
            os.kill(os.getpid(), signal.SIGKILL)
        return np.float32(i)


class Exiting(Suicidal):
    """Item ``bad`` ends its worker with ``os._exit(3)``."""

    def __getitem__(self, i: int) -> Any:
        if i == self.bad:
            os._exit(3)
        return np.float32(i)


class Sharded(cdata.IterableDataset):
    """range(start, stop), split between DataLoader workers in contiguous, uneven pieces via get_worker_info.

    ``get_info`` is the library's get_worker_info, so the same class runs under chainrule and torch.
    """

    def __init__(self, start: int, stop: int, get_info: Any = cdata.get_worker_info) -> None:
        self.start, self.stop, self.get_info = start, stop, get_info

    def __iter__(self) -> Any:
        info = self.get_info()
        if info is None:
            return iter(range(self.start, self.stop))
        per = -(-(self.stop - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.stop)))


class Seeds(cdata.Dataset):
    """Item i: what the worker knows about itself and one draw from each random generator it seeded."""

    def __len__(self) -> int:
        return 6

    def __getitem__(self, i: int) -> Any:
        info = cdata.get_worker_info()
        return {
            "id": info.id, "num_workers": info.num_workers, "seed": info.seed,
            "same_dataset_type": type(info.dataset) is Seeds,
            "py": random.random(), "np": int(np.random.randint(0, 2**31 - 1)),
            "cr": float(chainrule.rand(1).item()), "init": getattr(self, "init", None),
        }


def mark_init(worker_id: int) -> None:
    """A worker_init_fn: records the worker id on its copy of the dataset."""
    cdata.get_worker_info().dataset.init = worker_id * 10


def failing_init(worker_id: int) -> None:
    """A worker_init_fn that fails."""
    raise OSError(f"cannot open shard {worker_id}")


def pair_collate(batch: list[Any]) -> Any:
    """A custom collate_fn: the sum of the labels and the count."""
    return (sum(int(s["y"]) for s in batch), len(batch))
