"""Module hooks: forward (with kwargs), full backward, state_dict and load_state_dict hooks, global hooks.

``Module`` inherits ``HooksMixin``; ``Module.__call__`` takes its fast path when no hook is registered
anywhere and otherwise calls ``call_with_hooks``. Full backward hooks work as PyTorch's: the module's
tensor inputs and outputs pass through an identity node (``BackwardHookIdentity``) whose backward
sees the gradients w.r.t. the outputs (grad_output, rewritten by backward pre-hooks) and w.r.t. the
inputs (grad_input, rewritten by backward hooks).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_state

__all__ = [
    "register_module_forward_pre_hook", "register_module_forward_hook", "register_module_full_backward_pre_hook",
    "register_module_full_backward_hook",
]  # fmt: skip


class RemovableHandle:
    """What every ``register_*_hook`` returns: ``remove()`` unregisters the hook (also as a context manager)."""

    _next_id = 0

    def __init__(self, hooks: OrderedDict[int, Any], *extra: dict[int, Any]) -> None:
        self.hooks = hooks
        self.extra = extra
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self.hooks.pop(self.id, None)
        for d in self.extra:
            d.pop(self.id, None)
        _refresh_global_flag()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def add_hook(hooks: OrderedDict[int, Any], hook: Callable[..., Any], prepend: bool = False,
             flags: tuple[dict[int, Any], ...] = ()) -> RemovableHandle:  # fmt: skip
    """Register ``hook`` in ``hooks`` (first when ``prepend``); ``flags`` are id-keyed side tables."""
    handle = RemovableHandle(hooks, *flags)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    _refresh_global_flag()
    return handle


# --- global hooks (every module) -----------------------------------------------------------------
_g_forward_pre: OrderedDict[int, Any] = OrderedDict()
_g_forward: OrderedDict[int, Any] = OrderedDict()
_g_forward_kwargs: dict[int, bool] = {}
_g_forward_always: dict[int, bool] = {}
_g_backward_pre: OrderedDict[int, Any] = OrderedDict()
_g_backward: OrderedDict[int, Any] = OrderedDict()
global_active = [False]  # read by Module.__call__: any global hook registered


def _refresh_global_flag() -> None:
    global_active[0] = bool(_g_forward_pre or _g_forward or _g_backward_pre or _g_backward)


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``hook(module, args)`` before every module's forward; may return replacement args."""
    return add_hook(_g_forward_pre, hook)


