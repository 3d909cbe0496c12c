"""Op cases for nn/functional/conv3d.py and patches.py: conv3d, conv_transpose3d, unfold, fold,
pixel_shuffle/unshuffle, channel_shuffle; and F.pad's reflect/replicate/circular modes in 1-, 2- and 3-d.

Also embedding_bag (sum / mean / max, 2-D input or offsets, include_last_offset, padding_idx,
per_sample_weights) and local_response_norm (3-, 4-, 5-D).

Options combined: stride, padding (int, tuple, 'same', 'valid'), dilation, groups, output_padding,
bias or not, unbatched inputs, non-contiguous operands.
"""

from __future__ import annotations

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

TOL = {"atol": 1e-5, "rtol": 1e-4}


def _F(m):  # noqa: N802
    return m.nn.functional


def _case(name, fn, shapes, *args, noncontig=False, tol=TOL, **kw):
    def run(m, *xs):
        return getattr(_F(m), fn)(*xs, *args, **kw)

    return OpCase(name, run, shapes, noncontig=noncontig, **tol)


def _conv(name, fn, x, w, bias=True, noncontig=False, **kw):
    out_ch = w[1] * kw.get("groups", 1) if "transpose" in fn else w[0]
    shapes = [x, w] + ([(out_ch,)] if bias else [])

    def run(m, x, w, *b):
        return getattr(_F(m), fn)(x, w, b[0] if b else None, **kw)

    return OpCase(name, run, shapes, noncontig=noncontig, **TOL)


def _pad(name, x, pad, mode, noncontig=False):
    def run(m, x):
        return _F(m).pad(x, pad, mode=mode)

    return OpCase(name, run, [x], noncontig=noncontig, **TOL)


def _bag_inputs(two_d=False, last=False, psw=False):
    def make(rng):
        w = rng.standard_normal((10, 4))
        if two_d:
            return [w, rng.integers(0, 10, (3, 5))]
        idx = rng.integers(0, 10, 12)
        idx[5] = idx[1]  # a repeated index, one of them is also the padding index in the padding cases
        off = np.array([0, 3, 3, 7, 12] if last else [0, 3, 3, 7])
        return [w, idx, off] + ([rng.standard_normal(12)] if psw else [])

    return make


def _bag(name, mode, two_d=False, last=False, psw=False, pad=False):
    def run(m, w, idx, *rest):
        off = rest[0] if rest and not two_d else None
        p = rest[1] if psw else None
        return _F(m).embedding_bag(idx, w, off, mode=mode, include_last_offset=last, per_sample_weights=p,
                                   padding_idx=int(idx.reshape(-1)[1]) if pad else None)  # fmt: skip

    return OpCase(name, run, make=_bag_inputs(two_d, last, psw), **TOL)


