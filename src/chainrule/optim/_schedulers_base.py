"""``LRScheduler``: the base of every learning-rate schedule, PyTorch's protocol.

A scheduler owns ``base_lrs`` (each group's ``initial_lr``) and ``last_epoch`` (how many times it
was stepped; ``-1`` before the constructor's initial step). ``step()`` advances ``last_epoch`` and
writes ``get_lr()`` into every param group's ``'lr'``. Like PyTorch, most schedules are *chainable*:
``get_lr`` updates the group's current lr recursively, so several schedulers can act on the same
optimizer; ``step(epoch)`` (deprecated) uses the closed form ``_get_closed_form_lr`` when a class has one.

``state_dict()`` is the scheduler's ``__dict__`` without the optimizer (same keys as PyTorch's);
``load_state_dict`` checks that the keys are the ones this scheduler saves and raises a clear
``ValueError`` otherwise (a state dict of another class, or with missing/extra keys).
"""

from __future__ import annotations

import copy
import types
import warnings
from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = ["LRScheduler", "_LRScheduler"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)


def check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def format_param(name: str, optimizer: Optimizer, param: Any) -> list[Any]:
    """One value per param group: a list/tuple must have one entry per group, a scalar is repeated."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has {len(optimizer.param_groups)}."
            )
        return list(param)
    return [param] * len(optimizer.param_groups)


def group_values(optimizer: Optimizer, key: str) -> list[Any]:
    """Each group's ``key``; a Tensor value (a Tensor ``lr``) is copied, so the list never aliases it."""
    return [group[key].clone() if isinstance(group[key], Tensor) else group[key] for group in optimizer.param_groups]


def set_group_value(group: dict[str, Any], key: str, value: Any) -> None:
    """``group[key] = value``, except that a Tensor already there is filled in place (PyTorch keeps a
    Tensor ``lr`` the same object, which compiled or captured steps rely on)."""
    current = group[key]
    if isinstance(current, Tensor):
        current.fill_(float(value))
    else:
        group[key] = value


