"""Bad input to linear/dropout/embedding/pad, the activations and the losses: PyTorch's exception class
(checked against torch on the same call) and a message naming the op or layer, the values and shapes."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn  # noqa: F401

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _F(m: Any) -> Any:  # noqa: N802
    return m.nn.functional


def _t(m: Any, *shape: int, dtype: str | None = None) -> Any:
    return m.ones(*shape) if dtype is None else m.ones(*shape, dtype=getattr(m, dtype))


def _idx(m: Any, values: Any) -> Any:
    return m.tensor(values)


CASES = [
    # linear
    ("linear_features", lambda m: _F(m).linear(_t(m, 2, 3), _t(m, 4, 5)), RuntimeError,
     r"linear: mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\); expected input of shape \[\*, 5\], got \[2, 3\]"),
    ("linear_dtype", lambda m: _F(m).linear(_t(m, 2, 3), _t(m, 4, 3, dtype="float64")), RuntimeError,
     r"linear: mat1 and mat2 must have the same dtype; expected float32, got float64"),
    ("linear_layer_features", lambda m: m.nn.Linear(5, 2)(_t(m, 4, 3)), RuntimeError,
     r"Linear\(in_features=5, out_features=2, bias=True\): expected input of shape \[\*, 5\].*got \[4, 3\]"),
    ("linear_layer_image", lambda m: m.nn.Linear(12, 2)(_t(m, 2, 3, 2, 2)), RuntimeError,
     r"Linear\(in_features=12, out_features=2, bias=True\).*\[2, 3, 2, 2\].*did you forget nn.Flatten\(\)\? "
     r"\(flattening it gives \[2, 12\], which fits\)"),
    ("linear_layer_image_mismatch", lambda m: m.nn.Linear(10, 2)(_t(m, 2, 1, 4, 4)), RuntimeError,
     r"did you forget nn.Flatten\(\)\? \(flattened it would be \[2, 16\], so in_features should be 16\)"),
    ("linear_not_tensor", lambda m: _F(m).linear(np.ones((2, 3)), _t(m, 4, 3)), TypeError,
     r"linear\(\): argument 'input' must be Tensor, not ndarray"),
    ("linear_layer_not_tensor", lambda m: m.nn.Linear(3, 4)(np.ones((2, 3), np.float32)), TypeError, r"must be Tensor, not ndarray"),
    ("bilinear_shapes", lambda m: _F(m).bilinear(_t(m, 2, 3), _t(m, 2, 4), _t(m, 5, 3, 3)), RuntimeError,
     r"bilinear: expected input1 \(\*, 3\) and input2 \(\*, 3\)"),
    # dropout
    ("dropout_p_high", lambda m: _F(m).dropout(_t(m, 3), p=1.5), ValueError,
     r"dropout probability has to be between 0 and 1, but got 1.5"),
    ("dropout_p_negative", lambda m: _F(m).dropout(_t(m, 3), p=-0.1), ValueError,
     r"dropout probability has to be between 0 and 1, but got -0.1"),
    ("dropout_layer_p", lambda m: m.nn.Dropout(2.0), ValueError, r"between 0 and 1, but got 2.0"),
    ("dropout1d_rank", lambda m: _F(m).dropout1d(_t(m, 3, 4, 5, 5)), RuntimeError,
     r"dropout1d: Expected 2D or 3D input, but received a 4D input"),
    # embedding
    ("embedding_oob", lambda m: _F(m).embedding(_idx(m, [1, 5]), _t(m, 5, 3)), IndexError,
     r"index out of range in self; expected indices in \[0, 4\], got 5"),
    ("embedding_negative", lambda m: _F(m).embedding(_idx(m, [1, -1]), _t(m, 5, 3)), IndexError,
     r"index out of range in self.*got -1"),
    ("embedding_float_idx", lambda m: _F(m).embedding(m.tensor([1.0, 2.0]), _t(m, 5, 3)), RuntimeError,
     r"indices' to have one of the following scalar types: Long, Int; but got float32"),
    ("embedding_uint8_idx", lambda m: _F(m).embedding(_t(m, 2, dtype="uint8"), _t(m, 5, 3)), RuntimeError,
     r"Long, Int; but got uint8"),
    ("embedding_padding_idx", lambda m: _F(m).embedding(_idx(m, [1]), _t(m, 5, 3), padding_idx=5), AssertionError,
     r"Padding_idx must be within num_embeddings; expected in \[-5, 4\], got 5"),
    ("embedding_weight_1d", lambda m: _F(m).embedding(_idx(m, [1]), _t(m, 5)), RuntimeError, r"'weight' must be 2-D"),
    ("embedding_layer_padding", lambda m: m.nn.Embedding(5, 3, padding_idx=-6), AssertionError,
     r"Padding_idx must be within num_embeddings"),
    ("embedding_layer_weight_shape", lambda m: m.nn.Embedding(5, 3, _weight=_t(m, 4, 3)), AssertionError,
     r"Shape of weight does not match num_embeddings and embedding_dim; expected \[5, 3\], got \[4, 3\]"),
    ("embedding_pretrained_1d", lambda m: m.nn.Embedding.from_pretrained(_t(m, 4)), AssertionError,
     r"Embeddings parameter is expected to be 2-dimensional"),
    # pad
    ("pad_odd", lambda m: _F(m).pad(_t(m, 2, 3), (1,)), RuntimeError, r"Padding length must be divisible by 2"),
    ("pad_too_long", lambda m: _F(m).pad(_t(m, 2, 3), (1, 1, 1, 1, 1, 1)), RuntimeError,
     r"padding length 6 and input of dimension 2"),
    ("pad_float", lambda m: _F(m).pad(_t(m, 2, 3), (1.5, 1)), TypeError, r"must be tuple of ints, but found element of type float at pos 0"),
    ("pad_negative_size", lambda m: _F(m).pad(_t(m, 2, 3), (-2, -2)), RuntimeError, r"pad"),
    ("pad_mode", lambda m: _F(m).pad(_t(m, 2, 3), (1, 1), mode="bogus"), NotImplementedError, r"Unrecognised padding mode bogus"),
    ("pad_reflect_value", lambda m: _F(m).pad(_t(m, 2, 3), (1, 1), mode="reflect", value=3.0), RuntimeError,
     r"Padding mode \"reflect\" doesn't take in value argument"),
    ("pad_reflect_too_big", lambda m: _F(m).pad(_t(m, 2, 3), (3, 1), mode="reflect"), RuntimeError,
     r"Padding size should be less than the corresponding input dimension, but got: padding \(3, 1\) at dimension 1 of input \[2, 3\]"),
    ("pad_circular_wrap", lambda m: _F(m).pad(_t(m, 2, 3), (4, 1), mode="circular"), RuntimeError,
     r"Padding value causes wrapping around more than once"),
    ("pad_nonconst_rank", lambda m: _F(m).pad(_t(m, 2, 3), (1, 1, 1, 1), mode="replicate"), NotImplementedError,
     r"Padding size 4 is not supported for 2D input tensor"),
    ("pad_nonconst_1d", lambda m: _F(m).pad(_t(m, 3), (1, 1), mode="reflect"), NotImplementedError,
     r"Padding size 2 is not supported for 1D input tensor"),
    # activations
    ("glu_odd", lambda m: _F(m).glu(_t(m, 2, 5), 1), RuntimeError, r"Halving dimension must be even, but dimension 1 is size 5"),
    ("glu_scalar", lambda m: _F(m).glu(m.tensor(1.0)), RuntimeError, r"glu does not support scalars"),
    ("glu_dim", lambda m: _F(m).glu(_t(m, 2, 4), 2), IndexError, r"Dimension out of range"),
    ("prelu_channels", lambda m: _F(m).prelu(_t(m, 2, 4), _t(m, 3)), RuntimeError,
     r"Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and channel size = 4"),
    ("prelu_weight_2d", lambda m: _F(m).prelu(_t(m, 2, 3), _t(m, 1, 3)), RuntimeError,
     r"Expected `weight` to be a scalar or 1D tensor, but got: ndim = 2"),
    ("prelu_layer", lambda m: m.nn.PReLU(3)(_t(m, 2, 4)), RuntimeError, r"parameter numbers = 3 and channel size = 4"),
    ("softmax_dim", lambda m: _F(m).softmax(_t(m, 2, 3), 2), IndexError, r"Dimension out of range"),
    ("softshrink_negative", lambda m: _F(m).softshrink(_t(m, 3), -1.0), RuntimeError, r"lambda must be greater or equal to 0"),
    ("hardtanh_layer_bounds", lambda m: m.nn.Hardtanh(1.0, -1.0), AssertionError, r"max_val \(-1.0\) must be greater than min_val \(1.0\)"),
    ("relu_leaf_inplace", lambda m: _F(m).relu(m.ones(3, requires_grad=True), inplace=True), RuntimeError,
     r"leaf Variable that requires grad"),
    ("softmax2d_rank", lambda m: m.nn.Softmax2d()(_t(m, 2, 3)), ValueError, r"Softmax2d: expected input dimension of 3 or 4 \(got 2\)"),
    ("unflatten_size_type", lambda m: m.nn.Unflatten(1, 5), TypeError, r"unflattened_size must be a tuple of ints, but found type int"),
    ("unflatten_size_elem", lambda m: m.nn.Unflatten(1, (2, 2.5)), TypeError, r"found element of type float at pos 1"),
    # losses: reductions, shapes, ranges, targets, weights
    ("reduction_invalid", lambda m: _F(m).mse_loss(_t(m, 3), _t(m, 3), reduction="avg"), ValueError,
     r"avg is not a valid value for reduction"),
    ("ce_zero_dim_target_of_batch", lambda m: _F(m).cross_entropy(_t(m, 1, 5), m.tensor(2)), ValueError,
     r"Expected input batch_size \(1\) to match target batch_size \(0\)"),
    ("nll_zero_dim_target_of_batch", lambda m: _F(m).nll_loss(_t(m, 3, 5), m.tensor(2)), ValueError,
     r"Expected input batch_size \(3\) to match target batch_size \(0\)"),
    ("ce_unbatched_long_target", lambda m: _F(m).cross_entropy(_t(m, 5), _idx(m, [1, 2])), ValueError,
     r"For 1D input, 1D target must have size 1, but got target size: 2"),
    ("reduction_invalid_ce", lambda m: _F(m).cross_entropy(_t(m, 2, 3), _idx(m, [0, 1]), reduction="bad"), ValueError,
     r"bad is not a valid value for reduction"),
    ("reduction_invalid_weighted", lambda m: _F(m).mse_loss(_t(m, 3), _t(m, 3), reduction="bad", weight=_t(m, 3)), ValueError,
     r"Invalid reduction mode: bad"),
    ("mse_weight_shape", lambda m: _F(m).l1_loss(_t(m, 3), _t(m, 3), weight=_t(m, 2)), ValueError,
     r"Weights and input must have the same size; expected \[3\], got \[2\]"),
    ("mse_broadcast", lambda m: _F(m).mse_loss(_t(m, 3, 2), _t(m, 3)), RuntimeError,
     r"mse_loss: the size of tensor a \(2\) must match the size of tensor b \(3\)"),
    ("mse_int", lambda m: _F(m).mse_loss(_t(m, 3, dtype="long"), _t(m, 3, dtype="long")), NotImplementedError, r"mse_loss"),
    ("smooth_l1_beta", lambda m: _F(m).smooth_l1_loss(_t(m, 3), _t(m, 3), beta=-1.0), RuntimeError,
     r"smooth_l1_loss does not support negative values for beta"),
    ("huber_delta", lambda m: _F(m).huber_loss(_t(m, 3), _t(m, 3), delta=0.0), RuntimeError,
     r"huber_loss does not support non-positive values for delta"),
    ("bce_input_range", lambda m: _F(m).binary_cross_entropy(m.tensor([1.5, 0.5]), m.tensor([1.0, 0.0])), RuntimeError,
     r"all elements of input should be between 0 and 1; got values in \[0.5, 1.5\]"),
    ("bce_input_nan", lambda m: _F(m).binary_cross_entropy(m.tensor([float("nan")]), m.tensor([1.0])), RuntimeError,
     r"all elements of input should be between 0 and 1"),
    ("bce_target_range", lambda m: _F(m).binary_cross_entropy(m.tensor([0.5]), m.tensor([1.5])), RuntimeError,
     r"all elements of target should be between 0 and 1"),
    ("bce_size", lambda m: _F(m).binary_cross_entropy(m.tensor([0.5, 0.2]), m.tensor([1.0])), ValueError,
     r"Using a target size .* that is different to the input size .* is deprecated"),
    ("bce_dtype", lambda m: _F(m).binary_cross_entropy(_t(m, 2) * 0.5, _t(m, 2, dtype="float64")), RuntimeError,
     r"Found dtype .*float64 but expected .*float32"),
    ("bce_weight_grad", lambda m: _F(m).binary_cross_entropy(_t(m, 2) * 0.5, _t(m, 2), weight=m.ones(2, requires_grad=True)),
     RuntimeError, r"not differentiable with respect to argument 'weight'"),
    ("bce_logits_size", lambda m: _F(m).binary_cross_entropy_with_logits(_t(m, 2), _t(m, 1)), ValueError,
     r"Target size .* must be the same as input size"),
    ("bce_logits_pos_weight_shape", lambda m: _F(m).binary_cross_entropy_with_logits(_t(m, 3, 2), _t(m, 3, 2), pos_weight=_t(m, 3)),
     RuntimeError, r"binary_cross_entropy_with_logits: the size of tensor a \(2\) must match the size of tensor b \(3\)"),
    ("bce_logits_pos_weight_grad", lambda m: _F(m).binary_cross_entropy_with_logits(_t(m, 2), _t(m, 2), pos_weight=m.ones(2, requires_grad=True)),
     RuntimeError, r"not differentiable with respect to argument 'pos_weight'"),
    ("ce_target_oob", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _idx(m, [0, 5, 1])), IndexError,
     r"Target 5 is out of bounds. \(cross_entropy: expected class indices in \[0, 4\] for C = 5 classes, or ignore_index=-100\)"),
    ("ce_target_negative", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _idx(m, [0, -3, 1])), IndexError, r"Target -3 is out of bounds"),
    ("ce_target_oob_kdim", lambda m: _F(m).cross_entropy(_t(m, 2, 5, 4), _idx(m, [[0, 1, 2, 7], [0, 0, 0, 0]])), IndexError,
     r"Target 7 is out of bounds"),
    ("ce_target_oob_unbatched", lambda m: _F(m).cross_entropy(_t(m, 5), _idx(m, 9)), IndexError, r"Target 9 is out of bounds"),
    ("nll_target_oob", lambda m: _F(m).nll_loss(_t(m, 3, 5), _idx(m, [0, 5, 1])), IndexError, r"Target 5 is out of bounds.*nll_loss"),
    ("ce_batch", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _idx(m, [0, 1])), ValueError,
     r"Expected input batch_size \(3\) to match target batch_size \(2\)"),
    ("ce_kdim_batch", lambda m: _F(m).cross_entropy(_t(m, 2, 5, 4), _idx(m, [[0] * 4] * 3)), ValueError,
     r"Expected input batch_size \(2\) to match target batch_size \(3\)"),
    ("ce_kdim_shape", lambda m: _F(m).cross_entropy(_t(m, 2, 5, 4), _idx(m, [[0] * 3] * 2)), RuntimeError,
     r"Expected target size \[2, 4\], got \[2, 3\]"),
    ("ce_multi_target", lambda m: _F(m).nll_loss(_t(m, 3, 5), _idx(m, [[0, 1]] * 3)), RuntimeError,
     r"0D or 1D target tensor expected, multi-target not supported"),
    ("ce_float_target", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _t(m, 3)), RuntimeError,
     r"expected target dtype to be Long or Byte, but got Float"),
    ("ce_int32_target", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _t(m, 3, dtype="int32")), RuntimeError,
     r"expected target dtype to be Long or Byte, but got Int"),
    ("ce_weight_shape", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _idx(m, [0, 1, 2]), weight=_t(m, 3)), RuntimeError,
     r"weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: \[3\]"),
    ("ce_prob_weight_shape", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _t(m, 3, 5), weight=_t(m, 4)), RuntimeError,
     r"weight tensor should be defined either for all 5 classes"),
    ("ce_weight_grad", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _idx(m, [0, 1, 2]), weight=m.ones(5, requires_grad=True)),
     RuntimeError, r"'nll_loss_forward' is not differentiable with respect to argument 'weight'"),
    ("ce_label_smoothing", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _idx(m, [0, 1, 2]), label_smoothing=1.5), RuntimeError,
     r"label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    ("ce_prob_ignore_index", lambda m: _F(m).cross_entropy(_t(m, 3, 5), _t(m, 3, 5), ignore_index=1), RuntimeError,
     r"ignore_index is not supported for floating point target"),
    ("nll_0d", lambda m: _F(m).nll_loss(m.tensor(1.0), _idx(m, 1)), ValueError, r"Expected 1 or more dimensions \(got 0\)"),
    ("nll_weight_dtype", lambda m: _F(m).nll_loss(_t(m, 3, 5), _idx(m, [0, 1, 2]), weight=_t(m, 5, dtype="float64")), RuntimeError,
     r"expected scalar type Float but found Double"),
    ("kl_reduction", lambda m: _F(m).kl_div(_t(m, 3), _t(m, 3), reduction="bad"), ValueError, r"bad is not a valid value for reduction"),
    ("kl_broadcast", lambda m: _F(m).kl_div(_t(m, 3, 2), _t(m, 3), reduction="sum"), RuntimeError,
     r"kl_div: the size of tensor a \(2\) must match the size of tensor b \(3\)"),
    ("loss_layer_shape", lambda m: m.nn.CrossEntropyLoss()(_t(m, 3, 5), _idx(m, [0, 1])), ValueError,
     r"Expected input batch_size \(3\) to match target batch_size \(2\)"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "exc", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_matches_torch(call: Any, exc: type, pattern: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(exc, match=pattern):
            call(chainrule)
        with pytest.raises(exc):
            call(torch)


def test_size_mismatch_warns_like_torch() -> None:
    for m in (chainrule, torch):
        with pytest.warns(UserWarning, match="Using a target size .* that is different to the input size"):
            _F(m).mse_loss(_t(m, 3, 1), _t(m, 3))


def test_implicit_softmax_dim_warns_like_torch() -> None:
    for m in (chainrule, torch):
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
            _F(m).softmax(_t(m, 2, 3))


def test_kl_div_mean_warns_like_torch() -> None:
    for m in (chainrule, torch):
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            _F(m).kl_div(_t(m, 2, 3), _t(m, 2, 3))


def test_unbatched_input_takes_a_one_element_target_like_torch() -> None:
    x = np.array([0.3, -1.2, 2.0, 0.1, 0.7], np.float32)
    for fn in ("cross_entropy", "nll_loss"):
        ours = getattr(_F(chainrule), fn)(chainrule.tensor(x, requires_grad=True), chainrule.tensor([2]), reduction="none")
        theirs = getattr(_F(torch), fn)(torch.tensor(x, requires_grad=True), torch.tensor([2]), reduction="none")
        assert list(ours.shape) == list(theirs.shape) == []
        np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)


def test_elementwise_mean_is_mean_with_torchs_warning() -> None:
    for m in (chainrule, torch):
        with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
            loss = m.nn.MSELoss(reduction="elementwise_mean")(m.tensor([1.0, 3.0]), m.tensor([0.0, 0.0]))
        assert loss.item() == 5.0
