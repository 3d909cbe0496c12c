"""Bad input to attention and transformer layers: the exception class PyTorch raises, and a message that
names the layer (or op) and the shapes involved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _same_error(fn: Callable[[Any], Any], exc: type[BaseException], match: str) -> None:
    """``fn(lib)`` raises ``exc`` in torch and in chainrule; chainrule's message matches ``match``."""
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc, match=match):
        fn(chainrule)


def _t(lib: Any, *shape: int, dtype: Any = None) -> Any:
    return lib.tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32), dtype=dtype)


def _mha(lib: Any, *args: Any, **kw: Any) -> Any:
    return lib.nn.MultiheadAttention(8, 2, *args, **kw)


# --- MultiheadAttention: constructor ---------------------------------------------------------------
def test_embed_dim_not_divisible() -> None:
    _same_error(lambda lib: lib.nn.MultiheadAttention(7, 2), AssertionError, "embed_dim must be divisible by num_heads.*7.*2")


def test_non_positive_sizes() -> None:
    _same_error(lambda lib: lib.nn.MultiheadAttention(0, 2), ValueError, "greater than 0.*embed_dim=0")
    _same_error(lambda lib: lib.nn.MultiheadAttention(8, -1), ValueError, "num_heads=-1")


# --- MultiheadAttention: forward -------------------------------------------------------------------
def test_query_rank() -> None:
    _same_error(lambda lib: (x := _t(lib, 1, 5, 3, 8), _mha(lib)(x, x, x)), AssertionError,
                r"MultiheadAttention\(embed_dim=8, num_heads=2.*4-D query.*\[1, 5, 3, 8\]")


def test_key_value_rank() -> None:
    _same_error(lambda lib: _mha(lib)(_t(lib, 5, 3, 8), _t(lib, 5, 8), _t(lib, 5, 8)), AssertionError,
                r"expected `key` and `value` to be 3-D but found 2-D and 2-D")


def test_wrong_embedding_size() -> None:
    _same_error(lambda lib: (x := _t(lib, 5, 3, 6), _mha(lib)(x, x, x)), AssertionError,
                r"expecting embedding dimension of 8, but got 6.*\[5, 3, 6\]")


def test_key_value_shapes_differ() -> None:
    _same_error(lambda lib: _mha(lib)(_t(lib, 5, 3, 8), _t(lib, 4, 3, 8), _t(lib, 6, 3, 8)), AssertionError,
                r"key shape \(4, 3, 8\) does not match value shape \(6, 3, 8\)")


def test_kdim_mismatch() -> None:
    _same_error(lambda lib: _mha(lib, kdim=3, vdim=5)(_t(lib, 5, 3, 8), _t(lib, 4, 3, 8), _t(lib, 4, 3, 5)),
                AssertionError, r"MultiheadAttention\(embed_dim=8, num_heads=2, kdim=3, vdim=5.*key weights shape of \(8, 8\), but got \(8, 3\)")


@pytest.mark.parametrize(
    "shape,exc,match",
    [
        ((5, 4), RuntimeError, r"2D attn_mask is \[5, 4\], but should be \[5, 5\]"),
        ((5, 5, 5), RuntimeError, r"3D attn_mask is \[5, 5, 5\], but should be \[6, 5, 5\]"),
        ((1, 1, 5, 5), AssertionError, r"attn_mask.*2-D or 3-D but found 4-D"),
    ],
)
def test_attn_mask_shape(shape: tuple[int, ...], exc: type[BaseException], match: str) -> None:
    _same_error(lambda lib: (x := _t(lib, 5, 3, 8), _mha(lib)(x, x, x, attn_mask=lib.zeros(shape, dtype=lib.bool))), exc, match)


def test_key_padding_mask_shape() -> None:
    _same_error(lambda lib: (x := _t(lib, 5, 3, 8), _mha(lib)(x, x, x, key_padding_mask=lib.zeros(3, 4, dtype=lib.bool))),
                AssertionError, r"key_padding_mask of shape \[3, 5\] \(N, S\), but got \[3, 4\]")
    _same_error(lambda lib: (x := _t(lib, 5, 3, 8), _mha(lib)(x, x, x, key_padding_mask=lib.zeros(5, dtype=lib.bool))),
                AssertionError, r"key_padding_mask` to be `None` or 2-D but found 1-D")


def test_unbatched_3d_attn_mask_shape() -> None:
    _same_error(lambda lib: (x := _t(lib, 5, 8), _mha(lib)(x, x, x, attn_mask=lib.zeros(3, 5, 5, dtype=lib.bool))),
                AssertionError, r"Expected `attn_mask` shape to be \(2, 5, 5\) but got \(3, 5, 5\)")


