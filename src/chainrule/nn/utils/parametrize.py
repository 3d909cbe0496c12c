"""``torch.nn.utils.parametrize``: a parameter computed from another by a module, ``weight = P(original)``.

``register_parametrization(layer, "weight", P())`` moves the tensor to
``layer.parametrizations.weight.original`` and turns ``layer.weight`` into a property that returns
``P(original)`` on every read (once per ``with cached():`` block), so gradients reach ``original`` through
``P``'s own operations. Several parametrizations on one name chain: ``weight = P2(P1(original))``.
Assigning ``layer.weight = X`` stores ``P1.right_inverse(P2.right_inverse(X))`` in ``original``; registration
does the same with the current value. As in PyTorch, the module's class is swapped for a subclass
``Parametrized<Class>`` that carries the properties, and ``remove_parametrizations`` restores it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..module import Module
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = [
    "ParametrizationList", "cached", "is_parametrized", "register_parametrization", "remove_parametrizations",
    "type_before_parametrizations",
]

_cache_depth = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Within the block each parametrized tensor is computed once, on first read, and reused."""
    global _cache_depth
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if not _cache_depth:
            _cache.clear()


def _set_value(original: Tensor, value: Tensor) -> None:
    """``original`` takes ``value``'s array (PyTorch's ``set_``): the same object, so optimizers keep it."""
    original.data = value


def _register(module: Module, name: str, tensor: Tensor) -> None:
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


class ParametrizationList(ModuleList):
    """The chain of parametrizations of one tensor and its unconstrained ``original`` (or ``original0``,
    ``original1`` ... when the first ``right_inverse`` returns several tensors)."""

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new = original
            for module in reversed(self):  # type: ignore[call-overload]
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if isinstance(new, Tensor):
            self.is_tensor, self.ntensors = True, 1
            with no_grad():
                _set_value(original, new)
            _register(self, "original", original)
        else:
            if not isinstance(new, Sequence) or not all(isinstance(t, Tensor) for t in new):
                raise ValueError(
                    "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                    f"Got {type(new).__name__}"
                )
            self.is_tensor, self.ntensors = False, len(new)
            for i, t in enumerate(new):
                kind = Parameter(t.detach(), requires_grad=original.requires_grad)
                _register(self, f"original{i}", kind if isinstance(original, Parameter) else t.detach())

    def right_inverse(self, value: Tensor) -> None:
        """Store ``value`` by running each parametrization's ``right_inverse``, last one first."""
        with no_grad():
            for module in reversed(self):  # type: ignore[call-overload]
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(
                        f"The tensor returned by `right_inverse` has dtype {value.dtype} while `original` has "
                        f"dtype {self.original.dtype}"
                    )
                _set_value(self.original, value)
            else:
                if not isinstance(value, Sequence) or len(value) != self.ntensors:
                    raise ValueError(
                        f"'right_inverse' must return a sequence of {self.ntensors} tensors; got "
                        f"{type(value).__name__}"
                    )
                for i, t in enumerate(value):
                    _set_value(getattr(self, f"original{i}"), t)

    def forward(self) -> Tensor:  # type: ignore[override]
        """The parametrized tensor: ``P_n(... P_2(P_1(original)))``."""
        modules = list(self._modules.values())
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _inject_new_class(module: Module) -> None:
    cls = module.__class__
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {"__doc__": cls.__doc__})


def _inject_property(module: Module, tensor_name: str) -> None:
    def get_parametrized(self: Module) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if not _cache_depth:
            return parametrization()
        key = (id(self), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set_original(self: Module, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has any parametrization (or one on ``tensor_name``)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` read as ``parametrization(original)``; returns ``module``.

    Without ``unsafe=True`` the parametrization is checked once: it must return a tensor of the same shape
    and dtype as the one it replaces (PyTorch's checks)."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            _check_same_kind(x, y, "registering a parametrization on top of another one")
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
        return module
    if tensor_name not in module._buffers and tensor_name not in module._parameters:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with name "
            f"'{tensor_name}'"
        )
    original = getattr(module, tensor_name)
    parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
    if not unsafe:
        with no_grad():
            z = parametrizations()
        _check_same_kind(z, original, "registering a parametrization")
    delattr(module, tensor_name)
    if not is_parametrized(module):
        _inject_new_class(module)
        module.parametrizations = ModuleDict()
    _inject_property(module, tensor_name)
    module.parametrizations[tensor_name] = parametrizations
    return module


def _check_same_kind(new: Any, old: Tensor, when: str) -> None:
    if not isinstance(new, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(new).__name__} ({when}).")
    if new.dtype != old.dtype:
        raise ValueError(
            "Registering a parametrization may not change the dtype of the tensor, unless `unsafe` flag is "
            f"enabled.\nunparametrized dtype: {old.dtype}\nparametrized dtype: {new.dtype}"
        )
    if tuple(new.shape) != tuple(old.shape):
        raise ValueError(
            "Registering a parametrization may not change the shape of the tensor, unless `unsafe` flag is "
            f"enabled.\nunparametrized shape: {tuple(old.shape)}\nparametrized shape: {tuple(new.shape)}"
        )


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Undo ``register_parametrization``: ``tensor_name`` becomes a plain parameter (or buffer) again,
    holding the parametrized value (``leave_parametrized=True``) or the unconstrained ``original``."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
                _set_value(original, value)
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                             "parametrized in terms of a sequence of tensors.")
        with no_grad():
            value = getattr(module, tensor_name)
        original = Parameter(value.detach(), value.requires_grad) if isinstance(
            parametrizations.original0, Parameter) else value.detach()
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization was registered."""
    return module.__class__.__bases__[0] if is_parametrized(module) else type(module)
