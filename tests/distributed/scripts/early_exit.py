"""Run under ``mpiexec -n 2``: ranks that leave early or take different numbers of steps (argv[1] names the case).

The group's timeout is 10 minutes, so a job that ends quickly was ended by the exit notice or the batch-count
check, not by the watchdog's timeout.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import numpy as np

import chainrule
import chainrule.distributed as dist
from chainrule import nn
from chainrule.nn.parallel import DistributedDataParallel
from chainrule.utils.data import DataLoader, TensorDataset


def _data(rank: int) -> TensorDataset:
    n = 40 if rank == 0 else 30  # 4 batches of 10 on rank 0, 3 on rank 1
    gen = np.random.default_rng(rank)
    return TensorDataset(chainrule.tensor(gen.standard_normal((n, 3))), chainrule.tensor(gen.integers(0, 2, n)))


def main() -> None:
    case = sys.argv[1]
    dist.init_process_group(backend="mpi", timeout=timedelta(minutes=10))
    rank = dist.get_rank()
    if case in ("exit3", "exit0"):
        if rank == 1:
            time.sleep(0.2)
            sys.exit(3 if case == "exit3" else 0)
        dist.all_reduce(chainrule.ones(3))
        print("rank 0 got past the collective", flush=True)
    elif case == "uneven-loop":
        chainrule.manual_seed(0)
        model = DistributedDataParallel(nn.Linear(3, 2).double())
        opt = chainrule.optim.SGD(model.parameters(), lr=0.1)
        for xb, yb in DataLoader(_data(rank), batch_size=10):
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
        print(f"rank {rank} finished its batches", flush=True)
    elif case == "uneven-fit":
        chainrule.manual_seed(0)
        model = DistributedDataParallel(nn.Linear(3, 2).double())
        trainer = chainrule.train.Trainer(model, nn.CrossEntropyLoss(), chainrule.optim.SGD(model.parameters(), lr=0.1),
                                          progress=False)
        trainer.fit(DataLoader(_data(rank), batch_size=10), 2)
        print(f"rank {rank} finished fit", flush=True)
    elif case == "normal":
        dist.all_reduce(chainrule.ones(3))
        if rank == 0:
            time.sleep(3)   # rank 0 writes results after the others have finished: not an error
            print("rank 0 wrote its results", flush=True)
    else:
        raise SystemExit(f"unknown case {case!r}")


if __name__ == "__main__":
    main()
