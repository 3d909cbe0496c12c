"""TransformerEncoderLayer and TransformerEncoder against PyTorch: forward, input and parameter gradients
(train mode with dropout=0, eval mode with dropout), masks, pre/post-norm, relu/gelu/callable activation;
float64 gradcheck; repr and state_dict keys; the causal mask helper."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn

from .layer_harness import check_layer, gradcheck_layer
from .transformer_harness import masked as _masked
from .transformer_harness import randomized as _randomized
from .transformer_harness import x as _x

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

D, H, FF, L, N = 8, 2, 16, 5, 3


def _layer(**kw: Any) -> Any:
    kw = {"dropout": 0.0, **kw}
    return lambda lib: _randomized(lib.nn.TransformerEncoderLayer(D, H, FF, **kw), lib)


def _encoder(num_layers: int = 2, norm: bool = False, **kw: Any) -> Any:
    kw = {"dropout": 0.0, **kw}

    def make(lib: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # enable_nested_tensor's notice, in both libraries
            layer = lib.nn.TransformerEncoderLayer(D, H, FF, **kw)
            enc = lib.nn.TransformerEncoder(layer, num_layers, norm=lib.nn.LayerNorm(D) if norm else None)
        return _randomized(enc, lib)

    return make


KPM = np.zeros((N, L), bool)
KPM[0, -2:] = True
KPM[2, -1] = True
KPM_FLOAT = np.where(KPM, -np.inf, 0.0).astype(np.float32)
CAUSAL = np.triu(np.full((L, L), -np.inf, np.float32), 1)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_train(norm_first: bool, activation: str, batch_first: bool) -> None:
    shape = (N, L, D) if batch_first else (L, N, D)
    check_layer(_layer(norm_first=norm_first, activation=activation, batch_first=batch_first), [_x(*shape)])


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_eval_with_dropout(norm_first: bool) -> None:
    check_layer(_layer(dropout=0.3, norm_first=norm_first, batch_first=True), [_x(N, L, D)], train=False)


@pytest.mark.parametrize(
    "masks",
    [
        {"src_key_padding_mask": KPM},
        {"src_mask": CAUSAL},
        {"src_mask": CAUSAL, "is_causal": True},
        {"src_mask": CAUSAL < 0},
        {"src_mask": CAUSAL, "src_key_padding_mask": KPM_FLOAT},
    ],
    ids=["kpm", "float_mask", "causal", "bool_mask", "both"],
)
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_masks(masks: dict[str, Any], norm_first: bool) -> None:
    check_layer(_layer(norm_first=norm_first), [_x(L, N, D)], call=_masked(**masks))


def test_encoder_layer_options() -> None:
    check_layer(_layer(bias=False, layer_norm_eps=1e-3), [_x(L, N, D)])
    check_layer(_layer(activation="gelu"), [_x(L, D)])  # unbatched
    check_layer(lambda lib: _randomized(lib.nn.TransformerEncoderLayer(D, H, FF, 0.0, lib.nn.GELU()), lib), [_x(L, N, D)])
    check_layer(lambda lib: _randomized(lib.nn.TransformerEncoderLayer(D, H, FF, 0.0, lib.tanh), lib), [_x(L, N, D)])


@pytest.mark.parametrize("norm", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder(norm: bool, norm_first: bool) -> None:
    check_layer(_encoder(norm=norm, norm_first=norm_first, batch_first=True), [_x(N, L, D)])
    check_layer(_encoder(norm=norm, norm_first=norm_first), [_x(L, N, D)], call=_masked(mask=CAUSAL))  # detected as causal
    check_layer(_encoder(3, norm=norm, norm_first=norm_first), [_x(L, N, D)], call=_masked(mask=CAUSAL, src_key_padding_mask=KPM_FLOAT))


def test_encoder_eval_with_padding_mask_and_dropout() -> None:
    check_layer(_encoder(dropout=0.2, batch_first=True), [_x(N, L, D)], call=_masked(src_key_padding_mask=KPM), train=False)


def test_encoder_train_mode_dropout_is_random_but_scaled() -> None:
    chainrule.manual_seed(0)
    layer = nn.TransformerEncoderLayer(D, H, FF, dropout=0.5)
    x = chainrule.randn(L, N, D)
    a, b = layer(x), layer(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    layer.eval()
    np.testing.assert_allclose(layer(x).detach().numpy(), layer(x).detach().numpy())


@pytest.mark.parametrize("norm_first", [False, True])
def test_gradcheck(norm_first: bool) -> None:
    gradcheck_layer(lambda lib: _randomized(lib.nn.TransformerEncoderLayer(4, 2, 6, 0.0, "gelu", norm_first=norm_first), lib), [_x(3, 2, 4)])
    gradcheck_layer(lambda lib: _randomized(lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, 6, 0.0, batch_first=True, norm_first=norm_first), 2, enable_nested_tensor=False), lib), [_x(2, 3, 4)])


def test_deep_copies_and_state_dict_keys() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(D, H, FF), 2, norm=torch.nn.LayerNorm(D))
    layer = nn.TransformerEncoderLayer(D, H, FF)
    with pytest.warns(UserWarning, match="enable_nested_tensor is True, but self.use_nested_tensor is False because"):
        c = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(D))
    assert list(c.state_dict()) == list(t.state_dict())
    assert c.layers[0] is not layer and c.layers[0] is not c.layers[1]
    assert c.layers[0].self_attn.in_proj_weight is not c.layers[1].self_attn.in_proj_weight
    np.testing.assert_array_equal(c.layers[1].linear1.weight.detach().numpy(), layer.linear1.weight.detach().numpy())
    assert (c.num_layers, c.enable_nested_tensor, c.use_nested_tensor, c.mask_check) == (2, True, False, True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.TransformerEncoder(nn.TransformerEncoderLayer(D, H, batch_first=True), 1)  # fast-path eligible: no warning
        nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)


def test_repr_matches_torch() -> None:
    for kw in ({}, {"activation": "gelu", "norm_first": True, "bias": False}, {"dropout": 0.2, "layer_norm_eps": 1e-6}):
        assert repr(nn.TransformerEncoderLayer(D, H, FF, **kw)) == repr(torch.nn.TransformerEncoderLayer(D, H, FF, **kw))
    assert repr(nn.TransformerEncoderLayer(D, H, FF, activation=nn.GELU())) == repr(torch.nn.TransformerEncoderLayer(D, H, FF, activation=torch.nn.GELU()))
    c = nn.TransformerEncoderLayer(D, H, FF, activation="gelu")
    assert c.activation_relu_or_gelu == 2 and c.norm_first is False and c.self_attn.batch_first is False


def test_encoder_repr_matches_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert repr(nn.TransformerEncoder(nn.TransformerEncoderLayer(D, H, FF), 2)) == repr(
            torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(D, H, FF), 2)
        )


def test_square_subsequent_mask() -> None:
    for sz in (1, 4):
        np.testing.assert_array_equal(
            nn.Transformer.generate_square_subsequent_mask(sz).numpy(), torch.nn.Transformer.generate_square_subsequent_mask(sz).numpy()
        )
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=chainrule.float64).dtype == chainrule.float64
