"""``chainrule.utils.data``: datasets, samplers, ``DataLoader`` and image transforms."""

from . import transforms
from ._worker import WorkerInfo, get_worker_info
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "Subset", "ConcatDataset",
    "ChainDataset", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
    "SubsetRandomSampler", "BatchSampler", "WeightedRandomSampler", "DistributedSampler", "DataLoader",
    "default_collate", "default_convert", "transforms",
    "get_worker_info", "WorkerInfo",
]  # fmt: skip
