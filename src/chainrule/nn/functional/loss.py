"""Loss functions, with PyTorch's names, signatures, reductions and validation.

Every loss takes ``reduction='mean' | 'sum' | 'none'`` (and the legacy ``size_average``/``reduce``
flags). Each is one fused primitive computing the per-element loss ``l`` and, in backward, its
local derivative scaled by ``ḡ`` = ∂L/∂(reduced loss) spread over the elements (``g``, or ``g/n``
for 'mean'). ``cross_entropy`` with class indices is log_softmax + NLL in ONE primitive, whose
VJP is ``(softmax − onehot)·w / denominator``.

L2 regularization (the seed's λ‖W‖²_F) is one line on top of any loss::

    loss = loss_fn(out, y) + lam * sum((p ** 2).sum() for p in model.parameters())

Its gradient is 2λW, so it equals SGD's ``weight_decay=2*lam`` (which adds ``weight_decay·W``
to each gradient) - up to the penalty also touching biases, which weight_decay does too.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..._tensor import Tensor
from ..._tensor_methods import _TYPE_NAMES as _TORCH_NAMES
from ...autograd.function import Function
from ...autograd.grad_mode import state as _grad_state
from ...ops._util import broadcast_error, check_tensor, promote, shape_str

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
]  # fmt: skip


# --- reduction helpers ----------------------------------------------------------------------------
def _reduce(l: np.ndarray, red: str, denom: Any = None) -> np.ndarray:
    """'none': l;  'sum': Σl;  'mean': Σl / denom (default: the element count; 0/0 = nan, as PyTorch)."""
    if red == "none":
        return l
    with np.errstate(invalid="ignore", divide="ignore"):
        total = l.sum()
        return np.asarray(total if red == "sum" else total / (l.size if denom is None else denom), dtype=l.dtype)


def _gbar(g: np.ndarray, red: str, n: Any) -> np.ndarray:
    """∂L/∂l_i for each element: g itself ('none', 'sum') or g/n ('mean'; 0 when n = 0)."""
    if red == "mean":
        return g / n if n else np.zeros_like(g)
    return g


def _reduction(reduction: str, size_average: Any, reduce: Any) -> str:
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
            UserWarning,
            stacklevel=3,
        )
    elif reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction; expected 'none', 'mean' or 'sum'")
    return reduction


def _no_grad_arg(t: Tensor | None, fn: str, arg: str) -> np.ndarray | None:
    """The array of an argument PyTorch does not differentiate (class weights); refuses requires_grad."""
    if t is None:
        return None
    if t._requires_grad and _grad_state.enabled:
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
            "This input cannot have requires_grad True. Pass it detached (w.detach())."
        )
    return t._data


def _size_warning(input: Tensor, target: Tensor) -> None:  # noqa: A002
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def _pair(op: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:  # noqa: A002
    check_tensor(input, op)
    check_tensor(target, op, "target")
    input, target = promote(input, target, op)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'{op}: "{op}_cpu" not implemented for integer inputs; expected a floating dtype, got {input.dtype}')
    if input._data.shape != target._data.shape:
        try:
            np.broadcast_shapes(input._data.shape, target._data.shape)
        except ValueError:
            raise broadcast_error(op, input._data.shape, target._data.shape) from None
    return input, target


# --- pointwise regression losses: l = f(d), d = x − y ----------------------------------------------
class _DiffLoss:
    """Mixin with the shared backward: gx = ḡ·f'(d),  gy = −gx  (f'(d) is saved by forward as ``dl``)."""

    _array_op = True

    @staticmethod
    def _finish(ctx: Any, dl: Any, l: Any, red: str) -> Any:
        ctx.red = red
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.save_for_backward(dl() if callable(dl) else dl)
        return _reduce(l, red)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (dl,) = ctx.saved_tensors
        gx = _gbar(g, ctx.red, dl.size) * dl
        return gx, (-gx if ctx.needs_input_grad[1] else None), None, None


class MseLoss(_DiffLoss, Function):
    """l = (x − y)².   VJP: gx = 2(x − y)·ḡ,  gy = −gx."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, red: str, _: Any) -> Any:
        d = np.asarray(x - y)  # 0-d inputs give a NumPy scalar; ``out=`` needs an array
        return MseLoss._finish(ctx, 2 * d, np.square(d, out=d), red)


