"""Normalization: layer_norm, rms_norm, batch_norm, group_norm, instance_norm, normalize.

Each norm is one fused primitive: statistics, standardization and the affine map in a single
``forward`` and the closed-form VJP in ``backward`` (fewer passes over memory and no graph of a
dozen tiny nodes). Notation: x̂ is the standardized input, r = 1/√(σ² + ε) the inverse std, ĝ = g·γ
the gradient reaching x̂; means and sums run over the normalized elements (M of them).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ... import _parallel
from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function, check_tensor, norm_dim, shape_str
from . import _composites

__all__ = ["layer_norm", "rms_norm", "batch_norm", "group_norm", "instance_norm", "normalize"]


def _mean(a: Any, axes: tuple[int, ...], inv_m: float) -> Any:
    """Mean over ``axes`` (keepdims) without NumPy's empty-slice warning (``inv_m`` = 1/M or 0)."""
    return a.sum(axis=axes, keepdims=True) * inv_m


@lru_cache(maxsize=256)
def _dot_subscripts(ndim: int, axes: tuple[int, ...]) -> str:
    s = "abcdefghijklmnopqrstuvwxyz"[:ndim]
    return f"{s},{s}->" + "".join(c for i, c in enumerate(s) if i not in axes)


def _mean_prod(a: Any, b: Any, axes: tuple[int, ...], inv_m: float) -> Any:
    """mean(a·b) over ``axes`` (keepdims) in one pass, without the a·b temporary (einsum)."""
    out = np.einsum(_dot_subscripts(a.ndim, axes), a, b)
    return out.reshape([1 if i in axes else n for i, n in enumerate(a.shape)]) * inv_m


def _inv_count(shape: Sequence[int], axes: tuple[int, ...]) -> float:
    m = math.prod([shape[a] for a in axes])
    return 1.0 / m if m else 0.0


def _standardize(x: Any, axes: tuple[int, ...], eps: float) -> tuple[Any, Any, Any, Any]:
    """x̂ = (x − μ)·r, r = 1/√(σ² + ε) with the biased variance σ²; returns (x̂, r, μ, σ²)."""
    inv_m = _inv_count(x.shape, axes)
    mu = _mean(x, axes, inv_m)
    xhat = x - mu
    var = _mean_prod(xhat, xhat, axes, inv_m)
    rstd = 1.0 / np.sqrt(var + eps)
    xhat *= rstd
    return xhat, rstd, mu, var


def _affine(xhat: Any, w: Any, b: Any) -> Any:
    if w is not None:
        y = xhat * w
        if b is not None:
            y += b
        return y
    return xhat + b if b is not None else xhat


@lru_cache(maxsize=64)
def _ones(n: int, dtype: Any) -> Any:
    """A read-only vector of n ones: row/column sums as BLAS matrix-vector products (3-4x faster)."""
    a = np.ones(n, dtype)
    a.flags.writeable = False
    return a


