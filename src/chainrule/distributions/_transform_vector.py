"""Transforms acting on whole vectors or matrices: softmax and stick breaking onto the simplex, the
lower-Cholesky map, and reshaping the event."""

from __future__ import annotations

from typing import Any

from . import constraints
from ._transform_base import Transform, _ParameterFree
from ._transform_maps import _F, _finfo

__all__ = ["SoftmaxTransform", "StickBreakingTransform", "LowerCholeskyTransform", "ReshapeTransform"]


class SoftmaxTransform(_ParameterFree):
    """y = softmax(x) over the last dimension (not bijective; the inverse is log y)."""

    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x: Any) -> Any:
        probs = (x - x.max(-1, keepdim=True)[0]).exp()
        return probs / probs.sum(-1, keepdim=True)

    def _inverse(self, y: Any) -> Any:
        return y.log()

    def forward_shape(self, shape: Any) -> Any:
        """Unchanged (at least one dimension)."""
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return shape

    inverse_shape = forward_shape


class StickBreakingTransform(_ParameterFree):
    """R^{K−1} → the K-simplex by stick breaking: zᵢ = σ(xᵢ − log(K − i)), yᵢ = zᵢ Π_{j<i}(1 − z_j)."""

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def _call(self, x: Any) -> Any:
        F = _F()
        offset = x.shape[-1] + 1 - x.new_ones(x.shape[-1]).cumsum(-1)
        fi = _finfo(x)
        z = (x - offset.log()).sigmoid().clamp(min=fi.tiny, max=1.0 - fi.eps)
        z_cumprod = (1 - z).cumprod(-1)
        return F.pad(z, [0, 1], value=1) * F.pad(z_cumprod, [1, 0], value=1)

    def _inverse(self, y: Any) -> Any:
        y_crop = y[..., :-1]
        offset = y.shape[-1] - y.new_ones(y_crop.shape[-1]).cumsum(-1)
        sf = (1 - y_crop.cumsum(-1)).clamp(min=_finfo(y).tiny)
        return y_crop.log() - sf.log() + offset.log()

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """Σᵢ (−x̃ᵢ + log σ(x̃ᵢ) + log yᵢ),  x̃ᵢ = xᵢ − log(K − i)."""
        offset = x.shape[-1] + 1 - x.new_ones(x.shape[-1]).cumsum(-1)
        x = x - offset.log()
        return (-x + _F().logsigmoid(x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape: Any) -> Any:
        """(…, K − 1) → (…, K)."""
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape: Any) -> Any:
        """(…, K) → (…, K − 1)."""
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class LowerCholeskyTransform(_ParameterFree):
    """Square matrix → lower-triangular with positive diagonal: strict lower part kept, diagonal exponentiated."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x: Any) -> Any:
        import chainrule

        eye = chainrule.eye(x.shape[-1], dtype=x.dtype)
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().unsqueeze(-1) * eye

    def _inverse(self, y: Any) -> Any:
        import chainrule

        eye = chainrule.eye(y.shape[-1], dtype=y.dtype)
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().unsqueeze(-1) * eye


class ReshapeTransform(Transform):
    """Reshape the rightmost ``in_shape`` dimensions to ``out_shape`` (same number of elements); log |det J| = 0."""

    bijective = True

    def __init__(self, in_shape: Any, out_shape: Any, cache_size: int = 0) -> None:
        import math

        self.in_shape = tuple(int(s) for s in in_shape)
        self.out_shape = tuple(int(s) for s in out_shape)
        if math.prod(self.in_shape) != math.prod(self.out_shape):
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    @property
    def domain(self) -> Any:  # type: ignore[override]
        """Real tensors of in_shape."""
        return constraints.independent(constraints.real, len(self.in_shape))

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        """Real tensors of out_shape."""
        return constraints.independent(constraints.real, len(self.out_shape))

    def with_cache(self, cache_size: int = 1) -> Transform:
        """This transform with the given cache size."""
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    def _call(self, x: Any) -> Any:
        batch_shape = tuple(x.shape[: x.dim() - len(self.in_shape)])
        return x.reshape(batch_shape + self.out_shape)

    def _inverse(self, y: Any) -> Any:
        batch_shape = tuple(y.shape[: y.dim() - len(self.out_shape)])
        return y.reshape(batch_shape + self.in_shape)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """Zeros over the batch."""
        import chainrule

        batch_shape = tuple(x.shape[: x.dim() - len(self.in_shape)])
        return chainrule.zeros(batch_shape, dtype=x.dtype)

    def forward_shape(self, shape: Any) -> Any:
        """(…, *in_shape) → (…, *out_shape)."""
        shape = tuple(shape)
        if len(shape) < len(self.in_shape):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(self.in_shape)
        if shape[cut:] != self.in_shape:
            raise ValueError(f"Shape mismatch: expected {shape[cut:]} but got {self.in_shape}")
        return shape[:cut] + self.out_shape

    def inverse_shape(self, shape: Any) -> Any:
        """(…, *out_shape) → (…, *in_shape)."""
        shape = tuple(shape)
        if len(shape) < len(self.out_shape):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(self.out_shape)
        if shape[cut:] != self.out_shape:
            raise ValueError(f"Shape mismatch: expected {shape[cut:]} but got {self.out_shape}")
        return shape[:cut] + self.in_shape
