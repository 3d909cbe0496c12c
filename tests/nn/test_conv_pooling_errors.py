"""Bad arguments and inputs for the convolution and pooling functions and layers: PyTorch's exception
classes, and messages naming the op (or the layer's repr), what was expected and what was given."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F


def _t(*shape: int, dtype: Any = None) -> Any:
    return chainrule.zeros(*shape, dtype=dtype)


X, W = _t(2, 3, 8, 8), _t(4, 3, 3, 3)

FUNCTIONAL = [
    (lambda: F.conv2d(_t(3, 8), W), RuntimeError, r"conv2d: expected 3D \(unbatched\) or 4D \(batched\).*got input of size: \[3, 8\]"),
    (lambda: F.conv2d(_t(2, 2, 8, 8), W), RuntimeError, r"expected input\[2, 2, 8, 8\] to have 3 channels.*got 2 channels"),
    (lambda: F.conv2d(X, W, groups=2), RuntimeError, r"groups=2.*expected 6 channels, got 3"),
    (lambda: F.conv2d(X, _t(3, 1, 3, 3), groups=2), RuntimeError, r"divisible by groups=2"),
    (lambda: F.conv2d(_t(2, 3, 2, 2), W), RuntimeError, r"Kernel size can't be greater than actual input size"),
    (lambda: F.conv2d(_t(2, 3, 4, 4), W, dilation=2), RuntimeError, r"Kernel size: \(5 x 5\)"),
    (lambda: F.conv2d(X, W, stride=2, padding="same"), RuntimeError, r"padding='same' is not supported for strided"),
    (lambda: F.conv2d(X, W, padding="full"), RuntimeError, r"Invalid padding string: 'full'"),
    (lambda: F.conv2d(X, W, stride=0), RuntimeError, r"non-positive stride"),
    (lambda: F.conv2d(X, W, padding=-1), RuntimeError, r"negative padding"),
    (lambda: F.conv2d(X, W, dilation=0), RuntimeError, r"non-positive dilation"),
    (lambda: F.conv2d(X, W, groups=0), RuntimeError, r"non-positive groups"),
    (lambda: F.conv2d(X, W, stride=(1, 1, 1)), RuntimeError, r"list of 2 values.*got stride=\[1, 1, 1\]"),
    (lambda: F.conv2d(X, W, stride=1.5), TypeError, r"stride must be an int"),
    (lambda: F.conv2d(X, _t(4, 3, 3)), RuntimeError, r"weight must be 4-D.*got \[4, 3, 3\]"),
    (lambda: F.conv2d(X, W, _t(3)), RuntimeError, r"bias.*expected \[4\], got \[3\]"),
    (lambda: F.conv2d(X.double(), W), RuntimeError, r"same floating dtype; expected chainrule.float32, got chainrule.float64"),
    (lambda: F.conv2d(X.long(), W.long()), RuntimeError, r"same floating dtype"),
    (lambda: F.conv2d(X, W, _t(4, dtype=chainrule.float64)), RuntimeError, r"bias dtype must match"),
    (lambda: F.conv2d(np.zeros((2, 3, 8, 8)), W), TypeError, r"must be Tensor, not ndarray"),
    (lambda: F.conv1d(X, _t(4, 3, 3)), RuntimeError, r"conv1d: expected 2D \(unbatched\) or 3D.*\[2, 3, 8, 8\]"),
    (lambda: F.conv1d(_t(2, 3, 2), _t(4, 3, 3)), RuntimeError, r"Calculated padded input size per channel: \(2\)"),
    (lambda: F.conv_transpose2d(X, _t(3, 4, 3, 3), output_padding=1), RuntimeError, r"output padding must be smaller than either stride or dilation"),
    (lambda: F.conv_transpose2d(X, _t(4, 3, 3, 3)), RuntimeError, r"expected 4 channels, got 3 channels"),
    (lambda: F.conv_transpose2d(X, _t(3, 4, 3, 3), padding="same"), TypeError, r"padding must be an int"),
    (lambda: F.conv_transpose2d(_t(1, 3, 1, 1), _t(3, 4, 1, 1), padding=1), RuntimeError, r"output size is too small"),
    (lambda: F.max_pool2d(X, 3, padding=2), RuntimeError, r"pad should be at most half of effective kernel size.*got pad=2"),
    (lambda: F.max_pool2d(X, 10), RuntimeError, r"Calculated output size: \(3x0x0\). Output size is too small"),
    (lambda: F.max_pool2d(_t(8, 8), 2), RuntimeError, r"max_pool2d: expected a non-empty 3D \(unbatched\) or 4D.*\[8, 8\]"),
    (lambda: F.max_pool2d(_t(2, 3, 0, 4), 2), RuntimeError, r"non-empty.*\[2, 3, 0, 4\]"),
    (lambda: F.max_pool2d(X, 0), RuntimeError, r"greater than zero"),
    (lambda: F.max_pool2d(X, 2, stride=0), RuntimeError, r"greater than zero"),
    (lambda: F.max_pool2d(X, (2, 2, 2)), RuntimeError, r"kernel_size must be a single int or a tuple of 2 ints"),
    (lambda: F.max_pool1d(X, 2), RuntimeError, r"max_pool1d: expected a non-empty 2D \(unbatched\) or 3D"),
    (lambda: F.avg_pool2d(X, 3, padding=2), RuntimeError, r"pad should be at most half"),
    (lambda: F.avg_pool2d(X, 2, divisor_override=0), RuntimeError, r"divisor must be not zero"),
    (lambda: F.avg_pool1d(_t(2, 3, 2), 3), RuntimeError, r"Output size is too small"),
    (lambda: F.adaptive_avg_pool2d(_t(8, 8), 2), RuntimeError, r"adaptive_avg_pool2d: expected a non-empty 3D"),
    (lambda: F.adaptive_avg_pool2d(X, (2, 2, 2)), RuntimeError, r"output_size must be 2; expected 2 sizes, got \[2, 2, 2\]"),
    (lambda: F.adaptive_avg_pool2d(X, -1), RuntimeError, r"output_size must be positive"),
    (lambda: F.adaptive_avg_pool2d(X.long(), 2), RuntimeError, r"not implemented for integer inputs"),
    (lambda: F.adaptive_max_pool1d(X, 2), RuntimeError, r"adaptive_max_pool1d: expected a non-empty 2D"),
]


@pytest.mark.parametrize(("call", "exc", "match"), FUNCTIONAL, ids=[m for _, _, m in FUNCTIONAL])
def test_functional_errors(call: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


CONSTRUCTION = [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), r"in_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), r"out_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 4, 3, groups=0), r"groups must be a positive integer"),
    (lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"), r"padding='same' is not supported for strided convolutions"),
    (lambda: nn.Conv1d(3, 4, 3, padding="full"), r"Invalid padding string 'full', should be one of"),
    (lambda: nn.Conv2d(3, 4, 3, padding_mode="mirror"), r"padding_mode must be one of .*got padding_mode='mirror'"),
    (lambda: nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"), r'Only "zeros" padding mode is supported for ConvTranspose2d'),
    (lambda: nn.Conv2d(3, 4, 0), r"kernel_size must be positive"),
]


@pytest.mark.parametrize(("make", "match"), CONSTRUCTION, ids=[m for _, m in CONSTRUCTION])
def test_invalid_constructor_arguments_raise_value_error(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


LAYER_INPUTS = [
    (nn.Conv2d(3, 4, 3), _t(3, 8), r"^Conv2d\(3, 4, kernel_size=\(3, 3\), stride=\(1, 1\)\): expected a 3-D \(unbatched\) or 4-D .*expected \[N, 3, H, W\] or \[3, H, W\], got \[3, 8\]"),
    (nn.Conv2d(3, 4, 3), _t(2, 5, 8, 8), r"^Conv2d\(3, 4.*wrong number of input channels; expected \[N, 3, H, W\].*got \[2, 5, 8, 8\]; the previous layer"),
    (nn.Conv2d(3, 4, 3), _t(2, 8, 8, 3), r"channels-last: use x.permute\(0, 3, 1, 2\)"),
    (nn.Conv2d(1, 4, 3), _t(28, 28), r"add a channel dim with x.unsqueeze\(-3\)"),
    (nn.Conv1d(3, 4, 3), _t(2, 3, 8, 8), r"^Conv1d\(3, 4.*expected \[N, 3, L\] or \[3, L\], got \[2, 3, 8, 8\]"),
    (nn.ConvTranspose2d(3, 4, 3), _t(2, 4, 5, 5), r"^ConvTranspose2d\(3, 4.*expected \[N, 3, H, W\]"),
    (nn.MaxPool2d(2), _t(8, 8), r"^MaxPool2d\(kernel_size=2.*expected \[N, C, H, W\] or \[C, H, W\], got \[8, 8\]"),
    (nn.AvgPool1d(2), _t(2, 3, 4, 4), r"^AvgPool1d\(kernel_size=\(2,\).*expected \[N, C, L\]"),
    (nn.AdaptiveAvgPool2d(1), _t(5), r"^AdaptiveAvgPool2d\(output_size=1\).*got \[5\]"),
]


@pytest.mark.parametrize(("layer", "x", "match"), LAYER_INPUTS, ids=[m[:40] for _, _, m in LAYER_INPUTS])
def test_layer_input_errors_name_the_layer(layer: Any, x: Any, match: str) -> None:
    with pytest.raises(RuntimeError, match=match):
        layer(x)


def test_conv_transpose_same_padding_fails_at_forward_like_torch() -> None:
    layer = nn.ConvTranspose2d(3, 4, 3, padding="same")  # PyTorch accepts it at construction
    with pytest.raises(TypeError, match="padding must be an int"):
        layer(_t(1, 3, 4, 4))
