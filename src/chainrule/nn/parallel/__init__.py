"""``chainrule.nn.parallel``: ``DistributedDataParallel`` (data parallelism over MPI)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
