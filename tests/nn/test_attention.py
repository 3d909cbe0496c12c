"""MultiheadAttention against PyTorch: forward, input and parameter gradients for every layout, mask
kind and option; float64 gradcheck; repr, state_dict keys and default initialization."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

E, H, L, S, N = 8, 2, 5, 6, 3


def _mha(*args: Any, **kwargs: Any) -> Any:
    """A maker: the layer with random (non-zero) biases, so their gradients are exercised too."""

    def make(lib: Any) -> Any:
        layer = lib.nn.MultiheadAttention(*args, **kwargs)
        with lib.no_grad():
            for p in layer.parameters():
                lib.nn.init.uniform_(p, -0.6, 0.6)
        return layer

    return make


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _mask(lib: Any, shape: tuple[int, ...], kind: str, seed: int = 3) -> Any:
    """A random mask that never blocks a whole row: bool (True = blocked) or float (−inf / random)."""
    rng = np.random.default_rng(seed)
    blocked = rng.random(shape) < 0.3
    blocked[..., 0] = False
    if kind == "bool":
        return lib.tensor(blocked)
    vals = np.where(blocked, -np.inf, rng.uniform(-1, 1, shape)).astype(np.float32)
    return lib.tensor(vals)


def _self(**kw: Any) -> Any:
    return lambda layer, xs: layer(xs[0], xs[0], xs[0], **kw)


def _cross(**kw: Any) -> Any:
    return lambda layer, xs: layer(xs[0], xs[1], xs[2], **kw)


def _kv_same(**kw: Any) -> Any:
    return lambda layer, xs: layer(xs[0], xs[1], xs[1], **kw)


def _with_masks(call: Any, lib_masks: Any, **kw: Any) -> Any:
    """``call`` with masks built in the layer's library (torch or chainrule) at call time."""

    def run(layer: Any, xs: Any) -> Any:
        lib = torch if isinstance(layer, torch.nn.Module) else chainrule
        return call(**kw, **lib_masks(lib))(layer, xs)

    return run


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_self_attention(batch_first: bool, need_weights: bool, average: bool) -> None:
    shape = (N, L, E) if batch_first else (L, N, E)
    check_layer(
        _mha(E, H, batch_first=batch_first), [_x(*shape)],
        call=_self(need_weights=need_weights, average_attn_weights=average),
    )


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("call", [_cross, _kv_same], ids=["cross", "kv_same"])
def test_cross_attention(batch_first: bool, call: Any) -> None:
    q, kv = ((N, L, E), (N, S, E)) if batch_first else ((L, N, E), (S, N, E))
    check_layer(_mha(E, H, batch_first=batch_first), [_x(*q), _x(*kv, seed=1), _x(*kv, seed=2)], call=call())


@pytest.mark.parametrize("need_weights", [True, False])
def test_kdim_vdim(need_weights: bool) -> None:
    check_layer(
        _mha(E, H, kdim=3, vdim=5, batch_first=True), [_x(N, L, E), _x(N, S, 3, seed=1), _x(N, S, 5, seed=2)],
        call=_cross(need_weights=need_weights),
    )


@pytest.mark.parametrize(
    "kw", [{"add_bias_kv": True}, {"add_zero_attn": True}, {"add_bias_kv": True, "add_zero_attn": True}, {"bias": False}]
)
@pytest.mark.parametrize("need_weights", [True, False])
def test_options(kw: dict[str, Any], need_weights: bool) -> None:
    masks = lambda lib: {"attn_mask": _mask(lib, (L, L), "bool"), "key_padding_mask": _mask(lib, (N, L), "bool", 4)}  # noqa: E731
    check_layer(_mha(E, H, **kw), [_x(L, N, E)], call=_with_masks(_self, masks, need_weights=need_weights))
    check_layer(_mha(E, H, **kw), [_x(L, N, E), _x(S, N, E, seed=1)], call=_kv_same(need_weights=need_weights))


MASKS = {
    "attn2d_bool": lambda lib: {"attn_mask": _mask(lib, (L, S), "bool")},
    "attn2d_float": lambda lib: {"attn_mask": _mask(lib, (L, S), "float")},
    "attn3d_bool": lambda lib: {"attn_mask": _mask(lib, (N * H, L, S), "bool")},
    "attn3d_float": lambda lib: {"attn_mask": _mask(lib, (N * H, L, S), "float")},
    "kpm_bool": lambda lib: {"key_padding_mask": _mask(lib, (N, S), "bool")},
    "kpm_float": lambda lib: {"key_padding_mask": _mask(lib, (N, S), "float")},
    "both_bool": lambda lib: {"attn_mask": _mask(lib, (L, S), "bool"), "key_padding_mask": _mask(lib, (N, S), "bool", 4)},
    "both_float": lambda lib: {"attn_mask": _mask(lib, (N * H, L, S), "float"), "key_padding_mask": _mask(lib, (N, S), "float", 4)},
}


