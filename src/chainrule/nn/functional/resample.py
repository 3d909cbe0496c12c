"""Resampling: ``F.interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area),
``F.upsample*`` and ``adaptive_avg_pool3d``.

Every one of these modes is separable: along each spatial axis d the output is a fixed linear map
of the input, ``y = x ×_d A_d`` with a small (out_d, in_d) matrix A_d whose rows hold the taps of
one output sample (1 for nearest, 2 for linear, 4 for cubic, a window mean for area). So one
primitive serves them all:

    y = x ×₂ A₂ ×₃ A₃ …        VJP:  gx = g ×₂ A₂ᵀ ×₃ A₃ᵀ …

The matrices follow PyTorch's index rules (``area_pixel_compute_source_index``): with scale
s = in/out (or 1/scale_factor when one is given and not recomputed), or (in−1)/(out−1) with
``align_corners``, output position i samples the input at  src = s·(i + ½) − ½  (= s·i when
aligned), clamped at 0 for linear; nearest picks ⌊s·i⌋ and nearest-exact ⌊s·(i + ½)⌋ (in float32,
as PyTorch), bicubic uses Keys' kernel with A = −0.75 and clamped border taps. ``antialias=True``
(bilinear / bicubic) stretches the kernel by the shrink factor and normalises each row (PIL's filter).

One knowing difference: PyTorch's ``nearest`` backward (and its 2-d forward) takes i // 2 whenever
out = 2·in, while its 1-d/3-d forward uses ⌊i/scale_factor⌋; for a scale_factor ≠ 2 that still gives
out = 2·in (e.g. 3 × 2.3 -> 6) its 1-d/3-d gradient is not the VJP of its own forward. Ours is the
exact VJP of the (equal) forward.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function, check_tensor, shape_str
from . import _composites_spatial as _spatial

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "adaptive_avg_pool3d"]

_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
_DIM_OF = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


class Resample(CompositeDoubleBackward, Function):
    """y = x ×_d A_d along each spatial axis d (axes 2, 3, …; an A_d of None leaves the axis alone).
    ``take`` (nearest modes) gives the single source index of each row, read by a gather instead.
    VJP: gx = g ×_d A_dᵀ — each output's gradient spread back over the taps that made it."""

    composite = staticmethod(_spatial.resample)

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mats: tuple, take: tuple | None) -> np.ndarray:
        """Forward formula of the class docstring, on NumPy arrays."""
        ctx.mats = mats
        y = x
        for d, a in enumerate(mats):
            if a is None:
                continue
            if take is not None:
                y = np.take(y, take[d], axis=d + 2)
            else:
                y = _apply(y, a.astype(x.dtype, copy=False), d + 2)
        return np.ascontiguousarray(y)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        gx = g
        for d, a in enumerate(ctx.mats):
            if a is not None:
                gx = _apply(gx, a.T.astype(g.dtype, copy=False), d + 2)
        return np.ascontiguousarray(gx), None, None


def _apply(x: np.ndarray, a: np.ndarray, axis: int) -> np.ndarray:
    """x with axis ``axis`` mapped through the matrix a (out, in)."""
    if axis == x.ndim - 1:
        return x @ a.T
    return np.moveaxis(np.tensordot(a, x, axes=([1], [axis])), 0, axis)


# --- the per-axis matrices ---------------------------------------------------------------------
def _linear_scale(n_in: int, n_out: int, align: bool, scale: float | None) -> float:
    if align:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


@lru_cache(maxsize=256)
def _nearest_index(n_in: int, n_out: int, scale: float | None, exact: bool) -> np.ndarray:
    """PyTorch's nearest source index, computed in float32 as its kernels do."""
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n_in) / np.float32(n_out)
    i = np.arange(n_out, dtype=np.float32)
    src = np.floor(((i + np.float32(0.5)) if exact else i) * s).astype(np.int64)
    idx = np.minimum(src, n_in - 1)
    idx.flags.writeable = False
    return idx


def _one_hot(idx: np.ndarray, n_in: int) -> np.ndarray:
    a = np.zeros((len(idx), n_in))
    a[np.arange(len(idx)), idx] = 1.0
    return a


