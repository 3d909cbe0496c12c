"""``nn.Transformer``: the whole encoder-decoder of "Attention Is All You Need", PyTorch's arguments and keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from .normalization import LayerNorm
from .transformer import TransformerEncoder, TransformerEncoderLayer, _generate_square_subsequent_mask
from .transformer_decoder import TransformerDecoder, TransformerDecoderLayer

__all__ = ["Transformer"]


class Transformer(Module):
    """Encoder-decoder: memory = encoder(src);  out = decoder(tgt, memory).

    ``encoder`` is a ``TransformerEncoder`` of ``num_encoder_layers`` layers with a final LayerNorm,
    ``decoder`` a ``TransformerDecoder`` of ``num_decoder_layers`` layers with a final LayerNorm (or
    ``custom_encoder``/``custom_decoder``). Every parameter with more than one dimension is
    re-initialized with ``xavier_uniform_``, as PyTorch does.

    Example:
        >>> import chainrule as cr
        >>> model = cr.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
        ...                           dim_feedforward=16, batch_first=True)
        >>> model(cr.randn(2, 5, 8), cr.randn(2, 3, 8)).shape
        chainrule.Size([2, 3, 8])
    """

    def __init__(
        self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
        dim_feedforward: int = 2048, dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = F.relu,
        custom_encoder: Any | None = None, custom_decoder: Any | None = None, layer_norm_eps: float = 1e-5,
        batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None,
    ) -> None:
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*args, **kw), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw),
            )
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*args, **kw), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw),
            )
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(
        self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None, tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None, tgt_is_causal: bool | None = None, memory_is_causal: bool = False,
    ) -> Tensor:
        """src (S, N, E), tgt (T, N, E) — (N, S, E)/(N, T, E) with batch_first, (S, E)/(T, E) unbatched —
        to the decoder's output, shaped like tgt. Masks: src (S, S), tgt (T, T), memory (T, S) (or with a
        leading N·nhead); key padding masks (N, S)/(N, T). Bool masks block where True, float masks add."""
        for name, x in (("src", src), ("tgt", tgt)):
            if not isinstance(x, Tensor):
                raise TypeError(f"Transformer: expected {name} to be a Tensor, got {type(x).__name__}")
        is_batched = src.ndim == 3
        b = 0 if self.batch_first else 1
        if is_batched and (tgt.ndim != 3 or src.shape[b] != tgt.shape[b]):
            raise RuntimeError(
                f"the batch number of src and tgt must be equal; got src {list(src.shape)} and tgt "
                f"{list(tgt.shape)} with batch_first={self.batch_first}"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(
                f"the feature number of src and tgt must be equal to d_model ({self.d_model}); got src "
                f"{list(src.shape)} and tgt {list(tgt.shape)}"
            )
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(
            tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """(sz, sz) float mask: 0 on and below the diagonal, −inf above (position i attends to j ≤ i)."""
        return _generate_square_subsequent_mask(sz, device, dtype)

    def _reset_parameters(self) -> None:
        """xavier_uniform_ on every parameter with more than one dimension."""
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