@pytest.mark.parametrize("name", list(MASKS))
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_masks(name: str, need_weights: bool, batch_first: bool) -> None:
    q, kv = ((N, L, E), (N, S, E)) if batch_first else ((L, N, E), (S, N, E))
    check_layer(
        _mha(E, H, batch_first=batch_first), [_x(*q), _x(*kv, seed=1), _x(*kv, seed=2)],
        call=_with_masks(_cross, MASKS[name], need_weights=need_weights),
    )


def test_mismatched_mask_types_warn_like_torch() -> None:
    masks = lambda lib: {"attn_mask": _mask(lib, (L, S), "float"), "key_padding_mask": _mask(lib, (N, S), "bool")}  # noqa: E731
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        check_layer(_mha(E, H), [_x(L, N, E), _x(S, N, E, seed=1), _x(S, N, E, seed=2)], call=_with_masks(_cross, masks))


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("with_kpm", [False, True])
def test_is_causal(need_weights: bool, with_kpm: bool) -> None:
    def masks(lib: Any) -> dict[str, Any]:
        m = {"attn_mask": lib.nn.Transformer.generate_square_subsequent_mask(L), "is_causal": True}
        if with_kpm:
            m["key_padding_mask"] = _mask(lib, (N, L), "float")
        return m

    check_layer(_mha(E, H), [_x(L, N, E)], call=_with_masks(_self, masks, need_weights=need_weights))


def test_float_mask_gets_a_gradient() -> None:
    """A float attn_mask that requires grad receives ∂L/∂scores, as in PyTorch."""
    for need_weights in (True, False):
        check_layer(
            _mha(E, H), [_x(L, N, E), _x(L, L, seed=5)], call=lambda m, xs: m(xs[0], xs[0], xs[0], attn_mask=xs[1], need_weights=need_weights)  # noqa: B023
        )


@pytest.mark.parametrize("need_weights", [True, False])
def test_unbatched(need_weights: bool) -> None:
    masks = lambda lib: {"attn_mask": _mask(lib, (H, L, S), "bool"), "key_padding_mask": _mask(lib, (S,), "bool", 4)}  # noqa: E731
    for bf in (False, True):  # batch_first is ignored for unbatched input
        check_layer(_mha(E, H, batch_first=bf), [_x(L, E), _x(S, E, seed=1), _x(S, E, seed=2)],
                    call=_with_masks(_cross, masks, need_weights=need_weights))
        check_layer(_mha(E, H, batch_first=bf), [_x(L, E)], call=_self(need_weights=need_weights))


def test_eval_mode_with_dropout_is_deterministic() -> None:
    check_layer(_mha(E, H, dropout=0.5), [_x(L, N, E)], call=_self(), train=False)
    check_layer(_mha(E, H, dropout=0.5, batch_first=True), [_x(N, L, E)], call=_self(need_weights=False), train=False)


def test_fully_masked_rows_match_torch() -> None:
    """A query row whose keys are all masked: NaN with need_weights=True (plain softmax), 0 without."""
    kpm = np.zeros((N, L), bool)
    kpm[1] = True
    for need_weights in (True, False):
        torch.manual_seed(0)
        th = _mha(E, H)(torch)
        cr = nn.MultiheadAttention(E, H)
        cr.load_state_dict({k: v.numpy() for k, v in th.state_dict().items()})
        x = _x(L, N, E)
        tout = th(*(torch.tensor(x, dtype=torch.float32),) * 3, key_padding_mask=torch.tensor(kpm), need_weights=need_weights)
        cout = cr(*(chainrule.tensor(x, dtype=chainrule.float32),) * 3, key_padding_mask=chainrule.tensor(kpm), need_weights=need_weights)
        for t, c in zip(tout, cout):
            if t is None:
                assert c is None
                continue
            np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), atol=1e-5, rtol=1e-4)


