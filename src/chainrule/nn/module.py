"""``Module``: the base of every layer and model, with PyTorch's registration and state_dict rules.

Assigning a ``Parameter``, a ``Module`` or (via ``register_buffer``) a tensor to an attribute files
it in ``_parameters``, ``_modules`` or ``_buffers``. Every listing — ``named_parameters``,
``named_buffers``, ``named_modules``, ``state_dict`` — comes from one traversal, ``_named_members``,
so their orders and key names always agree (and agree with PyTorch's).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from .. import _dtype
from .._device import check_device
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ._module_hooks import (
    HooksMixin,
    RemovableHandle,
    add_hook,
    call_with_hooks,
    global_active,
    materialize_from,
    run_load_post_hooks,
    run_load_pre_hooks,
    save_state,
)
from .parameter import Buffer, Parameter

__all__ = ["Module", "IncompatibleKeys"]

# Bumped whenever an attribute of any module is set (a parameter, buffer, child module or plain
# attribute such as ``p`` or ``eps``; not ``training``) or deleted, so that ``chainrule.compile`` knows a trace
# may refer to tensors or values a module no longer holds.
_structure = [0]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: keys the model expected but did not get, and extras."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


_Handle = RemovableHandle  # the name earlier code used


class Module(HooksMixin):
    """Base class for all neural network modules; subclass it and define ``forward``.

    Example:
        >>> import chainrule.nn as nn
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(4, 8)
        ...         self.out = nn.Linear(8, 2)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> [name for name, _ in TwoLayer().named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool
    _version: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected arguments; Module.__init__ takes "
                "none (did you pass layer arguments to super().__init__()?)"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers"] = set()
        d["_modules"] = {}
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation, written by each subclass: outputs from inputs (and parameters).
        Call the module (``m(x)``) rather than ``m.forward(x)``, so that forward hooks run.
        """
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if not (d["_forward_pre_hooks"] or d["_forward_hooks"] or d.get("_backward_hooks") or d.get("_backward_pre_hooks")
                or global_active[0]):  # fmt: skip
            return self.forward(*args, **kwargs)
        return call_with_hooks(self, args, kwargs)

    # --- registration --------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            if name not in params and hasattr(type(self), name):  # a method, or a parametrized tensor's property
                raise KeyError(f"attribute '{name}' already exists")
            self._forget(name, keep="_parameters")
            params[name] = value
        elif params is not None and name in params:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(chainrule.nn.Parameter or None expected)"
                )
            params[name] = value  # a plain Tensor replaces a parameter, as in PyTorch
            _structure[0] += 1
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' (Module or None expected)")
            d["_modules"][name] = None
            _structure[0] += 1
        elif isinstance(value, Buffer):
            self.register_buffer(name, value, persistent=value.persistent)
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            d["_buffers"][name] = value
            _structure[0] += 1
        else:
            object.__setattr__(self, name, value)
            if name != "training":  # a plain attribute too (p, eps...): forward may read it;
                _structure[0] += 1  # train()/eval() are guarded by the modules' .training itself

    def _forget(self, name: str, keep: str | None = None) -> None:
        _structure[0] += 1  # every registration passes here: compiled traces see the change
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:  # a replaced member keeps its place (state_dict and children order), as in PyTorch
                d[registry].pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        try:  # fast path: a parameter (layer.weight in every forward)
            return d["_parameters"][name]
        except KeyError:
            pass
        for registry in ("_parameters", "_buffers", "_modules"):
            members = d.get(registry)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d[registry]:
                del d[registry][name]
                d["_non_persistent_buffers"].discard(name)
                _structure[0] += 1
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def _check_name(self, kind: str, name: Any) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got: "{name}"')
        if hasattr(type(self), name) or (name in self.__dict__ and name not in self._parameters
                                          and name not in self._buffers and name not in self._modules):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a ``None`` placeholder, e.g. ``bias=False``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name("parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(chainrule.nn.Parameter or None required)"
            )
        self._forget(name, keep="_parameters")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add state that is not trained (e.g. running means); ``persistent`` puts it in state_dict."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name("buffer", name)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)")
        if isinstance(tensor, Buffer):
            tensor = Tensor._make(tensor._data)
        self._forget(name, keep="_buffers")
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name("module", name)
        self._forget(name, keep="_modules")
        self._modules[name] = module

    register_module = add_module

    # --- traversal -----------------------------------------------------------------------------
    def named_modules(self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Every module in the tree (itself first), depth-first, each once."""
        stack: list[tuple[str, Module]] = [(prefix, self)]
        seen: set[int] = set() if memo is None else memo
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs; a parameter shared by two modules (weight tying) appears once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and (``recurse=True``) its submodules, each once."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(name, buffer)`` pairs (``'bn.running_mean'``...) of this module and, if ``recurse``, below."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (e.g. BatchNorm's running statistics) of this module and, if ``recurse``, below."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for each direct submodule, each once."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Each direct submodule, once."""
        for _, m in self.named_children():
            yield m

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        """This module and all its submodules, depth first, each once (every occurrence if not ``remove_duplicate``)."""
        for _, m in self.named_modules(remove_duplicate=remove_duplicate):
            yield m

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path (``'encoder.0'``; ``''`` is ``self``); else AttributeError."""
        module: Module = self
        for item in target.split(".") if target else []:
            if item not in module._modules or module._modules[item] is None:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]  # type: ignore[assignment]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path (``'encoder.0.weight'``); AttributeError if there is none."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return module._parameters[name]  # type: ignore[return-value]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path (``'bn.running_mean'``); AttributeError if there is none."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers:
            raise AttributeError(f"{module._get_name()} has no buffer `{name}`")
        return module._buffers[name]  # type: ignore[return-value]

    # --- modes and bulk changes ----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training (``mode=True``) or evaluation mode on this module and all below; returns ``self``.

        Dropout and batch norm behave differently in the two modes.
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """``train(False)``: evaluation mode (no dropout, batch norm uses its running statistics)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (``False`` freezes them); returns ``self``."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (``set_to_none=True``, the default) or to zeros."""
        for p in self.parameters():
            if p._grad is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                p._grad._data[...] = 0

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and then on ``self``."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _apply_to_tensors(self, convert: Callable[[Tensor], Tensor]) -> Module:
        with no_grad():
            for module in self.modules():
                for p in module._parameters.values():
                    if p is not None:
                        new = convert(p)
                        if new is not p:
                            p._data = new._data  # keep the Parameter object: optimizers hold it
                            if p._grad is not None:
                                p._grad = Tensor._make(convert(p._grad)._data)
                for name, b in module._buffers.items():
                    if b is not None:
                        module._buffers[name] = convert(b)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)`` converts floating parameters and buffers; ``to('cpu')`` is a no-op."""
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None), f"{self._get_name()}.to")
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)  # accepted; chainrule keeps tensors row-major
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                check_device(a, f"{self._get_name()}.to")
        if dtype is None:
            return self
        dt = _dtype.to_dtype(dtype)
        if not dt.is_floating_point:
            raise TypeError(f"{self._get_name()}.to: only floating point dtypes are accepted, got {dt}")
        return self._apply_to_tensors(lambda t: t.to(dt) if t.is_floating_point() else t)

    def float(self) -> Module:
        """``to(chainrule.float32)``: floating parameters and buffers become float32; returns ``self``."""
        return self.to(_dtype.float32)

    def double(self) -> Module:
        """``to(chainrule.float64)``: floating parameters and buffers become float64; returns ``self``."""
        return self.to(_dtype.float64)

    def half(self) -> Module:
        """``to(chainrule.float16)``: floating parameters and buffers become float16; returns ``self``."""
        return self.to(_dtype.float16)

    def type(self, dst_type: Any) -> Module:
        """``to(dst_type)``: floating parameters and buffers converted (PyTorch casts integer buffers too)."""
        return self.to(dst_type)

    def cpu(self) -> Module:
        """``self``: everything already lives on the CPU."""
        return self

    def share_memory(self) -> Module:
        """``share_memory_()`` on every parameter and buffer (Hogwild training in several processes); returns self."""
        return self._apply_to_tensors(lambda t: t.share_memory_())

    def cuda(self, device: Any = None) -> Module:
        """Raises RuntimeError: chainrule has no CUDA device (``chainrule.cuda.is_available()`` is False)."""
        check_device("cuda", f"{self._get_name()}.cuda")
        return self  # pragma: no cover

    # --- hooks ---------------------------------------------------------------------------------
    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """``hook(module, args)`` before forward; may return replacement args. With ``with_kwargs``:
        ``hook(module, args, kwargs)`` returning None or a new ``(args, kwargs)``."""
        flags = self._hook_table("_forward_pre_hooks_with_kwargs")
        handle = add_hook(self._forward_pre_hooks, hook, prepend, (flags,))
        if with_kwargs:
            flags[handle.id] = True
        return handle

    def register_forward_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False, always_call: bool = False
    ) -> RemovableHandle:
        """``hook(module, args, output)`` after forward; may return a replacement output. With
        ``with_kwargs``: ``hook(module, args, kwargs, output)``; ``always_call`` runs it even when forward raises."""
        kw, always = self._hook_table("_forward_hooks_with_kwargs"), self._hook_table("_forward_hooks_always_called")
        handle = add_hook(self._forward_hooks, hook, prepend, (kw, always))
        if with_kwargs:
            kw[handle.id] = True
        if always_call:
            always[handle.id] = True
        return handle

    # --- state_dict ----------------------------------------------------------------------------
    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name (PyTorch's keys), detached."""
        out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination
        # Registered twice, a module is listed under both names, as in PyTorch; uninitialized (lazy)
        # parameters are listed as they are.
        save_state(self, out, f"{prefix.rstrip('.')}." if prefix else "", keep_vars)
        return out

    def load_state_dict(self, state_dict: Any, strict: bool = True, assign: bool = False) -> IncompatibleKeys:
        """Copy values (Tensors or NumPy arrays) into this module's parameters and buffers.

        Returns the missing and unexpected keys; with ``strict=True`` any of them, or a shape
        mismatch, raises RuntimeError listing every problem (nothing is changed in that case).
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = self.state_dict(keep_vars=True)
        errors: list[str] = []
        missing: list[str] = []
        unexpected: list[str] = []
        if any(m.__dict__.get("_load_state_dict_pre_hooks") for m in self.modules()):
            state_dict = OrderedDict(state_dict)  # the hooks may edit it; the caller's dict stays as it is
            run_load_pre_hooks(self, state_dict, strict, missing, unexpected, errors)
        # Like PyTorch's norm layers, accept state dicts without num_batches_tracked (the count stays).
        missing += [k for k in own if k not in state_dict and not (
            k.rpartition(".")[2] == "num_batches_tracked"
            and getattr(self.get_submodule(k.rpartition(".")[0]), "track_running_stats", False))]
        unexpected += [k for k in state_dict if k not in own]
        updates = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            materialize_from(target, value, key)
            arr = value._data if isinstance(value, Tensor) else np.asarray(value)
            if target._data.ndim == 0 and arr.shape == (1,):  # PyTorch loads old 1-element 0-d params too
                arr = arr.reshape(())
            if arr.shape != target._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {list(arr.shape)} from "
                    f"checkpoint, the shape in current model is {list(target._data.shape)}."
                )
                continue
            updates.append((target, arr))
        run_load_post_hooks(self, IncompatibleKeys(missing, unexpected))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors)
            )
        for target, arr in updates:
            if assign:
                target._data = np.array(arr, dtype=arr.dtype)
            else:
                np.copyto(target._data, arr, casting="unsafe")
                target._bump_version()
        return IncompatibleKeys(missing, unexpected)

    # --- printing ------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """One line of constructor arguments shown in ``repr`` (override in layers)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(module).replace("\n", "\n  ") for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        if not lines:
            return f"{self._get_name()}()"
        if len(extra_lines) == 1 and not child_lines:
            return f"{self._get_name()}({extra_lines[0]})"
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
