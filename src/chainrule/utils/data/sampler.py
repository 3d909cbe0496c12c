"""Samplers: which indices a DataLoader visits, and in which order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any

import numpy as np

from ..._random import Generator, rng
from ..._tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler", "WeightedRandomSampler"]

_CHUNK = 32  # draws with replacement are made this many at a time, as PyTorch does: memory stays flat


def _epoch_rng(generator: Generator | None) -> np.random.Generator:
    """The generator one pass of a sampler draws from.

    With ``generator`` given, its own stream. Without, a private stream seeded by one draw from the
    default generator (``manual_seed``) when the pass starts, as PyTorch does: a lazily drawn pass is
    then unaffected by other random ops (dropout...) running between its draws.
    """
    if generator is not None:
        return rng(generator)
    return np.random.default_rng(int(rng(None).integers(0, 2**63 - 1)))


class Sampler:
    """Base class: an iterable of dataset indices (or of index lists, for batch samplers)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., n − 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation each epoch (or ``num_samples`` draws with replacement).

    The order is determined by ``generator`` (or the default generator, i.e. ``manual_seed``).
    Indices are produced lazily — with replacement 32 draws at a time, without it one permutation of
    the dataset at a time — so ``num_samples=10**10`` (an "endless" loader) costs nothing until iterated.
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        """How many indices one pass yields: ``num_samples`` if given, else ``len(data_source)``."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        g = _epoch_rng(self.generator)
        left = self.num_samples
        if self.replacement:
            while left > 0:
                k = min(left, _CHUNK)
                yield from g.integers(0, n, size=k).tolist()
                left -= k
            return
        for _ in range(left // n):
            yield from g.permutation(n).tolist()
        if left % n:
            yield from g.permutation(n)[: left % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``.

    With replacement the draws are made lazily, 32 at a time (inverse CDF of the weights), so a huge
    ``num_samples`` costs nothing until iterated; without replacement they are drawn at once (at most
    ``len(weights)`` of them).
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        if np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: weights must be finite, non-negative and not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise RuntimeError("WeightedRandomSampler: cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        g = _epoch_rng(self.generator)
        if not self.replacement:
            p = self.weights / self.weights.sum()
            yield from g.choice(len(p), size=self.num_samples, replace=False, p=p).tolist()
            return
        cdf = np.cumsum(self.weights)
        total, last = cdf[-1], int(np.flatnonzero(self.weights)[-1])  # (last: if u·Σw rounds up to Σw)
        left = self.num_samples
        while left > 0:
            k = min(left, _CHUNK)
            # P(i) = w_i / Σw: the first i with cdf_i > u·Σw (zero weights are never chosen)
            yield from np.minimum(np.searchsorted(cdf, g.random(k) * total, side="right"), last).tolist()
            left -= k

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size`` (the last may be short)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size
