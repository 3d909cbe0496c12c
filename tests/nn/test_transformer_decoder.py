"""TransformerDecoderLayer, TransformerDecoder and the full nn.Transformer against PyTorch: forward, input and
parameter gradients with weights copied through state_dict, every mask kind, pre/post-norm, batch_first,
unbatched input; float64 gradcheck; state_dict keys, init statistics, repr; a subclass using only its encoder."""

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

D, H, FF, S, T, N = 8, 2, 16, 5, 4, 3


def _quiet(fn: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # enable_nested_tensor's notice, in both libraries
        return fn()


TGT_KPM = np.zeros((N, T), bool)
TGT_KPM[0, -1] = True
MEM_KPM = np.zeros((N, S), bool)
MEM_KPM[1, -2:] = True
CAUSAL = np.triu(np.full((T, T), -np.inf, np.float32), 1)
MEM_MASK = np.zeros((T, S), np.float32)
MEM_MASK[0, 3:] = -np.inf
MEM_MASK[2, 0] = -0.7


def _dlayer(**kw: Any) -> Any:
    kw = {"dropout": 0.0, **kw}
    return lambda lib: _randomized(lib.nn.TransformerDecoderLayer(D, H, FF, **kw), lib)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer(norm_first: bool, activation: str, batch_first: bool) -> None:
    tshape, mshape = ((N, T, D), (N, S, D)) if batch_first else ((T, N, D), (S, N, D))
    check_layer(_dlayer(norm_first=norm_first, activation=activation, batch_first=batch_first), [_x(*tshape), _x(*mshape, seed=1)])


@pytest.mark.parametrize(
    "masks",
    [
        {"tgt_mask": CAUSAL},
        {"tgt_mask": CAUSAL, "tgt_is_causal": True},
        {"tgt_mask": CAUSAL < 0, "tgt_key_padding_mask": TGT_KPM},
        {"memory_mask": MEM_MASK, "memory_key_padding_mask": MEM_KPM},
        {"tgt_mask": CAUSAL, "memory_mask": MEM_MASK, "tgt_key_padding_mask": np.where(TGT_KPM, -np.inf, 0.0).astype(np.float32),
         "memory_key_padding_mask": np.where(MEM_KPM, -np.inf, 0.0).astype(np.float32)},
        {"memory_mask": np.triu(np.full((T, S), -np.inf, np.float32), 1), "memory_is_causal": True},
    ],
    ids=["causal_float", "causal_hint", "bool_masks", "memory_masks", "all_float", "memory_causal"],
)
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_masks(masks: dict[str, Any], norm_first: bool) -> None:
    check_layer(_dlayer(norm_first=norm_first), [_x(T, N, D), _x(S, N, D, seed=1)], call=_masked(**masks))


def test_decoder_layer_options_and_eval() -> None:
    check_layer(_dlayer(bias=False, layer_norm_eps=1e-3), [_x(T, N, D), _x(S, N, D, seed=1)])
    check_layer(_dlayer(activation="gelu"), [_x(T, D), _x(S, D, seed=1)])  # unbatched
    check_layer(lambda lib: _randomized(lib.nn.TransformerDecoderLayer(D, H, FF, 0.0, lib.tanh), lib), [_x(T, N, D), _x(S, N, D, seed=1)])
    check_layer(_dlayer(dropout=0.3, batch_first=True), [_x(N, T, D), _x(N, S, D, seed=1)], train=False)


def _decoder(num_layers: int = 2, norm: bool = True, **kw: Any) -> Any:
    kw = {"dropout": 0.0, **kw}

    def make(lib: Any) -> Any:
        layer = lib.nn.TransformerDecoderLayer(D, H, FF, **kw)
        return _randomized(lib.nn.TransformerDecoder(layer, num_layers, norm=lib.nn.LayerNorm(D) if norm else None), lib)

    return make


@pytest.mark.parametrize("norm", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder(norm: bool, norm_first: bool) -> None:
    xs = [_x(T, N, D), _x(S, N, D, seed=1)]
    check_layer(_decoder(norm=norm, norm_first=norm_first), xs)
    check_layer(_decoder(norm=norm, norm_first=norm_first), xs, call=_masked(tgt_mask=CAUSAL))  # detected as causal
    check_layer(_decoder(3, norm=norm, norm_first=norm_first), xs,
                call=_masked(tgt_mask=CAUSAL < 0, memory_mask=MEM_MASK, tgt_key_padding_mask=TGT_KPM, memory_key_padding_mask=MEM_KPM))


def _model(**kw: Any) -> Any:
    kw = {"d_model": D, "nhead": H, "num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": FF,
          "dropout": 0.0, **kw}
    return lambda lib: _randomized(_quiet(lambda: lib.nn.Transformer(**kw)), lib)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_full_with_masks(norm_first: bool, batch_first: bool) -> None:
    def tr(a: np.ndarray) -> np.ndarray:
        return a.transpose(1, 0, 2) if batch_first else a
    src, tgt = tr(_x(S, N, D)), tr(_x(T, N, D, seed=1))
    src_mask = np.zeros((S, S), np.float32)
    src_mask[1, 4] = -np.inf
    src_kpm = np.zeros((N, S), bool)
    src_kpm[2, -1] = True
    masks = {"src_mask": src_mask, "tgt_mask": CAUSAL, "memory_mask": MEM_MASK, "src_key_padding_mask": src_kpm,
             "tgt_key_padding_mask": TGT_KPM, "memory_key_padding_mask": MEM_KPM}
    make = _model(norm_first=norm_first, batch_first=batch_first)
    check_layer(make, [src, tgt])
    check_layer(make, [src, tgt], call=_masked(**masks))
    check_layer(make, [src, tgt], call=_masked(tgt_mask=CAUSAL, tgt_is_causal=True, src_is_causal=False))
    per_head = np.random.default_rng(4).uniform(-1, 0, (N * H, T, T)).astype(np.float32) + CAUSAL  # (N·nhead, T, T)
    check_layer(make, [src, tgt], call=_masked(tgt_mask=per_head))


def test_transformer_options() -> None:
    check_layer(_model(activation="gelu", bias=False, layer_norm_eps=1e-4, num_encoder_layers=1, num_decoder_layers=3),
                [_x(S, N, D), _x(T, N, D, seed=1)])
    check_layer(_model(), [_x(S, D), _x(T, D, seed=1)])  # unbatched
    check_layer(_model(dropout=0.25), [_x(S, N, D), _x(T, N, D, seed=1)], train=False)
    check_layer(_model(activation=lambda x: x.tanh() if hasattr(x, "tanh") else x), [_x(S, N, D), _x(T, N, D, seed=1)])


def test_transformer_custom_encoder_decoder() -> None:
    def make(lib: Any) -> Any:
        enc = _quiet(lambda: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF, 0.0), 1))
        dec = lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(D, H, FF, 0.0), 1)
        return _randomized(lib.nn.Transformer(D, H, custom_encoder=enc, custom_decoder=dec), lib)

    th, cr = check_layer(make, [_x(S, N, D), _x(T, N, D, seed=1)])
    assert list(cr.state_dict()) == list(th.state_dict())
    assert cr.encoder.norm is None and cr.decoder.norm is None


