"""Weight normalization, the hook-based API: ``weight_norm`` / ``remove_weight_norm`` (PyTorch's deprecated form).

``w = g · v / ‖v‖`` where the norm is taken over every dimension except ``dim`` (``dim=None``: over the whole
tensor, ``g`` a scalar). The module holds ``<name>_g`` and ``<name>_v`` as parameters and a forward pre-hook
recomputes ``<name>`` from them before every forward, through chainrule ops, so g and v get gradients.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...linalg.norms import vector_norm
from ..module import Module
from ..parameter import Parameter, is_lazy

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]

T_module = TypeVar("T_module", bound=Module)

_DEPRECATED = (
    "`torch.nn.utils.weight_norm` is deprecated in favor of `torch.nn.utils.parametrizations.weight_norm`."
)


def _check_dim(dim: int, ndim: int) -> int:
    """``dim`` wrapped into ``[0, ndim)``; -1 stays -1 (the whole tensor), as PyTorch's norm_except_dim reads it."""
    if dim == -1:
        return -1
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % max(ndim, 1)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:  # noqa: A002 - PyTorch's name
    """‖v‖_pow over every dimension but ``dim``, kept as size-1 dimensions (shape ``(1,..,n_dim,..,1)``);
    ``dim=-1``: the norm of the whole tensor (0-d). Differentiable (the norm's own VJP)."""
    d = _check_dim(dim, v.ndim)
    if d == -1:
        return vector_norm(v, pow)
    dims = tuple(i for i in range(v.ndim) if i != d)
    return vector_norm(v, pow, dims, keepdim=True) if dims else v.abs()


def weight_norm_map(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """w = g · v / ‖v‖ (norm over all dimensions but ``dim``; ``dim=-1``: over all), composed of chainrule ops.
    VJPs (by the chain rule through the ops): ∂L/∂g = Σ_{≠dim} e·v/‖v‖, ∂L/∂v = (g/‖v‖)(e − (v/‖v‖)·Σ_{≠dim} e·v/‖v‖)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        """``g · v / ‖v‖`` from the module's current ``<name>_g`` and ``<name>_v``."""
        return weight_norm_map(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        """Replace parameter ``name`` of ``module`` by ``<name>_g`` and ``<name>_v`` and register the hook."""
        warnings.warn(_DEPRECATED, FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if is_lazy(weight):
            raise ValueError(
                "The module passed to `WeightNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying weight normalization"
            )
        if name not in module._parameters:
            raise KeyError(name)  # a buffer or plain attribute: PyTorch's KeyError from _parameters
        with no_grad():
            g = norm_except_dim(weight, 2, fn.dim)  # checks dim before the module is changed
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(g))
        module.register_parameter(name + "_v", Parameter(Tensor._make(weight._data)))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        """Put back a plain parameter ``name`` holding the current ``g · v / ‖v‖``."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(Tensor._make(weight._data)))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    """Weight normalization ``w = g · v / ‖v‖`` of parameter ``name`` (Salimans & Kingma 2016).

    ``name`` is replaced by parameters ``<name>_g`` (magnitude, the norm over every dimension but ``dim``,
    kept as size-1 dimensions; ``dim=None``: a scalar) and ``<name>_v`` (direction, the old value); a forward
    pre-hook recomputes ``module.<name>`` before each forward. Deprecated in PyTorch (a FutureWarning, as
    there) in favour of ``nn.utils.parametrizations.weight_norm``. Returns ``module``.
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo ``weight_norm``: ``name`` becomes a plain parameter with the current normalized value.
    ValueError if ``name`` has no weight norm."""
    return remove_norm_hook(module, WeightNorm, name, "weight_norm")


def remove_norm_hook(module: Any, kind: type, name: str, what: str) -> Any:
    """Remove the forward pre-hook of type ``kind`` that normalizes ``name`` (``hook.remove`` restores a
    plain parameter); ValueError naming ``what`` if there is none."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, kind) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")