def register_module_forward_hook(
    hook: Callable[..., Any], *, with_kwargs: bool = False, always_call: bool = False
) -> RemovableHandle:
    """``hook(module, args, output)`` after every module's forward; may return a replacement output."""
    handle = add_hook(_g_forward, hook, flags=(_g_forward_kwargs, _g_forward_always))
    if with_kwargs:
        _g_forward_kwargs[handle.id] = True
    if always_call:
        _g_forward_always[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``hook(module, grad_output)`` for every module in backward; may return a replacement grad_output."""
    return add_hook(_g_backward_pre, hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``hook(module, grad_input, grad_output)`` for every module in backward; may return new grad_input."""
    return add_hook(_g_backward, hook)


# --- full backward hooks --------------------------------------------------------------------------
class BackwardHookIdentity(Function):
    """y_i = x_i for the tensors of a module's inputs or outputs; the VJP is the identity too,
    except that it hands the gradients to the hook run (``run.on_grads``), which may replace them."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, run: Any, side: str, *arrays: Any) -> Any:
        ctx.run, ctx.side = run, side
        return tuple(arrays)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return (None, None, *ctx.run.on_grads(ctx.side, list(grads)))


class _BackwardHookRun:
    """One module call's backward hooks: grad_output from the output node, grad_input at the input node."""

    def __init__(self, module: Any, pre_hooks: list[Any], hooks: list[Any]) -> None:
        self.module, self.pre_hooks, self.hooks = module, pre_hooks, hooks
        self.grad_output: tuple[Any, ...] = ()
        self.n_args = 0
        self.input_pos: list[int] = []

    def wrap_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        self.n_args = len(args)
        self.input_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a._requires_grad]
        if not self.input_pos:
            return args
        # tensor inputs that need no gradient are reported with a zero grad_input (PyTorch materializes them)
        self.zero_inputs = [(i, a._data.shape, a._data.dtype) for i, a in enumerate(args)
                            if isinstance(a, Tensor) and not a._requires_grad]  # fmt: skip
        outs = BackwardHookIdentity.apply(self, "in", *[args[i] for i in self.input_pos])
        new = list(args)
        for i, t in zip(self.input_pos, outs):
            new[i] = t
        return tuple(new)

    def wrap_outputs(self, out: Any) -> Any:
        single = isinstance(out, Tensor)
        items = [out] if single else list(out) if isinstance(out, (tuple, list)) else []
        pos = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o._requires_grad]
        if not pos:
            return out
        self.n_out = len(items)
        self.output_pos = pos
        wrapped = BackwardHookIdentity.apply(self, "out", *[items[i] for i in pos])
        for i, t in zip(pos, wrapped):
            items[i] = t
        if single:
            return items[0]
        if type(out) is list:
            return items
        return tuple(items) if type(out) is tuple else type(out)(*items)  # a namedtuple keeps its type

    def on_grads(self, side: str, grads: list[Any]) -> list[Any]:
        def as_t(g: Any) -> Any:
            return None if g is None else Tensor._make(g)

        if side == "out":
            packed: list[Any] = [None] * self.n_out
            for i, g in zip(self.output_pos, grads):
                packed[i] = as_t(g)
            grad_output = tuple(packed)
            for hook in self.pre_hooks:
                res = hook(self.module, grad_output)
                if res is not None:
                    grad_output = _check_replacement(res, len(grad_output), "backward pre hook", "grad_output")
            self.grad_output = grad_output
            if not self.input_pos and self.hooks:  # no input needs a gradient: hooks see grad_input all None
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to module outputs since "
                    "no inputs require gradients. See the documentation of Module.register_full_backward_hook for "
                    "more details.", UserWarning, stacklevel=2,
                )
                for hook in self.hooks:
                    res = hook(self.module, (None,) * self.n_args, grad_output)
                    if res is not None and any(r is not None for r in res):
                        raise RuntimeError(
                            "Backward hook for Modules where no input requires gradient should always return None "
                            "or None for all gradients."
                        )
            return [_arr(grad_output[i]) for i in self.output_pos]
        packed = [None] * self.n_args
        for i, g in zip(self.input_pos, grads):
            packed[i] = as_t(g)
        for i, shape, dtype in self.zero_inputs:
            packed[i] = Tensor._make(np.zeros(shape, dtype))
        grad_input = tuple(packed)
        for hook in self.hooks:
            res = hook(self.module, grad_input, self.grad_output)
            if res is not None:
                grad_input = _check_replacement(res, len(grad_input), "backward hook", "grad_input")
        return [_arr(grad_input[i]) for i in self.input_pos]


def _arr(g: Any) -> Any:
    return g._data if isinstance(g, Tensor) else g


def _check_replacement(res: Any, n: int, what: str, name: str) -> tuple[Any, ...]:
    res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
    if len(res) != n:
        raise RuntimeError(f"{what} returned an invalid number of {name}; expected {n}, got {len(res)}")
    return res


# --- the hooked call -------------------------------------------------------------------------------
def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Module.__call__ when some hook is registered: pre-hooks, forward, forward hooks, backward wiring."""
    d = module.__dict__
    pre_kw = d.get("_forward_pre_hooks_with_kwargs", {})
    for hid, hook in [*_g_forward_pre.items(), *module._forward_pre_hooks.items()]:
        if pre_kw.get(hid):
            res = hook(module, args, kwargs)
            if res is not None:
                if not (isinstance(res, tuple) and len(res) == 2):
                    raise RuntimeError(
                        f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got {res}."
                    )
                args, kwargs = res
        else:
            res = hook(module, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
    bw_pre = [*_g_backward_pre.values(), *d.get("_backward_pre_hooks", {}).values()]
    bw = [*_g_backward.values(), *d.get("_backward_hooks", {}).values()]
    run = _BackwardHookRun(module, bw_pre, bw) if (bw_pre or bw) and _grad_state.enabled else None
    if run is not None:
        args = run.wrap_inputs(args)
    fw_kw = {**_g_forward_kwargs, **d.get("_forward_hooks_with_kwargs", {})}
    always = {**_g_forward_always, **d.get("_forward_hooks_always_called", {})}
    forward_hooks = [*_g_forward.items(), *module._forward_hooks.items()]
    try:
        out = module.forward(*args, **kwargs)
    except Exception:
        for hid, hook in forward_hooks:
            if always.get(hid):
                try:
                    hook(module, args, kwargs, None) if fw_kw.get(hid) else hook(module, args, None)
                except Exception:  # noqa: S110 - the forward's exception is the one to report
                    pass
        raise
    for hid, hook in forward_hooks:
        res = hook(module, args, kwargs, out) if fw_kw.get(hid) else hook(module, args, out)
        if res is not None:
            out = res
    if run is not None:
        out = run.wrap_outputs(out)
    return out


# --- state_dict / load_state_dict -----------------------------------------------------------------
def save_state(module: Any, dest: OrderedDict[str, Any], prefix: str, keep_vars: bool) -> None:
    """PyTorch's recursion: pre-hooks, own parameters and persistent buffers, children, post-hooks."""
    from .parameter import is_lazy

    d = module.__dict__
    for hook in d.get("_state_dict_pre_hooks", {}).values():
        hook(module, prefix, keep_vars)
    for name, p in module._parameters.items():
        if p is not None:
            dest[prefix + name] = p if keep_vars or is_lazy(p) else p.detach()
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent_buffers:
            dest[prefix + name] = b if keep_vars or is_lazy(b) else b.detach()
    for name, child in module._modules.items():
        if child is not None:
            save_state(child, dest, f"{prefix}{name}.", keep_vars)
    for hook in d.get("_state_dict_hooks", {}).values():
        if hook(module, dest, prefix, {"version": module._version}) is not None:
            raise RuntimeError("state_dict post-hook must return None")