def test_gradcheck() -> None:
    gradcheck_layer(lambda lib: _randomized(lib.nn.TransformerDecoderLayer(4, 2, 6, 0.0, "gelu"), lib), [_x(3, 2, 4), _x(2, 2, 4, seed=1)])
    gradcheck_layer(lambda lib: _randomized(lib.nn.TransformerDecoderLayer(4, 2, 6, 0.0, norm_first=True, batch_first=True), lib),
                    [_x(2, 3, 4), _x(2, 2, 4, seed=1)])
    gradcheck_layer(lambda lib: _randomized(_quiet(lambda: lib.nn.Transformer(4, 2, 1, 1, 6, 0.0)), lib), [_x(3, 2, 4), _x(2, 2, 4, seed=1)],
                    call=lambda m, xs: m(xs[0], xs[1], tgt_mask=m.generate_square_subsequent_mask(2, dtype=chainrule.float64)))


def test_state_dict_keys_and_init() -> None:
    th = _quiet(lambda: torch.nn.Transformer(16, 4, 2, 3, 32))
    cr = _quiet(lambda: nn.Transformer(16, 4, 2, 3, 32))
    assert list(cr.state_dict()) == list(th.state_dict())
    for (name, p), (_, tp) in zip(cr.named_parameters(), th.named_parameters()):
        assert tuple(p.shape) == tuple(tp.shape), name
    # xavier_uniform_ on every >1-d parameter: U(-a, a), a = sqrt(6 / (fan_in + fan_out)); biases zero.
    big = nn.Transformer(64, 4, 1, 1, 256, batch_first=True)
    w = big.decoder.layers[0].linear1.weight.detach().numpy()
    a = np.sqrt(6 / (64 + 256))
    assert np.abs(w).max() <= a and np.abs(w).max() > 0.95 * a and abs(w.std() - a / np.sqrt(3)) < 0.05 * a
    o = big.encoder.layers[0].self_attn.out_proj.weight.detach().numpy()
    assert np.abs(o).max() <= np.sqrt(6 / 128) and np.abs(o).max() > 0.9 * np.sqrt(6 / 128)  # re-initialized
    assert not np.any(big.decoder.layers[0].multihead_attn.in_proj_bias.detach().numpy())
    np.testing.assert_array_equal(big.decoder.norm.weight.detach().numpy(), 1.0)
    assert (big.d_model, big.nhead, big.batch_first) == (64, 4, True)


