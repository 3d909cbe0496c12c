"""``F.local_response_norm``: normalisation across neighbouring channels (AlexNet's LRN).

    y[n, c] = x[n, c] / (k + α/size · Σ_{c' ∈ window(c)} x[n, c']²)^β

with the window of ``size`` channels centred on c (⌊size/2⌋ before, ⌊(size−1)/2⌋ after, zero outside).
Composed, as PyTorch composes it, of differentiable ops: a zero pad and an average pool over the
channel axis, so its gradient is theirs.
"""

from __future__ import annotations

from typing import Any

from ...ops._util import check_tensor

__all__ = ["local_response_norm"]


def local_response_norm(input: Any, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Any:  # noqa: A002
    """Divide each value by (k + α · mean of squares over ``size`` neighbouring channels)^β."""
    from .. import functional as F  # the package namespace (pad, avg_pool2d/3d)

    check_tensor(input, "local_response_norm")
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if dim == 3:
        div = F.pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = F.pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).reshape(sizes)
    div = (div * alpha + k).pow(beta)
    return input / div