class NativeLayerNorm(CompositeDoubleBackward, Function):
    """y = x̂·w + b,  x̂ = (x − μ)·r over the last k dims.
    VJP: gx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  gw = Σ g·x̂,  gb = Σ g  (Σ over the leading dims).

    Works on the (R, D) matrix of rows: row and column sums are matrix-vector products, and
    mean(ĝ·x̂) = (g·x̂) @ w / D reuses the g·x̂ that gw needs. The passes between those products go
    by blocks of rows over chainrule's threads for large inputs (each row the same operations).
    """

    composite = staticmethod(_composites.layer_norm)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, k: int, eps: float) -> Any:
        shape = x.shape
        d = math.prod(shape[x.ndim - k:])
        ctx.k, ctx.nshape = k, shape[x.ndim - k:]
        if x.size == 0:
            axes = tuple(range(x.ndim - k, x.ndim))
            xhat, rstd, _, _ = _standardize(x, axes, eps)
            ctx.save_for_backward(xhat, rstd, w)
            return _affine(xhat, w, b)
        x2 = x.reshape(-1, d)
        dt = x.dtype
        inv_d, eps_ = dt.type(1.0 / d), dt.type(eps)
        mu = x2 @ _ones(d, dt)  # row sums on BLAS (its own threads); the rest row-wise below
        xhat, y, rstd = np.empty(x2.shape, dt), np.empty(x2.shape, dt), np.empty(mu.shape, dt)
        wv = None if w is None else w.reshape(d)
        bv = None if b is None else b.reshape(d)

        def rows(r: slice) -> None:  # rows r of x̂, r and y, each row the same operations
            m, xh, v = mu[r], xhat[r], rstd[r]
            m *= inv_d
            np.subtract(x2[r], m[:, None], out=xh)
            np.einsum("ij,ij->i", xh, xh, out=v)
            v *= inv_d
            v += eps_
            np.sqrt(v, out=v)
            np.divide(1, v, out=v)
            xh *= v[:, None]
            if wv is not None:
                np.multiply(xh, wv, out=y[r])
                if bv is not None:
                    y[r] += bv
            elif bv is not None:
                np.add(xh, bv, out=y[r])
            else:
                y[r] = xh

        _parallel.for_rows(rows, len(mu), x.size)  # large inputs: blocks of rows over the threads
        ctx.save_for_backward(xhat, rstd, w)
        return y.reshape(shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        xhat, rstd, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if g.size == 0:
            return NativeLayerNorm._backward_empty(ctx, g, xhat, rstd, w)
        r, d = xhat.shape
        g2 = g.reshape(r, d)
        gx = gw = gb = None
        p = None
        if need[0] or need[1]:
            p = np.empty(xhat.shape, np.result_type(g2, xhat))
            _parallel.elementwise(lambda o, a, b: np.multiply(a, b, out=o), p, g2, xhat)
        if need[1]:
            gw = (_ones(r, g.dtype) @ p).reshape(ctx.nshape)
        if need[2]:
            gb = (_ones(r, g.dtype) @ g2).reshape(ctx.nshape)
        if need[0]:
            wv = w.reshape(d) if w is not None else _ones(d, g.dtype)
            inv_d = g.dtype.type(1.0 / d)
            a = g2 @ wv  # row sums on BLAS; the rest row-wise below
            c = p @ wv
            gx = np.empty(g2.shape, np.result_type(g2, wv))

            def rows(rs: slice) -> None:  # rows rs of gx, each row the same operations
                ar, cr, gr, pr, out = a[rs], c[rs], g2[rs], p[rs], gx[rs]
                ar *= inv_d
                cr *= inv_d
                if w is not None:
                    np.multiply(gr, wv, out=out)
                    out -= ar[:, None]
                else:
                    np.subtract(gr, ar[:, None], out=out)
                np.multiply(xhat[rs], cr[:, None], out=pr)
                out -= pr
                out *= rstd[rs][:, None]

            _parallel.for_rows(rows, r, g.size)
            gx = gx.reshape(g.shape)
        return gx, gw, gb, None, None

    @staticmethod
    def _backward_empty(ctx: Any, g: Any, xhat: Any, rstd: Any, w: Any) -> Any:
        need = ctx.needs_input_grad
        axes = tuple(range(g.ndim - ctx.k, g.ndim))
        lead = tuple(range(g.ndim - ctx.k))
        gx = None
        if need[0]:
            gh = g * w if w is not None else g
            inv_m = _inv_count(g.shape, axes)
            gx = (gh - _mean(gh, axes, inv_m) - xhat * _mean_prod(gh, xhat, axes, inv_m)) * rstd
        gw = (g * xhat).sum(axis=lead) if need[1] else None
        gb = g.sum(axis=lead) if need[2] else None
        return gx, gw, gb, None, None


class RMSNorm(CompositeDoubleBackward, Function):
    """y = x̂·w,  x̂ = x·r,  r = 1/√(mean(x²) + ε) over the last k dims.
    VJP: gx = r·(ĝ − x̂·mean(ĝ·x̂)),  gw = Σ g·x̂  (Σ over the leading dims).
    """

    composite = staticmethod(_composites.rms_norm)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, k: int, eps: float) -> Any:
        axes = tuple(range(x.ndim - k, x.ndim))
        ctx.axes, ctx.inv_m = axes, _inv_count(x.shape, axes)
        rr = 1.0 / np.sqrt(_mean_prod(x, x, axes, ctx.inv_m) + eps)
        xhat = x * rr
        ctx.save_for_backward(xhat, rr, w)
        return xhat * w if w is not None else xhat

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        xhat, rr, w = ctx.saved_tensors
        gx = None
        if ctx.needs_input_grad[0]:
            gh = g * w if w is not None else g
            gx = (gh - xhat * _mean_prod(gh, xhat, ctx.axes, ctx.inv_m)) * rr
        return gx, (g * xhat if ctx.needs_input_grad[1] else None), None, None