def test_dropout_in_training_zeroes_weights() -> None:
    chainrule.manual_seed(0)
    layer = nn.MultiheadAttention(16, 4, dropout=0.5)
    x = chainrule.randn(7, 2, 16)
    _, w = layer(x, x, x, average_attn_weights=False)
    frac = float((w.detach().numpy() == 0).mean())
    assert 0.35 < frac < 0.65
    layer.eval()
    _, w = layer(x, x, x)
    np.testing.assert_allclose(w.detach().numpy().sum(-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "kw,call,shapes",
    [
        ({}, _self(), [(3, 2, 4)]),
        ({"batch_first": True}, _self(need_weights=False), [(2, 3, 4)]),
        ({"kdim": 3, "vdim": 2, "add_bias_kv": True, "add_zero_attn": True}, _cross(average_attn_weights=False), [(3, 2, 4), (2, 2, 3), (2, 2, 2)]),
        ({}, _cross(), [(3, 4), (2, 4), (2, 4)]),
    ],
)
def test_gradcheck(kw: dict[str, Any], call: Any, shapes: list[tuple[int, ...]]) -> None:
    gradcheck_layer(_mha(4, 2, **kw), [_x(*s, seed=i) for i, s in enumerate(shapes)], call=call)


def test_repr_and_state_dict_keys_match_torch() -> None:
    for kw in ({}, {"bias": False}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True, "batch_first": True}):
        t, c = torch.nn.MultiheadAttention(E, H, **kw), nn.MultiheadAttention(E, H, **kw)
        assert repr(c) == repr(t)
        assert list(c.state_dict()) == list(t.state_dict())
        assert {k: tuple(v.shape) for k, v in c.state_dict().items()} == {k: tuple(v.shape) for k, v in t.state_dict().items()}
    c = nn.MultiheadAttention(E, H, dropout=0.1, kdim=3)
    assert (c.embed_dim, c.num_heads, c.head_dim, c.kdim, c.vdim, c.dropout, c._qkv_same_embed_dim) == (E, H, E // H, 3, E, 0.1, False)
    assert isinstance(c.out_proj, nn.Linear) and type(c.out_proj).__name__ == "NonDynamicallyQuantizableLinear"


def test_default_init() -> None:
    """xavier_uniform_ on the in-projection, zero biases, xavier_normal_ on bias_k/bias_v."""
    chainrule.manual_seed(0)
    m = nn.MultiheadAttention(256, 4, add_bias_kv=True)
    w = m.in_proj_weight.detach().numpy()
    bound = np.sqrt(6.0 / (256 + 3 * 256))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.02)
    assert not m.in_proj_bias.detach().numpy().any() and not m.out_proj.bias.detach().numpy().any()
    np.testing.assert_allclose(m.bias_k.detach().numpy().std(), np.sqrt(2.0 / (256 + 256)), rtol=0.15)  # fans of (1, 1, E): E and E
    m2 = nn.MultiheadAttention(256, 4, kdim=128, dtype=chainrule.float64)
    assert m2.k_proj_weight.dtype == chainrule.float64
    np.testing.assert_allclose(m2.k_proj_weight.detach().numpy().std(), np.sqrt(2.0 / (128 + 256)), rtol=0.05)


def test_fused_sdpa_agrees_with_composite() -> None:
    """The fused primitive against softmax(q kᵀ·scale + mask) v built from matmul and softmax (float64)."""
    import chainrule.nn.functional as F

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), (3, 4, 6))]
    arrays[3][:, :, 1] = -np.inf  # a blocked key in every row

    def grads(fused: bool) -> list[np.ndarray]:
        q, k, v, m = (chainrule.tensor(a, requires_grad=i < 3) for i, a in enumerate(arrays))
        if fused:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7)
        else:
            out = chainrule.softmax(q @ k.transpose(-2, -1) * 0.7 + m, dim=-1) @ v
        (out * chainrule.tensor(rng.standard_normal(out.shape))).sum().backward()
        return [out.detach().numpy(), q.grad.numpy(), k.grad.numpy(), v.grad.numpy()]

    state = rng.bit_generator.state
    fused = grads(True)
    rng.bit_generator.state = state
    for a, b in zip(fused, grads(False)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_sdpa_dropout_statistics() -> None:
    """With uniform weights 1/S and v = I, the output is the dropped-out weights: 0 or 1/(S(1−p))."""
    import chainrule.nn.functional as F

    chainrule.manual_seed(0)
    S, p = 50, 0.3
    q, k = chainrule.zeros(4, 100, 3), chainrule.zeros(4, S, 3)
    out = F.scaled_dot_product_attention(q, k, chainrule.eye(S).expand(4, S, S), dropout_p=p).numpy()
    kept = out != 0
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(out[kept], 1 / (S * (1 - p)), rtol=1e-5)
    assert not F.scaled_dot_product_attention(q, k, chainrule.ones(4, S, 2), dropout_p=1.0).numpy().any()
