"""Spatial transformers: ``F.affine_grid`` and ``F.grid_sample`` (bilinear / nearest / bicubic; zeros,
border, reflection padding; 2-d and 3-d, bicubic 2-d only).

affine_grid: grid[n, p] = θ_n · [x_p, y_p, (z_p,) 1]ᵀ over the normalised base grid in [−1, 1]
  (composed from a matmul, so θ's gradient is the matmul's).

grid_sample, per spatial axis a, the normalised grid coordinate g becomes a pixel coordinate
  u = (g + 1)/2 · (S−1)   (align_corners)   or   u = ((g + 1)·S − 1)/2,
then is clipped (border) or reflected then clipped (reflection), with derivative du/dg = c'.
  bilinear:  y = Σ_corners Π_a w_a · x[corner]  (zero outside the input),  w_a = t_a or 1 − t_a,
             t_a = u_a − ⌊u_a⌋
  nearest:   y = x[round-half-even(u)]
  bicubic:   4 taps per axis with Keys' weights (A = −0.75) at ⌊u⌋−1 … ⌊u⌋+2, the padding rule applied
             to each integer tap instead of to u
VJP with e = ∂L/∂y:  gx[corner] += e · Π_a w_a;   gg_a = Σ_corners e · x[corner] · ±Π_{b≠a} w_b · c'_a
(nearest: gg = 0).  All corners are gathered and scattered with flat indices, no Python loop over pixels.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np

from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function, check_tensor, shape_str
from . import _composites_spatial as _spatial

__all__ = ["affine_grid", "grid_sample"]


_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify "
    "align_corners=True if the old behavior is desired. See the documentation of grid_sample for details."
)


def _align(align_corners: bool | None) -> bool:
    """align_corners, defaulting to False with PyTorch's warning when it is not given."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _base_coords(n: int, align: bool) -> np.ndarray:
    if n <= 1:
        return np.zeros(max(n, 0))
    r = np.linspace(-1.0, 1.0, n)
    return r if align else r * (n - 1) / n


def affine_grid(theta: Any, size: Any, align_corners: bool | None = None) -> Any:
    """Sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps θ (N, 2, 3) (or (N, 3, 4))."""
    op = "affine_grid"
    check_tensor(theta, op, "theta")
    align = _align(align_corners)
    if theta._data.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got {list(theta.shape)}.")
        spatial = size[2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got {list(theta.shape)}.")
        spatial = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size {size}.")  # fmt: skip
    if theta.shape[0] != size[0]:
        raise ValueError(f"{op}: theta batch {theta.shape[0]} must equal size[0] = {size[0]}")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    nd = len(spatial)
    axes = [_base_coords(s, align) for s in spatial]  # D, H, W order
    mesh = np.meshgrid(*axes, indexing="ij")
    cols = [mesh[nd - 1 - a] for a in range(nd)] + [np.ones(spatial)]  # x (W), y (H), (z (D)), 1
    base = np.stack(cols, axis=-1).reshape(1, -1, nd + 1).astype(theta._data.dtype)
    from ... import tensor

    grid = tensor(base) @ theta.transpose(1, 2)
    return grid.reshape(size[0], *spatial, nd)


def _reflect(u: np.ndarray, lo2: float, hi2: float) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's reflect_coordinates over [lo2/2, hi2/2] and the derivative (±1, or 0 for a single point)."""
    if lo2 == hi2:
        return np.zeros_like(u), np.zeros_like(u)
    lo, span = lo2 / 2, (hi2 - lo2) / 2
    sign = np.where(u < lo, -1.0, 1.0)
    v = np.abs(u - lo)
    extra = np.fmod(v, span)
    flips = np.floor(v / span)
    even = (flips % 2) == 0
    return np.where(even, extra + lo, span - extra + lo), np.where(even, sign, -sign)


def _source(g: np.ndarray, size: int, padding_mode: str, align: bool) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinate of the normalised g along an axis of ``size``, and du/dg."""
    if align:
        u, du = (g + 1) / 2 * (size - 1), np.full(g.shape, (size - 1) / 2)
    else:
        u, du = ((g + 1) * size - 1) / 2, np.full(g.shape, size / 2)
    if padding_mode == "border":
        du = np.where((u <= 0) | (u >= size - 1), 0.0, du)  # PyTorch counts the border itself as outside
        u = np.clip(u, 0, size - 1)
    elif padding_mode == "reflection":
        u, d = _reflect(u, 0, 2 * (size - 1)) if align else _reflect(u, -1, 2 * size - 1)
        du = du * d
        du = np.where((u <= 0) | (u >= size - 1), 0.0, du)
        u = np.clip(u, 0, size - 1)
    return u, du


def _cubic(t: np.ndarray, a: float = -0.75) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Keys' cubic taps at offsets −1, 0, 1, 2 for fraction t, and their derivatives d/dt."""
    def near(x: np.ndarray) -> np.ndarray:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def dnear(x: np.ndarray) -> np.ndarray:
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x: np.ndarray) -> np.ndarray:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def dfar(x: np.ndarray) -> np.ndarray:
        return (3 * a * x - 10 * a) * x + 8 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)], [dfar(t + 1), dnear(t), -dnear(1 - t), -dfar(2 - t)]