CASES: list[OpCase] = [
    # embedding_bag
    _bag("embedding_bag_sum_2d", "sum", two_d=True),
    _bag("embedding_bag_mean_offsets", "mean"),
    _bag("embedding_bag_max_offsets", "max"),
    _bag("embedding_bag_max_2d_padding", "max", two_d=True, pad=True),
    _bag("embedding_bag_mean_last_offset_padding", "mean", last=True, pad=True),
    _bag("embedding_bag_sum_per_sample_weights", "sum", psw=True),
    _bag("embedding_bag_sum_weights_padding_last", "sum", psw=True, pad=True, last=True),
    # local_response_norm
    _case("local_response_norm_4d", "local_response_norm", [(2, 7, 5, 4)], 3, noncontig=True),
    _case("local_response_norm_3d", "local_response_norm", [(2, 6, 5)], 2, alpha=0.2, beta=0.5, k=2.0),
    _case("local_response_norm_5d", "local_response_norm", [(2, 5, 3, 2, 2)], 4, alpha=0.3),
    # conv3d
    _conv("conv3d_basic", "conv3d", (2, 3, 4, 5, 6), (4, 3, 2, 3, 2), noncontig=True),
    _conv("conv3d_options", "conv3d", (2, 4, 5, 6, 7), (6, 2, 3, 2, 3), stride=(1, 2, 1), padding=1,
          dilation=(1, 1, 2), groups=2),  # fmt: skip
    _conv("conv3d_same_even", "conv3d", (1, 2, 4, 5, 4), (3, 2, 2, 3, 2), padding="same"),
    _conv("conv3d_valid_nobias", "conv3d", (2, 2, 4, 4, 5), (3, 2, 3, 3, 3), bias=False, padding="valid", stride=2),
    _conv("conv3d_zero_batch", "conv3d", (0, 2, 3, 3, 3), (3, 2, 2, 2, 2)),
    _conv("conv_transpose3d_zero_batch", "conv_transpose3d", (0, 2, 3, 3, 3), (2, 3, 2, 2, 2), stride=2),
    _case("unfold_zero_batch", "unfold", [(0, 3, 4, 4)], 2),
    _conv("conv3d_unbatched", "conv3d", (2, 4, 4, 4), (3, 2, 1, 2, 3), padding=(0, 1, 1)),
    # conv_transpose3d
    _conv("conv_transpose3d_basic", "conv_transpose3d", (2, 3, 3, 4, 3), (3, 2, 2, 2, 3), noncontig=True),
    _conv("conv_transpose3d_options", "conv_transpose3d", (2, 4, 3, 3, 4), (4, 3, 3, 2, 3), stride=(2, 1, 2),
          padding=(1, 0, 1), output_padding=(1, 0, 0), groups=2, dilation=(1, 2, 1)),  # fmt: skip
    _conv("conv_transpose3d_unbatched_nobias", "conv_transpose3d", (2, 3, 2, 3), (2, 3, 2, 2, 2), bias=False, stride=2),
    # unfold / fold
    _case("unfold_basic", "unfold", [(2, 3, 6, 5)], 2, noncontig=True),
    _case("unfold_options", "unfold", [(2, 3, 7, 8)], (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
    _case("unfold_unbatched", "unfold", [(3, 5, 5)], 3, padding=1),
    _case("fold_basic", "fold", [(2, 12, 20)], (5, 6), 2, noncontig=True),
    _case("fold_options", "fold", [(2, 18, 24)], (7, 8), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
    _case("fold_unbatched_overlap", "fold", [(9, 16)], 6, 3, stride=1, padding=0),
    # rearrangements
    _case("pixel_shuffle_4d", "pixel_shuffle", [(2, 8, 3, 4)], 2, noncontig=True),
    _case("pixel_shuffle_5d", "pixel_shuffle", [(2, 3, 9, 2, 3)], 3),
    _case("pixel_unshuffle_3d", "pixel_unshuffle", [(3, 4, 6)], 2),
    _case("pixel_unshuffle_4d", "pixel_unshuffle", [(2, 2, 6, 9)], 3, noncontig=True),
    _case("channel_shuffle", "channel_shuffle", [(2, 6, 3, 4)], 3),
    _case("channel_shuffle_3d", "channel_shuffle", [(2, 8, 5)], 2),
    # F.pad non-constant modes in 1-, 2-, 3-d
    _pad("spatial_pad_reflect_1d", (2, 3, 7), (2, 3), "reflect"),
    _pad("spatial_pad_reflect_2d", (2, 3, 5, 6), (1, 2, 3, 0), "reflect", noncontig=True),
    _pad("spatial_pad_reflect_3d", (2, 2, 4, 5, 3), (1, 2, 0, 3, 2, 1), "reflect"),
    _pad("spatial_pad_reflect_3d_unbatched", (2, 4, 5, 3), (2, 1, 1, 1, 1, 2), "reflect"),
    _pad("spatial_pad_replicate_1d", (3, 4), (3, 1), "replicate"),
    _pad("spatial_pad_replicate_2d", (2, 3, 4, 5), (2, 3, 4, 1), "replicate"),
    _pad("spatial_pad_replicate_3d", (1, 2, 3, 4, 5), (2, 0, 1, 3, 4, 1), "replicate", noncontig=True),
    _pad("spatial_pad_circular_1d", (2, 3, 6), (2, 4), "circular"),
    _pad("spatial_pad_circular_2d", (2, 2, 4, 5), (1, 2, 3, 2), "circular"),
    _pad("spatial_pad_circular_3d", (1, 2, 3, 4, 5), (1, 1, 2, 3, 2, 1), "circular"),
    _pad("spatial_pad_circular_negative", (2, 2, 6, 7), (-1, 2, 1, -2), "circular"),
]