@lru_cache(maxsize=256)
def _linear_matrix(n_in: int, n_out: int, align: bool, scale: float | None) -> np.ndarray:
    s = _linear_scale(n_in, n_out, align, scale)
    i = np.arange(n_out, dtype=np.float64)
    src = s * i if align else np.maximum(s * (i + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    l1 = src - i0
    a = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    np.add.at(a, (rows, i0), 1.0 - l1)
    np.add.at(a, (rows, i1), l1)
    a.flags.writeable = False
    return a


def _cubic_weights(t: np.ndarray, a: float = -0.75) -> list[np.ndarray]:
    """Keys' cubic convolution taps at offsets −1, 0, 1, 2 for fractional position t."""
    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


@lru_cache(maxsize=256)
def _cubic_matrix(n_in: int, n_out: int, align: bool, scale: float | None) -> np.ndarray:
    s = _linear_scale(n_in, n_out, align, scale)
    i = np.arange(n_out, dtype=np.float64)
    src = s * i if align else s * (i + 0.5) - 0.5
    base = np.floor(src)
    t = src - base
    a = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    for k, w in enumerate(_cubic_weights(t)):
        np.add.at(a, (rows, np.clip(base.astype(np.int64) - 1 + k, 0, n_in - 1)), w)
    a.flags.writeable = False
    return a


def _aa_filter(x: np.ndarray, cubic: bool) -> np.ndarray:
    """The antialias kernels: triangle (bilinear) or Keys' cubic with a = −0.5 (bicubic, as PIL)."""
    x = np.abs(x)
    if not cubic:
        return np.maximum(0.0, 1.0 - x)
    a = -0.5
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


@lru_cache(maxsize=256)
def _aa_matrix(n_in: int, n_out: int, align: bool, scale: float | None, cubic: bool) -> np.ndarray:
    """Antialiased resampling: when shrinking by s > 1 the kernel is stretched s times (support·s)
    and evaluated at (j − centre)/s, each row normalised to sum 1 (PyTorch's ``_upsample_*_aa``)."""
    s = _linear_scale(n_in, n_out, align, scale)
    support = (2.0 if cubic else 1.0) * (s if s >= 1.0 else 1.0)
    inv = 1.0 / s if s >= 1.0 else 1.0
    a = np.zeros((n_out, n_in))
    for i in range(n_out):
        centre = s * (i + 0.5)
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), n_in)
        w = _aa_filter((np.arange(lo, hi) - centre + 0.5) * inv, cubic)
        total = w.sum()
        a[i, lo:hi] = w / total if total != 0 else w
    a.flags.writeable = False
    return a