def _taps(mode: str, g: np.ndarray, size: int, padding_mode: str, align: bool) -> tuple[list, np.ndarray]:
    """Per axis: the taps (index, weight, d weight / du, in-bounds) and du/dg of the grid coordinate."""
    if mode == "bicubic":  # padding is applied to each integer tap, not to the coordinate
        u = (g + 1) / 2 * (size - 1) if align else ((g + 1) * size - 1) / 2
        du = (size - 1) / 2 if align else size / 2
        base = np.floor(u)
        ws, dws = _cubic(u - base)
        taps = []
        for k in range(4):
            pos = base - 1 + k
            if padding_mode != "zeros":
                pos = _source_of_pixel(pos, size, padding_mode, align)
            idx = pos.astype(np.int64)
            taps.append((idx, ws[k], dws[k], (idx >= 0) & (idx < size)))
        return taps, np.full(g.shape, du)
    u, du = _source(g, size, padding_mode, align)
    if mode == "nearest":
        idx = np.rint(u).astype(np.int64)
        return [(idx, np.ones_like(u), np.zeros_like(u), (idx >= 0) & (idx < size))], du
    i0 = np.floor(u).astype(np.int64)
    t = u - i0
    one = np.ones_like(u)
    return [(i0, 1 - t, -one, (i0 >= 0) & (i0 < size)), (i0 + 1, t, one, (i0 + 1 >= 0) & (i0 + 1 < size))], du


def _source_of_pixel(pos: np.ndarray, size: int, padding_mode: str, align: bool) -> np.ndarray:
    """Border / reflection applied to an (integer) pixel coordinate, as PyTorch's compute_coordinates."""
    if padding_mode == "reflection":
        pos, _ = _reflect(pos, 0, 2 * (size - 1)) if align else _reflect(pos, -1, 2 * size - 1)
    return np.clip(pos, 0, size - 1)


