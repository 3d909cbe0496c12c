"""Top-level spellings of ``nn.functional`` operations (``torch.dropout``, ``torch.layer_norm``,
``torch.conv2d``, ``torch.embedding``...), with PyTorch's top-level argument orders where they differ from
``nn.functional``'s; plus ``asarray``, ``range``, ``rsub`` and ``detach``. Loaded on first use."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import _creation, _dtype
from ._tensor import Tensor
from .nn import functional as F

__all__ = [
    "dropout", "alpha_dropout", "layer_norm", "group_norm", "batch_norm", "instance_norm", "embedding", "bilinear",
    "pixel_shuffle", "pixel_unshuffle", "threshold", "rrelu", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
    "conv_transpose2d", "conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "asarray",
    "range", "rsub", "detach",
]  # fmt: skip

# same argument order as nn.functional
bilinear = F.bilinear
pixel_shuffle = F.pixel_shuffle
pixel_unshuffle = F.pixel_unshuffle
threshold = F.threshold
rrelu = F.rrelu
conv1d, conv2d, conv3d = F.conv1d, F.conv2d, F.conv3d
conv_transpose1d, conv_transpose2d, conv_transpose3d = F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d
max_pool1d, max_pool2d, max_pool3d = F.max_pool1d, F.max_pool2d, F.max_pool3d
avg_pool1d = F.avg_pool1d


def dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``F.dropout(input, p, training=train)``: zero each element with probability p, scale the rest by 1/(1−p)."""
    return F.dropout(input, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``F.alpha_dropout(input, p, training=train)`` (keeps SELU's mean and variance)."""
    return F.alpha_dropout(input, p, train)


def layer_norm(
    input: Tensor, normalized_shape: Any, weight: Tensor | None = None, bias: Tensor | None = None,  # noqa: A002
    eps: float = 1e-5, cudnn_enable: bool = True,
) -> Tensor:  # fmt: skip
    """``F.layer_norm``: (x − mean)/√(var + eps)·weight + bias over the trailing ``normalized_shape``."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(
    input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,  # noqa: A002
    eps: float = 1e-5, cudnn_enabled: bool = True,
) -> Tensor:  # fmt: skip
    """``F.group_norm``: normalise each group of channels, then scale and shift per channel."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(
    input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,  # noqa: A002
    running_var: Tensor | None, training: bool, momentum: float, eps: float, cudnn_enabled: bool,
) -> Tensor:  # fmt: skip
    """``F.batch_norm`` with PyTorch's top-level order (weight and bias before the running statistics)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,  # noqa: A002
    running_var: Tensor | None, use_input_stats: bool, momentum: float, eps: float, cudnn_enabled: bool,
) -> Tensor:  # fmt: skip
    """``F.instance_norm`` with PyTorch's top-level order (weight and bias before the running statistics)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def embedding(
    weight: Tensor, indices: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False, sparse: bool = False
) -> Tensor:
    """``F.embedding(indices, weight)``: rows of ``weight``; ``padding_idx`` −1 means none (its row gets no gradient)."""
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx, None, 2.0, scale_grad_by_freq, sparse)


def asarray(
    obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None, requires_grad: bool = False
) -> Tensor:
    """``obj`` as a tensor, sharing memory when it can: a tensor of the right dtype is returned as is, a NumPy
    array is wrapped without copying (unless ``copy=True`` or a dtype change forces one)."""
    if isinstance(obj, Tensor):
        out = obj if dtype is None or obj.dtype == dtype else obj.to(dtype)
        if copy and out is obj:
            out = obj.clone()
    elif isinstance(obj, np.ndarray) and not copy and (dtype is None or _dtype.to_dtype(dtype).np == obj.dtype):
        out = _creation.from_numpy(obj)
    else:
        out = _creation.tensor(obj, dtype=dtype)
    if requires_grad:
        out.requires_grad_(True)
    return out


def range(start: float, end: float, step: float = 1, *, dtype: Any = None, **kw: Any) -> Tensor:  # noqa: A001
    """Deprecated in PyTorch (warns): ``start, start+step, ...`` up to and INCLUDING ``end``, default float dtype."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior is inconsistent "
        "with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).",
        UserWarning, stacklevel=2,
    )  # fmt: skip
    if step == 0:
        raise RuntimeError("range: step must be nonzero")
    n = int(np.floor((end - start) / step)) + 1
    return _creation.arange(n, dtype=dtype or _dtype.get_default_dtype(), **kw) * step + start


def rsub(input: Tensor, other: Any, *, alpha: float = 1) -> Tensor:  # noqa: A002
    """other − alpha·input (subtraction with the operands reversed)."""
    return other - alpha * input if alpha != 1 else other - input


def detach(input: Tensor) -> Tensor:  # noqa: A002
    """``input.detach()``: the same values, cut from the graph."""
    return input.detach()
