"""Allreduce overhead of DistributedDataParallel per training step (stands alone; not part of bench.runner).

    mpiexec -n 2 python -m bench.allreduce [--steps 60] [--warmup 10] [--workloads mlp,cnn]
    python -m bench.allreduce                # world size 1: DDP is a no-op wrapper (the baseline)

For each workload every rank trains its own batch of the issue's size: the same step without DDP (no
communication), with DDP (gradients averaged by the bucketed allreduce after backward), and with DDP
plus the Trainer's per-step loss averaging (one 8-byte allreduce). Also timed: the bare allreduce of
a gradient-sized float32 buffer. Times: median and minimum over ``--steps`` steps on rank 0, in ms
(on a shared machine the minimum shows the cost itself, the median adds waiting for the slower rank).
Each rank uses one BLAS thread unless OMP_NUM_THREADS/OPENBLAS_NUM_THREADS are set (N ranks share
the cores). Workloads as in bench/workloads.py: MLP 784-256-128-10 ReLU, Adam lr 1e-3, batch 128; CNN
conv3x3(1→8)-ReLU-pool-conv3x3(8→16)-ReLU-pool-Linear(784→10), Adam lr 1e-3, batch 64.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import chainrule  # noqa: E402
import chainrule.distributed as dist  # noqa: E402
from chainrule import nn  # noqa: E402
from chainrule.nn.parallel import DistributedDataParallel  # noqa: E402


def _mlp() -> tuple[nn.Module, tuple[int, ...], int]:
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)), (784,), 128


def _cnn() -> tuple[nn.Module, tuple[int, ...], int]:
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )  # fmt: skip
    return model, (1, 28, 28), 64


WORKLOADS: dict[str, Callable[[], tuple[nn.Module, tuple[int, ...], int]]] = {"mlp": _mlp, "cnn": _cnn}


def _step_fn(model: nn.Module, ddp: Any, shape: tuple[int, ...], batch: int, sync_loss: bool) -> Callable[[], None]:
    rng = np.random.default_rng(dist.get_rank())
    x = chainrule.tensor(rng.standard_normal((batch, *shape)).astype(np.float32))
    y = chainrule.tensor(rng.integers(0, 10, (batch,)))
    net = ddp if ddp is not None else model
    opt = chainrule.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        value = float(loss.item())
        if sync_loss:
            ddp._mean_over_ranks([value])
        loss.backward()
        opt.step()

    return step


def _times_ms(step: Callable[[], None], steps: int, warmup: int) -> tuple[float, float]:
    for _ in range(warmup):
        step()
    dist.barrier()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times), 1e3 * min(times)


def _allreduce_ms(nbytes: int, steps: int) -> tuple[float, float]:
    buf = np.ones(nbytes // 4, np.float32)
    for _ in range(5):
        dist.all_reduce(buf)
    dist.barrier()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        dist.all_reduce(buf)
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times), 1e3 * min(times)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--workloads", default="mlp,cnn")
    ap.add_argument("--batch", type=int, default=None,
                    help="per-process batch for every workload (default: 128 MLP, 64 CNN); e.g. compare "
                         "`python -m bench.allreduce --batch 1024` with `mpiexec -n 2 ... --batch 512`")
    args = ap.parse_args(argv)
    dist.init_process_group(backend="mpi")
    world = dist.get_world_size()
    rows = []
    for name in args.workloads.split(","):
        chainrule.manual_seed(0)
        model, shape, batch = WORKLOADS[name]()
        batch = args.batch or batch
        plain = _times_ms(_step_fn(model, None, shape, batch, False), args.steps, args.warmup)
        ddp = DistributedDataParallel(model)
        with_ddp = _times_ms(_step_fn(model, ddp, shape, batch, False), args.steps, args.warmup)
        with_loss = _times_ms(_step_fn(model, ddp, shape, batch, True), args.steps, args.warmup)
        nbytes = sum(p._data.nbytes for p in model.parameters())
        bare = _allreduce_ms(nbytes, args.steps) if world > 1 else (0.0, 0.0)
        buckets = len(ddp._reducer.buckets) if ddp._reducer is not None else 0
        rows.append((name, batch, nbytes, buckets, plain, with_ddp, with_loss, bare))
    if dist.get_rank() == 0:
        threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
        print(f"# DDP allreduce overhead: {world} MPI process(es), {threads} BLAS thread(s) each, "
              f"{args.steps} steps; ms per step as median / min; batch = per process")
        print(f"{'workload':9} {'batch':>5} {'grad MB':>8} {'buckets':>7} {'no DDP':>13} {'DDP':>13} "
              f"{'overhead':>13} {'+loss sync':>13} {'allreduce':>13}")
        for name, batch, nbytes, buckets, plain, with_ddp, with_loss, bare in rows:
            over = (with_ddp[0] - plain[0], with_ddp[1] - plain[1])
            cells = [f"{a:6.2f}/{b:<6.2f}" for a, b in (plain, with_ddp)] + [f"{over[0]:+6.2f}/{over[1]:<+6.2f}"]
            cells += [f"{a:6.2f}/{b:<6.2f}" for a, b in (with_loss, bare)]
            print(f"{name:9} {batch:5d} {nbytes / 1e6:8.3f} {buckets:7d} " + " ".join(cells))

if __name__ == "__main__":
    main()