class NativeBatchNorm(CompositeDoubleBackward, Function):
    """Per channel c of x (N, C, *): y = x̂·γ + β,  x̂ = (x − μ)·r,  r = 1/√(σ² + ε).
    Training: μ, σ² (biased) over the M = N·∏spatial values of the batch; running stats are updated
    in place with the unbiased σ²·M/(M−1). Eval: μ, σ² are running_mean, running_var.
    VJP, training: gx = (1/M)·γ·r·(M·g − Σg − x̂·Σ(g·x̂));  eval: gx = g·γ·r;
    both: gγ = Σ g·x̂,  gβ = Σ g  (Σ over N and the spatial dims).
    """

    composite = staticmethod(_composites.batch_norm)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, rm: Any, rv: Any, training: bool, momentum: float, eps: float) -> Any:
        axes = (0, *range(2, x.ndim))
        cshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        ctx.axes, ctx.cshape, ctx.training = axes, cshape, training
        if training:
            xhat, rstd, mu, var = _standardize(x, axes, eps)
            m = x.size // max(x.shape[1], 1)
            if rm is not None and m > 0:
                rm *= 1.0 - momentum
                rm += momentum * mu.reshape(-1)
            if rv is not None and m > 0:
                rv *= 1.0 - momentum
                rv += (momentum * m / max(m - 1, 1)) * var.reshape(-1)
            ctx.save_for_backward(xhat, rstd, w)
            return _affine(xhat, None if w is None else w.reshape(cshape), None if b is None else b.reshape(cshape))
        rstd = (1.0 / np.sqrt(rv + eps)).reshape(cshape)
        scale = rstd * w.reshape(cshape) if w is not None else rstd
        shift = -rm.reshape(cshape) * scale
        if b is not None:
            shift = shift + b.reshape(cshape)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, rstd, scale, rm.reshape(cshape).copy())
        y = x * scale
        y += shift
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        need, axes = ctx.needs_input_grad, ctx.axes
        gx = gw = gb = None
        if ctx.training:
            xhat, rstd, w = ctx.saved_tensors
            if need[0]:
                gh = g * w.reshape(ctx.cshape) if w is not None else g
                inv_m = _inv_count(g.shape, axes)
                gx = (gh - _mean(gh, axes, inv_m) - xhat * _mean_prod(gh, xhat, axes, inv_m)) * rstd
        else:
            x, rstd, scale, rm = ctx.saved_tensors
            gx = g * scale if need[0] else None
            xhat = (x - rm) * rstd if need[1] else None
        if need[1]:
            gw = _mean_prod(g, xhat, axes, 1.0).reshape(-1)
        if need[2]:
            gb = g.sum(axis=axes)
        return gx, gw, gb, None, None, None, None, None