def test_repr_matches_torch() -> None:
    for kw in ({}, {"activation": "gelu", "norm_first": True, "bias": False}):
        assert repr(nn.TransformerDecoderLayer(D, H, FF, **kw)) == repr(torch.nn.TransformerDecoderLayer(D, H, FF, **kw))
    assert repr(_quiet(lambda: nn.Transformer(D, H, 1, 1, FF))) == repr(_quiet(lambda: torch.nn.Transformer(D, H, 1, 1, FF)))


def test_errors() -> None:
    model = nn.Transformer(D, H, 1, 1, FF, batch_first=True)
    with pytest.raises(RuntimeError, match="batch number of src and tgt"):
        model(chainrule.randn(2, S, D), chainrule.randn(3, T, D))
    with pytest.raises(RuntimeError, match="feature number of src and tgt"):
        model(chainrule.randn(2, S, D), chainrule.randn(2, T, D + 1))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
        nn.TransformerDecoderLayer(D, H, activation="swish")
    with pytest.raises(TypeError, match="TransformerDecoderLayer: expected memory to be a Tensor"):
        nn.TransformerDecoderLayer(D, H)(chainrule.randn(T, N, D), np.zeros((S, N, D)))


class _EncoderOnlyLM(nn.Transformer):
    """The word-language-model pattern: subclass nn.Transformer, replace ``decoder`` by a Linear head,
    and use only ``self.encoder`` with a causal mask built from log(tril(ones))."""

    def __init__(self, ntoken: int, ninp: int, nhead: int, nhid: int, nlayers: int) -> None:
        super().__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers, dropout=0.0)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, src: Any) -> Any:  # type: ignore[override]
        sz = src.shape[0]
        mask = chainrule.log(chainrule.tril(chainrule.ones(sz, sz)))
        out = self.encoder(self.input_emb(src), mask=mask)
        return chainrule.nn.functional.log_softmax(self.decoder(out), dim=-1)


def test_subclass_using_only_the_encoder() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = _EncoderOnlyLM(ntoken=11, ninp=D, nhead=H, nhid=FF, nlayers=2)
        tokens = chainrule.tensor(np.random.default_rng(0).integers(0, 11, (6, 2)))
        out = model(tokens)
    assert tuple(out.shape) == (6, 2, 11)
    assert isinstance(model.decoder, nn.Linear) and "decoder.weight" in model.state_dict()
    loss = -out[:, :, 0].mean()
    loss.backward()
    assert model.encoder.layers[0].linear1.weight.grad is not None
    # The causal mask really masks: the first position's output ignores later tokens.
    changed = tokens.clone()
    changed[3:] = (changed[3:] + 1) % 11
    np.testing.assert_allclose(model(changed)[0].detach().numpy(), out[0].detach().numpy(), atol=1e-6)
