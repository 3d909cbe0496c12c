"""``DistributedDataParallel``: one model replica per MPI rank, gradients averaged after backward."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..._tensor import Tensor
from ...autograd import is_grad_enabled, no_grad
from ..module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Data parallelism over the default process group (PyTorch's ``nn.parallel.DistributedDataParallel``).

    At construction every rank checks that all ranks hold the same parameters (names, shapes, dtypes;
    a clear error otherwise) and copies rank 0's parameters and buffers to every rank. The forward is the
    wrapped ``module``'s (``ddp.module``; ``state_dict`` keys get the ``module.`` prefix, as in PyTorch);
    during backward the gradients are averaged across ranks with a bucketed allreduce on contiguous
    buffers (``bucket_cap_mb``, default 25), so after ``backward()`` every rank has the same gradients —
    those of the global batch when each rank's loss is a mean over an equal share of it.

    ``no_sync()`` skips the reduction (gradient accumulation); ``find_unused_parameters=True`` supports
    forwards that leave some parameters out; ``broadcast_buffers=True`` copies rank 0's buffers (e.g.
    BatchNorm statistics) to all ranks at each training forward. With world size 1 it is a plain wrapper.
    ``device_ids``/``output_device`` exist for PyTorch compatibility (CPU only: they must be None);
    ``dim``, ``check_reduction``, ``gradient_as_bucket_view`` and ``static_graph`` are accepted and ignored.
    """

    _is_ddp = True

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module to wrap; got {type(module).__name__}")
        if device_ids not in (None, [], ()) or output_device is not None:
            raise ValueError("DistributedDataParallel: device_ids/output_device are for GPUs; chainrule runs on "
                             f"the CPU, so leave them None (got device_ids={device_ids!r}, "
                             f"output_device={output_device!r})")
        if process_group is not None:
            raise ValueError("DistributedDataParallel: only the default process group is supported; leave "
                             f"process_group=None (got {process_group!r})")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25.0
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive; got {bucket_cap_mb!r}")
        from ... import distributed as dist
        from ...distributed._group import _require

        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.bucket_cap_mb = float(bucket_cap_mb)
        self.require_backward_grad_sync = True
        g = _require("DistributedDataParallel")
        self.process_group = g
        self.world_size = dist.get_world_size()
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._reducer = None
        if self.world_size > 1:
            _check_same_model(module, g)
            with no_grad():
                _broadcast_coalesced([p for _, p in module.named_parameters()] + _buffers(module))
            if named:
                from ._reducer import Reducer

                self._reducer = Reducer(named, g, self.bucket_cap_mb, self.find_unused_parameters)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        sync = self.world_size > 1
        if sync and self.broadcast_buffers and self.training and is_grad_enabled():
            bufs = _buffers(self.module)
            if bufs:
                _broadcast_coalesced(bufs)
        out = self.module(*args, **kwargs)
        r = self._reducer
        if r is not None and self.require_backward_grad_sync and is_grad_enabled():
            r.prepare(_reached_leaves(out) if self.find_unused_parameters else None)
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, backward accumulates local gradients without communicating; the first backward after
        it averages the accumulated gradients."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def _mean_over_ranks(self, values: Sequence[float]) -> list[float]:
        """The mean of each value over all ranks (used by Trainer for logged losses and metrics)."""
        if self.world_size <= 1:
            return [float(v) for v in values]
        from ...distributed import ReduceOp, all_reduce

        a = np.array(values, dtype=np.float64)
        all_reduce(a, ReduceOp.SUM)
        return (a / self.world_size).tolist()

    def extra_repr(self) -> str:
        return f"world_size={self.world_size}, bucket_cap_mb={self.bucket_cap_mb:g}"


def _buffers(module: Module) -> list[Tensor]:
    return [b for _, b in module.named_buffers()]


def _broadcast_coalesced(tensors: list[Tensor], src: int = 0) -> None:
    """Copy rank ``src``'s tensors to every rank: one ``Bcast`` per dtype, on a packed buffer."""
    from ...distributed import broadcast

    by_dtype: dict[np.dtype, list[Tensor]] = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    for dtype, group in by_dtype.items():
        flat = np.concatenate([t._data.reshape(-1) for t in group]) if group else np.zeros(0, dtype)
        broadcast(flat, src)
        start = 0
        for t in group:
            n = t._data.size
            t._data[...] = flat[start:start + n].reshape(t._data.shape)
            start += n


def _check_same_model(module: Module, g: Any) -> None:
    """Every rank must hold the same parameters and buffers; name the first difference."""
    from ...distributed import all_gather_object

    mine = [(k, "parameter", tuple(p.shape), str(p._data.dtype), bool(p.requires_grad))
            for k, p in module.named_parameters()]
    mine += [(k, "buffer", tuple(b.shape), str(b._data.dtype), False) for k, b in module.named_buffers()]
    everyone: list[Any] = [None] * g.size
    all_gather_object(everyone, mine)
    ref = everyone[0]
    for r, theirs in enumerate(everyone[1:], start=1):
        if theirs == ref:
            continue
        for a, b in zip(ref, theirs):
            if a != b:
                raise RuntimeError(
                    f"DistributedDataParallel: the ranks hold different models: rank 0 has {a[1]} {a[0]!r} of "
                    f"shape {a[2]} ({a[3]}, requires_grad={a[4]}) where rank {r} has {b[1]} {b[0]!r} of shape "
                    f"{b[2]} ({b[3]}, requires_grad={b[4]}). Every rank must build the same model.")
        longer, n = (0, len(ref)) if len(ref) > len(theirs) else (r, len(theirs))
        extra = (ref if longer == 0 else theirs)[min(len(ref), len(theirs))]
        raise RuntimeError(
            f"DistributedDataParallel: the ranks hold different models: rank 0 has {len(ref)} parameters and "
            f"buffers, rank {r} has {len(theirs)} (rank {longer} also has {extra[1]} {extra[0]!r} of shape "
            f"{extra[2]}). Every rank must build the same model.")


def _reached_leaves(out: Any) -> set[int]:
    """ids of the leaf tensors the graph of ``out`` reaches (for ``find_unused_parameters``)."""
    from ...autograd.engine import toposort

    roots: list[Tensor] = []
    stack = [out]
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            roots.append(o)
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
        elif isinstance(o, dict):
            stack.extend(o.values())
    found = {id(t) for t in roots if t._grad_fn is None}
    for node in toposort([t._grad_fn for t in roots if t._grad_fn is not None]):
        for e in node._edges:
            if e is not None and e[0] is None:
                found.add(id(e[2]))
    return found
