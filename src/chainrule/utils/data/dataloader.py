"""``DataLoader``: batches from a dataset, in the order a sampler gives, collated.

For a ``TensorDataset`` (or a ``Subset`` of one) with the default collate, a whole batch is
gathered with one fancy index per tensor instead of a Python loop over samples. With
``num_workers > 0`` batches are fetched and collated by worker processes (``_multiprocess.py``);
the indices are still drawn here, so the batches are the same as with ``num_workers=0``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..._random import Generator
from ..._tensor import Tensor
from ._multiprocess import MultiProcessIter, resolve_context
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``dataset`` in batches: ``for xb, yb in DataLoader(ds, batch_size=32, shuffle=True)``.

    Args mirror PyTorch's: batch_size (None disables batching), shuffle, sampler, batch_sampler,
    drop_last, collate_fn, generator. ``num_workers=0`` loads in the main process (an in-memory
    ``TensorDataset`` batch is one fancy index: the fastest choice for it). ``num_workers > 0`` starts
    that many worker processes (``multiprocessing_context``: 'fork', 'spawn', 'forkserver' or a
    context) that fetch and collate ``prefetch_factor`` batches each ahead, seeded ``base_seed + id``
    (see ``get_worker_info``); ``worker_init_fn(id)`` runs in each; ``persistent_workers`` keeps them
    between epochs; ``timeout`` (seconds) bounds the wait for one batch; an error in a worker is raised
    again here with its traceback. ``pin_memory`` is accepted and does nothing (CPU only).
    The workers' base seed of a pass derives from ``generator``'s next draw without consuming it (PyTorch
    consumes one draw per ``iter()``), so every random stream stays that of ``num_workers=0``.
    """

    def __init__(
        self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
        sampler: Sampler | None = None, batch_sampler: Any = None, num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None, pin_memory: bool = False,
        drop_last: bool = False, timeout: float = 0, worker_init_fn: Any = None,
        multiprocessing_context: Any = None, generator: Generator | None = None, *,
        prefetch_factor: Any = None, persistent_workers: bool = False, pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. Let num_workers > 0 to "
                "enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            if num_workers == 0:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
                    f"but got num_workers={num_workers}"
                )
            multiprocessing_context = resolve_context(multiprocessing_context)
        if isinstance(dataset, IterableDataset):
            if shuffle:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler/batch_sampler options")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.generator = generator
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = (2 if prefetch_factor is None else prefetch_factor) if num_workers > 0 else None
        self.persistent_workers = persistent_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self._iterator: MultiProcessIter | None = None
        self._passes = 0  # iterations started with workers: mixed into each pass's worker seeds
        self._iterable = isinstance(dataset, IterableDataset)
        if not self._iterable:
            if sampler is None:
                sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
            if batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        auto_collate = batch_size is not None or batch_sampler is not None
        self.collate_fn = collate_fn if collate_fn is not None else (default_collate if auto_collate else default_convert)
        self._fast = _tensor_source(dataset) if self.collate_fn is default_collate else None

    def __iter__(self) -> Iterator[Any]:
        """A fresh pass over the batches (persistent workers: the same worker processes, restarted)."""
        if self.num_workers > 0:
            self._passes += 1
            if not self.persistent_workers:
                return MultiProcessIter(self)
            if self._iterator is None or self._iterator._shutdown:
                self._iterator = MultiProcessIter(self)
            else:
                self._iterator._reset()
            return self._iterator
        return self._iter_main()

    def _iter_main(self) -> Iterator[Any]:
        if self._iterable:
            yield from self._iter_stream()
            return
        if self.batch_sampler is None:  # no batching: one converted sample at a time
            for idx in self.sampler:  # type: ignore[union-attr]
                yield self.collate_fn(self.dataset[idx])
            return
        for indices in self.batch_sampler:
            if self._fast is not None:
                tensors, base = self._fast
                rows = np.asarray(indices if base is None else [base[i] for i in indices], dtype=np.int64)
                yield [Tensor._make(t._data[rows]) for t in tensors]
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def _iter_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)  # type: ignore[arg-type]


def _tensor_source(dataset: Any) -> tuple[tuple[Tensor, ...], list[int] | None] | None:
    """The tensors behind a TensorDataset (and the index map of a Subset of one), else None."""
    if type(dataset) is TensorDataset:
        return dataset.tensors, None
    if type(dataset) is Subset and type(dataset.dataset) is TensorDataset:
        return dataset.dataset.tensors, dataset.indices
    return None
