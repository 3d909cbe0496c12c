"""``chainrule.distributed``: data-parallel training over MPI — PyTorch's ``torch.distributed`` names.

Launch ``mpiexec -n 2 python train.py``; in the script::

    import chainrule.distributed as dist
    dist.init_process_group(backend="mpi")            # world size 1 without mpiexec: collectives are no-ops
    model = chainrule.nn.parallel.DistributedDataParallel(model)
    sampler = chainrule.utils.data.distributed.DistributedSampler(dataset)

mpi4py is imported on ``init_process_group`` only; ``import chainrule`` never loads it.
"""

from ._collectives import (
    ReduceOp,
    Work,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
)
from ._group import (
    DEFAULT_TIMEOUT,
    abort,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_launched,
    launched_world_size,
)
from ._rank0 import is_main_process, print_rank0, rank_zero_only, save_on_rank0

__all__ = [
    "init_process_group", "destroy_process_group", "is_initialized", "is_available", "get_rank",
    "get_world_size", "get_backend", "all_reduce", "broadcast", "barrier", "all_gather_object",
    "broadcast_object_list", "ReduceOp", "Work", "DEFAULT_TIMEOUT", "abort",
    "is_mpi_launched", "launched_world_size", "is_main_process", "rank_zero_only", "print_rank0",
    "save_on_rank0",
]  # fmt: skip