class GridSample(CompositeDoubleBackward, Function):
    """Sampling of x (N, C, *S) at grid (N, *O, nd): y = Σ_taps Π_a w_a(u_a) · x[tap]  (zero off the input).
    Taps per axis: nearest 1 (w = 1), bilinear 2 (1 − t, t), bicubic 4 (Keys, A = −0.75).
    VJP: gx[tap] += e · Π_a w_a;   gg_a = Σ_taps e · x[tap] · w_a'(u_a) Π_{b≠a} w_b · du_a/dg_a."""

    composite = staticmethod(_spatial.grid_sample)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, grid: np.ndarray, mode: str, padding_mode: str, align: bool) -> np.ndarray:
        """Forward formula of the class docstring, on NumPy arrays."""
        n, c, *size = x.shape
        nd = len(size)
        out = grid.shape[1:-1]
        m = math.prod(out)
        g = grid.reshape(n, m, nd).astype(np.float64)
        axes = [_taps(mode, g[..., nd - 1 - a], size[a], padding_mode, align) for a in range(nd)]
        xf = x.reshape(n, c, math.prod(size))
        strides = [math.prod(size[a + 1 :]) for a in range(nd)]
        y = np.zeros((n, c, m), dtype=np.float64)
        saved = []
        for combo in itertools.product(*(taps for taps, _ in axes)):
            valid = np.logical_and.reduce([t[3] for t in combo])
            flat = sum(np.clip(t[0], 0, s - 1) * st for t, s, st in zip(combo, size, strides))
            vals = np.take_along_axis(xf, np.broadcast_to(flat[:, None, :], (n, c, m)), axis=2)
            w = valid * np.prod([t[1] for t in combo], axis=0)
            y += vals * w[:, None, :]
            saved.append((flat, valid, w, vals, combo))
        ctx.saved_corners, ctx.dus, ctx.xshape, ctx.gshape, ctx.mode = saved, [du for _, du in axes], x.shape, grid.shape, mode
        return y.reshape(n, c, *out).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, e: np.ndarray) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        n, c, *size = ctx.xshape
        nd = len(size)
        m = math.prod(ctx.gshape[1:-1])
        e3 = e.reshape(n, c, m).astype(np.float64)
        gx = ggrid = None
        if ctx.needs_input_grad[0]:
            total = n * c * math.prod(size)
            acc = np.zeros(total)
            base = (np.arange(n * c) * math.prod(size)).reshape(n, c, 1)
            for flat, _, w, _, _ in ctx.saved_corners:
                acc += np.bincount((flat[:, None, :] + base).ravel(), weights=(e3 * w[:, None, :]).ravel(), minlength=total)
            gx = acc.reshape(ctx.xshape).astype(e.dtype)
        if ctx.needs_input_grad[1]:
            gg = np.zeros((n, m, nd))
            if ctx.mode != "nearest":
                for _, valid, _, vals, combo in ctx.saved_corners:
                    ev = (e3 * vals).sum(1) * valid  # (n, m)
                    for a in range(nd):
                        other = np.prod([combo[b][1] for b in range(nd) if b != a], axis=0) if nd > 1 else 1.0
                        gg[..., nd - 1 - a] += ev * other * combo[a][2]
                for a in range(nd):
                    gg[..., nd - 1 - a] *= ctx.dus[a]
            ggrid = gg.reshape(ctx.gshape).astype(e.dtype)
        return gx, ggrid, None, None, None


def grid_sample(input: Any, grid: Any, mode: str = "bilinear", padding_mode: str = "zeros",  # noqa: A002
                align_corners: bool | None = None) -> Any:  # fmt: skip
    """Sample (N, C, H, W) at grid (N, Ho, Wo, 2) (or 5-D input with an (N, Do, Ho, Wo, 3) grid);
    grid values in [−1, 1] span the input, x first."""
    op = "grid_sample"
    check_tensor(input, op)
    check_tensor(grid, op, "grid")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'")  # fmt: skip
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '{padding_mode}'")  # fmt: skip
    xs, gs = tuple(input.shape), tuple(grid.shape)
    if input.ndim not in (4, 5):
        raise RuntimeError(f"{op}: expected 4D or 5D input, but got input of size {shape_str(xs)}")
    nd = input.ndim - 2
    if grid.ndim != input.ndim or gs[-1] != nd:
        raise RuntimeError(f"{op}: expected grid to have size {nd} in last dimension and {input.ndim} dims for a {input.ndim}D input, but got grid with sizes {shape_str(gs)}")  # fmt: skip
    if gs[0] != xs[0]:
        raise RuntimeError(f"{op}: expected grid and input to have same batch size, but got input with sizes {shape_str(xs)} and grid with sizes {shape_str(gs)}")  # fmt: skip
    if input._data.dtype != grid._data.dtype or input._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected input and grid to have the same floating dtype, but input has {input.dtype} and grid has {grid.dtype}")  # fmt: skip
    if mode == "bicubic" and nd != 2:
        raise RuntimeError(f"{op}: bicubic interpolation only supports 4D input; got input of size {shape_str(xs)}")
    if 0 in xs[2:]:
        raise RuntimeError(f"{op}: expected input to have non-empty spatial dimensions, but input has sizes {shape_str(xs)}")
    return GridSample.apply(input, grid, mode, padding_mode, _align(align_corners))