class L1Loss(_DiffLoss, Function):
    """l = |x − y|.   VJP: gx = sign(x − y)·ḡ,  gy = −gx."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, red: str, _: Any) -> Any:
        d = np.asarray(x - y)
        return L1Loss._finish(ctx, np.sign(d), np.abs(d, out=d), red)


class SmoothL1Loss(_DiffLoss, Function):
    """l = ½d²/β if |d| < β else |d| − ½β.   VJP: gx = clip(d/β, −1, 1)·ḡ,  gy = −gx."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, red: str, beta: float) -> Any:
        d = x - y
        a = np.abs(d)
        l = np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)
        return SmoothL1Loss._finish(ctx, lambda: np.clip(d / beta, -1, 1), l, red)


class HuberLoss(_DiffLoss, Function):
    """l = ½d² if |d| < δ else δ(|d| − ½δ).   VJP: gx = clip(d, −δ, δ)·ḡ,  gy = −gx."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, red: str, delta: float) -> Any:
        d = x - y
        a = np.abs(d)
        l = np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
        return HuberLoss._finish(ctx, lambda: np.clip(d, -delta, delta), l, red)


def _weighted(l: Tensor, weight: Tensor, reduction: str, input: Tensor, by_weight_sum: bool) -> Tensor:  # noqa: A002
    if weight._data.shape != input._data.shape:
        raise ValueError(
            f"Weights and input must have the same size; expected {shape_str(input._data.shape)}, got {shape_str(weight._data.shape)}"
        )
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    wl = l * weight
    if reduction == "mean":
        return wl.sum() / weight.sum() if by_weight_sum else wl.mean()
    return wl.sum() if reduction == "sum" else wl


def _pointwise(cls: Any, op: str, input: Tensor, target: Tensor, red: str, param: Any, weight: Tensor | None, by_sum: bool) -> Tensor:  # noqa: A002
    """Warn on differing shapes (as PyTorch), then the fused loss, or its 'none' form times ``weight``."""
    _size_warning(input, target)
    if weight is not None:
        return _weighted(cls.apply(*_pair(op, input, target), "none", param), weight, red, input, by_sum)
    return cls.apply(*_pair(op, input, target), _reduction(red, None, None), param)


def mse_loss(
    input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
    reduction: str = "mean", weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error (x − y)², optionally weighted elementwise (weighted mean = Σwl / Σw)."""
    red = _reduction(reduction, size_average, reduce) if weight is None else reduction
    return _pointwise(MseLoss, "mse_loss", input, target, red, None, weight, True)


