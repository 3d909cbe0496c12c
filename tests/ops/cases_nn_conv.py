"""Op cases for nn/functional/conv.py: conv1d, conv2d, conv_transpose1d, conv_transpose2d.

Inputs are (x, weight[, bias]); every option PyTorch offers (stride, padding int/tuple/'same'/'valid',
dilation, groups, output_padding, bias or not) is combined at least once, for batched, unbatched,
1-D, size-1 and zero-batch inputs, and with non-contiguous operands.
"""

from __future__ import annotations

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

TOL = {"atol": 1e-5, "rtol": 1e-4}


def _F(m):  # noqa: N802
    return m.nn.functional


def _conv(name, fn, x, w, bias=True, noncontig=False, **kw):
    out_ch = w[1] * kw.get("groups", 1) if "transpose" in fn else w[0]
    shapes = [x, w] + ([(out_ch,)] if bias else [])

    def run(m, x, w, *b):
        return getattr(_F(m), fn)(x, w, b[0] if b else None, **kw)

    return OpCase(name, run, shapes, noncontig=noncontig, **TOL)


def _conv_pos(m, x, w, b):
    """Positional arguments, as ``F.conv2d(x, w, b, stride, padding, dilation, groups)``."""
    return _F(m).conv2d(x, w, b, 2, 1, 1, 1)


def _conv_tuple_lists(m, x, w, b):
    return _F(m).conv2d(x, w, b, stride=[2, 1], padding=[0, 1], dilation=[1, 2])


def _conv_t_pos(m, x, w, b):
    """``F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)``."""
    return _F(m).conv_transpose2d(x, w, b, 2, 1, 1, 1, 1)


