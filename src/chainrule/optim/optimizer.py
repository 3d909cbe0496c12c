"""``Optimizer``: parameter groups, per-parameter state, state_dict — PyTorch's structure.

A subclass writes one method, ``_update(p, g, state, group)``, that applies its algorithm to one
parameter array ``p`` in place given its gradient array ``g``; the base class does the looping, the
grad-mode bookkeeping, ``zero_grad`` and (de)serialization.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from . import _hooks
from ._hooks import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from ._validation import as_scalar, check_lr, nonneg

__all__ = [
    "Optimizer", "required", "check", "check_common", "register_optimizer_step_pre_hook",
    "register_optimizer_step_post_hook",
]  # fmt: skip


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _Required()


class Optimizer:
    """Base class: ``Optimizer(params, defaults)`` where params are tensors or dicts (groups)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own ``step`` runs the step hooks too (PyTorch patches it the same way)."""
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _hooks.with_step_hooks(cls.__dict__["step"])  # type: ignore[method-assign]
        if "zero_grad" in cls.__dict__:
            cls.zero_grad = _hooks.in_profile_range(cls.__dict__["zero_grad"], "zero_grad")  # type: ignore[method-assign]

    # --- hooks ------------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable[..., Any]) -> Any:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; it may return new ``(args, kwargs)``."""
        return _hooks.add_hook(self, "_step_pre_hooks", hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> Any:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        return _hooks.add_hook(self, "_step_post_hooks", hook)

    def register_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> Any:
        """Call ``hook(optimizer)`` before ``state_dict()`` builds the dict."""
        return _hooks.add_hook(self, "_state_dict_pre_hooks", hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> Any:
        """Call ``hook(optimizer, state_dict)`` on the dict ``state_dict()`` built; it may return a new one."""
        return _hooks.add_hook(self, "_state_dict_post_hooks", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> Any:
        """Call ``hook(optimizer, state_dict)`` before ``load_state_dict`` reads it; it may return a new one."""
        return _hooks.add_hook(self, "_load_state_dict_pre_hooks", hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> Any:
        """Call ``hook(optimizer)`` after ``load_state_dict`` has loaded."""
        return _hooks.add_hook(self, "_load_state_dict_post_hooks", hook, prepend)

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params argument given to the optimizer should be an iterable "
                f"of Tensors or dicts, but got {type(params).__name__}"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{type(self).__name__}: optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (unset ones take the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections; use a list")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__} can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: can't optimize a non-leaf Tensor")
        group = {"params": params}
        for key, default in self.defaults.items():
            if key not in param_group and default is required:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {key}")
            group[key] = param_group.get(key, default)
        for key, value in param_group.items():
            group.setdefault(key, value)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params):
            import warnings

            warnings.warn("optimizer contains a parameter group with duplicate parameters", UserWarning, stacklevel=3)
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Subclasses validate their hyperparameters (PyTorch's ValueError messages)."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (``set_to_none=True``, the default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    p._grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; ``closure`` re-evaluates the loss."""
        self._opt_called = True  # lets LR schedulers warn when they are stepped first, as PyTorch
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                group = self._scalars(group)
                self._prepare_group(group)
                if self._step_group(group):
                    continue
                for p in group["params"]:
                    grad = p._grad
                    if grad is None:
                        continue
                    state = self.state.get(p)
                    if state is None:
                        state = {}
                        self._update(p._data, grad._data, state, group)
                        if state:  # algorithms without state (plain SGD) keep none, as PyTorch
                            self.state[p] = state
                    else:
                        self._update(p._data, grad._data, state, group)
                    p._bump_version()
        return loss

    _scalar_groups: dict[int, dict[str, Any]] | None = None

    def _scalars(self, group: dict[str, Any]) -> dict[str, Any]:
        """The group itself, or (when a hyperparameter is a Tensor, e.g. a Tensor ``lr``) a stable
        stand-in dict holding Python floats instead, refreshed from the group on every step."""
        for value in group.values():
            if isinstance(value, Tensor) or (isinstance(value, tuple) and any(isinstance(v, Tensor) for v in value)):
                break
        else:
            return group
        proxies = self._scalar_groups
        if proxies is None:
            proxies = self._scalar_groups = {}
        proxy = proxies.setdefault(id(group), {})
        proxy.clear()
        for key, value in group.items():
            if key != "params" and isinstance(value, tuple):
                value = tuple(as_scalar(v) for v in value)
            proxy[key] = value if key == "params" else as_scalar(value)
        return proxy

    _scratch_bufs: dict[Any, np.ndarray] | None = None

    def _scratch(self, like: np.ndarray, slot: int = 0) -> np.ndarray:
        """A scratch array shaped like ``like``, reused across parameters and steps (never state).

        Updates write their temporaries into it with ``out=``, so a step allocates nothing; an update
        that needs two temporaries at once asks for ``slot`` 0 and 1.
        """
        bufs = self._scratch_bufs
        if bufs is None:
            bufs = self._scratch_bufs = {}
        key = (like.shape, like.dtype) if not slot else (like.shape, like.dtype, slot)
        buf = bufs.get(key)
        if buf is None:
            buf = bufs[key] = np.empty_like(like, order="C")
        return buf

    def _step_group(self, group: dict[str, Any]) -> bool:
        """Optional fast path updating a whole group at once; False leaves it to ``_update``."""
        return False

    def _prepare_group(self, group: dict[str, Any]) -> None:
        """Hook for per-group work before the per-parameter updates (none by default)."""

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    # --- serialization -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` as PyTorch."""
        for hook in self.__dict__.get("_state_dict_pre_hooks", ()):
            hook(self)
        out = self._state_dict()
        for hook in self.__dict__.get("_state_dict_post_hooks", ()):
            new = hook(self, out)
            out = out if new is None else new
        return out

    def _state_dict(self) -> dict[str, Any]:
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {index[id(p)]: {k: (v.clone() if isinstance(v, Tensor) else deepcopy(v)) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by ``state_dict`` (exact resume)."""
        for hook in self.__dict__.get("_load_state_dict_pre_hooks", ()):
            new = hook(self, state_dict)
            state_dict = state_dict if new is None else new
        self._load_state_dict(state_dict)
        for hook in self.__dict__.get("_load_state_dict_post_hooks", ()):
            hook(self)

    def _load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if "param_groups" not in state_dict or "state" not in state_dict:
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected keys 'state' and 'param_groups', got {sorted(state_dict)}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, theirs in zip(self.param_groups, saved_groups):
            if len(ours["params"]) != len(theirs["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
        params_by_index = {}
        for ours, theirs in zip(self.param_groups, saved_groups):
            for p, i in zip(ours["params"], theirs["params"]):
                params_by_index[i] = p
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, values in state_dict["state"].items():
            p = params_by_index.get(int(key))
            if p is None:
                continue
            new_state[p] = {k: self._load_state_value(k, v, p) for k, v in values.items()}
        self.state = new_state
        for ours, theirs in zip(self.param_groups, saved_groups):
            for k, v in theirs.items():
                if k != "params":
                    ours[k] = v

    def _load_state_value(self, key: str, value: Any, param: Tensor) -> Any:
        """One saved state entry as this optimizer keeps it (see ``_cast_state``)."""
        return _cast_state(key, value, param)


def _as_array(value: Any) -> np.ndarray | None:
    """A copy of a tensor-like state value (ours, a NumPy array, or another library's tensor such
    as PyTorch's, read through ``__array__``), or None for plain Python values."""
    if isinstance(value, Tensor):
        return value._data.copy()
    if isinstance(value, np.ndarray):
        return value.copy()
    if hasattr(value, "__array__") and not isinstance(value, (np.generic, int, float, bool)):
        return np.array(value.__array__(), copy=True)
    return None


def _cast_state(key: str, value: Any, param: Tensor) -> Any:
    """Floating state follows the parameter's dtype (as PyTorch), except the step counter; tensor
    state (also PyTorch's tensors) becomes chainrule Tensors; per-element state must have the
    parameter's shape (0-d state such as NAdam's ``mu_product`` is a scalar)."""
    arr = _as_array(value)
    if arr is None:
        return deepcopy(value)
    if key != "step" and arr.dtype.kind == "f" and arr.dtype != param._data.dtype:
        arr = arr.astype(param._data.dtype)
    if key != "step" and arr.ndim and arr.shape != param._data.shape:
        raise ValueError(
            f"load_state_dict: state '{key}' has shape {list(arr.shape)} but its parameter has shape "
            f"{list(param._data.shape)}"
        )
    return Tensor._make(arr)


def check(valid: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``valid`` (hyperparameter checks, in PyTorch's wording)."""
    if not valid:
        raise ValueError(message)


def check_common(group: dict[str, Any], opt: str = "Optimizer", *, nan_lr_ok: bool = False) -> None:
    """Learning rate, weight decay and eps checks shared by every algorithm (PyTorch's wording and
    classes: TypeError for a value that is not a real number, ValueError for one out of range)."""
    check_lr(opt, group["lr"], nan_ok=nan_lr_ok)
    if "weight_decay" in group:
        nonneg(opt, "weight_decay", group["weight_decay"], tensor_ok=True)
    if "eps" in group:
        nonneg(opt, "eps", group["eps"], "epsilon")


def iter_params(params: Iterable[Any]) -> list[Tensor]:
    """Every tensor in ``params`` (tensors or param-group dicts), in order."""
    return [p for g in params for p in (g["params"] if isinstance(g, dict) else [g])]


Optimizer.step = _hooks.with_step_hooks(Optimizer.step)  # type: ignore[method-assign]
Optimizer.zero_grad = _hooks.in_profile_range(Optimizer.zero_grad, "zero_grad")  # type: ignore[method-assign]
