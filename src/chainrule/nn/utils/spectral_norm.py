"""Spectral normalization, the hook-based API: ``spectral_norm`` / ``remove_spectral_norm`` (Miyato et al. 2018).

``W_SN = W / σ(W)`` with σ the largest singular value of W viewed as a matrix (dimension ``dim`` first,
the rest flattened), estimated by power iteration: ``v ← normalize(Wᵀu)``, ``u ← normalize(W v)`` (in
training mode only, without gradient, updating the buffers ``<name>_u``/``<name>_v`` in place), then
``σ = uᵀ W v`` with u, v held constant, so the gradient reaches ``<name>_orig`` through W and through σ.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..module import Module
from ..parameter import Parameter, is_lazy
from .weight_norm import remove_norm_hook

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]

T_module = TypeVar("T_module", bound=Module)


def l2_normalize(x: np.ndarray, eps: float) -> np.ndarray:
    """``x / max(‖x‖₂, eps)`` (``F.normalize`` of a vector), on arrays."""
    return x / max(float(np.linalg.norm(x)), eps)


def weight_matrix(weight: Any, dim: int) -> Any:
    """The weight as a matrix: dimension ``dim`` first, the others flattened (a Tensor or an array)."""
    if dim != 0:
        order = (dim, *[d for d in range(weight.ndim) if d != dim])
        weight = weight.permute(*order) if isinstance(weight, Tensor) else weight.transpose(order)
    return weight.reshape(weight.shape[0], -1)


def default_dim(module: Module) -> int:
    """1 for the transposed convolutions (their weight is ``(in, out, *k)``), else 0, as PyTorch chooses."""
    from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


def check_power_iterations(n_power_iterations: int) -> None:
    """ValueError unless ``n_power_iterations`` is positive (PyTorch's message)."""
    if n_power_iterations <= 0:
        raise ValueError(
            f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
        )


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name> = <name>_orig / σ`` before every forward."""

    _version: int = 1

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        check_power_iterations(n_power_iterations)
        self.name, self.dim, self.n_power_iterations, self.eps = name, dim, n_power_iterations, eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """``weight`` as an ``(size(dim), -1)`` matrix (differentiable)."""
        return weight_matrix(weight, self.dim)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """``W / (uᵀ W v)``, after ``n_power_iterations`` in-place updates of u and v if ``do_power_iteration``."""
        weight = getattr(module, self.name + "_orig")
        u_buf, v_buf = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        if do_power_iteration:
            w = weight_matrix(weight._data, self.dim)
            for _ in range(self.n_power_iterations):
                v_buf._data[...] = l2_normalize(w.T @ u_buf._data, self.eps)
                u_buf._data[...] = l2_normalize(w @ v_buf._data, self.eps)
            u_buf._bump_version()
            v_buf._bump_version()
        u, v = Tensor._make(u_buf._data.copy()), Tensor._make(v_buf._data.copy())  # constants for autograd
        sigma = u.dot(self.reshape_weight_to_matrix(weight).mv(v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        """Put back a plain parameter ``name`` holding ``W / σ`` with the current u, v (no iteration)."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float) -> SpectralNorm:
        """Move parameter ``name`` to ``<name>_orig``, add the u, v buffers and register the hook."""
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if is_lazy(weight):
            raise ValueError(
                "The module passed to `SpectralNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying spectral normalization"
            )
        if not 0 <= dim < max(weight.ndim, 1):
            raise RuntimeError(
                f"spectral_norm: dim {dim} is out of range for parameter '{name}' of shape {list(weight.shape)}; "
                f"expected 0 <= dim < {max(weight.ndim, 1)}"
            )
        h, w = weight_matrix(weight._data, dim).shape
        with no_grad():
            u = weight.new_empty(h).normal_(0, 1)
            v = weight.new_empty(w).normal_(0, 1)
        u._data[...] = l2_normalize(u._data, eps)
        v._data[...] = l2_normalize(v._data, eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, Tensor._make(weight._data))  # a plain attribute until the first forward
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(
    module: T_module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim: int | None = None
) -> T_module:
    """Spectral normalization ``W / σ(W)`` of parameter ``name``, σ estimated by power iteration.

    ``name`` moves to the parameter ``<name>_orig``; buffers ``<name>_u``, ``<name>_v`` hold the singular
    vector estimates (random unit vectors at first); a forward pre-hook sets ``module.<name>`` before each
    forward, iterating ``n_power_iterations`` times in training mode only. ``dim`` (the output dimension)
    defaults to 0, or 1 for ConvTranspose1d/2d/3d. Returns ``module``.
    """
    SpectralNorm.apply(module, name, n_power_iterations, default_dim(module) if dim is None else dim, eps)
    return module


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo ``spectral_norm``: ``name`` becomes a plain parameter holding the current ``W / σ``.
    ValueError if ``name`` has no spectral norm."""
    return remove_norm_hook(module, SpectralNorm, name, "spectral_norm")
