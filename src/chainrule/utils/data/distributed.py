"""``DistributedSampler``: each rank's share of a dataset (PyTorch's ``torch.utils.data.distributed``)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """The indices of rank ``rank`` of ``num_replicas``: every rank gets the same number of samples.

    Each epoch the dataset order is a permutation drawn from ``seed + epoch`` (the same on every rank;
    call ``set_epoch(epoch)`` at the start of each epoch — ``Trainer.fit`` does), or ``0..n-1`` without
    ``shuffle``. Rank ``r`` takes every ``num_replicas``-th index from position ``r``. When ``n`` is not
    divisible by ``num_replicas``, ``drop_last=False`` pads the order with its first indices (a few
    samples are seen twice per epoch) and ``drop_last=True`` drops its tail (a few are not seen).
    ``num_replicas``/``rank`` default to the process group's (world size 1, rank 0 when there is none).

    The permutation comes from NumPy's PCG64 seeded with ``seed + epoch``, so it differs from
    PyTorch's ``randperm``; the partition rule, padding and lengths are PyTorch's.
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from ... import distributed as dist

            init = dist.is_initialized()
            if num_replicas is None:
                num_replicas = dist.get_world_size() if init else 1
            if rank is None:
                rank = dist.get_rank() if init else 0
        if not isinstance(num_replicas, int) or isinstance(num_replicas, bool) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive integer; got {num_replicas!r}")
        if not isinstance(rank, int) or isinstance(rank, bool) or not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"DistributedSampler: seed must be an integer; got {type(seed).__name__}")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = bool(drop_last)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        n = len(dataset)
        if self.drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            return np.random.default_rng(self.seed + self.epoch).permutation(n)
        return np.arange(n)

    def __iter__(self) -> Iterator[int]:
        indices = self._order()
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad > 0:
                reps = math.ceil(pad / max(len(indices), 1))
                indices = np.concatenate([indices, np.tile(indices, reps)[:pad]])
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of ``epoch`` (every rank must set the same epoch)."""
        self.epoch = int(epoch)

    def __repr__(self) -> str:
        return (f"DistributedSampler(num_replicas={self.num_replicas}, rank={self.rank}, shuffle={self.shuffle}, "
                f"seed={self.seed}, drop_last={self.drop_last}, epoch={self.epoch})")