def test_integer_mask() -> None:
    _same_error(lambda lib: (x := _t(lib, 5, 3, 8), _mha(lib)(x, x, x, attn_mask=lib.zeros(5, 5, dtype=lib.int64))),
                AssertionError, "only bool and floating types of attn_mask are supported")


def test_is_causal_needs_a_mask() -> None:
    _same_error(lambda lib: (x := _t(lib, 5, 3, 8), _mha(lib)(x, x, x, is_causal=True)), RuntimeError,
                "Need attn_mask if specifying the is_causal hint.*generate_square_subsequent_mask")


# --- transformer layers ------------------------------------------------------------------------
def test_bad_activation() -> None:
    _same_error(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation="tanh"), RuntimeError, "activation should be relu/gelu, not tanh")


def test_encoder_layer_wrong_feature_size() -> None:
    _same_error(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16)(_t(lib, 5, 3, 6)), AssertionError,
                "expecting embedding dimension of 8, but got 6")
    _same_error(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, norm_first=True)(_t(lib, 5, 3, 6)), RuntimeError, r"\[5, 3, 6\]")


def test_encoder_layer_not_divisible() -> None:
    _same_error(lambda lib: lib.nn.TransformerEncoderLayer(6, 4), AssertionError, "divisible")


# --- scaled_dot_product_attention -------------------------------------------------------------------
def _sdpa(lib: Any, q: Any, k: Any, v: Any, **kw: Any) -> Any:
    return lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


@pytest.mark.parametrize(
    "shapes,kw,match",
    [
        (((4,), (4,), (4,)), {}, r"at least 2-D.*\[4\], \[4\] and \[4\]"),
        (((2, 3, 4), (2, 5, 3), (2, 5, 6)), {}, r"key \(\.\.\., S, 4\).*key \[2, 5, 3\]"),
        (((2, 3, 4), (2, 5, 4), (2, 4, 6)), {}, r"value \[2, 4, 6\]"),
        (((2, 3, 4), (3, 5, 4), (3, 5, 6)), {}, r"must match.*\[2\] and \[3\]"),
        (((2, 4, 3, 4), (2, 3, 5, 4), (2, 3, 5, 6)), {"enable_gqa": True}, r"key \(3\).*divide.*query \(4\)"),
        (((2, 3, 4), (2, 5, 4), (2, 5, 6)), {"dropout_p": 1.5}, "between 0 and 1, but got 1.5"),
    ],
)
def test_sdpa_bad_shapes(shapes: Any, kw: dict[str, Any], match: str) -> None:
    _same_error(lambda lib: _sdpa(lib, *(_t(lib, *s) for s in shapes), **kw), RuntimeError, match)


def test_sdpa_masks() -> None:
    q, k, v = (2, 3, 4), (2, 5, 4), (2, 5, 6)
    args = lambda lib: [_t(lib, *s) for s in (q, k, v)]  # noqa: E731
    _same_error(lambda lib: _sdpa(lib, *args(lib), attn_mask=lib.ones(4, 5, dtype=lib.bool)), RuntimeError,
                r"attn_mask of shape \[4, 5\] does not broadcast.*\[2, 3, 5\]")
    _same_error(lambda lib: _sdpa(lib, *args(lib), attn_mask=lib.ones(3, 5, dtype=lib.int64)), RuntimeError, "bool or of query's dtype")
    _same_error(lambda lib: _sdpa(lib, *args(lib), attn_mask=lib.zeros(3, 5, dtype=lib.float64)), RuntimeError, "bool or of query's dtype")
    _same_error(lambda lib: _sdpa(lib, *args(lib), attn_mask=lib.ones(3, 5, dtype=lib.bool), is_causal=True), RuntimeError,
                "attn_mask should not be set when is_causal=True")


def test_sdpa_dtypes_and_types() -> None:
    _same_error(lambda lib: _sdpa(lib, _t(lib, 3, 4), _t(lib, 5, 4, dtype=lib.float64), _t(lib, 5, 4)), RuntimeError,
                "same floating point dtype.*float32, .*float64")
    with pytest.raises(TypeError, match="argument 'key' must be Tensor"):
        F.scaled_dot_product_attention(chainrule.ones(3, 4), np.ones((5, 4)), chainrule.ones(5, 4))
    with pytest.raises(TypeError):
        F.scaled_dot_product_attention(*(chainrule.ones(3, 4),) * 3, None, 0.0, False, 0.5)  # scale is keyword-only
