"""``chainrule.optim.swa_utils``: weight averaging (SWA and EMA), its learning-rate schedule and
BatchNorm re-estimation, PyTorch's API.

Stochastic weight averaging keeps the running mean of the weights visited late in training,
  θ̄ₙ₊₁ = θ̄ₙ + (θ − θ̄ₙ)/(n + 1)          (Izmailov et al., 2018, https://arxiv.org/abs/1803.05407)
and an exponential moving average keeps
  θ̄ₙ₊₁ = decay·θ̄ₙ + (1 − decay)·θ        (Polyak averaging with exponential weights).
:class:`AveragedModel` holds a copy of the model whose parameters (and, with ``use_buffers``, buffers)
are those averages; :class:`SWALR` anneals each group's learning rate to its ``swa_lr``;
:func:`update_bn` recomputes BatchNorm statistics for averaged weights with one pass over the data.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from typing import Any

import numpy as np

from .. import _creation, _dtype
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn.module import Module
from ._ops import lerp_
from ._schedulers_base import LRScheduler, format_param
from .optimizer import Optimizer

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]

AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[Sequence[Tensor], Sequence[Tensor], Any], None]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _count(n: Any) -> int:
    return int(n._data) if isinstance(n, Tensor) else int(n)


def _to_int(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A float result written into an integer tensor (``copy_``): truncated toward zero."""
    return np.trunc(values).astype(like.dtype)


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """In-place EMA over lists of tensors: θ̄ ← θ̄ + (1 − decay)·(θ − θ̄) (floats, PyTorch's lerp);
    integer tensors get decay·θ̄ + (1 − decay)·θ computed in float32 and truncated, as PyTorch."""
    _check_decay(decay)

    def ema_update(ema_param_list: Sequence[Tensor], current_param_list: Sequence[Tensor], _: Any) -> None:
        with no_grad():
            for e, c in zip(ema_param_list, current_param_list):
                a, b = e._data, c._data
                if a.dtype.kind in "fc":
                    lerp_(a, b.astype(a.dtype, copy=False), 1 - decay)
                else:
                    a[...] = _to_int(a.astype(np.float32) * np.float32(decay) + b.astype(np.float32)
                                     * np.float32(1 - decay), a)
                e._bump_version()

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """In-place running mean over lists of tensors: θ̄ ← θ̄ + (θ − θ̄)/(n + 1) with n models averaged so far
    (floating tensors only: integer ones raise, as in PyTorch)."""

    def swa_update(averaged_param_list: Sequence[Tensor], current_param_list: Sequence[Tensor], num_averaged: Any) -> None:
        n = _count(num_averaged)
        if averaged_param_list and averaged_param_list[0]._data.dtype.kind not in "fc":
            raise RuntimeError(  # PyTorch's integer path fails in addcdiv too
                "get_swa_multi_avg_fn: integer tensors cannot be averaged in place (here "
                f"{averaged_param_list[0].dtype}, e.g. BatchNorm's num_batches_tracked with use_buffers=True); "
                "use AveragedModel without multi_avg_fn, whose default average handles them"
            )
        with no_grad():
            for e, c in zip(averaged_param_list, current_param_list):
                a = e._data
                lerp_(a, c._data.astype(a.dtype, copy=False), 1 / (n + 1))
                e._bump_version()

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """One tensor's EMA: returns decay·θ̄ + (1 − decay)·θ."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """One tensor's running mean: returns θ̄ + (θ − θ̄)/(n + 1)."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (_count(num_averaged) + 1)

    return swa_update


def _swa_inplace(avg: np.ndarray, cur: np.ndarray, n: int) -> None:
    """The default (no averaging function) update, as PyTorch computes it on the CPU:
    θ̄ ← θ̄ + (θ − θ̄)/(n + 1), integers in float32 then truncated."""
    if avg.dtype.kind in "fc":
        avg += (cur.astype(avg.dtype, copy=False) - avg) / avg.dtype.type(n + 1)
    else:
        avg[...] = _to_int(avg + (cur - avg) / np.float32(n + 1), avg)


