"""``chainrule.onnx``: export a model to ONNX, in the spirit of ``torch.onnx.export``.

    >>> import chainrule as cr
    >>> model = cr.nn.Sequential(cr.nn.Linear(4, 8), cr.nn.ReLU(), cr.nn.Linear(8, 2))
    >>> cr.onnx.export(model, cr.randn(3, 4), "model.onnx")  # doctest: +SKIP

Export traces one forward pass (in eval mode) and writes a checked ONNX model built with the
``onnx`` package (install the ``onnx`` extra). What is exported: ``nn`` layers and their functionals —
Linear, Bilinear, the activations, Conv1d/2d, ConvTranspose1d/2d, max/avg/adaptive pooling, BatchNorm
(running statistics), LayerNorm, RMSNorm, GroupNorm, InstanceNorm, Dropout (identity), Embedding,
MultiheadAttention, TransformerEncoder(Layer), TransformerDecoder(Layer), Transformer (masks constant or
computed from the inputs), RNN/LSTM/GRU and their cells (ONNX's RNN/LSTM/GRU ops), Flatten, softmax/log_softmax, scaled_dot_product_attention,
pad (all modes; circular from opset 19), Conv3d/ConvTranspose3d, 3-d pooling, Upsample/interpolate
(Resize), PixelShuffle (DepthToSpace)/PixelUnshuffle/ChannelShuffle, Unfold/Fold, LocalResponseNorm,
LPPool (even p), grid_sample/affine_grid (2-d), EmbeddingBag (fixed-length bags) — and Tensor code: arithmetic (+ − * / @ **), math functions, comparisons, where/clamp, reductions,
reshape/view/flatten/permute/transpose/(un)squeeze/expand/flip, cat/stack/split/chunk, index_select/
gather/narrow, sort/topk, cumsum, einsum, one_hot, *_like, casts, in-place updates and basic slicing.
Anything else that touches a traced tensor raises :class:`UnsupportedOperatorError` naming the op.

How: for the duration of one export only, ``_trace.tracing`` patches the public entry points
(``chainrule.*``, ``chainrule.nn.functional.*``, a few Tensor methods); each call that reads a traced
tensor runs for real and its handler (``_ops_*.py``) appends ONNX nodes. Normal execution is untouched.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import IO, Any

from ._errors import INSTALL_HINT, TracerWarning, UnsupportedOperatorError

__all__ = ["DEFAULT_OPSET", "INSTALL_HINT", "TracerWarning", "UnsupportedOperatorError", "export"]

DEFAULT_OPSET = 17


def export(
    model: Any,
    args: Any,
    f: str | os.PathLike[str] | IO[bytes],
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    dynamic_axes: Mapping[str, Sequence[int] | Mapping[int, str]] | None = None,
    opset_version: int | None = None,
    *,
    check: bool = True,
    export_params: bool = True,
    do_constant_folding: bool = True,
    verbose: bool = False,
) -> Any:
    """Trace ``model(*args)`` once and write it as an ONNX model to ``f``; returns the ``onnx.ModelProto``.

    ``f`` is a path (written atomically) or a binary file object. ``args`` is a Tensor or a tuple of them
    (a trailing dict is passed as keyword arguments); each Tensor becomes a graph input, named by
    ``input_names`` (default ``input`` or ``input_0, input_1...``); outputs (a Tensor or a nested tuple of
    them) are named by ``output_names`` (default ``output`` / ``output_0...``).

    Like ``torch.onnx.export``'s default ``training=TrainingMode.EVAL``, the trace runs in eval mode
    (BatchNorm uses its running statistics, Dropout is the identity) and the model gets its mode back.
    Dim 0 of every input and output is dynamic and named ``"batch"``; ``dynamic_axes`` replaces that
    default (``{name: [axes]}`` or ``{name: {axis: label}}``; ``{}`` makes every dim static).
    ``opset_version`` is 17 (default) to 21. ``check`` runs ``onnx.checker.check_model(full_check=True)``.
    Accepted for scripts written for torch: ``export_params`` (must be True: weights are always stored),
    ``do_constant_folding`` (constants are always folded) and ``verbose`` (prints the graph).

    Raises :class:`UnsupportedOperatorError` naming the op when the forward pass applies something
    ONNX export cannot express to a value computed from the inputs.
    """
    from ._export import export as _export

    if not export_params:
        raise ValueError(
            "chainrule.onnx.export: export_params=False is not supported; expected True (the weights are "
            "stored in the file as initializers)"
        )
    del do_constant_folding  # always on: tensors that do not depend on the inputs become initializers
    return _export(
        model, args, f, input_names, output_names, dynamic_axes, opset_version, check=check, verbose=verbose
    )