def l1_loss(
    input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
    reduction: str = "mean", weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error |x − y|, optionally weighted elementwise (weighted mean = Σwl / Σw)."""
    red = _reduction(reduction, size_average, reduce) if weight is None else reduction
    return _pointwise(L1Loss, "l1_loss", input, target, red, None, weight, True)


def smooth_l1_loss(
    input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
    reduction: str = "mean", beta: float = 1.0,
) -> Tensor:
    """Quadratic below ``beta``, linear above (``beta=0`` is l1_loss)."""
    _size_warning(input, target)
    red = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta; expected beta >= 0, got {beta}")
    x, y = _pair("smooth_l1_loss", input, target)
    return L1Loss.apply(x, y, red, None) if beta == 0 else SmoothL1Loss.apply(x, y, red, float(beta))


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,  # noqa: A002
    weight: Tensor | None = None,
) -> Tensor:
    """Quadratic below ``delta``, ``delta``-sloped linear above (``smooth_l1_loss`` times ``delta``)."""
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta; expected delta > 0, got {delta}")
    return _pointwise(HuberLoss, "huber_loss", input, target, reduction, float(delta), weight, False)


# --- binary cross-entropy -------------------------------------------------------------------------
class BinaryCrossEntropy(Function):
    """l = −w·(y·max(ln x, −100) + (1−y)·max(ln(1−x), −100)).

    VJP: gx = ḡ·w·(x − y) / max(x(1−x), 1e-12),   gy = ḡ·w·(ln(1−x) − ln x).
    """

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, w: Any, red: str) -> Any:
        ctx.save_for_backward(x, y, w)
        ctx.red = red
        with np.errstate(divide="ignore"):
            l = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
        return _reduce(l if w is None else l * w, red)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y, w = ctx.saved_tensors
        gb = _gbar(g, ctx.red, x.size) if w is None else _gbar(g, ctx.red, x.size) * w
        gx = gb * (x - y) / np.maximum((1 - x) * x, 1e-12) if ctx.needs_input_grad[0] else None
        with np.errstate(divide="ignore", invalid="ignore"):
            gy = gb * (np.log1p(-x) - np.log(x)) if ctx.needs_input_grad[1] else None
        return gx, gy, None, None


class BinaryCrossEntropyWithLogits(Function):
    """l = w·(max(z, 0) − z·y + ln(1 + e^{−|z|}) + (p−1)·y·sp(−z)),  sp(−z) = −ln σ(z) (exact at |z| = 1e4).

    VJP: gz = ḡ·w·((1−y) − (1 + (p−1)y)·(1 − σ(z))),   gy = ḡ·w·((p−1)·sp(−z) − z);  without p: gz = ḡ·w·(σ(z) − y).
    """

    _array_op = True

    @staticmethod
    def forward(ctx: Any, z: Any, y: Any, w: Any, pw: Any, red: str) -> Any:
        e = np.exp(-np.abs(z))
        lg = np.log1p(e)
        l = np.maximum(z, 0) - z * y + lg
        spn = None
        if pw is not None:
            spn = np.maximum(-z, 0) + lg  # −ln σ(z)
            l = l + (pw - 1) * y * spn
        ctx.save_for_backward(z, y, w, pw, e, spn)
        ctx.red = red
        if w is not None:
            l = l * w
        ctx.n = l.size
        return _reduce(l, red)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        z, y, w, pw, e, spn = ctx.saved_tensors
        gb = _gbar(g, ctx.red, ctx.n)
        if w is not None:
            gb = gb * w
        sig = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        need = ctx.needs_input_grad
        gz = (gb * (sig - y) if pw is None else gb * ((1 - y) - (1 + (pw - 1) * y) * (1 - sig))) if need[0] else None
        gy = (gb * (-z) if pw is None else gb * ((pw - 1) * spn - z)) if need[1] else None
        return gz, gy, None, None, None


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,  # noqa: A002
    reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """−(y·ln x + (1−y)·ln(1−x)) for probabilities ``input`` in [0, 1] (logs clamped at −100)."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "binary_cross_entropy")
    check_tensor(target, "binary_cross_entropy", "target")
    x, y = input._data, target._data
    if x.shape != y.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is deprecated. "
            "Please ensure they have the same size."
        )
    if x.dtype != y.dtype:
        raise RuntimeError(f"binary_cross_entropy: Found dtype {target.dtype} but expected {input.dtype}; cast the target with .to(input.dtype)")
    for name, a in (("input", x), ("target", y)):
        if a.size and not ((a >= 0) & (a <= 1)).all():
            raise RuntimeError(
                f"binary_cross_entropy: all elements of {name} should be between 0 and 1; got values in [{a.min():g}, "
                f"{a.max():g}]" + (". Apply sigmoid first, or use binary_cross_entropy_with_logits." if name == "input" else "")
            )
    w = _no_grad_arg(weight, "binary_cross_entropy", "weight")
    if w is not None:
        try:
            w = np.broadcast_to(w, np.broadcast_shapes(y.shape, w.shape)).astype(x.dtype, copy=False)
        except ValueError:
            raise broadcast_error("binary_cross_entropy", w.shape, y.shape) from None
    return BinaryCrossEntropy.apply(input, target, w, red)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,  # noqa: A002
    reduce: bool | None = None, reduction: str = "mean", pos_weight: Tensor | None = None,
) -> Tensor:
    """sigmoid + binary cross-entropy in one numerically stable step; ``pos_weight`` scales positives."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "binary_cross_entropy_with_logits")
    check_tensor(target, "binary_cross_entropy_with_logits", "target")
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    z, y = promote(input, target, "binary_cross_entropy_with_logits")
    dt = z._data.dtype
    w = _no_grad_arg(weight, "binary_cross_entropy_with_logits", "weight")
    pw = _no_grad_arg(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    w, pw = (None if a is None else a.astype(dt, copy=False) for a in (w, pw))
    try:
        return BinaryCrossEntropyWithLogits.apply(z, y, w, pw, red)
    except ValueError:
        raise broadcast_error("binary_cross_entropy_with_logits", z._data.shape, *(a.shape for a in (w, pw) if a is not None)) from None


# --- classification: cross-entropy, NLL ------------------------------------------------------------
def _class_axis(x: np.ndarray) -> int:
    return 1 if x.ndim >= 2 else 0


def _cls(w: Any, axis: int, ndim: int) -> Any:
    """A per-class vector (C,) shaped to broadcast along the class axis."""
    return w.reshape((-1,) + (1,) * (ndim - 1 - axis))


def _smp(v: Any, axis: int) -> Any:
    """A per-sample array (the input's shape without the class axis) given back its class axis."""
    if not np.ndim(v):
        return v
    v = np.asarray(v)
    return v.reshape(v.shape[:axis] + (1,) + v.shape[axis:])  # np.expand_dims, without its overhead


def _picked(t: np.ndarray, w: Any, ignore_index: int, dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-ignored mask, safe target indices (ignored -> 0) and w[t] (0 where ignored)."""
    keep = t != ignore_index
    tt = np.where(keep, t, 0).astype(np.intp, copy=False)
    wt = keep.astype(dtype) if w is None else np.where(keep, w.take(tt), 0).astype(dtype, copy=False)
    return keep, tt, wt


class CrossEntropy(Function):
    """log_softmax + NLL fused: class-index targets t, class weights w, label smoothing ε, C classes.

    l_i = (1−ε)·w_t·(−log p_t) + (ε/C)·Σ_c w_c·(−log p_c)  (0 where t = ignore_index); 'mean' divides by Σ_i w_{t_i}.
    VJP: gx_i = ḡ_i·[((1−ε)w_t + (ε/C)Σw)·p − (1−ε)w_t·onehot(t) − (ε/C)·w]  =  ḡ_i·w_t·(softmax − onehot) for ε = 0.
    """

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, t: Any, w: Any, ignore_index: int, eps: float, red: str) -> Any:
        ax = _class_axis(x)
        C = x.shape[ax]
        keep, tt, wt = _picked(t, w, ignore_index, x.dtype)
        z = x - x.max(axis=ax, keepdims=True) if x.size else x.copy()
        zt = z[np.arange(len(tt)), tt] if x.ndim == 2 else np.take_along_axis(z, np.expand_dims(tt, ax), ax).squeeze(ax)
        if eps:
            wz = z.sum(ax) if w is None else (z * _cls(w, ax, x.ndim)).sum(ax)
        e = np.exp(z, out=z)
        s = e.sum(axis=ax, keepdims=True)
        lse = np.log(s).squeeze(ax)
        l = wt * (lse - zt)
        if eps:
            wsum = C if w is None else w.sum()
            l = (1 - eps) * l + (eps / C) * ((wsum * lse - wz) * keep)
        ctx.save_for_backward(e, s, tt, wt, keep if eps else None, w)
        ctx.red, ctx.eps, ctx.denom = red, eps, wt.sum()
        return _reduce(l.astype(x.dtype, copy=False), red, ctx.denom)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        e, s, tt, wt, keep, w = ctx.saved_tensors
        ax, eps, nd = _class_axis(e), ctx.eps, e.ndim
        gb = _gbar(g, ctx.red, ctx.denom)
        coef = gb * wt  # ḡ_i·w_t, 0 where ignored
        gx = e / s  # softmax (a new array: saved ones stay intact for retain_graph)
        if eps:
            C = e.shape[ax]
            act = gb * keep
            wsum = C if w is None else w.sum()
            gx *= _smp((1 - eps) * coef + (eps / C) * wsum * act, ax)
            gx -= (eps / C) * (_smp(act, ax) if w is None else _smp(act, ax) * _cls(w, ax, nd))
            hot = (1 - eps) * coef
        else:
            gx *= _smp(coef, ax)
            hot = coef
        if gx.ndim == 2:  # (N, C): one fancy index instead of take/put_along_axis
            gx[np.arange(len(tt)), tt] -= hot
        else:
            idx = np.expand_dims(tt, ax)
            np.put_along_axis(gx, idx, np.take_along_axis(gx, idx, ax) - _smp(hot, ax), ax)
        return gx, None, None, None, None, None


class CrossEntropyProb(Function):
    """Cross-entropy with class-probability targets y (smoothed: y' = (1−ε)y + ε/C), class weights w.

    l_i = −Σ_c w_c·y'_c·log p_c;  'mean' divides by the number of samples (numel / C).
    VJP: gx = ḡ·((Σ_c w_c y'_c)·p − w·y'),   gy = −ḡ·(1−ε)·w·log p,   gw = −Σ_i ḡ·y'·log p.
    """

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, w: Any, eps: float, red: str) -> Any:
        ax = _class_axis(x)
        C = x.shape[ax]
        z = x - x.max(axis=ax, keepdims=True) if x.size else x.copy()
        logp = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))
        yy = y * (1 - eps) + eps / C if eps else y
        wy = yy if w is None else yy * _cls(w, ax, x.ndim)
        l = -(wy * logp).sum(ax)
        ctx.save_for_backward(logp, yy, w)
        ctx.red, ctx.eps, ctx.n = red, eps, (x.size // C if C else 0)
        return _reduce(l, red, ctx.n)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        logp, yy, w = ctx.saved_tensors
        ax, nd = _class_axis(logp), logp.ndim
        gb = _smp(_gbar(g, ctx.red, ctx.n), ax)
        wb = None if w is None else _cls(w, ax, nd)
        wy = yy if w is None else yy * wb
        need = ctx.needs_input_grad
        gx = gb * (wy.sum(ax, keepdims=True) * np.exp(logp) - wy) if need[0] else None
        gy = -gb * (logp if w is None else wb * logp) * (1 - ctx.eps) if need[1] else None
        gw = -(gb * yy * logp).sum(axis=tuple(i for i in range(nd) if i != ax)) if need[2] else None
        return gx, gy, gw, None, None


class NllLoss(Function):
    """l_i = −w_t·x[i, t_i] (0 where t = ignore_index); 'mean' divides by Σ_i w_{t_i}.   VJP: gx[i, t_i] = −ḡ_i·w_t, 0 elsewhere."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, t: Any, w: Any, ignore_index: int, red: str) -> Any:
        ax = _class_axis(x)
        _, tt, wt = _picked(t, w, ignore_index, x.dtype)
        l = -wt * np.take_along_axis(x, np.expand_dims(tt, ax), ax).squeeze(ax)
        ctx.save_for_backward(tt, wt)
        ctx.red, ctx.denom, ctx.shape = red, wt.sum(), x.shape
        return _reduce(l, red, ctx.denom)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        tt, wt = ctx.saved_tensors
        ax = 1 if len(ctx.shape) >= 2 else 0
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        hot = -(_gbar(g, ctx.red, ctx.denom) * wt)
        np.put_along_axis(gx, np.expand_dims(tt, ax), _smp(hot, ax), ax)
        return gx, None, None, None, None


def _check_class_weight(op: str, w: np.ndarray, C: int) -> None:
    if w.shape != (C,):
        raise RuntimeError(
            f"{op}: weight tensor should be defined either for all {C} classes or no classes but got weight tensor "
            f"of shape: {shape_str(w.shape)}"
        )


def _check_class_target(op: str, input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int) -> Any:  # noqa: A002
    """PyTorch's checks for class-index targets; returns the class-weight array (or None)."""
    x, t = input._data, target._data
    if x.ndim == 0:
        raise ValueError(f"{op}: Expected 1 or more dimensions (got 0); expected input of shape (C,), (N, C) or (N, C, d1, ...)")
    if t.dtype not in (np.int64, np.uint8):
        got = _TORCH_NAMES.get(t.dtype.name, t.dtype.name)
        raise RuntimeError(f"{op}: expected target dtype to be Long or Byte, but got {got}; class indices must be int64 (target.long())")
    C = x.shape[_class_axis(x)]
    if (x.ndim == 1 and t.ndim > 1) or (x.ndim >= 2 and t.ndim == 0) or (x.ndim == 2 and t.ndim != 1):
        raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not supported; got target of shape {shape_str(t.shape)}")
    if x.ndim >= 2 and t.shape[0] != x.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
    if x.ndim > 2 and t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"{op}: Expected target size {shape_str(x.shape[:1] + x.shape[2:])}, got {shape_str(t.shape)}")
    w = _no_grad_arg(weight, "nll_loss_forward", "weight")
    if w is not None:
        _check_class_weight(op, w, C)
        if w.dtype != x.dtype:
            raise RuntimeError(f"{op}: expected scalar type {_TORCH_NAMES.get(x.dtype.name)} but found {_TORCH_NAMES.get(w.dtype.name)} (weight); cast it to the input's dtype")
    if t.size and (t.min() < 0 or t.max() >= C):  # only then look for the culprit (ignore_index is allowed)
        tv = t.astype(np.int64, copy=False)
        bad = (tv != ignore_index) & ((tv < 0) | (tv >= C))
        if bad.any():
            v = tv.reshape(-1)[np.argmax(bad.reshape(-1))]
            raise IndexError(f"Target {v} is out of bounds. ({op}: expected class indices in [0, {C - 1}] for C = {C} classes, or ignore_index={ignore_index})")
    return w


def cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,  # noqa: A002
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean", label_smoothing: float = 0.0,
) -> Tensor:
    """log_softmax over dim 1 (dim 0 if unbatched) + negative log-likelihood; targets are class indices or probabilities."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "cross_entropy")
    check_tensor(target, "cross_entropy", "target")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'cross_entropy: "log_softmax" not implemented for {input.dtype}; expected a floating input (logits)')
    if target._data.dtype.kind == "f" and target._data.shape == input._data.shape and input._data.ndim:
        if ignore_index != -100:
            raise RuntimeError("cross_entropy: ignore_index is not supported for floating point target")
        x, y = promote(input, target, "cross_entropy")
        if weight is not None:
            _check_class_weight("cross_entropy", weight._data, x._data.shape[_class_axis(x._data)])
            weight = weight.to(x.dtype) if weight._data.dtype != x._data.dtype else weight
        return CrossEntropyProb.apply(x, y, weight, float(label_smoothing), red)
    w = _check_class_target("cross_entropy", input, target, weight, ignore_index)
    return CrossEntropy.apply(input, target._data, w, int(ignore_index), float(label_smoothing), red)


def nll_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,  # noqa: A002
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood −w_t·input[t] for log-probabilities ``input`` and class-index ``target``."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "nll_loss")
    check_tensor(target, "nll_loss", "target")
    w = _check_class_target("nll_loss", input, target, weight, ignore_index)
    return NllLoss.apply(input, target._data, w, int(ignore_index), red)


# --- KL divergence ----------------------------------------------------------------------------------
class KlDiv(Function):
    """l = y·(ln y − x) (0 where y = 0);  log_target: l = eʸ·(y − x).

    VJP: gx = −ḡ·y (−ḡ·eʸ),   gy = ḡ·(ln y + 1 − x)  (ḡ·eʸ·(y − x + 1)).
    """

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, log_target: bool, red: str) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            ey = np.exp(y) if log_target else None
            l = ey * (y - x) if log_target else np.where(y == 0, 0, y * np.log(y)) - y * x
        ctx.save_for_backward(x, y, ey)
        ctx.shape = l.shape
        ctx.n = l.size if red == "mean" else (l.shape[0] if red == "batchmean" and l.ndim else 1)
        return _reduce(l, "mean" if red == "batchmean" else red, ctx.n)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y, ey = ctx.saved_tensors
        need, gb = ctx.needs_input_grad, _gbar(g, "mean", ctx.n)
        gx = np.broadcast_to(-gb * (y if ey is None else ey), ctx.shape) if need[0] else None
        if not need[1]:
            return gx, None, None, None
        with np.errstate(divide="ignore", invalid="ignore"):  # as PyTorch's xlogy: nan at y = 0
            gy = gb * ey * (y - x + 1) if ey is not None else gb * (np.where(y != 0, np.log(y), 0) + y / y - x)
        return gx, gy, None, None


def kl_div(
    input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
    reduction: str = "mean", log_target: bool = False,
) -> Tensor:
    """KL(target ‖ exp(input)) pointwise for log-probabilities ``input``; 'batchmean' is the true KL per sample."""
    if size_average is not None or reduce is not None:
        red = _reduction("mean", size_average, reduce)
    elif reduction == "batchmean":
        red = "batchmean"
    else:
        red = _reduction(reduction, None, None)
        if red == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides "
                "only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the "
                "same as 'batchmean' in the next major release.", UserWarning, stacklevel=2,
            )
    x, y = _pair("kl_div", input, target)
    return KlDiv.apply(x, y, bool(log_target), red)
