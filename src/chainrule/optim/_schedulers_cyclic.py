"""Cyclic schedules: cosine with warm restarts, CyclicLR, OneCycleLR, and chainrule's WarmupCosineLR.

Notation: ``t = last_epoch``, ``η₀ = base_lr``. The two cycle-momentum schedules also write the
momentum (``group['momentum']``, or ``betas[0]`` for Adam-like optimizers) at every step.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

from ._schedulers_base import (
    LRScheduler,
    check_momentum_support,
    check_optimizer,
    check_state_dict,
    format_param,
    set_momentum,
)
from .optimizer import Optimizer

__all__ = ["CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "WarmupCosineLR"]


class CosineAnnealingWarmRestarts(LRScheduler):
    """ηₜ = η_min + (η₀ − η_min) · (1 + cos(π · T_cur / T_i)) / 2  (SGDR).

    T_cur counts steps since the last restart; a restart happens when T_cur reaches T_i, and the
    period then grows: T_i ← T_i · T_mult. ``step(epoch)`` accepts fractional epochs (e.g.
    ``epoch + batch / num_batches``): with T_mult > 1, n = ⌊log_{T_mult}(epoch/T_0·(T_mult−1) + 1)⌋,
    T_cur = epoch − T_0·(T_multⁿ − 1)/(T_mult − 1), T_i = T_0·T_multⁿ.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        cos_out = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base_lr - self.eta_min) * cos_out / 2 for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:  # type: ignore[override]
        """Advance one step, or jump to a (possibly fractional) ``epoch``."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)


class CyclicLR(LRScheduler):
    """Cyclical learning rate (Smith 2017), stepped after every batch.

        cycle = ⌊1 + t / (up + down)⌋,   x = 1 + t/(up + down) − cycle ∈ [0, 1)
        h = x / r  if x ≤ r  else (x − 1)/(r − 1),   r = up / (up + down)
        ηₜ = base_lr + (max_lr − base_lr) · h · scale(cycle or t)
        momentumₜ = max_momentum − (max_momentum − base_momentum) · h · scale(cycle or t)

    scale: 'triangular' 1, 'triangular2' 1/2^(cycle−1), 'exp_range' γᵗ (per iteration), or a
    custom ``scale_fn`` evaluated per ``scale_mode`` ('cycle' or 'iterations').
    """

    _optional_state_keys = frozenset({"use_beta1", "base_momentums", "max_momentums"})

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float], max_lr: float | list[float],
                 step_size_up: int = 2000, step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = format_param("max_lr", optimizer, max_lr)
        if not step_size_up > 0:
            raise ValueError(f"CyclicLR: step_size_up must be positive; expected > 0, got {step_size_up}")
        if step_size_down is not None and not step_size_down >= 0:
            raise ValueError(f"CyclicLR: step_size_down must be non-negative; expected >= 0, got {step_size_down}")
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_mode()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = check_momentum_support(optimizer)
            self.base_momentums = format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = format_param("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(self.max_momentums, self.base_momentums, optimizer.param_groups):
                    set_momentum(group, m_max, self.use_beta1)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_mode(self) -> None:
        """The built-in modes fix their scale_mode: 'exp_range' per iteration, the others per cycle."""
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x: float) -> float:
        """The amplitude scale at cycle (or iteration) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * height * scale for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, m_base, m_max in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                set_momentum(group, m_max - (m_max - m_base) * height * scale, self.use_beta1)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base, but a custom ``scale_fn`` is saved only if it is a callable object (its ``__dict__``)."""
        state = self._attributes(exclude=("_scale_fn_custom",))
        fn = self._scale_fn_custom
        is_function = isinstance(fn, (types.FunctionType, types.BuiltinFunctionType, types.MethodType))
        state["_scale_fn_custom"] = None if fn is None or is_function else dict(fn.__dict__)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        check_state_dict(self, state_dict, self._optional_state_keys)
        saved_fn = state_dict["_scale_fn_custom"]
        if saved_fn is not None:
            if self._scale_fn_custom is None:
                raise ValueError("CyclicLR.load_state_dict: the state dict holds a custom scale_fn's state, "
                                 "but this scheduler has no scale_fn; expected a CyclicLR built with the same scale_fn")
            self._scale_fn_custom.__dict__.update(saved_fn)
        self._restore(state_dict, skip=("_scale_fn_custom",))
        self._init_scale_mode()


def _anneal_cos(start: float, end: float, pct: float) -> float:
    """Cosine from ``start`` (pct = 0) to ``end`` (pct = 1)."""
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start: float, end: float, pct: float) -> float:
    """Straight line from ``start`` (pct = 0) to ``end`` (pct = 1)."""
    return (end - start) * pct + start


class OneCycleLR(LRScheduler):
    """1cycle policy (Smith & Topin 2018), stepped after every batch, for ``total_steps`` steps.

    With initial_lr = max_lr / div_factor and min_lr = initial_lr / final_div_factor, the lr is
    annealed (cos: end + (start − end)·(1 + cos(π·pct))/2, or linear) through the phases
        two-phase:   initial_lr → max_lr over pct_start·total − 1 steps, then max_lr → min_lr;
        three_phase: initial_lr → max_lr, max_lr → initial_lr (same length), then → min_lr,
    and the momentum (or betas[0]) inversely: max_momentum → base_momentum → max_momentum.
    """

    _optional_state_keys = frozenset({"use_beta1"})

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        warm_end = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            phases = [(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                      (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                      (last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            phases = [(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                      (last, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        self._schedule_phases = [dict(zip(keys, phase)) for phase in phases]
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        max_lrs = format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, group_max in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = group_max / div_factor
                group["max_lr"] = group_max
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = check_momentum_support(optimizer)
            max_ms = format_param("max_momentum", optimizer, max_momentum)
            base_ms = format_param("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(max_ms, base_ms, optimizer.param_groups):
                    set_momentum(group, m_max, self.use_beta1)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"Tried to step {step_num} times. The specified number of total steps is {self.total_steps}")
        anneal = _anneal_cos if self._anneal_func_type == "cos" else _anneal_linear
        # the phase containing step_num (the last phase takes everything after the others)
        start_step = 0.0
        for i, phase in enumerate(self._schedule_phases):
            if step_num <= phase["end_step"] or i == len(self._schedule_phases) - 1:
                break
            start_step = phase["end_step"]
        pct = (step_num - start_step) / (phase["end_step"] - start_step)
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                momentum = anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                set_momentum(group, momentum, self.use_beta1)
        return lrs


class WarmupCosineLR(LRScheduler):
    """Linear warmup, then cosine decay to a floor, in one object (chainrule's ready-made schedule).

        ηₜ = η₀ · (s + (1 − s) · t / W)                                      for 0 ≤ t < W
        ηₜ = η_min + (η₀ − η_min) · (1 + cos(π · (t − W) / (T − W))) / 2     for W ≤ t ≤ T
        ηₜ = η_min                                                           for t > T

    W = warmup_steps, T = total_steps, s = warmup_start_factor, η₀ = the group's initial lr and
    η_min = ``min_lr`` (a float or one per group) or ``min_lr_ratio · η₀``. Up to T this is
    ``SequentialLR([LinearLR(s, 1.0, W), CosineAnnealingLR(T − W, η_min)], milestones=[W])``
    (for s > 0), computed in closed form, so ``load_state_dict`` resumes exactly.
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, total_steps: int,
                 min_lr: float | list[float] = 0.0, min_lr_ratio: float | None = None,
                 warmup_start_factor: float = 0.0, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        name = "WarmupCosineLR"
        if not isinstance(warmup_steps, int) or warmup_steps < 0:
            raise ValueError(f"{name}: warmup_steps must be a non-negative integer; got {warmup_steps!r}")
        if not isinstance(total_steps, int) or total_steps <= warmup_steps:
            raise ValueError(f"{name}: total_steps must be an integer greater than warmup_steps; "
                             f"expected total_steps > {warmup_steps}, got {total_steps!r}")
        if not 0.0 <= warmup_start_factor <= 1.0:
            raise ValueError(f"{name}: warmup_start_factor must be in [0, 1]; got {warmup_start_factor}")
        if min_lr_ratio is not None:
            if isinstance(min_lr, (list, tuple)) or min_lr != 0.0:
                raise ValueError(f"{name}: give either min_lr or min_lr_ratio, not both; got min_lr={min_lr}, "
                                 f"min_lr_ratio={min_lr_ratio}")
            if not 0.0 <= min_lr_ratio <= 1.0:
                raise ValueError(f"{name}: min_lr_ratio must be in [0, 1]; got {min_lr_ratio}")
        min_lrs = format_param("min_lr", optimizer, min_lr)
        if any(m < 0 for m in min_lrs):
            raise ValueError(f"{name}: min_lr must be non-negative; got {min_lr}")
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.warmup_start_factor = warmup_start_factor
        self.min_lrs = min_lrs
        self.min_lr_ratio = min_lr_ratio
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        return self._get_closed_form_lr()

    def _get_closed_form_lr(self) -> list[float]:
        t, warmup, total, s = self.last_epoch, self.warmup_steps, self.total_steps, self.warmup_start_factor
        floors = ([self.min_lr_ratio * base for base in self.base_lrs] if self.min_lr_ratio is not None
                  else self.min_lrs)
        if t < warmup:
            factor = s + (1.0 - s) * t / warmup
            return [base * factor for base in self.base_lrs]
        if t >= total:
            return list(floors)
        cos_out = 1 + math.cos(math.pi * (t - warmup) / (total - warmup))
        return [floor + (base - floor) * cos_out / 2 for base, floor in zip(self.base_lrs, floors)]
