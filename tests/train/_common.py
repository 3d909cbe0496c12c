"""Shared builders for the train tests: a small classification problem and a dropout MLP."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

import chainrule as cr
from chainrule import nn
from chainrule.utils.data import DataLoader, Dataset, TensorDataset


def blobs(n: int = 240, d: int = 4, k: int = 3, seed: int = 0) -> tuple[cr.Tensor, cr.Tensor]:
    """k Gaussian blobs in d dimensions (float32 x, int64 y), from a private NumPy stream."""
    rs = np.random.RandomState(seed)
    centers = rs.normal(0, 3, size=(k, d))
    y = rs.randint(0, k, size=n)
    x = centers[y] + rs.normal(0, 1, size=(n, d))
    return cr.tensor(x.astype(np.float32)), cr.tensor(y.astype(np.int64))


def mlp(d: int = 4, k: int = 3, p: float = 0.3) -> nn.Module:
    return nn.Sequential(nn.Linear(d, 16), nn.ReLU(), nn.Dropout(p), nn.Linear(16, k))


def params(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v._data.copy() for k, v in model.state_dict().items()}


def loaders(x: Any, y: Any, batch_size: int = 16, generator: Any = None) -> tuple[DataLoader, DataLoader]:
    train = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True, generator=generator)
    val = DataLoader(TensorDataset(x[:64], y[:64]), batch_size=32)
    return train, val


def strip_time(history: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "time"} for e in history.epochs]


class NoisyDataset(Dataset):
    """(x[i] + augmentation noise, y[i]); the noise is drawn in ``__getitem__`` from chainrule's, NumPy's and
    Python's global generators, which a DataLoader worker seeds from the loader's base seed."""

    def __init__(self, x: cr.Tensor, y: cr.Tensor) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def __getitem__(self, i: int) -> tuple[cr.Tensor, cr.Tensor]:
        shift = float(np.random.rand()) + random.random()
        return self.x[i] + 0.3 * cr.randn(self.x.shape[1]) + 0.1 * shift, self.y[i]


def shift_numpy(worker_id: int) -> None:
    """A worker_init_fn: moves the worker's NumPy stream on (so a loader that dropped it gives other data)."""
    np.random.rand(3 + worker_id)


def worker_loader(x: Any, y: Any, batch_size: int = 16, generator: Any = None, persistent: bool = False) -> DataLoader:
    """A shuffled DataLoader with two worker processes over NoisyDataset."""
    return DataLoader(NoisyDataset(x, y), batch_size=batch_size, shuffle=True, generator=generator, num_workers=2,
                      worker_init_fn=shift_numpy, persistent_workers=persistent, prefetch_factor=3)