def set_momentum(group: dict[str, Any], value: float, use_beta1: bool) -> None:
    """Write a cycled momentum: ``betas[0]`` for Adam-like optimizers, else ``momentum``."""
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def check_momentum_support(optimizer: Optimizer) -> bool:
    """``cycle_momentum`` needs a ``momentum`` or ``betas`` hyperparameter; returns use_beta1."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    return "betas" in optimizer.defaults


def callable_state(fns: list[Callable[..., Any]]) -> list[dict[str, Any] | None]:
    """Lambdas/functions are not saved (as PyTorch); callable objects save a copy of their ``__dict__``."""
    return [None if not hasattr(fn, "__dict__") or _is_function(fn) else dict(fn.__dict__) for fn in fns]


def _is_function(fn: Any) -> bool:
    return isinstance(fn, (types.FunctionType, types.BuiltinFunctionType, types.MethodType))


def restore_callables(owner: str, fns: list[Callable[..., Any]], saved: Any) -> None:
    if not isinstance(saved, (list, tuple)) or len(saved) != len(fns):
        count = len(saved) if isinstance(saved, (list, tuple)) else type(saved).__name__
        raise ValueError(f"{owner}.load_state_dict: the state dict holds {count} saved functions; expected {len(fns)}")
    for fn, state in zip(fns, saved):
        if state is not None:
            fn.__dict__.update(state)


def check_state_dict(sched: Any, state_dict: Any, optional: frozenset[str] = frozenset()) -> None:
    """Raise a clear error unless ``state_dict`` has exactly the keys ``sched.state_dict()`` saves."""
    name = type(sched).__name__
    if not isinstance(state_dict, dict):
        raise TypeError(f"{name}.load_state_dict: expected a dict returned by state_dict(), got {type(state_dict).__name__}")
    expected = set(sched.state_dict())
    missing = sorted(expected - set(state_dict) - optional)
    unexpected = sorted(set(state_dict) - expected - optional)
    if missing or unexpected:
        raise ValueError(
            f"{name}.load_state_dict: the state dict was not saved by {name}.state_dict(); "
            f"missing keys {missing}, unexpected keys {unexpected}; expected the keys {sorted(expected)}"
        )
    for key in ("base_lrs", "_last_lr", "min_lrs"):
        values = state_dict.get(key)
        groups = len(sched.optimizer.param_groups)
        if isinstance(values, list) and len(values) != groups:
            raise ValueError(
                f"{name}.load_state_dict: '{key}' has {len(values)} values but the optimizer has {groups} param groups"
            )


def _tracking_step(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
    """``optimizer.step`` as installed by a scheduler: records that the optimizer has stepped."""
    self._opt_called = True  # type: ignore[attr-defined]
    return type(self).step(self, *args, **kwargs)


_tracking_step.__name__ = "step"  # pickling the bound method then restores the plain ``step``
_tracking_step._wrapped_by_lr_sched = True  # type: ignore[attr-defined]


def _patch_optimizer_step(optimizer: Optimizer) -> None:
    """Bind ``_tracking_step`` as the instance's ``step`` (once) so a scheduler can warn when it is
    stepped before the optimizer. A bound method (not a closure) so that copies of the optimizer
    step themselves; an instance-level ``step`` set by the user is left alone."""
    current = optimizer.__dict__.get("step")
    if current is None or getattr(current, "__func__", None) is type(optimizer).step:  # (unpickled: plain step)
        optimizer.step = types.MethodType(_tracking_step, optimizer)  # type: ignore[method-assign]


class LRScheduler:
    """Base class. Subclasses implement ``get_lr()`` (the chainable rule, called inside ``step``)
    and optionally ``_get_closed_form_lr()`` (used by the deprecated ``step(epoch)``).

    ``last_epoch=-1`` starts fresh and records ``initial_lr = lr`` in every param group; any other
    value resumes and requires ``initial_lr`` to be present already (KeyError otherwise).
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False
    _optional_state_keys: frozenset[str] = frozenset()

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                lr = group["lr"]
                group.setdefault("initial_lr", lr.clone() if isinstance(lr, Tensor) else lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler with last_epoch >= 0.\n"
                        "This typically happens when:\n"
                        "1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n"
                        "2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
                    )
        self.base_lrs: list[float] = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _patch_optimizer_step(optimizer)
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step: sets the lr of ``last_epoch + 1`` without counting as a user step."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    # --- serialization -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (copied, so later steps don't alter it)."""
        return self._attributes()

    def _attributes(self, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        skip = {"optimizer", *exclude}
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in skip}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` of the same scheduler class (ValueError for a mismatched one)."""
        check_state_dict(self, state_dict, self._optional_state_keys)
        self._restore(state_dict)

    def _restore(self, state_dict: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
        self.__dict__.update({k: copy.deepcopy(v) for k, v in state_dict.items() if k not in skip})

    # --- stepping ------------------------------------------------------------------------------
    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per param group."""
        return self._last_lr

    def get_lr(self) -> list[float]:
        """The learning rates for the current ``last_epoch`` (call inside ``step``)."""
        raise NotImplementedError

    def _warn_if_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=3)

    def step(self, epoch: int | None = None) -> None:
        """Advance one step (or jump to ``epoch`` with the closed form; deprecated) and set the lrs."""
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn(
                    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
                    "initialization. Please, make sure to call `optimizer.step()` before "
                    "`lr_scheduler.step()`. See more details at "
                    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                    UserWarning, stacklevel=2,
                )
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(
                    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
                    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
                    "will result in PyTorch skipping the first value of the learning rate schedule. "
                    "See more details at "
                    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                    UserWarning, stacklevel=2,
                )
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)

    def _set_lrs(self, values: list[float]) -> None:
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            raise ValueError(
                f"{type(self).__name__}.step: got {len(values)} learning rates for {len(groups)} param groups"
            )
        for group, lr in zip(groups, values):
            set_group_value(group, "lr", lr)
        self._last_lr = group_values(self.optimizer, "lr")


class _LRScheduler(LRScheduler):
    """Backward-compatible alias of ``LRScheduler`` (PyTorch keeps both names)."""