@lru_cache(maxsize=256)
def area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Adaptive-average matrix: row i is the mean over [⌊i·in/out⌋, ⌈(i+1)·in/out⌉)."""
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    cols = np.arange(n_in)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    a = inside / (end - start)[:, None]
    a.flags.writeable = False
    return a


def _matrix(mode: str, n_in: int, n_out: int, align: bool, scale: float | None) -> np.ndarray:
    if mode in ("linear", "bilinear", "trilinear"):
        return _linear_matrix(n_in, n_out, align, scale)
    if mode == "bicubic":
        return _cubic_matrix(n_in, n_out, align, scale)
    return area_matrix(n_in, n_out)


# --- public functions --------------------------------------------------------------------------
def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Any:  # fmt: skip
    """Resize the spatial dims of (N, C, *S) (1 to 3 of them) to ``size`` or ``S·scale_factor``.

    Modes: nearest, nearest-exact, linear (3-D input), bilinear / bicubic (4-D), trilinear (5-D),
    area (adaptive average). ``align_corners`` maps the corner pixel centres onto each other.
    """
    op = "interpolate"
    check_tensor(input, op)
    if mode not in _MODES:
        raise NotImplementedError(
            f"{op}: Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the modes: "
            f"nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got {mode})"
        )
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear")  # fmt: skip
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(input.shape[2:])} and output size of {size}. Please provide input tensor "
                    "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
                )
            if not all(_is_int(v) for v in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], but got size with types {[type(v) for v in size]}")  # fmt: skip
            out = [int(v) for v in size]
        else:
            if not _is_int(size):
                raise TypeError(f"{op}: expected size to be an int or a tuple of ints, got {type(size).__name__}")
            out = [int(size)] * dim
        scales: list[float] | None = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scale_factor}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(v) for v in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out = [int(n * s) for n, s in zip(input.shape[2:], scales)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input")  # fmt: skip
    if dim not in (1, 2, 3) or (mode in _DIM_OF and _DIM_OF[mode] != dim):
        if dim in (1, 2, 3):
            need = _DIM_OF[mode] + 2
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {need}D input")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the modes: nearest | "
            f"linear | bilinear | bicubic | trilinear | area | nearest-exact (got {mode})"
        )
    if input._data.dtype.kind != "f" and mode != "nearest" and mode != "nearest-exact":
        raise RuntimeError(f"{op}: mode {mode!r} needs a floating input; expected float32/float64, got {input.dtype}")
    spatial = tuple(input.shape[2:])
    if min(out) <= 0 or min(spatial) <= 0:
        raise RuntimeError(
            f"{op}: Input and output sizes should be greater than 0, but got input {shape_str(spatial)} "
            f"and output {shape_str(tuple(out))}"
        )
    return _resample(input, mode, spatial, out, bool(align_corners), scales, bool(antialias))


def _resample(x: Any, mode: str, spatial: tuple[int, ...], out: list[int], align: bool,
              scales: list[float] | None, antialias: bool = False) -> Any:  # fmt: skip
    """One ``Resample`` node mapping the spatial sizes ``spatial`` to ``out``."""
    mats: list[Any] = []
    take: list[Any] | None = [] if mode.startswith("nearest") else None
    for d, (n_in, n_out) in enumerate(zip(spatial, out)):
        sc = scales[d] if scales is not None else None
        if mode == "nearest" and len(spatial) == 2 and n_out == 2 * n_in:
            sc = None  # PyTorch's 2-d nearest kernel takes i // 2 whenever out = 2·in, whatever the scale
        if take is not None:
            idx = _nearest_index(n_in, n_out, sc, mode == "nearest-exact")
            take.append(idx)
            mats.append(None if n_in == n_out and (idx == np.arange(n_in)).all() else _one_hot(idx, n_in))
        elif antialias:
            mats.append(_aa_matrix(n_in, n_out, align, sc, mode == "bicubic"))
        else:
            mats.append(None if n_in == n_out and mode == "area" else _matrix(mode, n_in, n_out, align, sc))
    return Resample.apply(x, tuple(mats), None if take is None else tuple(take))


def upsample(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
             align_corners: bool | None = None) -> Any:  # fmt: skip
    """Deprecated alias of ``interpolate`` (kept because old programs call it)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Any:  # noqa: A002
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Any:  # noqa: A002
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Any:  # noqa: A002
    """Mean over adaptive windows of (N, C, D, H, W) or (C, D, H, W): out[i] = mean x[⌊i·In/Out⌋ : ⌈(i+1)·In/Out⌉]."""
    op = "adaptive_avg_pool3d"
    check_tensor(input, op)
    shape = tuple(input.shape)
    if len(shape) not in (4, 5) or 0 in shape[-4:]:
        raise RuntimeError(f"{op}: expected a non-empty 4D (unbatched) or 5D (batched) input; expected [N, C, D, H, W] or [C, D, H, W], got input of size: {shape_str(shape)}")  # fmt: skip
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: not implemented for integer inputs; expected a floating dtype, got {input.dtype}")
    sizes = list(output_size) if isinstance(output_size, (list, tuple)) else [output_size] * 3
    if len(sizes) != 3:
        raise RuntimeError(f"{op}: output_size must be 3; expected 3 sizes, got {sizes}")
    spatial = shape[-3:]
    out = [sp if o is None else int(o) for o, sp in zip(sizes, spatial)]
    if min(out) <= 0:
        raise RuntimeError(f"{op}: output_size must be positive; expected sizes > 0, got {sizes}")
    x = input if len(shape) == 5 else input.unsqueeze(0)
    y = _resample(x, "area", spatial, out, False, None)
    return y if len(shape) == 5 else y.squeeze(0)
