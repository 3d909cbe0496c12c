"""The same script with and without ``mpiexec``: Trainer + DDP + DistributedSampler, float64.

argv[1]: the per-process batch size; argv[2]: a folder for rank 0's checkpoint. Prints ``RESULT {json}``.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

import chainrule
import chainrule.distributed as dist
from chainrule import nn
from chainrule.nn.parallel import DistributedDataParallel
from chainrule.utils.data import DataLoader, TensorDataset
from chainrule.utils.data.distributed import DistributedSampler


def main() -> None:
    dist.init_process_group(backend="mpi")
    batch, out = int(sys.argv[1]), sys.argv[2]
    gen = np.random.default_rng(1)
    x = chainrule.tensor(gen.standard_normal((100, 5)))
    y = chainrule.tensor(gen.integers(0, 3, 100))
    chainrule.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 12), nn.Tanh(), nn.Linear(12, 3)).double()
    ddp = DistributedDataParallel(model)
    sampler = DistributedSampler(TensorDataset(x, y), seed=4)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, sampler=sampler)
    opt = chainrule.optim.Adam(ddp.parameters(), lr=0.01)
    trainer = chainrule.train.Trainer(ddp, nn.CrossEntropyLoss(), opt, metrics=["accuracy"], progress=False)
    hist = trainer.fit(loader, 3)
    dist.save_on_rank0(trainer.state_dict(), os.path.join(out, "trainer.safetensors"))
    res = {
        "rank": dist.get_rank(), "world": dist.get_world_size(),
        "params": [p.detach().numpy().ravel().tolist() for p in model.parameters()],
        "train_loss": [r["train_loss"] for r in hist], "train_accuracy": [r["train_accuracy"] for r in hist],
        "files": sorted(os.listdir(out)),
    }
    everyone: list = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, res)
    if dist.get_rank() == 0:   # one writer: lines of two processes could interleave in mpiexec's output
        print("RESULT " + json.dumps(everyone), flush=True)


if __name__ == "__main__":
    main()
