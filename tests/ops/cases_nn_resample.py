"""Op cases for nn/functional/resample.py: F.interpolate in every mode (1-, 2-, 3-d), with size,
scale_factor (int, float, per-dim, down- and up-sampling), align_corners and recompute_scale_factor;
adaptive_avg_pool3d; affine_grid (2-d, 3-d) and grid_sample (bilinear / nearest / bicubic, zeros / border /
reflection padding, align_corners, 4-D and 5-D inputs; grid points also outside [-1, 1]).
"""

from __future__ import annotations

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

TOL = {"atol": 1e-5, "rtol": 1e-4}


def _F(m):  # noqa: N802
    return m.nn.functional


def _interp(name, shape, noncontig=False, **kw):
    """``interp_<mode>_...``: the mode is read from the case name."""
    mode = name.split("_")[1]
    mode = "nearest-exact" if name.startswith("interp_nearest_exact") else mode

    def run(m, x):
        return _F(m).interpolate(x, mode=mode, **kw)

    return OpCase(name, run, [shape], noncontig=noncontig, **TOL)


CASES: list[OpCase] = [
    _interp("interp_nearest_1d_scale2", (2, 3, 5), scale_factor=2),
    _interp("interp_nearest_2d_size", (2, 3, 5, 7), size=(8, 4), noncontig=True),
    _interp("interp_nearest_2d_frac_scale", (2, 3, 5, 7), scale_factor=(1.5, 0.6)),
    _interp("interp_nearest_3d", (1, 2, 3, 4, 5), size=(5, 3, 9)),
    _interp("interp_nearest_exact_2d", (2, 3, 5, 7), size=(8, 4)),
    _interp("interp_nearest_exact_3d_scale", (1, 2, 3, 4, 5), scale_factor=(2.3, 0.5, 1.7)),
    # 2-d nearest ignores scale_factor in PyTorch's kernel (in/out indexing), even where 1/scale differs
    _interp("interp_nearest_2d_scale_differs", (2, 3, 3, 4), scale_factor=(2.3, 1.7)),
    _interp("interp_linear", (2, 3, 7), size=11),
    _interp("interp_linear_align", (2, 3, 7), scale_factor=0.6, align_corners=True),
    _interp("interp_linear_recompute", (2, 3, 7), scale_factor=1.7, recompute_scale_factor=True),
    _interp("interp_bilinear_up", (2, 3, 5, 7), scale_factor=2, noncontig=True),
    _interp("interp_bilinear_down", (2, 3, 9, 8), size=(4, 3)),
    _interp("interp_bilinear_align", (2, 3, 5, 7), size=(9, 4), align_corners=True),
    _interp("interp_bilinear_frac_scale", (2, 3, 5, 7), scale_factor=(1.5, 0.6)),
    _interp("interp_bicubic_up", (2, 3, 5, 6), scale_factor=2),
    _interp("interp_bicubic_align", (2, 3, 5, 6), size=(7, 11), align_corners=True, noncontig=True),
    _interp("interp_bicubic_down", (1, 2, 9, 10), scale_factor=0.45),
    _interp("interp_bilinear_antialias_down", (2, 2, 9, 16), size=(4, 5), antialias=True, noncontig=True),
    _interp("interp_bilinear_antialias_up_align", (2, 2, 5, 6), size=(11, 4), antialias=True, align_corners=True),
    _interp("interp_bicubic_antialias_down", (1, 2, 12, 10), scale_factor=(0.3, 0.5), antialias=True),
    _interp("interp_bicubic_antialias_mixed_align", (1, 2, 7, 9), size=(13, 4), antialias=True, align_corners=True),
    _interp("interp_trilinear", (1, 2, 3, 4, 5), size=(5, 3, 9)),
    _interp("interp_trilinear_align", (1, 2, 3, 4, 5), scale_factor=(2, 1.5, 0.6), align_corners=True),
    _interp("interp_bilinear_zero_batch", (0, 2, 3, 4), scale_factor=2),
    _interp("interp_area_1d", (2, 3, 11), size=4),
    _interp("interp_area_2d_scale", (2, 3, 9, 7), scale_factor=0.5),
    _interp("interp_area_3d", (1, 2, 5, 6, 7), size=(2, 4, 3)),
    OpCase("adaptive_avg_pool3d", lambda m, x: _F(m).adaptive_avg_pool3d(x, (2, 3, None)), [(2, 3, 5, 7, 4)], **TOL),
    OpCase("adaptive_avg_pool3d_unbatched", lambda m, x: _F(m).adaptive_avg_pool3d(x, 3), [(2, 4, 5, 7)], **TOL),
]


def _grid_inputs(xshape, gshape):
    def make(rng):
        return [rng.standard_normal(xshape), rng.uniform(-1.3, 1.3, gshape)]

    return make


def _gs(name, xshape, gshape, **kw):
    kw.setdefault("align_corners", False)

    def run(m, x, g):
        return _F(m).grid_sample(x, g, **kw)

    return OpCase(name, run, make=_grid_inputs(xshape, gshape), **TOL)


def _affine(name, tshape, size, **kw):
    def run(m, t):
        return _F(m).affine_grid(t, size, **kw)

    return OpCase(name, run, [tshape], **TOL)


CASES += [
    _affine("affine_grid_2d", (2, 2, 3), (2, 3, 4, 5), align_corners=False),
    _affine("affine_grid_2d_align", (2, 2, 3), (2, 1, 3, 1), align_corners=True),
    _affine("affine_grid_3d", (2, 3, 4), (2, 3, 3, 4, 5), align_corners=False),
    _affine("affine_grid_3d_align", (1, 3, 4), (1, 2, 2, 3, 4), align_corners=True),
    _gs("grid_sample_bilinear_zeros", (2, 3, 5, 6), (2, 4, 7, 2)),
    _gs("grid_sample_bilinear_border_align", (2, 3, 5, 6), (2, 4, 7, 2), padding_mode="border", align_corners=True),
    _gs("grid_sample_bilinear_reflection", (2, 2, 5, 6), (2, 3, 4, 2), padding_mode="reflection"),
    _gs("grid_sample_bilinear_reflection_align", (2, 2, 5, 6), (2, 3, 4, 2), padding_mode="reflection", align_corners=True),
    _gs("grid_sample_nearest_zeros", (2, 3, 5, 6), (2, 4, 7, 2), mode="nearest"),
    _gs("grid_sample_nearest_reflection", (2, 3, 5, 6), (2, 4, 7, 2), mode="nearest", padding_mode="reflection"),
    _gs("grid_sample_bicubic_zeros", (2, 3, 5, 6), (2, 4, 7, 2), mode="bicubic"),
    _gs("grid_sample_bicubic_border_align", (2, 2, 5, 6), (2, 3, 4, 2), mode="bicubic", padding_mode="border", align_corners=True),
    _gs("grid_sample_bicubic_reflection", (1, 2, 4, 6), (1, 3, 5, 2), mode="bicubic", padding_mode="reflection"),
    _gs("grid_sample_zero_batch", (0, 2, 4, 5), (0, 3, 2, 2)),
    _gs("grid_sample_3d_bilinear", (2, 2, 4, 5, 3), (2, 3, 2, 4, 3)),
    _gs("grid_sample_3d_border_align", (1, 2, 4, 5, 3), (1, 2, 3, 2, 3), padding_mode="border", align_corners=True),
    _gs("grid_sample_3d_nearest_reflection", (1, 2, 4, 3, 5), (1, 3, 2, 2, 3), mode="nearest", padding_mode="reflection"),
]
