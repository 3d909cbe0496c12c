"""Callbacks: code the ``Trainer`` calls at fixed points of the loop.

Hooks, in the order the trainer calls them (``epoch`` is 1-based, ``batch`` 0-based within the epoch)::

    on_train_begin(trainer, logs)
      on_epoch_begin(trainer, epoch, logs)
        on_batch_begin(trainer, batch, logs)
        on_before_backward(trainer, batch, logs)          logs["loss"] is the batch loss (a float)
        on_before_optimizer_step(trainer, batch, logs)    after backward and gradient clipping
        on_batch_end(trainer, batch, logs)                after step, zero_grad and a per-step scheduler
      on_epoch_end(trainer, epoch, logs)                  logs = the epoch's History record
    on_train_end(trainer, logs)

Stopping: setting ``trainer.stop_training = True`` in ``on_before_backward`` or
``on_before_optimizer_step`` abandons the batch (no optimizer step) and stops at once; in
``on_batch_end`` it stops after that batch; in ``on_epoch_end`` after that epoch. Set
``trainer.stop_reason`` to say why (it is copied to ``History.stop_reason``).

Callbacks run in list order, except that a callback with a larger ``order`` runs after those with a
smaller one: ``ModelCheckpoint`` has ``order = 100`` so the state it saves includes what the other
callbacks did at the same point. ``state_dict``/``load_state_dict`` are part of the trainer's
checkpoint (exact resume).
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .._tensor import Tensor

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "NaNGuard", "ProgressBar"]


class Callback:
    """Base class: override the hooks you need (see the module docstring)."""

    order: int = 0

    def on_train_begin(self, trainer: Any, logs: dict[str, Any]) -> None:
        """Once per ``fit`` call, before its first epoch (a resumed run calls it again)."""

    def on_train_end(self, trainer: Any, logs: dict[str, Any]) -> None:
        """Once, after the last epoch or an early stop."""

    def on_epoch_begin(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Before each epoch's first batch (``epoch`` is 1-based)."""

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """At the end of each epoch (after validation, if any); ``logs`` is the epoch's History record."""

    def on_batch_begin(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        """Before each batch's forward pass (``batch`` is 0-based within the epoch)."""

    def on_before_backward(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        """After the loss is computed (``logs["loss"]``, a float), before ``loss.backward()``."""

    def on_before_optimizer_step(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        """After backward and gradient clipping, before ``optimizer.step()`` (gradients can be read here)."""

    def on_batch_end(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        """After the step, ``zero_grad`` and a per-step scheduler."""

    def close(self) -> None:
        """Release resources (called when training is interrupted by an exception)."""

    def state_dict(self) -> dict[str, Any]:
        """What the callback must remember across a resume (saved in the trainer's checkpoint)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode="auto"`` maximizes names containing "acc" or "r2", minimizes the rest. With
    ``restore_best_weights`` the model gets the weights of the best epoch back when ``fit`` ends
    (whether it stopped early or ran all its epochs). Its best value, wait count and best weights
    are in the trainer's checkpoint, so a resumed run stops where the uninterrupted one would.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, mode: str = "auto", min_delta: float = 0.0,
                 restore_best_weights: bool = True, verbose: bool = False) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max'; got {mode!r}")
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be a non-negative integer; got {patience!r}")
        self.monitor = monitor
        self.patience = patience
        self.mode = mode if mode != "auto" else ("max" if "acc" in monitor or "r2" in monitor else "min")
        self.min_delta = abs(float(min_delta))
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose
        self.best: float | None = None
        self.best_epoch = 0
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return not math.isnan(value)
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        if self.monitor not in logs:
            hint = " (pass val_loader to fit, or monitor a train_ metric)" if self.monitor.startswith("val_") else ""
            raise ValueError(f"EarlyStopping: monitor {self.monitor!r} is not in the epoch logs{hint}; "
                             f"available: {', '.join(logs)}")
        value = float(logs[self.monitor]) if logs[self.monitor] is not None else float("nan")
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = {k: v._data.copy() for k, v in trainer.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            trainer.stop_training = True
            best = (f"best {self.best:.6g} at epoch {self.best_epoch}" if self.best is not None
                    else "it was never a finite number")
            trainer.stop_reason = f"EarlyStopping: {self.monitor} did not improve for {self.wait} epochs ({best})"

    def on_train_end(self, trainer: Any, logs: dict[str, Any]) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)
            if self.verbose:
                print(f"EarlyStopping: restored the weights of epoch {self.best_epoch} "
                      f"({self.monitor} = {self.best:.6g})", file=sys.stderr)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch,
                "best_weights": None if self.best_weights is None else {k: v.copy() for k, v in self.best_weights.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = None if state["best"] is None else float(state["best"])
        self.best_epoch, self.wait = int(state["best_epoch"]), int(state["wait"])
        self.stopped_epoch = int(state["stopped_epoch"])
        bw = state["best_weights"]
        self.best_weights = None if bw is None else {
            k: (v._data.copy() if isinstance(v, Tensor) else np.array(v)) for k, v in bw.items()}


class ModelCheckpoint(Callback):
    """Save the trainer's full checkpoint (``trainer.state_dict()``) with ``chainrule.save`` (atomic).

    ``path``: a directory (no ``.safetensors`` suffix) gets ``epoch_0003.safetensors`` every
    ``every_n_epochs`` epochs and ``last.safetensors`` at every save and when training ends
    (``save_last``); a file path is overwritten at each save, or, if it holds ``{epoch}`` /
    ``{step}`` fields (``"ckpt_{epoch:03d}.safetensors"``), formatted per save. ``every_n_steps``
    also saves inside epochs (``last.safetensors`` or the file path), so a killed run loses at most
    that many batches; resuming from any of these files continues bit-for-bit.
    """

    order = 100

    def __init__(self, path: str | Path, every_n_epochs: int = 1, save_last: bool = True,
                 every_n_steps: int | None = None) -> None:
        self.path = Path(path)
        self.is_dir = self.path.suffix == "" or self.path.is_dir()
        self.every_n_epochs = int(every_n_epochs)
        self.every_n_steps = None if not every_n_steps else int(every_n_steps)
        self.save_last = save_last
        self.saved: list[Path] = []

    def _target(self, trainer: Any, periodic: bool) -> Path:
        if self.is_dir:
            name = f"epoch_{trainer.epoch:04d}.safetensors" if periodic else "last.safetensors"
            return self.path / name
        return Path(str(self.path).format(epoch=trainer.epoch, step=trainer.global_step))

    def save(self, trainer: Any, path: Path) -> None:
        """Write ``trainer.state_dict()`` to ``path`` (``chainrule.save``, atomic); under MPI rank 0 only."""
        from .. import save

        dist = sys.modules.get("chainrule.distributed")
        if dist is not None and not dist.is_main_process():  # under mpiexec only rank 0 writes
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        save(trainer.state_dict(), str(path))
        self.saved.append(path)

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        if self.every_n_epochs > 0 and epoch % self.every_n_epochs == 0:
            self.save(trainer, self._target(trainer, periodic=True))
        if self.save_last and self.is_dir:
            self.save(trainer, self._target(trainer, periodic=False))

    def on_batch_end(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        if self.every_n_steps and trainer.global_step % self.every_n_steps == 0 and trainer.in_epoch:
            self.save(trainer, self._target(trainer, periodic=False))

    def on_train_end(self, trainer: Any, logs: dict[str, Any]) -> None:
        if self.save_last:
            self.save(trainer, self._target(trainer, periodic=False))


class NaNGuard(Callback):
    """Stop at the first non-finite loss (or, with ``check_grads``, gradient), before any update.

    The trainer checks the loss before ``backward`` and the gradients before ``optimizer.step()``;
    on a non-finite value no step is taken for that batch, ``trainer.stop_training`` is set and the
    reason goes to ``trainer.stop_reason`` and ``History.stop_reason`` (and to stderr when
    ``verbose``). No exception is raised: ``fit`` returns normally; check ``history.stop_reason``.
    """

    def __init__(self, check_grads: bool = True, verbose: bool = True) -> None:
        self.check_grads = check_grads
        self.verbose = verbose

    def _stop(self, trainer: Any, batch: int, what: str) -> None:
        trainer.stop_training = True
        trainer.stop_reason = (
            f"NaNGuard: {what} at epoch {trainer.epoch + 1}, batch {batch} (step {trainer.global_step + 1}); "
            "training stopped before the optimizer step, so the parameters are those before this batch. "
            "Try a lower learning rate, gradient clipping (grad_clip=...) or check the data for nan/inf.")
        if self.verbose:
            print(trainer.stop_reason, file=sys.stderr)

    def on_before_backward(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        loss = logs["loss"]
        if not math.isfinite(loss):
            self._stop(trainer, batch, f"non-finite loss ({loss})")

    def on_before_optimizer_step(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        if not self.check_grads:
            return
        for name, p in trainer.model.named_parameters():
            g = p.grad
            if g is not None and not np.isfinite(g._data).all():
                self._stop(trainer, batch, f"non-finite gradient of {name}")
                return


def _bar_size(file: Any) -> dict[str, Any]:
    """tqdm's size arguments for ``file``: follow the terminal's size when it reports one; a
    pseudo-terminal without a window size reports 0×0, and tqdm then draws every bar as an empty
    line, so such a terminal gets a fixed 100 columns and 20 rows."""
    try:
        size = os.get_terminal_size(file.fileno())
    except (AttributeError, ValueError, OSError):  # not a terminal, or no fileno (io.UnsupportedOperation)
        return {"dynamic_ncols": True}
    if size.columns > 0 and size.lines > 0:
        return {"dynamic_ncols": True}
    return {"dynamic_ncols": False, "ncols": size.columns or 100, "nrows": size.lines or 20}


class ProgressBar(Callback):
    """tqdm bars per epoch with the running loss and, at the end, the epoch's metrics.

    Quiet unless stdout is a terminal (``force=True`` overrides); bars go to ``file`` (stderr).
    tqdm is imported only when a bar is shown.
    """

    def __init__(self, *, file: Any = None, force: bool = False, leave: bool = True) -> None:
        self.file = file
        self.force = force
        self.leave = leave
        self._bar: Any = None
        self._enabled = False

    def on_train_begin(self, trainer: Any, logs: dict[str, Any]) -> None:
        isatty = getattr(sys.stdout, "isatty", None)
        self._enabled = self.force or bool(isatty and isatty())

    def on_epoch_begin(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        if not self._enabled:
            return
        from tqdm import tqdm

        self.close()
        file = self.file or sys.stderr
        self._bar = tqdm(total=trainer.num_batches, initial=trainer.step, desc=f"epoch {epoch}/{trainer.epochs}",
                         file=file, leave=self.leave, unit="batch", **_bar_size(file))

    def on_batch_end(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        if self._bar is not None:
            self._bar.update(1)
            if batch % 10 == 0 or batch + 1 == trainer.num_batches:
                self._bar.set_postfix(loss=f"{trainer.running_loss:.4f}", refresh=False)

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        if self._bar is not None:
            shown = {k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in logs.items() if k not in ("epoch", "time")}
            self._bar.set_postfix(shown, refresh=True)
            self.close()

    def on_train_end(self, trainer: Any, logs: dict[str, Any]) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
