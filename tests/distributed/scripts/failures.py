"""Run under ``mpiexec -n 2``: how a job ends when one rank fails (argv[1]: "raise" or "stall")."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import chainrule
import chainrule.distributed as dist


def main() -> None:
    mode = sys.argv[1]
    dist.init_process_group(backend="mpi", timeout=timedelta(seconds=2 if mode == "stall" else 600))
    rank = dist.get_rank()
    print(f"rank {rank} started", flush=True)
    if rank == 1:
        if mode == "raise":
            time.sleep(0.2)
            raise ValueError("boom on rank 1")
        time.sleep(60)   # stalled: never reaches the collective
    t = chainrule.ones(3)
    dist.all_reduce(t)   # rank 0 waits here for the failed/stalled rank
    dist.barrier()
    print("rank 0 got past the collective: the failure was not noticed", flush=True)


if __name__ == "__main__":
    main()
