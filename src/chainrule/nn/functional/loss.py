"""Loss functions, with PyTorch's names, signatures, reductions and validation.

Every loss takes ``reduction='mean' | 'sum' | 'none'`` (and the legacy ``size_average``/``reduce``
flags). Each is one fused primitive computing the per-element loss ``l`` and, in backward, its
local derivative scaled by ``ḡ`` = ∂L/∂(reduced loss) spread over the elements (``g``, or ``g/n``
for 'mean'). ``cross_entropy`` and ``nll_loss`` live in ``loss_class.py``.

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
from ...autograd.function import CompositeDoubleBackward, Function
from ...autograd.grad_mode import state as _grad_state
from ...ops._util import broadcast_error, check_tensor, promote, shape_str
from . import _composites

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div",
]  # fmt: skip


# --- reduction helpers ----------------------------------------------------------------------------
def _reduce(l: np.ndarray, red: str, denom: Any = None) -> np.ndarray:
    """'none': l;  'sum': Σl;  'mean': Σl / denom (default: the element count; 0/0 = nan, as PyTorch)."""
    if red == "none":
        return l
    if red == "mean" and denom is None and l.size and l.dtype in _WIDE_FLOATS:
        # the common case, with nothing to silence (0/0 cannot happen; a float32/64 sum overflows only
        # when the loss has already diverged, and then NumPy's overflow warning is apt): no errstate
        return np.asarray(np.add.reduce(l, axis=None) / l.size, dtype=l.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.add.reduce(l, axis=None)  # = l.sum(), without its Python wrapper
        return np.asarray(total if red == "sum" else total / (l.size if denom is None else denom), dtype=l.dtype)


_WIDE_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


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
    elif reduction == "elementwise_mean":  # PyTorch 0.4's name for 'mean', still accepted with a warning
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      UserWarning, stacklevel=3)  # fmt: skip
        reduction = "mean"
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


class MseLoss(CompositeDoubleBackward, _DiffLoss, Function):
    """l = (x − y)².   VJP: gx = 2(x − y)·ḡ,  gy = −gx."""

    composite = staticmethod(_composites.mse)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, red: str, _: Any) -> Any:
        d = np.asarray(x - y)  # 0-d inputs give a NumPy scalar; ``out=`` needs an array
        return MseLoss._finish(ctx, 2 * d, np.square(d, out=d), red)


class L1Loss(CompositeDoubleBackward, _DiffLoss, Function):
    """l = |x − y|.   VJP: gx = sign(x − y)·ḡ,  gy = −gx."""

    composite = staticmethod(_composites.l1)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, red: str, _: Any) -> Any:
        d = np.asarray(x - y)
        return L1Loss._finish(ctx, np.sign(d), np.abs(d, out=d), red)


class SmoothL1Loss(CompositeDoubleBackward, _DiffLoss, Function):
    """l = ½d²/β if |d| < β else |d| − ½β.   VJP: gx = clip(d/β, −1, 1)·ḡ,  gy = −gx."""

    composite = staticmethod(_composites.smooth_l1)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, red: str, beta: float) -> Any:
        d = x - y
        a = np.abs(d)
        l = np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)
        return SmoothL1Loss._finish(ctx, lambda: np.clip(d / beta, -1, 1), l, red)


class HuberLoss(CompositeDoubleBackward, _DiffLoss, Function):
    """l = ½d² if |d| < δ else δ(|d| − ½δ).   VJP: gx = clip(d, −δ, δ)·ḡ,  gy = −gx."""

    composite = staticmethod(_composites.huber)

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
class BinaryCrossEntropy(CompositeDoubleBackward, Function):
    """l = −w·(y·max(ln x, −100) + (1−y)·max(ln(1−x), −100)).

    VJP: gx = ḡ·w·(x − y) / max(x(1−x), 1e-12),   gy = ḡ·w·(ln(1−x) − ln x).
    """

    composite = staticmethod(_composites.bce)

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


class BinaryCrossEntropyWithLogits(CompositeDoubleBackward, Function):
    """l = w·(max(z, 0) − z·y + ln(1 + e^{−|z|}) + (p−1)·y·sp(−z)),  sp(−z) = −ln σ(z) (exact at |z| = 1e4).

    VJP: gz = ḡ·w·((1−y) − (1 + (p−1)y)·(1 − σ(z))),   gy = ḡ·w·((p−1)·sp(−z) − z);  without p: gz = ḡ·w·(σ(z) − y).
    """

    composite = staticmethod(_composites.bce_with_logits)

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
    if target._data.dtype.kind != "f":  # PyTorch writes the loss into a tensor of the target's type
        from ..._tensor_methods import _TYPE_NAMES

        def name(a: np.ndarray) -> str:
            return _TYPE_NAMES.get(a.dtype.name, a.dtype.name)

        raise RuntimeError(
            f"binary_cross_entropy_with_logits: result type {name(input._data)} can't be cast to the desired output "
            f"type {name(target._data)}; the target must be floating point (probabilities), e.g. target.float()"
        )
    z, y = promote(input, target, "binary_cross_entropy_with_logits")
    dt = z._data.dtype
    w = _no_grad_arg(weight, "binary_cross_entropy_with_logits", "weight")
    pw = _no_grad_arg(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    w, pw = (None if a is None else a.astype(dt, copy=False) for a in (w, pw))
    try:
        return BinaryCrossEntropyWithLogits.apply(z, y, w, pw, red)
    except ValueError:
        raise broadcast_error("binary_cross_entropy_with_logits", z._data.shape, *(a.shape for a in (w, pw) if a is not None)) from None


# --- KL divergence ----------------------------------------------------------------------------------
class KlDiv(CompositeDoubleBackward, Function):
    """l = y·(ln y − x) (0 where y = 0);  log_target: l = eʸ·(y − x).

    VJP: gx = −ḡ·y (−ḡ·eʸ),   gy = ḡ·(ln y + 1 − x)  (ḡ·eʸ·(y − x + 1)).
    """

    composite = staticmethod(_composites.kl_div)

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
