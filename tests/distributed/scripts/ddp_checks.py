"""Run under ``mpiexec -n 2``: DDP training against single-process training, and the collectives.

Each rank prints one ``RESULT {json}`` line; the test reads them.
"""

from __future__ import annotations

import gc
import json

import numpy as np

import chainrule
import chainrule.distributed as dist
from chainrule import nn
from chainrule.nn.parallel import DistributedDataParallel as DDP


def main() -> None:
    dist.init_process_group(backend="mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    res: dict = {"rank": rank, "world": world}


    def mlp(seed: int) -> nn.Module:
        chainrule.manual_seed(seed)
        return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3)).double()


    def params(m: nn.Module) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in m.parameters()]


    # --- collectives ---------------------------------------------------------------------------------------
    t = chainrule.tensor([1.0 + rank, 10.0 * (rank + 1)], dtype=chainrule.float64)
    dist.all_reduce(t)
    res["sum"] = t.tolist()
    t = chainrule.tensor([float(rank + 1)])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    res["max"] = t.tolist()
    t = chainrule.tensor([float(rank + 1)])
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    res["avg"] = t.tolist()
    b = chainrule.arange(4.0) + 100 * rank
    dist.broadcast(b, src=1)
    res["bcast"] = b.tolist()
    nc = (chainrule.arange(12.0).reshape(3, 4) * (rank + 1)).T   # non-contiguous
    dist.all_reduce(nc)
    res["noncontig"] = nc.tolist()
    dist.barrier()
    objs: list = [None] * world
    dist.all_gather_object(objs, {"r": rank})
    res["objs"] = objs

    # --- DistributedSampler with the group's rank and world size: every sample once per epoch ----------------
    from chainrule.utils.data.distributed import DistributedSampler

    sampler = DistributedSampler(range(30), seed=9)
    cover = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        shares: list = [None] * world
        dist.all_gather_object(shares, list(sampler))
        cover.append(shares)
    res["sampler"] = {"replicas": sampler.num_replicas, "rank": sampler.rank, "epochs": cover}

    # --- DDP: N steps on a global batch split over the ranks == one process on the whole batch --------------
    N, B = 5, 24
    gen = np.random.default_rng(0)
    X = gen.standard_normal((N, B, 6))
    Y = gen.integers(0, 3, (N, B))
    for opt_name in ("sgd", "adam"):
        model = mlp(seed=100 + rank)          # different init on each rank: DDP must broadcast rank 0's
        ddp = DDP(model, bucket_cap_mb=0.0005)  # tiny buckets: several of them
        make = (lambda ps: chainrule.optim.SGD(ps, lr=0.1, momentum=0.9)) if opt_name == "sgd" else \
            (lambda ps: chainrule.optim.Adam(ps, lr=0.01))
        opt = make(ddp.parameters())
        lo, hi = rank * B // world, (rank + 1) * B // world
        for s in range(N):
            xb = chainrule.tensor(X[s, lo:hi])
            yb = chainrule.tensor(Y[s, lo:hi])
            loss = nn.functional.cross_entropy(ddp(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        mine = params(model)
        gathered: list = [None] * world
        dist.all_gather_object(gathered, mine)
        res[f"{opt_name}_identical"] = all(all(np.array_equal(a, b) for a, b in zip(gathered[0], g)) for g in gathered)
        ref = mlp(seed=100)                    # rank 0's initial weights
        ropt = make(ref.parameters())
        for s in range(N):
            loss = nn.functional.cross_entropy(ref(chainrule.tensor(X[s])), chainrule.tensor(Y[s]))
            loss.backward()
            ropt.step()
            ropt.zero_grad()
        res[f"{opt_name}_maxrel"] = max(float(np.max(np.abs(a - b) / (np.abs(b) + 1e-12)))
                                        for a, b in zip(mine, params(ref)))
        res[f"{opt_name}_buckets"] = len(ddp._reducer.buckets)
    res["state_keys"] = list(ddp.state_dict())[:2]
    res["hooks_while_wrapped"] = len(model[0].weight._post_hooks or [])
    del ddp, opt
    gc.collect()
    res["hooks_after_unwrap"] = len(model[0].weight._post_hooks or [])

    # --- no_sync: accumulate two micro-batches, then one synced backward ------------------------------------
    model = mlp(seed=7)
    ddp = DDP(model)
    xb = chainrule.tensor(X[0, rank * 12:(rank + 1) * 12])
    yb = chainrule.tensor(Y[0, rank * 12:(rank + 1) * 12])
    with ddp.no_sync():
        nn.functional.cross_entropy(ddp(xb[:6]), yb[:6]).backward()
    local = [p.grad.numpy().copy() for p in model.parameters()]
    res["no_sync_local_differs"] = True
    gathered = [None] * world
    dist.all_gather_object(gathered, local)
    res["no_sync_local_differs"] = not all(np.array_equal(a, b) for a, b in zip(gathered[0], gathered[1]))
    nn.functional.cross_entropy(ddp(xb[6:]), yb[6:]).backward()
    ref = mlp(seed=7)
    for k in range(world):
        xs, ys = chainrule.tensor(X[0, k * 12:(k + 1) * 12]), chainrule.tensor(Y[0, k * 12:(k + 1) * 12])
        (nn.functional.cross_entropy(ref(xs[:6]), ys[:6]) / world).backward()
        (nn.functional.cross_entropy(ref(xs[6:]), ys[6:]) / world).backward()
    res["no_sync_maxdiff"] = max(float(np.max(np.abs(p.grad.numpy() - q.grad.numpy())))
                                 for p, q in zip(model.parameters(), ref.parameters()))


    # --- find_unused_parameters: rank 1 skips a branch --------------------------------------------------------
    class Branchy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(4, 2).double()
            self.b = nn.Linear(4, 2).double()
            self.never = nn.Linear(4, 2).double()

        def forward(self, x: chainrule.Tensor, use_b: bool) -> chainrule.Tensor:
            return self.a(x) + self.b(x) if use_b else self.a(x)


    chainrule.manual_seed(3)
    net = Branchy()
    ddp = DDP(net, find_unused_parameters=True)
    x = chainrule.ones(5, 4, dtype=chainrule.float64) * (rank + 1)
    ddp(x, use_b=(rank == 0)).sum().backward()
    res["unused_never_grad_none"] = net.never.weight.grad is None
    res["unused_b_grad"] = net.b.weight.grad.tolist()
    res["unused_a_grad"] = net.a.weight.grad.tolist()
    # the same without find_unused_parameters: the next forward names the parameter that got no gradient
    net2 = Branchy()
    ddp2 = DDP(net2)
    ddp2(x, use_b=True).sum().backward()   # 'never' is unused: the reduction cannot finish
    try:
        ddp2(x, use_b=True)
        res["unfinished_error"] = None
    except RuntimeError as e:
        res["unfinished_error"] = str(e)

    # --- buffers (BatchNorm running stats) follow rank 0 at each training forward ----------------------------
    chainrule.manual_seed(5)
    bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
    seen: list = []
    bn[1].register_forward_pre_hook(lambda mod, args: seen.append(mod.running_mean.numpy().copy()))
    ddp = DDP(bn)
    ddp(chainrule.randn(8, 3, dtype=chainrule.float64) * (rank + 1)).sum().backward()
    after_first = bn[1].running_mean.numpy().copy()       # local batch statistics: differ across ranks
    ddp(chainrule.randn(8, 3, dtype=chainrule.float64))   # DDP broadcasts rank 0's buffers before the module runs
    gathered = [None] * world
    dist.all_gather_object(gathered, (after_first, seen[1]))
    res["bn_first_differs"] = not np.array_equal(gathered[0][0], gathered[1][0])
    res["bn_second_is_rank0"] = all(np.array_equal(g[1], gathered[0][0]) for g in gathered)

    # --- ranks that disagree on the model fail at construction -------------------------------------------------
    odd = nn.Sequential(nn.Linear(6, 16 if rank == 0 else 17), nn.Linear(16 if rank == 0 else 17, 3))
    try:
        DDP(odd)
        res["mismatch_error"] = None
    except RuntimeError as e:
        res["mismatch_error"] = str(e)

    everyone: list = [None] * world
    dist.all_gather_object(everyone, res)
    if rank == 0:   # one writer: lines of two processes could interleave in mpiexec's output
        print("RESULT " + json.dumps(everyone), flush=True)


if __name__ == "__main__":
    main()
