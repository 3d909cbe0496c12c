"""Connectionist Temporal Classification loss: the forward-backward recursion in log space as one op.

For one sample: log-probabilities lp[t, c] over T' = input_length frames, a target l₁..l_S, and the
extended target l' = (b, l₁, b, l₂, …, b, l_S, b) of length 2S + 1 (b the blank). A path π of length
T' collapses to l by merging repeats and dropping blanks; p(l|x) = Σ_π Π_t exp(lp[t, π_t]).

Forward variables (log α; both recursions include the frame's own lp[t, l'_s]):
    α₀(0) = lp[0, b],  α₀(1) = lp[0, l₁],  α₀(s > 1) = −∞
    αₜ(s) = lp[t, l'_s] + logsumexp(αₜ₋₁(s), αₜ₋₁(s−1), αₜ₋₁(s−2) if l'_s ≠ b and l'_s ≠ l'_{s−2})
Backward variables, mirrored from the end:
    β_{T'−1}(2S) = lp[T'−1, b],  β_{T'−1}(2S−1) = lp[T'−1, l_S]
    βₜ(s) = lp[t, l'_s] + logsumexp(βₜ₊₁(s), βₜ₊₁(s+1), βₜ₊₁(s+2) if l'_s ≠ b and l'_s ≠ l'_{s+2})
Loss:  nll = −log p(l|x) = −logsumexp(α_{T'−1}(2S), α_{T'−1}(2S−1)).
Gradient: since Σ_{s: l'_s = c} αₜ(s) βₜ(s) = p(l|x) · exp(lp[t, c]) · (occupancy of c at t),
    ∂nll/∂lp[t, c] = −exp(log Σ_{s: l'_s = c} αₜ(s)+βₜ(s) + nll − lp[t, c]).
PyTorch's VJP (kept here, so gradients equal PyTorch's) adds exp(lp[t, c]) for t < T': a term that
vanishes when lp comes from log_softmax (its backward removes anything proportional to softmax), and
0 for t ≥ T'. With zero_infinity an impossible alignment (nll = ∞) gives loss 0 and gradient 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..._tensor import Tensor
from ...autograd.function import CompositeDoubleBackward, Function
from ...ops._util import check_tensor
from . import _composites_seq as _seq

__all__ = ["ctc_loss"]

_NEG = -np.inf


def _extended(targets: np.ndarray, tl: np.ndarray, blank: int) -> np.ndarray:
    """(N, 2·S_max+1) extended labels b, l₁, b, …, l_S, b (padded with b)."""
    n, s_max = targets.shape
    ext = np.full((n, 2 * s_max + 1), blank, np.int64)
    ext[:, 1::2] = targets
    ext[:, 1::2][np.arange(s_max)[None, :] >= tl[:, None]] = blank
    return ext


def _lse3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.logaddexp(np.logaddexp(a, b), c)


class CtcLoss(CompositeDoubleBackward, Function):
    """Per-sample CTC negative log-likelihood of log_probs (T, N, C); see the module docstring for the
    α/β recursions, the loss and the VJP  ∂nll/∂lp[t,c] = exp(lp) − exp(log Σ_{l'_s=c} αₜ(s)βₜ(s) + nll − lp)."""

    composite = staticmethod(_seq.ctc)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, lp: Any, targets: np.ndarray, il: np.ndarray, tl: np.ndarray, blank: int, zero_inf: bool) -> Any:
        t_max, n, _ = lp.shape
        ext = _extended(targets, tl, blank)
        width = ext.shape[1]
        rows = np.arange(n)[:, None]
        valid = np.arange(width)[None, :] < (2 * tl + 1)[:, None]  # positions inside each sample's l'
        skip = np.zeros((n, width), bool)  # may come from s−2: a label differing from the one two back
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        skip_back = np.zeros((n, width), bool)  # may go to s+2 (the same condition seen from s+2)
        skip_back[:, :-2] = skip[:, 2:]
        emit = lp[:, rows, ext]  # (T, N, W): lp[t, n, l'_s]
        alpha = np.full((t_max, n, width), _NEG, lp.dtype)
        alpha[0, :, 0] = emit[0, :, 0]
        alpha[0, :, 1] = np.where(tl > 0, emit[0, :, 1], _NEG) if width > 1 else alpha[0, :, 0]
        alpha[0][~valid] = _NEG
        shifted1, shifted2 = np.full((n, width), _NEG, lp.dtype), np.full((n, width), _NEG, lp.dtype)
        for t in range(1, t_max):
            prev = alpha[t - 1]
            shifted1[:, 1:] = prev[:, :-1]
            shifted2[:, 2:] = np.where(skip[:, 2:], prev[:, :-2], _NEG)
            alpha[t] = np.where(valid, emit[t] + _lse3(prev, shifted1, shifted2), _NEG)
        last = np.maximum(il - 1, 0)
        end = alpha[last, np.arange(n)]  # (N, W) at each sample's last frame
        e2 = end[np.arange(n), 2 * tl]
        e1 = np.where(tl > 0, end[np.arange(n), np.maximum(2 * tl - 1, 0)], _NEG)
        nll = -np.logaddexp(e2, e1)
        nll = np.where(il == 0, np.where(tl == 0, 0.0, np.inf), nll).astype(lp.dtype)
        ctx.save_for_backward(lp, alpha, emit, nll)
        ctx.info = (ext, valid, skip_back, il, tl, zero_inf)
        return np.where(zero_inf & np.isinf(nll), 0, nll).astype(lp.dtype) if zero_inf else nll

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        lp, alpha, emit, nll = ctx.saved_tensors
        ext, valid, skip_back, il, tl, zero_inf = ctx.info
        t_max, n, c = lp.shape
        width = ext.shape[1]
        ar = np.arange(n)
        beta = np.full((t_max, n, width), _NEG, lp.dtype)
        nxt = np.full((n, width), _NEG, lp.dtype)
        shifted1, shifted2 = np.full((n, width), _NEG, lp.dtype), np.full((n, width), _NEG, lp.dtype)
        for t in range(t_max - 1, -1, -1):
            start = np.full((n, width), _NEG, lp.dtype)  # β at each sample's last frame
            start[ar, 2 * tl] = emit[t, ar, 2 * tl]
            has = tl > 0
            start[ar[has], 2 * tl[has] - 1] = emit[t, ar[has], 2 * tl[has] - 1]
            shifted1[:, :-1] = nxt[:, 1:]
            shifted2[:, :-2] = np.where(skip_back[:, :-2], nxt[:, 2:], _NEG)
            rec = np.where(valid, emit[t] + _lse3(nxt, shifted1, shifted2), _NEG)
            cur = np.where((t == il - 1)[:, None], start, np.where((t < il - 1)[:, None], rec, _NEG))
            beta[t] = cur
            nxt = cur
        ab = alpha + beta  # (T, N, W) log αₜ(s)βₜ(s)
        lcab = np.full((t_max, n, c), _NEG, lp.dtype)
        for s in range(width):  # logsumexp over the positions s with l'_s = c
            idx = ext[:, s]
            cur = lcab[:, ar, idx]
            lcab[:, ar, idx] = np.logaddexp(cur, ab[:, :, s])
        with np.errstate(invalid="ignore", over="ignore"):
            grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
        grad[np.arange(t_max)[:, None] >= il[None, :]] = 0
        if zero_inf:
            grad[:, np.isinf(nll)] = 0
        return (grad * g[None, :, None]).astype(lp.dtype), None, None, None, None, None


def _lengths(x: Any, name: str, n: int) -> np.ndarray:
    arr = np.asarray(x._data if isinstance(x, Tensor) else x)
    if arr.dtype.kind not in "iu" and arr.size:
        raise RuntimeError(f"ctc_loss: {name} must be integers, got {arr.dtype}")
    arr = arr.reshape(-1).astype(np.int64)
    if arr.shape[0] != n:
        raise RuntimeError(f"{name} must be of size batch_size; expected {n}, got {arr.shape[0]}")
    return arr


def ctc_loss(
    log_probs: Tensor, targets: Tensor, input_lengths: Tensor | Sequence[int], target_lengths: Tensor | Sequence[int],
    blank: int = 0, reduction: str = "mean", zero_infinity: bool = False,
) -> Tensor:
    """CTC loss of log_probs (T, N, C) — (T, C) unbatched — against targets padded (N, S) or concatenated
    (Σ target_lengths,). reduction 'mean' divides each loss by its target length, then averages."""
    check_tensor(log_probs, "ctc_loss", "log_probs")
    check_tensor(targets, "ctc_loss", "targets")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_probs._data.dtype.kind != "f" or log_probs.ndim not in (2, 3):
        raise RuntimeError(
            f"ctc_loss: expected floating log_probs of shape (T, N, C) or (T, C), got {log_probs.dtype} "
            f"{list(log_probs.shape)}"
        )
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    t_max, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError(f"blank must be in label range; expected 0 <= blank < {c}, got {blank}")
    il = _lengths(input_lengths, "input_lengths", n)
    tl = _lengths(target_lengths, "target_lengths", n)
    if il.size and (il.max() > t_max or il.min() < 0):
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value {il.max()}")
    tg = targets._data
    if tg.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: targets must be integer class indices, got {targets.dtype}")
    if unbatched:
        tg = tg.reshape(1, -1)
    if tg.ndim == 1:  # concatenated: split by target_lengths into a padded (N, S_max) array
        if tl.sum() > tg.shape[0]:
            raise RuntimeError(
                f"ctc_loss: concatenated targets hold {tg.shape[0]} labels; expected sum(target_lengths) = {tl.sum()}"
            )
        padded = np.full((n, int(tl.max(initial=0))), blank, np.int64)
        offsets = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for i in range(n):
            padded[i, : tl[i]] = tg[offsets[i] : offsets[i] + tl[i]]
        tg = padded
    elif tl.size and tl.max() > tg.shape[1]:
        raise RuntimeError(
            f"Expected tensor to have size at least {tl.max()} at dimension 1, but got size {tg.shape[1]} for "
            "argument #2 'targets'"
        )
    tg = tg[:, : int(tl.max(initial=0))].astype(np.int64)
    used = tg[np.arange(tg.shape[1])[None, :] < tl[:, None]]
    if used.size and (used.min() < 0 or used.max() >= c):
        raise IndexError(f"ctc_loss: target labels must be in [0, {c}); got values from {used.min()} to {used.max()}")
    nll = CtcLoss.apply(lp, tg, il, tl, int(blank), bool(zero_infinity))
    if reduction == "mean":
        out = (nll / Tensor._make(np.maximum(tl, 1).astype(nll._data.dtype))).mean()
    elif reduction == "sum":
        out = nll.sum()
    else:
        out = nll
    return out.squeeze(0) if unbatched and reduction == "none" else out