class NativeGroupNorm(CompositeDoubleBackward, Function):
    """x (N, C, *) split into G groups of C/G channels; x̂ = (x − μ)·r per (sample, group);
    y = x̂·γ_c + β_c.   VJP: gx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) (means per group),
    gγ = Σ g·x̂,  gβ = Σ g  (Σ over N and the spatial dims).
    """

    composite = staticmethod(_composites.group_norm)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, groups: int, eps: float) -> Any:
        n, c = x.shape[:2]
        gshape = (n, groups, x.size // max(n * groups, 1))
        xhat, rstd, _, _ = _standardize(x.reshape(gshape), (2,), eps)
        xhat = xhat.reshape(x.shape)
        cshape = (1, c) + (1,) * (x.ndim - 2)
        ctx.gshape, ctx.cshape = gshape, cshape
        ctx.save_for_backward(xhat, rstd, w)
        return _affine(xhat, None if w is None else w.reshape(cshape), None if b is None else b.reshape(cshape))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        xhat, rstd, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        axes = (0, *range(2, g.ndim))
        gx = None
        if need[0]:
            gh = (g * w.reshape(ctx.cshape) if w is not None else g).reshape(ctx.gshape)
            xh = xhat.reshape(ctx.gshape)
            inv_m = 1.0 / ctx.gshape[2] if ctx.gshape[2] else 0.0
            gx = ((gh - _mean(gh, (2,), inv_m) - xh * _mean_prod(gh, xh, (2,), inv_m)) * rstd).reshape(g.shape)
        gw = (g * xhat).sum(axis=axes) if need[1] else None
        gb = g.sum(axis=axes) if need[2] else None
        return gx, gw, gb, None, None


class Normalize(Function):
    """out = x / d,  d = max(‖x‖_p, ε) along dim.
    VJP: gx = g/d − [‖x‖_p ≥ ε]·(Σ g·x)/d² · ∂‖x‖_p/∂x,  ∂‖x‖_p/∂x = sign(x)·(|x|/‖x‖_p)^(p−1)
    (x/‖x‖ for p = 2; for p = ±∞ split evenly among the extreme entries; 0 where ‖x‖_p = 0).
    Under ``create_graph`` ‖x‖_p and d are formed again from the recorded x (``linalg.vector_norm``).
    """

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, p: float, dim: int, eps: float) -> Any:
        a = np.abs(x)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if p == 2:
                n = np.sqrt((x * x).sum(axis=dim, keepdims=True))
            elif p == 1:
                n = a.sum(axis=dim, keepdims=True)
            elif p == np.inf:
                n = a.max(axis=dim, keepdims=True, initial=0.0)
            elif p == -np.inf:
                n = a.min(axis=dim, keepdims=True, initial=np.inf).astype(x.dtype)
            elif p == 0:
                n = (x != 0).sum(axis=dim, keepdims=True).astype(x.dtype)
            else:
                n = (a**p).sum(axis=dim, keepdims=True) ** (1.0 / p)
        d = np.maximum(n, eps).astype(x.dtype, copy=False)
        ctx.p, ctx.dim, ctx.eps = p, dim, eps
        ctx.save_for_backward(x, n, d)
        with np.errstate(divide="ignore", invalid="ignore"):
            return x / d

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, n, d = ctx.saved_tensors
        p, dim, xp = ctx.p, ctx.dim, ctx.xp
        if xp.is_tensor:  # the norm was saved as an array; recorded, it must come from x
            from ...linalg import vector_norm

            n = vector_norm(x, p, dim=dim, keepdim=True)
            d = xp.clip(n, ctx.eps, None)
        nv, xv = getattr(n, "_data", n), getattr(x, "_data", x)  # values, for the masks
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            s = xp.where(nv >= ctx.eps, xp.sum(g * x, axis=dim, keepdims=True) / (d * d), 0.0)
            if p == 2:
                dn = xp.where(nv == 0, 0.0, x / xp.where(nv == 0, 1.0, n))
            elif p == 1:
                dn = xp.sign(x)
            elif p in (np.inf, -np.inf):
                hit = np.abs(xv) == nv
                dn = xp.sign(x) * (hit / np.maximum(hit.sum(axis=dim, keepdims=True), 1)).astype(xv.dtype)
            elif p == 0:
                dn = xp.zeros_like(x)
            else:
                a = xp.abs(x)
                dn = xp.where((nv == 0) | (xv == 0), 0.0, xp.sign(x) * (a / xp.where(nv == 0, 1.0, n)) ** (p - 1))
            return g / d - s * dn, None, None, None


