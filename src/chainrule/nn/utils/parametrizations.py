"""``nn.utils.parametrizations``: weight normalization, spectral normalization and orthogonal matrices as
parametrizations (``register_parametrization``), with PyTorch's names, state-dict keys and defaults."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..functional import normalize
from ..module import Module
from . import parametrize
from ._orthogonal import _OrthMaps, _Orthogonal
from .spectral_norm import check_power_iterations, default_dim, l2_normalize, weight_matrix
from .weight_norm import norm_except_dim, weight_norm_map

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """w = g · v / ‖v‖ from the originals (g, v) = (``original0``, ``original1``); ``right_inverse(w) =
    (norm_except_dim(w), w)``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        """``weight_g · weight_v / ‖weight_v‖`` (norm over every dimension but ``dim``)."""
        return weight_norm_map(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        """(magnitude, direction) = (‖weight‖ over every dimension but ``dim``, weight)."""
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Weight normalization ``w = g · v / ‖v‖`` of ``name`` as a parametrization.

    The magnitude g (the norm over every dimension but ``dim``, kept as size-1 dimensions; ``dim=None``: one
    scalar) and the direction v are ``parametrizations.<name>.original0`` and ``original1``; a state dict from
    the hook-based ``weight_norm`` (``<name>_g``, ``<name>_v``) loads too. Returns ``module``.
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _compat(mod: Module, state_dict: Any, prefix: str, *args: Any) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module.register_load_state_dict_pre_hook(_compat)
    return module


class _SpectralNorm(Module):
    """W / σ(W) with σ = uᵀ W v from power iteration (buffers ``_u``, ``_v``; u ← normalize(W v),
    v ← normalize(Wᵀ u), in training mode, without gradient); a vector is just normalized."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        check_power_iterations(n_power_iterations)
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            h, w = weight_matrix(weight._data, self.dim).shape
            with no_grad():
                u = weight.new_empty(h).normal_(0, 1)
                v = weight.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", Tensor._make(l2_normalize(u._data, eps)))
            self.register_buffer("_v", Tensor._make(l2_normalize(v._data, eps)))
            self._power_method(weight_matrix(weight._data, self.dim), 15)  # a good start, as PyTorch does

    def _power_method(self, weight_mat: Any, n_power_iterations: int) -> None:
        """``n_power_iterations`` in-place updates ``u ← normalize(W v)``, ``v ← normalize(Wᵀ u)`` (no grad)."""
        w = weight_mat._data if isinstance(weight_mat, Tensor) else weight_mat
        u, v = self._u, self._v
        for _ in range(n_power_iterations):
            u._data[...] = l2_normalize(w @ v._data, self.eps)
            v._data[...] = l2_normalize(w.T @ u._data, self.eps)
        u._bump_version()
        v._bump_version()

    def forward(self, weight: Tensor) -> Tensor:
        """``weight / (uᵀ W v)`` (after the power iteration in training mode); a 1-d weight is normalized."""
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = weight_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = Tensor._make(self._u._data.copy()), Tensor._make(self._v._data.copy())
        return weight / u.dot(weight_mat.mv(v))

    def right_inverse(self, value: Tensor) -> Tensor:
        """The identity: a value assigned to the weight is stored as it is."""
        return value


def spectral_norm(
    module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim: int | None = None
) -> Module:
    """Spectral normalization ``W / σ(W)`` of ``name`` as a parametrization (σ by power iteration).

    The weight is stored in ``parametrizations.<name>.original``, the singular-vector estimates in the
    buffers ``parametrizations.<name>.0._u`` and ``._v`` (15 power iterations at registration, then
    ``n_power_iterations`` per access in training mode). ``dim`` defaults to 0, or 1 for ConvTranspose1d/2d/3d.
    ValueError if ``name`` is not a tensor of the module. Returns ``module``.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    dim = default_dim(module) if dim is None else dim
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


def orthogonal(
    module: Module, name: str = "weight", orthogonal_map: str | None = None, *, use_trivialization: bool = True
) -> Module:
    """Constrain ``name`` (a matrix or a batch of matrices) to have orthonormal columns (rows if wide).

    ``orthogonal_map``: ``"matrix_exp"`` (default for square matrices), ``"cayley"`` or ``"householder"``
    (default otherwise). With ``use_trivialization`` (default) a buffer ``base`` holds the starting
    orthogonal matrix (the weight itself if orthogonal, else its QR factor) and the map is applied on top.
    ValueError for a missing tensor, fewer than 2 dimensions or an unknown map. Returns ``module``.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            f'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: {orthogonal_map}'
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module

