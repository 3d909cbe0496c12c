"""ONNX export of TransformerDecoder(Layer) and the full nn.Transformer, run in onnxruntime against chainrule:
cross-attention over the memory, causal target masks, key padding masks, pre- and post-norm, batch sizes."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import chainrule as cr
import chainrule.nn as nn

from .harness import check_export


class Seq2Seq(nn.Module):
    """Token encoder-decoder around nn.Transformer with a causal target mask."""

    def __init__(self, vocab: int = 17, d: int = 16, batch_first: bool = True, norm_first: bool = False) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.transformer = nn.Transformer(
                d, 4, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=32, dropout=0.1,
                batch_first=batch_first, norm_first=norm_first,
            )
        self.head = nn.Linear(d, vocab)
        self.batch_first = batch_first

    def forward(self, src: cr.Tensor, tgt: cr.Tensor) -> cr.Tensor:
        t = tgt.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        s, u = self.embed(src), self.embed(tgt)
        if not self.batch_first:
            s, u = s.transpose(0, 1), u.transpose(0, 1)
        return self.head(self.transformer(s, u, tgt_mask=mask, tgt_is_causal=True))


def _tokens(b: int) -> tuple[Any, Any]:
    return cr.randint(0, 17, (b, 7)), cr.randint(0, 17, (b, 5))


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_seq2seq(batch_first: bool, norm_first: bool) -> None:
    check_export(Seq2Seq(batch_first=batch_first, norm_first=norm_first), _tokens, batches=(2, 3))


class Decoder(nn.Module):
    """A decoder stack fed (tgt, memory) directly, with a memory key padding mask built from the memory."""

    def __init__(self) -> None:
        super().__init__()
        layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, activation="gelu", batch_first=True)
        self.decoder = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8))

    def forward(self, tgt: cr.Tensor, memory: cr.Tensor) -> cr.Tensor:
        pad = memory[:, :, 0] > 1.5  # (N, S) bool: True = ignore this memory position
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
        return self.decoder(tgt, memory, tgt_mask=mask, memory_key_padding_mask=pad)


def test_transformer_decoder_with_padding_masks() -> None:
    check_export(Decoder(), lambda b: (cr.randn(b, 4, 8), cr.randn(b, 6, 8)), batches=(2, 5))


class PaddedEncoder(nn.Module):
    """An encoder whose bool padding mask is computed from the input (so it must not be baked in)."""

    def __init__(self) -> None:
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return self.encoder(x, src_key_padding_mask=x[:, :, 0] > 1.0)


def test_encoder_with_a_padding_mask_computed_from_the_input() -> None:
    cr.manual_seed(3)
    check_export(PaddedEncoder(), lambda b: cr.randn(b, 5, 8) * 1.5, batches=(2, 4))
