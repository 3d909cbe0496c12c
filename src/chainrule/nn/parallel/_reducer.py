"""The gradient reducer of ``DistributedDataParallel``: buckets, hooks and the bucketed allreduce.

Parameters are packed (in reverse registration order, the order backward tends to finish them) into
buckets of one dtype and at most ``bucket_cap_mb`` megabytes. A post-accumulate-grad hook copies each
gradient into its bucket's contiguous buffer; a full bucket is reduced with a non-blocking
``Iallreduce`` (in place, no pickling) as soon as every earlier bucket has been launched — so every rank
issues the same collectives in the same order. When the last bucket is launched, the reducer waits for
all of them (subject to the process group's timeout), divides by the world size and copies the average
back into each ``.grad``: the same bits on every rank.

chainrule's engine accumulates leaf gradients at the end of backward, so the overlap of communication
with computation is limited to that accumulation loop; the reduction is done when ``backward()`` returns.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..._tensor import Tensor


class _Bucket:
    __slots__ = ("index", "params", "names", "offsets", "buffer", "ready", "pending", "request")

    def __init__(self, index: int, dtype: np.dtype) -> None:
        self.index = index
        self.params: list[Tensor] = []
        self.names: list[str] = []
        self.offsets: list[int] = []
        self.buffer = np.zeros(0, dtype)
        self.ready: list[bool] = []
        self.pending = 0
        self.request: Any = None

    @property
    def nbytes(self) -> int:
        return sum(p._data.size for p in self.params) * self.buffer.dtype.itemsize


class Reducer:
    """Owns the buckets and the hooks of one DDP module (see the module docstring)."""

    def __init__(self, named_params: list[tuple[str, Tensor]], group: Any, bucket_cap_mb: float,
                 find_unused_parameters: bool) -> None:
        self.group = group
        self.find_unused = find_unused_parameters
        cap = max(1, int(bucket_cap_mb * 1024 * 1024))
        self.buckets: list[_Bucket] = []
        self.slot: dict[int, tuple[_Bucket, int]] = {}
        cur: _Bucket | None = None
        size = 0
        for name, p in reversed(named_params):
            nbytes = p._data.nbytes
            if cur is None or cur.buffer.dtype != p._data.dtype or (size + nbytes > cap and cur.params):
                cur = _Bucket(len(self.buckets), p._data.dtype)
                self.buckets.append(cur)
                size = 0
            self.slot[id(p)] = (cur, len(cur.params))
            cur.offsets.append(sum(q._data.size for q in cur.params))
            cur.params.append(p)
            cur.names.append(name)
            size += nbytes
        for b in self.buckets:
            b.buffer = np.zeros(sum(p._data.size for p in b.params), dtype=b.buffer.dtype)
            b.ready = [False] * len(b.params)
        self.params = [p for _, p in named_params]
        self.names = {id(p): n for n, p in named_params}
        self.armed = False
        self.fired = 0
        self.next_launch = 0
        self.used: np.ndarray | None = None
        self.used_request: Any = None
        ref = weakref.ref(self)
        self.handles = [p.register_post_accumulate_grad_hook(lambda t, ref=ref: _hook(ref, t)) for p in self.params]
        weakref.finalize(self, _remove_hooks, self.handles)  # unwrapping the model leaves no hooks behind

    # --- one iteration -------------------------------------------------------------------------
    def prepare(self, used_ids: set[int] | None) -> None:
        """Arm for the backward of the forward that just ran (``used_ids``: parameters it reached,
        given when ``find_unused_parameters=True``)."""
        if self.armed and self.fired:
            missing = [self.names[id(p)] for b in self.buckets for p, r in zip(b.params, b.ready) if not r]
            raise RuntimeError(
                "DistributedDataParallel: expected to have finished reduction in the prior iteration before "
                "starting a new one; these parameters got no gradient in that backward: "
                f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}. If the forward does not "
                "use every parameter, pass find_unused_parameters=True; and make sure every output that "
                "took part in the loss is used in it.")
        self.fired = 0
        self.next_launch = 0
        for b in self.buckets:
            b.ready = [False] * len(b.params)
            b.pending = len(b.params)
            b.request = None
        self.armed = True
        if used_ids is not None:
            from mpi4py import MPI

            self.used = np.array([1 if id(p) in used_ids else 0 for p in self.params], dtype=np.int32)
            self.used_request = self.group.comm.Iallreduce(MPI.IN_PLACE, self.used, MPI.SUM)
            for p in self.params:
                if id(p) not in used_ids:
                    self._mark_ready(p, None)

    def _mark_ready(self, p: Tensor, grad: np.ndarray | None) -> None:
        b, i = self.slot[id(p)]
        if b.ready[i]:
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self.names[id(p)]!r} received a gradient twice in one "
                "iteration (two backward passes after one forward?). Run one backward per forward, or "
                "accumulate gradients inside `with ddp_model.no_sync():`.")
        start = b.offsets[i]
        view = b.buffer[start:start + p._data.size]
        if grad is None:
            view[...] = 0
        else:
            view[...] = grad.reshape(-1)
        b.ready[i] = True
        b.pending -= 1
        if b.pending == 0:
            self._launch_ready()

    def on_grad(self, p: Tensor) -> None:
        if not self.armed:
            return
        self.fired += 1
        self._mark_ready(p, p._grad._data)

    def _launch_ready(self) -> None:
        from mpi4py import MPI

        comm = self.group.comm
        while self.next_launch < len(self.buckets) and self.buckets[self.next_launch].pending == 0:
            b = self.buckets[self.next_launch]
            b.request = comm.Iallreduce(MPI.IN_PLACE, b.buffer, MPI.SUM)
            self.next_launch += 1
        if self.next_launch == len(self.buckets):
            self._finish()

    def _finish(self) -> None:
        from ...distributed._collectives import wait_all

        reqs = [b.request for b in self.buckets]
        if self.used_request is not None:
            reqs.append(self.used_request)
        total = sum(b.buffer.nbytes for b in self.buckets)
        wait_all(self.group, reqs, f"DistributedDataParallel's gradient allreduce ({len(self.buckets)} bucket(s), "
                                   f"{total / 1e6:.2f} MB)")
        self.armed = False
        self.used_request = None
        used = self.used
        world = self.group.size
        k = {id(p): j for j, p in enumerate(self.params)} if used is not None else None
        for b in self.buckets:
            np.divide(b.buffer, world, out=b.buffer)
            for p, start in zip(b.params, b.offsets):
                if used is not None and used[k[id(p)]] == 0:
                    continue  # unused on every rank: .grad stays as it was, as in PyTorch
                avg = b.buffer[start:start + p._data.size].reshape(p._data.shape)
                g = p._grad
                if g is None or not g._data.flags.writeable or g._data.shape != avg.shape:
                    p._grad = Tensor._make(avg.copy())
                else:
                    g._data[...] = avg


def _remove_hooks(handles: list[Any]) -> None:
    for h in handles:
        h.remove()


def _hook(ref: Any, t: Tensor) -> None:
    r = ref()
    if r is not None:
        r.on_grad(t)
