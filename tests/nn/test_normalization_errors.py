"""Bad input to the normalization ops and layers: PyTorch's exception class, a message naming the op or
layer and the shapes involved."""

from __future__ import annotations

from typing import Any

import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _t(lib: Any, *shape: int, dtype: Any = None) -> Any:
    return lib.ones(*shape) if dtype is None else lib.ones(*shape, dtype=getattr(lib, dtype))


# (id, call(lib), exception class, regex for chainrule's message); torch must raise the same class
CASES = [
    ("ln_shape", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3), [4]), RuntimeError,
     r"layer_norm: Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\[2, 3\]"),
    ("ln_shape_2d", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3), [1, 2, 3]), RuntimeError,
     r"normalized_shape=\[1, 2, 3\], expected input with shape \[\*, 1, 2, 3\]"),
    ("ln_weight_shape", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3), [3], _t(m, 4)), RuntimeError,
     r"weight to be of same shape as normalized_shape, but got weight of shape \[4\] and normalized_shape = \[3\]"),
    ("ln_bias_shape", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3), [3], None, _t(m, 4)), RuntimeError,
     r"bias of shape \[4\]"),
    ("ln_empty_shape", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3), []), RuntimeError,
     r"at least 1-dimensional"),
    ("ln_int_shape", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3), 3), TypeError,
     r"normalized_shape.*must be tuple of ints, not int"),
    ("ln_int_input", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3, dtype="long"), [3]), NotImplementedError,
     r"layer_norm.*int64"),
    ("ln_mixed_dtype", lambda m: m.nn.functional.layer_norm(_t(m, 2, 3), [3], _t(m, 3, dtype="float64")), RuntimeError,
     r"mixed dtype; expected weight of dtype .*float32.*got .*float64"),
    ("ln_layer", lambda m: m.nn.LayerNorm(4)(_t(m, 2, 3)), RuntimeError,
     r"LayerNorm\(\(4,\), eps=1e-05, elementwise_affine=True, bias=True\): Given normalized_shape=\[4\], "
     r"expected input with shape \[\*, 4\], but got input of size\[2, 3\]"),
    ("rms_shape", lambda m: m.nn.functional.rms_norm(_t(m, 2, 3), [4]), RuntimeError,
     r"rms_norm: Given normalized_shape=\[4\].*size\[2, 3\]"),
    ("rms_weight", lambda m: m.nn.functional.rms_norm(_t(m, 2, 3), [3], _t(m, 4)), RuntimeError,
     r"weight of shape \[4\] and normalized_shape = \[3\]"),
    ("rms_layer", lambda m: m.nn.RMSNorm([3, 4])(_t(m, 4, 3)), RuntimeError,
     r"RMSNorm\(\(3, 4\).*Given normalized_shape=\[3, 4\].*size\[4, 3\]"),
    ("bn_batch_of_one", lambda m: m.nn.BatchNorm1d(3)(_t(m, 1, 3)), ValueError,
     r"Expected more than 1 value per channel when training, got input size .*\[1, 3\]"),
    ("bn_batch_of_one_3d", lambda m: m.nn.functional.batch_norm(_t(m, 1, 3, 1), None, None, training=True), ValueError,
     r"Expected more than 1 value per channel when training"),
    ("bn1d_channels", lambda m: m.nn.BatchNorm1d(3)(_t(m, 2, 4)), RuntimeError,
     r"BatchNorm1d\(3, eps=1e-05.*\): expected input with 3 channels .*got input of shape \[2, 4\]"),
    ("bn2d_channels", lambda m: m.nn.BatchNorm2d(3)(_t(m, 2, 4, 5, 5)), RuntimeError,
     r"BatchNorm2d\(3, .*\[2, 4, 5, 5\]"),
    ("bn2d_channels_eval", lambda m: m.nn.BatchNorm2d(3).eval()(_t(m, 2, 4, 5, 5)), RuntimeError,
     r"BatchNorm2d\(3, .*\[2, 4, 5, 5\]"),
    ("bn1d_rank", lambda m: m.nn.BatchNorm1d(3)(_t(m, 2, 3, 4, 5)), ValueError,
     r"BatchNorm1d\(3.*expected 2D or 3D input \(got 4D input"),
    ("bn2d_rank", lambda m: m.nn.BatchNorm2d(3)(_t(m, 2, 3, 4)), ValueError, r"expected 4D input \(got 3D input"),
    ("bn_f_stats_size", lambda m: m.nn.functional.batch_norm(_t(m, 2, 3), _t(m, 4), _t(m, 4), training=True),
     RuntimeError, r"batch_norm: running_mean should contain 3 elements not 4.*\[2, 3\]"),
    ("bn_f_weight_size", lambda m: m.nn.functional.batch_norm(_t(m, 2, 3), _t(m, 3), _t(m, 3), _t(m, 4)),
     RuntimeError, r"weight should contain 3 elements not 4"),
    ("bn_f_eval_no_stats", lambda m: m.nn.functional.batch_norm(_t(m, 2, 3), None, None), RuntimeError,
     r"running_mean must be defined in evaluation mode"),
    ("bn_f_momentum_none", lambda m: m.nn.functional.batch_norm(_t(m, 2, 3), _t(m, 3), _t(m, 3), training=True, momentum=None),
     TypeError, r"momentum.*must be float, not NoneType"),
    ("bn_f_eps", lambda m: m.nn.functional.batch_norm(_t(m, 2, 3), None, None, training=True, eps=0.0), ValueError,
     r"eps must be positive during training"),
    ("bn_f_1d", lambda m: m.nn.functional.batch_norm(_t(m, 3), _t(m, 3), _t(m, 3)), RuntimeError, r"batch_norm"),
    ("bn_f_int", lambda m: m.nn.functional.batch_norm(_t(m, 2, 3, dtype="long"), None, None, training=True),
     NotImplementedError, r"batch_norm.*int64"),
    ("gn_divisible", lambda m: m.nn.functional.group_norm(_t(m, 2, 5, 3), 2), RuntimeError,
     r"group_norm: Expected number of channels in input to be divisible by num_groups, but got input of shape "
     r"\[2, 5, 3\] and num_groups=2"),
    ("gn_rank", lambda m: m.nn.functional.group_norm(_t(m, 4), 2), RuntimeError,
     r"Expected at least 2 dimensions for input tensor but received 1"),
    ("gn_weight", lambda m: m.nn.functional.group_norm(_t(m, 2, 4, 3), 2, _t(m, 3)), RuntimeError,
     r"weight to be a vector of size equal to the number of channels in input, but got weight of shape \[3\] "
     r"and input of shape \[2, 4, 3\]"),
    ("gn_batch_of_one", lambda m: m.nn.functional.group_norm(_t(m, 1, 4), 4), ValueError,
     r"Expected more than 1 value per channel"),
    ("gn_layer_channels", lambda m: m.nn.GroupNorm(2, 4)(_t(m, 2, 6, 3)), RuntimeError,
     r"GroupNorm\(2, 4, eps=1e-05, affine=True, bias=True\): .*weight of shape \[4\] and input of shape \[2, 6, 3\]"),
    ("gn_layer_ctor", lambda m: m.nn.GroupNorm(2, 5), ValueError, r"num_channels \(5\) must be divisible by num_groups \(2\)"),
    ("in_spatial_one", lambda m: m.nn.functional.instance_norm(_t(m, 2, 3, 1)), ValueError,
     r"Expected more than 1 spatial element when training, got input size .*\[2, 3, 1\]"),
    ("in_no_stats", lambda m: m.nn.functional.instance_norm(_t(m, 2, 3, 4), use_input_stats=False), RuntimeError,
     r"Expected running_mean and running_var to be defined when use_input_stats is false"),
    ("in_layer_features", lambda m: m.nn.InstanceNorm1d(3, affine=True)(_t(m, 2, 4, 5)), ValueError,
     r"InstanceNorm1d\(3.*size at dim=1 to match num_features \(3\), but got: 4"),
    ("normalize_dim", lambda m: m.nn.functional.normalize(_t(m, 2, 3), dim=2), IndexError,
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    ("normalize_int", lambda m: m.nn.functional.normalize(_t(m, 2, 3, dtype="long")), RuntimeError,
     r"floating point"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "exc", "match"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_class_and_message(call: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call(chainrule)
    with pytest.raises(exc):  # the same class as PyTorch
        call(torch)


def test_not_a_tensor() -> None:
    with pytest.raises(TypeError, match="layer_norm"):
        F.layer_norm([[1.0, 2.0]], [2])


def test_instance_norm_features_warn_without_affine() -> None:
    with pytest.warns(UserWarning, match="num_features"):
        nn.InstanceNorm1d(3)(chainrule.randn(2, 4, 5))


def test_batchnorm_without_affine_or_stats_accepts_any_channel_count() -> None:
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert bn(chainrule.randn(4, 5)).shape == (4, 5)