def run_load_pre_hooks(root: Any, sd: OrderedDict[str, Any], strict: bool, missing: list[str],
                       unexpected: list[str], errors: list[str]) -> None:  # fmt: skip
    """Each module's load_state_dict pre-hooks, parents first, on the (mutable) copy ``sd``."""
    for prefix, m in root.named_modules(remove_duplicate=False):
        for hook in m.__dict__.get("_load_state_dict_pre_hooks", {}).values():
            hook(m, sd, f"{prefix}." if prefix else "", {"version": m._version}, strict, missing, unexpected, errors)


def run_load_post_hooks(root: Any, keys: Any) -> None:
    """Each module's load_state_dict post-hooks, children first; they may edit the key lists in place."""
    for _, m in reversed(list(root.named_modules(remove_duplicate=False))):
        for hook in m.__dict__.get("_load_state_dict_post_hooks", {}).values():
            if hook(m, keys) is not None:
                raise AssertionError(
                    "Hooks registered with ``register_load_state_dict_post_hook`` are not expected to return new "
                    "values, if incompatible_keys need to be modified, it should be done inplace."
                )


def materialize_from(target: Any, value: Any, key: str) -> None:
    """Lazy modules: an uninitialized target takes the checkpoint's shape before the copy."""
    from .parameter import is_lazy

    if is_lazy(value):
        if not is_lazy(target):
            value.shape  # noqa: B018 - raises PyTorch's "Can't access the shape of an uninitialized ..." error
        return
    if is_lazy(target):
        target.materialize(np.shape(value._data if isinstance(value, Tensor) else value))


_HOOK_TABLES = (
    "_backward_pre_hooks", "_backward_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called", "_state_dict_pre_hooks", "_state_dict_hooks", "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)  # fmt: skip


class HooksMixin:
    """The ``register_*_hook`` methods of ``Module`` beyond the forward hooks."""

    def _hook_table(self, name: str) -> Any:
        d = self.__dict__
        table = d.get(name)
        if table is None:
            table = d[name] = OrderedDict()
        return table

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output) -> tuple | None`` when the gradients w.r.t. the module's outputs are
        known; a returned tuple replaces grad_output (and is what flows on into the module)."""
        return add_hook(self._hook_table("_backward_pre_hooks"), hook, prepend)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output) -> tuple | None`` once the gradients w.r.t. the module's
        positional inputs are known (None for inputs that need none); a returned tuple replaces grad_input."""
        return add_hook(self._hook_table("_backward_hooks"), hook, prepend)

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Deprecated in PyTorch; registered here as a full backward hook (its documented replacement)."""
        return self.register_full_backward_hook(hook)

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` before ``state_dict`` collects this module's entries."""
        return add_hook(self._hook_table("_state_dict_pre_hooks"), hook)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata) -> None`` after this module's subtree is
        collected; it may edit ``state_dict`` in place."""
        return add_hook(self._hook_table("_state_dict_hooks"), hook)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` before loading; it may rename or edit entries of ``state_dict`` in place."""
        return add_hook(self._hook_table("_load_state_dict_pre_hooks"), hook)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, incompatible_keys) -> None`` after loading, before strict checking; it may edit
        ``incompatible_keys.missing_keys``/``unexpected_keys`` in place."""
        return add_hook(self._hook_table("_load_state_dict_post_hooks"), hook)
