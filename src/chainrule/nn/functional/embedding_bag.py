"""``F.embedding_bag``: sums, means or maxima of bags of embedding rows, without materialising the rows' gather.

Bag b holds the positions j with bag[j] = b (from ``offsets``, or the rows of a 2-D input); an
index equal to ``padding_idx`` is left out of its bag (and out of the mean's count).

    sum:  y[b] = Σ_{j∈b} w_j · W[i_j]          (w_j = per_sample_weights, else 1)
    mean: y[b] = Σ_{j∈b} W[i_j] / |b|
    max:  y[b, d] = max_{j∈b} W[i_j, d]        (an empty bag gives 0)

VJP with e = ∂L/∂y:  gW[i_j] += w_j · e[bag_j] (/ |b| for mean; / freq(i_j) with scale_grad_by_freq),
for max only the argmax row of each (b, d) receives e[b, d];  gw_j = ⟨e[bag_j], W[i_j]⟩.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops._util import Function, check_tensor, shape_str
from .linear import _renorm_rows

__all__ = ["embedding_bag"]


class EmbeddingBag(Function):
    """Bag reductions of embedding rows (see the module docstring for the formula and VJPs)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, weight: np.ndarray, psw: Any, idx: np.ndarray, bag: np.ndarray, n_bags: int,
                mode: str, by_freq: bool) -> np.ndarray:  # fmt: skip
        """Forward formula of the class docstring, on NumPy arrays."""
        d = weight.shape[1]
        rows = weight[idx]
        if psw is not None:
            rows = rows * psw[:, None]
        out = np.zeros((n_bags, d), dtype=weight.dtype)
        ctx.idx, ctx.bag, ctx.mode, ctx.by_freq, ctx.wshape = idx, bag, mode, by_freq, weight.shape
        if mode == "max":
            if len(idx):
                best = np.full((n_bags, d), -np.inf, dtype=weight.dtype)
                np.maximum.at(best, bag, rows)
                pos = np.where(rows == best[bag], np.arange(len(idx))[:, None], len(idx))
                arg = np.full((n_bags, d), len(idx), dtype=np.int64)
                np.minimum.at(arg, bag, pos)
                filled = arg < len(idx)
                out[filled] = best[filled]
            else:
                arg = np.zeros((n_bags, d), dtype=np.int64)
            ctx.arg = arg
            return out
        np.add.at(out, bag, rows)
        if mode == "mean":
            count = np.bincount(bag, minlength=n_bags).astype(weight.dtype)
            ctx.count = count
            out /= np.maximum(count, 1)[:, None]
        need = ctx.needs_input_grad
        ctx.save_for_backward(weight if need[1] else None, psw if need[0] else None)
        return out

    @staticmethod
    def backward(ctx: Any, e: np.ndarray) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays (on Tensors, recorded, under create_graph)."""
        idx, bag, mode = ctx.idx, ctx.bag, ctx.mode
        if ctx.xp.is_tensor:
            return _backward_recorded(ctx, e)
        gw = np.zeros(ctx.wshape, dtype=e.dtype)
        if mode == "max":
            n_bags, d = e.shape
            arg = ctx.arg
            ok = arg < len(idx)
            b, k = np.nonzero(ok)
            np.add.at(gw, (idx[arg[b, k]], k), e[b, k])
            return gw, None, None, None, None, None, None
        weight, psw = ctx.saved_tensors
        eb = e[bag]
        if mode == "mean":
            eb = eb / np.maximum(ctx.count, 1)[bag][:, None]
        gpsw = None
        if ctx.needs_input_grad[1]:
            gpsw = np.einsum("jd,jd->j", eb, weight[idx])
        if ctx.needs_input_grad[0]:
            contrib = eb if psw is None else eb * psw[:, None]
            if ctx.by_freq:
                freq = np.bincount(idx, minlength=ctx.wshape[0])
                contrib = contrib / freq[idx][:, None]
            np.add.at(gw, idx, contrib.astype(e.dtype, copy=False))
        return gw, gpsw, None, None, None, None, None


def _backward_recorded(ctx: Any, e: Any) -> tuple[Any, ...]:
    """The same VJPs with ``ctx.xp`` on Tensors: gathers and scatter-adds instead of in-place adds."""
    xp, idx, bag = ctx.xp, ctx.idx, ctx.bag
    if ctx.mode == "max":
        b, k = np.nonzero(ctx.arg < len(idx))
        gw = xp.scatter_zeros(ctx.wshape, (idx[ctx.arg[b, k]], k), xp.take_at(e, (b, k)), True)
        return gw, None, None, None, None, None, None
    weight, psw = ctx.saved_tensors
    eb = xp.take_at(e, bag)
    if ctx.mode == "mean":
        eb = eb / np.maximum(ctx.count, 1)[bag][:, None]
    gw = gpsw = None
    if ctx.needs_input_grad[1]:
        gpsw = xp.sum(eb * xp.take_at(weight, idx), axis=1)
    if ctx.needs_input_grad[0]:
        contrib = eb if psw is None else eb * xp.expand_dims(psw, 1)
        if ctx.by_freq:
            contrib = contrib / np.bincount(idx, minlength=ctx.wshape[0])[idx][:, None]
        gw = xp.scatter_zeros(ctx.wshape, idx, contrib, True)
    return gw, gpsw, None, None, None, None, None


def embedding_bag(input: Any, weight: Any, offsets: Any = None, max_norm: float | None = None,  # noqa: A002
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Any = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Any:  # fmt: skip
    """Reduce bags of rows of ``weight`` (sum / mean / max): (B, L) input = B bags of L, or 1-D input + offsets."""
    op = "embedding_bag"
    check_tensor(input, op)
    check_tensor(weight, op, "weight")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({shape_str(tuple(per_sample_weights.shape))}) is not None, then it must have the same shape as the input ({shape_str(tuple(input.shape))})")  # fmt: skip
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{op}: Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got {idx.dtype} instead")  # fmt: skip
    psw = per_sample_weights
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type {type(offsets)}")  # fmt: skip
        n_bags, length = idx.shape
        bag = np.repeat(np.arange(n_bags), length)
        idx = idx.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        off = offsets._data if hasattr(offsets, "_data") else np.asarray(offsets)
        if off.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = off.astype(np.int64)
        if len(off) and off[0] != 0:
            raise RuntimeError(f"{op}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got {off[0]}")  # fmt: skip
        if len(off) and (np.any(np.diff(off) < 0) or off[-1] > len(idx)):
            raise RuntimeError(f"{op}: offsets must be non-decreasing and at most the input length {len(idx)}; got {off.tolist()}")  # fmt: skip
        n_bags = len(off) - 1 if include_last_offset else len(off)
        n_bags = max(n_bags, 0)
        bag = np.searchsorted(off, np.arange(len(idx)), side="right") - 1
        if include_last_offset and len(off):
            bag = np.where(np.arange(len(idx)) >= off[-1], -1, bag)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{op}: index out of range in self; expected indices in [0, {n - 1}], got {bad}")
    if max_norm is not None:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))
    if psw is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='{mode}'). Please open a feature request on GitHub.")  # fmt: skip
    keep = bag >= 0
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError(f"padding_idx must be within the number of embeddings; expected in [{-n}, {n - 1}], got {padding_idx}")  # fmt: skip
        keep &= idx != padding_idx % n
    if not keep.all():
        idx, bag = idx[keep], bag[keep]
        if psw is not None:
            psw = _take(psw, keep)
    return EmbeddingBag.apply(weight, psw, idx.astype(np.int64), bag.astype(np.int64), int(n_bags), mode, bool(scale_grad_by_freq))


def _take(t: Any, keep: np.ndarray) -> Any:
    """The kept entries of the 1-D tensor ``t`` (differentiable)."""
    from ... import tensor

    return t[tensor(np.nonzero(keep)[0])]
