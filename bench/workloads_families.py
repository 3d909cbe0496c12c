"""More shapes of each workload family, so that the report's worst ratio per family means something.

The issue's original rows (``tiny_mlp``, ``mlp_adam_b*``, ``cnn``, ``transformer``) are registered in
``workloads.py``; the recurrent rows in ``workloads_rnn.py``. A speed-up that holds for one tuned shape
only is not one: each family here is timed at shapes nobody tuned for.
"""

from __future__ import annotations

from .workloads import cnn_channels, mlp_adam, mlp_adam_sizes, register, transformer_shape

_MLP = "784-256-128-10 ReLU MLP, CrossEntropyLoss, Adam lr 1e-3"
register("mlp_adam_b1", 1, _MLP + " (batch 1: per-op overhead)", family="mlp")(mlp_adam)
register("mlp_wide_b64", 64, "784-1024-1024-10 ReLU MLP, CrossEntropyLoss, Adam lr 1e-3", family="mlp")(
    mlp_adam_sizes((784, 1024, 1024, 10))
)

_CNN = "CNN on 1x28x28: conv3x3(1→{0}, pad 1)-ReLU-maxpool2, conv3x3({0}→{1})-ReLU-maxpool2, Linear, CE, Adam"
register("cnn_c16", 64, _CNN.format(16, 32), family="cnn")(cnn_channels(16, 32))
register("cnn_c32", 64, _CNN.format(32, 64), family="cnn")(cnn_channels(32, 64))

_TF = "TransformerEncoderLayer(128, 4, ff {0}, dropout 0.0, batch_first, {1}) on (batch, {2}, 128), MSE, Adam"
for _name, _ff, _norm_first, _seq in [
    ("transformer_pre_ff512", 512, True, 64),  # the variant
    ("transformer_ff512_s128", 512, False, 128),
    ("transformer_pre_s16", 2048, True, 16),
]:
    _about = _TF.format(_ff, "pre-norm" if _norm_first else "post-norm", _seq)
    register(_name, 32, _about, family="transformer")(transformer_shape(_ff, _norm_first, _seq))