class AveragedModel(Module):
    """A copy of ``model`` (``self.module``) whose weights are the average of the weights passed to
    :meth:`update_parameters`: equal weights by default (SWA), or ``avg_fn(θ̄, θ, n) -> θ̄'`` per tensor,
    or ``multi_avg_fn(θ̄_list, θ_list, n)`` in place over lists (e.g. ``get_ema_multi_avg_fn(0.999)``).

    The first update copies the model. ``use_buffers=True`` averages the buffers too (BatchNorm
    statistics); otherwise buffers are copied from the model at each update. ``n_averaged`` (an int64
    buffer) counts the updates; the state_dict holds ``n_averaged`` and ``module.*`` as PyTorch's.
    """

    def __init__(self, model: Module, device: Any = None, avg_fn: AvgFn | None = None,
                 multi_avg_fn: MultiAvgFn | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _creation.tensor(0, dtype=_dtype.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The averaged model's forward: ``self.module(*args, **kwargs)``."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current weights into the average (the first call copies them)."""
        if self.use_buffers:
            ours: Iterable[Tensor] = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs: Iterable[Tensor] = itertools.chain(model.parameters(), model.buffers())
        else:
            ours, theirs = self.parameters(), model.parameters()
        pairs = [(a.detach(), b.detach()) for a, b in zip(ours, theirs)]
        n = int(self.n_averaged._data)
        with no_grad():
            if n == 0:
                for a, b in pairs:
                    a.copy_(b)
            elif self.multi_avg_fn is not None:
                groups: dict[Any, tuple[list[Tensor], list[Tensor]]] = {}
                for a, b in pairs:  # one call per dtype, as PyTorch groups by device and dtype
                    avg, cur = groups.setdefault(a._data.dtype, ([], []))
                    avg.append(a)
                    cur.append(b)
                for avg, cur in groups.values():
                    self.multi_avg_fn(avg, cur, self.n_averaged.clone())
            elif self.avg_fn is None:
                for a, b in pairs:
                    _swa_inplace(a._data, b._data, n)
                    a._bump_version()
            else:
                for a, b in pairs:
                    a.copy_(self.avg_fn(a, b, self.n_averaged.clone()))
            if not self.use_buffers:
                for a, b in zip(self.module.buffers(), model.buffers()):
                    a.detach().copy_(b.detach())
            self.n_averaged += 1


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute every BatchNorm's running mean and variance with one pass over ``loader``.

    The statistics are reset, then accumulated as a cumulative average (``momentum=None``) in
    training mode; each batch is a tensor or a list/tuple whose first item is the input. The
    momenta and the training flag are restored afterwards. Nothing happens without BatchNorm layers.
    """
    from ..nn.modules.normalization import _BatchNorm

    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's learning rate to ``swa_lr`` over ``anneal_epochs`` steps, then hold it.

    With a = anneal(min(1, t/anneal_epochs)) at step t, where anneal(u) = (1 − cos πu)/2 ("cos") or u
    ("linear"):  η_t = a·swa_lr + (1 − a)·η₀, written chainably as PyTorch does (η₀ recovered from
    the current lr and the previous step's a). ``swa_lr`` is one value or one per group (stored in
    each group as ``'swa_lr'``).
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float], anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1) -> None:
        swa_lrs = format_param("swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list[float]:
        """η_t from the current lr: undo the previous step's mix to get η₀, then mix with a(t)."""
        self._warn_if_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        groups = self.optimizer.param_groups
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer and the anneal function (PyTorch's keys)."""
        return self._attributes(exclude=("anneal_func",))

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()``; the anneal function is rebuilt from ``_anneal_strategy``."""
        super().load_state_dict(state_dict)
        self._set_anneal_func(self._anneal_strategy)