# --- argument checks ---------------------------------------------------------------------------


def _check_input(x: Any, op: str) -> None:
    check_tensor(x, op)
    if x._data.dtype.kind != "f":
        raise NotImplementedError(
            f"{op}: \"{op}\" not implemented for {x.dtype}; expected a floating point input, got {x.dtype}"
        )


def _check_same_dtype(x: Any, op: str, **others: Any) -> None:
    for name, t in others.items():
        if t is not None:
            check_tensor(t, op, name)
            if t._data.dtype != x._data.dtype:
                raise RuntimeError(
                    f"{op}: mixed dtype; expected {name} of dtype {x.dtype} like the input, got {t.dtype}"
                )


def _normalized_shape(x: Any, normalized_shape: Any, op: str, **params: Any) -> tuple[int, ...]:
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(
            f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
            f"not {type(normalized_shape).__name__}"
        )
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError(
            f"{op}: Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    xs = x._data.shape
    if len(xs) < len(shape) or xs[len(xs) - len(shape):] != shape:
        raise RuntimeError(
            f"{op}: Given normalized_shape={shape_str(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{shape_str(xs)}"
        )
    for name, t in params.items():
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(
                f"{op}: Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                f"{shape_str(t._data.shape)} and normalized_shape = {shape_str(shape)}"
            )
    return shape


def _verify_batch_size(shape: Sequence[int], size: Sequence[int]) -> None:
    if math.prod([size[0], *size[2:]]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {shape_str(shape)}"
        )


# --- public functions --------------------------------------------------------------------------


def layer_norm(
    input: Any, normalized_shape: Sequence[int], weight: Any = None, bias: Any = None, eps: float = 1e-5  # noqa: A002
) -> Any:
    """Normalize over the last ``len(normalized_shape)`` dims (biased variance), then ``·weight + bias``."""
    _check_input(input, "layer_norm")
    shape = _normalized_shape(input, normalized_shape, "layer_norm", weight=weight, bias=bias)
    _check_same_dtype(input, "layer_norm", weight=weight, bias=bias)
    return NativeLayerNorm.apply(input, weight, bias, len(shape), float(eps))


def rms_norm(
    input: Any, normalized_shape: Sequence[int], weight: Any = None, eps: float | None = None  # noqa: A002
) -> Any:
    """``x / sqrt(mean(x²) + eps) · weight`` over the last dims; ``eps=None`` is ``finfo(dtype).eps``."""
    _check_input(input, "rms_norm")
    shape = _normalized_shape(input, normalized_shape, "rms_norm", weight=weight)
    _check_same_dtype(input, "rms_norm", weight=weight)
    e = float(np.finfo(input._data.dtype).eps) if eps is None else float(eps)
    return RMSNorm.apply(input, weight, len(shape), e)


def batch_norm(
    input: Any,  # noqa: A002
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Any:
    """Normalize each channel (dim 1) by batch statistics (training; updates the running stats in
    place) or by ``running_mean``/``running_var`` (eval), then ``·weight + bias``."""
    op = "batch_norm"
    _check_input(input, op)
    xs = input._data.shape
    if len(xs) < 2:
        raise RuntimeError(f"{op}: expected 2D or higher input of shape (N, C, *), got input of shape {shape_str(xs)}")
    if not isinstance(momentum, numbers.Real):
        raise TypeError(f"{op}(): argument 'momentum' (position 7) must be float, not {type(momentum).__name__}")
    if training:
        _verify_batch_size(xs, xs)
        if eps <= 0.0:
            raise ValueError(f"{op}: batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"{op}: batch_norm eps must be non-negative, but got {eps}")
    elif running_mean is None or running_var is None:
        raise RuntimeError(f"{op}: running_mean must be defined in evaluation mode; expected Tensors, got None")
    c = xs[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None:
            check_tensor(t, op, name)
            if t._data.size != c:
                raise RuntimeError(
                    f"{op}: {name} should contain {c} elements not {t._data.size}; expected {name} of shape "
                    f"[{c}] for input of shape {shape_str(xs)}, got {shape_str(t._data.shape)}"
                )
    _check_same_dtype(input, op, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    out = NativeBatchNorm.apply(input, weight, bias, rm, rv, bool(training), float(momentum), float(eps))
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._bump_version()
    return out


def group_norm(
    input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5  # noqa: A002
) -> Any:
    """Normalize each of ``num_groups`` channel groups per sample, then per-channel ``·weight + bias``."""
    op = "group_norm"
    _check_input(input, op)
    xs = input._data.shape
    if len(xs) < 2:
        raise RuntimeError(
            f"{op}: Expected at least 2 dimensions for input tensor but received {len(xs)}; "
            f"expected input of shape (N, C, *), got {shape_str(xs)}"
        )
    g = int(num_groups)
    if g <= 0 or xs[1] % g:
        raise RuntimeError(
            f"{op}: Expected number of channels in input to be divisible by num_groups, but got input of "
            f"shape {shape_str(xs)} and num_groups={num_groups}"
        )
    _verify_batch_size(xs, [xs[0] * xs[1] // g, g, *xs[2:]])
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != xs[1]):
            raise RuntimeError(
                f"{op}: Expected {name} to be a vector of size equal to the number of channels in input, "
                f"but got {name} of shape {shape_str(t._data.shape)} and input of shape {shape_str(xs)}"
            )
    _check_same_dtype(input, op, weight=weight, bias=bias)
    return NativeGroupNorm.apply(input, weight, bias, g, float(eps))


def instance_norm(
    input: Any,  # noqa: A002
    running_mean: Any = None,
    running_var: Any = None,
    weight: Any = None,
    bias: Any = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Any:
    """Normalize each (sample, channel) over its spatial dims: batch_norm on a (1, N·C, *) view."""
    op = "instance_norm"
    _check_input(input, op)
    xs = input._data.shape
    if use_input_stats and math.prod(xs[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {shape_str(xs)}")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError(f"{op}: Expected running_mean and running_var to be defined when use_input_stats is false")
    n, c = xs[:2]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t._data.size != c:
            raise RuntimeError(
                f"{op}: {name} should contain {c} elements not {t._data.size}; expected {name} of shape "
                f"[{c}] for input of shape {shape_str(xs)}, got {shape_str(t._data.shape)}"
            )
    _check_same_dtype(input, op, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    rm = None if running_mean is None else np.tile(running_mean._data, n)
    rv = None if running_var is None else np.tile(running_var._data, n)
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    x = input.reshape(1, n * c, *xs[2:])
    out = NativeBatchNorm.apply(x, w, b, rm, rv, bool(use_input_stats), float(momentum), float(eps))
    if use_input_stats:
        for t, arr in ((running_mean, rm), (running_var, rv)):
            if t is not None and n:
                t._data[...] = arr.reshape(n, c).mean(axis=0)
                t._bump_version()
    return out.reshape(xs)


def normalize(
    input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None  # noqa: A002
) -> Any:
    """``input / max(‖input‖_p, eps)`` along ``dim``."""
    check_tensor(input, "normalize")
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"normalize: linalg.vector_norm: Expected a floating point or complex tensor as input; "
            f"expected a floating point tensor, got {input.dtype}"
        )
    d = norm_dim(dim, input._data.ndim, "normalize")
    res = Normalize.apply(input, float(p), d if input._data.ndim else None, float(eps))
    if out is not None:
        out._data[...] = res._data
        out._bump_version()
        return out
    return res