CASES: list[OpCase] = [
    # conv2d
    _conv("conv2d_pad1", "conv2d", (2, 3, 6, 5), (4, 3, 3, 3), padding=1, noncontig=True),
    _conv("conv2d_nobias", "conv2d", (2, 3, 6, 5), (4, 3, 3, 3), bias=False, noncontig=True),
    _conv("conv2d_stride2_pad_tuple", "conv2d", (2, 3, 7, 8), (4, 3, 3, 2), stride=2, padding=(1, 2)),
    _conv("conv2d_stride_tuple", "conv2d", (2, 3, 9, 8), (4, 3, 2, 3), stride=(2, 3)),
    _conv("conv2d_dilation2", "conv2d", (2, 3, 7, 7), (4, 3, 3, 3), dilation=2, padding=2),
    _conv("conv2d_dilation_stride", "conv2d", (2, 3, 9, 8), (2, 3, 3, 2), dilation=(2, 1), stride=2, padding=1),
    _conv("conv2d_groups2", "conv2d", (2, 4, 5, 5), (6, 2, 3, 3), groups=2, padding=1, noncontig=True),
    _conv("conv2d_groups_strided", "conv2d", (2, 4, 7, 6), (4, 2, 2, 2), groups=2, stride=2, dilation=(1, 2)),
    _conv("conv2d_depthwise", "conv2d", (2, 3, 5, 5), (3, 1, 3, 3), groups=3, padding=1),
    _conv("conv2d_same_odd", "conv2d", (2, 3, 5, 6), (4, 3, 3, 3), padding="same"),
    _conv("conv2d_same_even", "conv2d", (2, 3, 5, 6), (4, 3, 2, 4), padding="same", noncontig=True),
    _conv("conv2d_same_dilated_even", "conv2d", (2, 2, 7, 6), (3, 2, 2, 3), padding="same", dilation=(3, 2)),
    _conv("conv2d_valid", "conv2d", (2, 3, 5, 6), (4, 3, 2, 3), padding="valid"),
    _conv("conv2d_1x1", "conv2d", (2, 3, 4, 5), (4, 3, 1, 1), noncontig=True),
    _conv("conv2d_1x1_stride2", "conv2d", (2, 3, 5, 5), (4, 3, 1, 1), stride=2),
    _conv("conv2d_1x1_pad", "conv2d", (2, 3, 3, 4), (2, 3, 1, 1), padding=1),
    _conv("conv2d_unbatched", "conv2d", (3, 6, 5), (4, 3, 3, 3), padding=1, noncontig=True),
    _conv("conv2d_unbatched_strided", "conv2d", (3, 7, 6), (2, 3, 3, 3), stride=2, bias=False),
    _conv("conv2d_size1_dims", "conv2d", (1, 2, 1, 5), (3, 2, 1, 3)),
    _conv("conv2d_kernel_eq_input", "conv2d", (2, 3, 3, 3), (4, 3, 3, 3)),
    _conv("conv2d_zero_batch", "conv2d", (0, 3, 5, 5), (4, 3, 3, 3), padding=1),
    _conv("conv2d_1_channel", "conv2d", (3, 1, 6, 6), (5, 1, 3, 3), padding=1),
    OpCase("conv2d_positional", _conv_pos, [(2, 3, 6, 6), (4, 3, 3, 3), (4,)], **TOL),
    OpCase("conv2d_list_args", _conv_tuple_lists, [(2, 3, 6, 6), (4, 3, 3, 3), (4,)], **TOL),
    # conv1d
    _conv("conv1d_basic", "conv1d", (2, 3, 9), (4, 3, 3), noncontig=True),
    _conv("conv1d_stride_pad", "conv1d", (2, 3, 9), (4, 3, 3), stride=2, padding=1),
    _conv("conv1d_dilation", "conv1d", (2, 3, 11), (4, 3, 3), dilation=3, padding=2, bias=False),
    _conv("conv1d_groups", "conv1d", (2, 4, 9), (6, 2, 3), groups=2, stride=(2,)),
    _conv("conv1d_same_even", "conv1d", (2, 3, 8), (4, 3, 4), padding="same"),
    _conv("conv1d_valid", "conv1d", (2, 3, 8), (4, 3, 4), padding="valid"),
    _conv("conv1d_unbatched", "conv1d", (3, 8), (4, 3, 3), padding=1, noncontig=True),
    _conv("conv1d_1x1", "conv1d", (2, 3, 5), (4, 3, 1)),
    # conv_transpose2d (weight: in, out/groups, kh, kw)
    _conv("conv_transpose2d_basic", "conv_transpose2d", (2, 3, 4, 5), (3, 4, 3, 3), noncontig=True),
    _conv("conv_transpose2d_stride2_outpad", "conv_transpose2d", (2, 3, 4, 5), (3, 2, 3, 3), stride=2, padding=1, output_padding=1),  # fmt: skip
    _conv("conv_transpose2d_tuples", "conv_transpose2d", (2, 3, 4, 3), (3, 2, 3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2)),  # fmt: skip
    _conv("conv_transpose2d_dilation", "conv_transpose2d", (2, 3, 4, 4), (3, 2, 3, 3), dilation=2, output_padding=1),  # fmt: skip
    _conv("conv_transpose2d_groups", "conv_transpose2d", (2, 4, 3, 4), (4, 3, 3, 2), groups=2, stride=2, padding=(0, 1)),  # fmt: skip
    _conv("conv_transpose2d_nobias", "conv_transpose2d", (2, 3, 4, 4), (3, 4, 2, 2), bias=False, stride=2),
    _conv("conv_transpose2d_1x1", "conv_transpose2d", (2, 3, 4, 4), (3, 4, 1, 1)),
    _conv("conv_transpose2d_unbatched", "conv_transpose2d", (3, 4, 4), (3, 2, 3, 3), stride=2, noncontig=True),
    OpCase("conv_transpose2d_positional", _conv_t_pos, [(2, 3, 4, 4), (3, 2, 3, 3), (2,)], **TOL),
    # conv_transpose1d
    _conv("conv_transpose1d_basic", "conv_transpose1d", (2, 3, 5), (3, 4, 3), noncontig=True),
    _conv("conv_transpose1d_options", "conv_transpose1d", (2, 4, 5), (4, 1, 3), stride=3, padding=1, output_padding=2, groups=2, dilation=2),  # fmt: skip
    _conv("conv_transpose1d_unbatched", "conv_transpose1d", (3, 5), (3, 2, 2), stride=2, bias=False),
]
