"""``Trainer`` and ``fit``: PyTorch's training loop, with validation, metrics, callbacks and exact resume.

The loop is the one you would write yourself, so using it is optional::

    model.train()
    for xb, yb in loader:
        out = model(xb); loss = loss_fn(out, yb)
        loss.backward(); clip_grad_norm_(params, grad_clip)      # if grad_clip
        optimizer.step(); optimizer.zero_grad()
        scheduler.step()                                          # if scheduler_interval == "step"
    # then: validation under no_grad() with model.eval(); scheduler.step() if interval == "epoch"

Trainer.fit gives the same parameters as that loop, bit for bit (tested).

**Data order and exact resume.** For a ``chainrule.utils.data.DataLoader`` over a map-style dataset,
the trainer draws each epoch's batches itself, at the start of the epoch, by iterating the
loader's own ``batch_sampler`` (so the order comes from the same generator as in a hand-written
loop: the loader's ``generator`` or the default one), keeps that list of index batches, and
feeds the remaining ones through a ``DataLoader`` on the same dataset and ``collate_fn``. A loader
with ``num_workers > 0`` keeps its workers, seeded as ``iter(loader)`` seeds them (``_workers.py``;
a mid-epoch resume has them recompute the epoch's done batches, so their own random streams match). The
checkpoint (``state_dict``) holds this epoch plan and the position in it, the states of the
default generator, NumPy's and Python's global generators and the loader's generator(s), the
partial epoch's loss/metric accumulators, model/optimizer/scheduler, history and callback states.
So a run resumed from any batch boundary continues bit-for-bit. Other iterables (lists of
batches, IterableDatasets, DataLoader subclasses) are iterated as given; resuming mid-epoch then
skips the batches already done, which is exact only if the iterable repeats its order.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .._random import Generator, default_generator
from .._tensor import Tensor
from ..autograd import no_grad
from ._workers import WorkerFeed
from .callbacks import Callback, ProgressBar
from .history import History
from .metrics import build_metrics, get_metric

__all__ = ["Trainer", "fit"]

FORMAT = "chainrule.train/1"
_KEYS = ("model", "optimizer", "scheduler", "epoch", "step", "global_step", "in_epoch", "plan", "partial",
         "history", "stop_training", "callbacks", "rng")


def _controllable(loader: Any) -> bool:
    from ..utils.data import DataLoader

    return type(loader) is DataLoader and not loader._iterable and loader.batch_sampler is not None


def _loader_generators(loader: Any) -> list[Generator]:
    """The distinct chainrule Generators a loader's sampling uses (loader, sampler, batch sampler)."""
    found: list[Generator] = []
    bs = getattr(loader, "batch_sampler", None)
    for obj in (loader, getattr(loader, "sampler", None), bs, getattr(bs, "sampler", None)):
        g = getattr(obj, "generator", None)
        if isinstance(g, Generator) and all(g is not x for x in found):
            found.append(g)
    return found


def _batch_size(y: Any, x: Any) -> int:
    t = y if isinstance(y, Tensor) else x
    return int(t.shape[0]) if isinstance(t, Tensor) and t.ndim else 1


def _unpack(batch: Any) -> tuple[Any, Any]:
    if isinstance(batch, (list, tuple)) and len(batch) == 2:
        return batch[0], batch[1]
    kind = f"a {type(batch).__name__} of {len(batch)} items" if isinstance(batch, (list, tuple)) else type(batch).__name__
    raise TypeError(f"Trainer: each batch must be (inputs, targets); got {kind}. Wrap the data in a "
                    "TensorDataset(x, y), or write the loop yourself for other batch layouts.")


class Trainer:
    """Runs the training loop; see the module docstring for the loop and the resume guarantees.

    Args: ``scheduler`` stepped after every batch (``scheduler_interval="step"``, the default) or
    after every epoch (``"epoch"``; ``ReduceLROnPlateau`` gets ``val_loss``, else ``train_loss``).
    ``metrics``: names ("accuracy", "top5_accuracy", "mse", "mae", "r2"), ``Metric`` objects or
    functions; ``"auto"`` picks from the loss (accuracy for cross-entropy/NLL/BCE, mse/mae/r2 for
    MSE/L1/Huber). ``progress`` adds a ``ProgressBar`` (shown only on a terminal). ``grad_clip``
    clips the total gradient norm before each step.

    Epoch losses and metrics are over the whole epoch: batch losses are weighted by batch size.
    The ``lr`` in each History record is the learning rate of param group 0 used by the epoch's last
    optimizer step (with a per-batch schedule, warmup included, the rate the epoch ended with).
    ``fit(loader, epochs)`` trains until ``self.epoch == epochs`` (a total, not a count to add),
    continuing from where the trainer is (after ``load_state_dict``, or a previous ``fit``).
    A stopped trainer (``stop_training``, saved in checkpoints) trains no more until you reset it.
    """

    def __init__(self, model: Any, loss_fn: Any, optimizer: Any, *, scheduler: Any = None,
                 scheduler_interval: str = "step", metrics: Any = "auto", callbacks: Iterable[Callback] = (),
                 progress: bool = True, grad_clip: float | None = None) -> None:
        if scheduler_interval not in ("step", "epoch"):
            raise ValueError(f"Trainer: scheduler_interval must be 'step' or 'epoch'; got {scheduler_interval!r}")
        if grad_clip is not None and not grad_clip > 0:
            raise ValueError(f"Trainer: grad_clip must be a positive number or None; got {grad_clip!r}")
        if _is_plateau(scheduler) and scheduler_interval == "step":
            raise ValueError("Trainer: ReduceLROnPlateau needs a metric per epoch; pass scheduler_interval='epoch'")
        self.model, self.loss_fn, self.optimizer, self.scheduler = model, loss_fn, optimizer, scheduler
        self.scheduler_interval = scheduler_interval
        self.grad_clip = grad_clip
        self.metrics = build_metrics(metrics, loss_fn)
        cbs = list(callbacks)
        if progress and not any(isinstance(c, ProgressBar) for c in cbs):
            cbs.append(ProgressBar())
        self.callbacks = sorted(cbs, key=lambda c: getattr(c, "order", 0))
        self.history = History()
        self.epoch = 0            # completed epochs
        self.step = 0             # batches done in the current epoch
        self.global_step = 0      # batches done in total
        self.epochs = 0           # the target of the current fit
        self.in_epoch = False
        self.stop_training = False
        self.num_batches: int | None = None
        self._plan: list[np.ndarray] | None = None
        self._partial: dict[str, Any] | None = None
        self._train_metrics = [get_metric(m) for m in self.metrics]
        self._loader: Any = None
        self._pending_loader_rng: list[Any] | None = None
        self._workers = WorkerFeed()  # a loader with num_workers > 0: its plan goes through workers
        self._pending_workers: dict[str, Any] | None = None
        self._dirty = False
        self._mean_over_ranks: Any = None

    # --- status --------------------------------------------------------------------------------
    @property
    def stop_reason(self) -> str | None:
        """Why training stopped early (also ``history.stop_reason``)."""
        return self.history.stop_reason

    @stop_reason.setter
    def stop_reason(self, value: str | None) -> None:
        self.history.stop_reason = value

    @property
    def running_loss(self) -> float:
        """Mean loss of the current epoch so far."""
        p = self._partial
        return p["loss_sum"] / p["count"] if p and p["count"] else float("nan")

    def _call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(self, *args)

    # --- the loop ------------------------------------------------------------------------------
    def fit(self, train_loader: Any, epochs: int, val_loader: Any = None, *, start_epoch: int | None = None) -> History:
        """Train until ``epochs`` epochs are complete; returns ``self.history``."""
        if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
            raise ValueError(f"Trainer.fit: epochs must be a non-negative integer (the total to reach); got {epochs!r}")
        if start_epoch is not None and start_epoch != self.epoch:
            self.epoch, self.step, self.in_epoch, self._plan, self._partial = int(start_epoch), 0, False, None, None
        self.epochs = int(epochs)
        self._loader = train_loader
        if self._pending_loader_rng is not None:
            self._restore_loader_rng(train_loader, self._pending_loader_rng)
            self._pending_loader_rng = None
        if self._pending_workers is not None:
            if _with_workers(train_loader):
                self._workers.load_state_dict(train_loader, self._pending_workers)
            self._pending_workers = None
        if self.in_epoch and self._plan is not None and _distributed_sampler(train_loader):
            # resumed mid-epoch: the checkpoint holds rank 0's batches; this rank's follow from (seed, epoch)
            train_loader.sampler.set_epoch(self.epoch)
            self._plan = [np.asarray(b, dtype=np.int64) for b in train_loader.batch_sampler]
        self._params = [p for g in self.optimizer.param_groups for p in g["params"]]
        # DistributedDataParallel: logged losses/metrics are means over the ranks, so every rank's
        # callbacks (NaNGuard, EarlyStopping...) see the same values and take the same decisions
        self._mean_over_ranks = getattr(self.model, "_mean_over_ranks", None)
        self._call("on_train_begin", {})
        try:
            while not self.stop_training and self.epoch < self.epochs:
                self._run_epoch(train_loader, val_loader)
        except BaseException:
            for cb in self.callbacks:
                cb.close()
            raise
        self._call("on_train_end", dict(self.history.last))
        return self.history

    def _begin_epoch(self, loader: Any) -> None:
        self.in_epoch, self.step = True, 0
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):  # DistributedSampler: this epoch's order, the same on every rank
            sampler.set_epoch(self.epoch)
        if _with_workers(loader):  # as iter(loader) would, before the epoch's indices are drawn
            self._workers.begin_pass(loader)
        self._plan = [np.asarray(b, dtype=np.int64) for b in loader.batch_sampler] if _controllable(loader) else None
        if self._mean_over_ranks is not None:  # DistributedDataParallel: every rank takes the same number of steps
            from ._ranks import check_same_batch_counts

            check_same_batch_counts(self.model, self._plan, loader)
        for m in self._train_metrics:
            m.reset()
        self._partial = {"loss_sum": 0.0, "count": 0, "lr": float(self.optimizer.param_groups[0]["lr"]), "time": 0.0}

    def _remaining(self, loader: Any) -> Iterator[Any]:
        if self._plan is not None:
            from ..utils.data import DataLoader

            if not hasattr(loader, "dataset"):
                raise TypeError("Trainer: this checkpoint was taken mid-epoch with a DataLoader; resume with a "
                                f"DataLoader over the same dataset, got {type(loader).__name__}")
            self.num_batches = len(self._plan)
            if _with_workers(loader):
                if self._workers.seed_state is None:  # a checkpoint of a run without workers: seed them now
                    self._workers.begin_pass(loader)
                return self._workers.batches(loader, self._plan, self.step)
            rest = [b.tolist() for b in self._plan[self.step:]]
            return iter(DataLoader(loader.dataset, batch_sampler=rest, collate_fn=loader.collate_fn))
        try:
            self.num_batches = len(loader)
        except TypeError:
            self.num_batches = None
        it = iter(loader)
        return itertools.islice(it, self.step, None) if self.step else it

    def _run_epoch(self, loader: Any, val_loader: Any) -> None:
        sched = self.scheduler
        if not self.in_epoch:
            self._begin_epoch(loader)
        epoch, part = self.epoch + 1, self._partial
        batches = self._remaining(loader)  # lazy: nothing is drawn before the first batch
        self._call("on_epoch_begin", epoch, {})
        self.model.train()
        t0 = time.perf_counter()
        step_sched = sched is not None and self.scheduler_interval == "step"
        try:
            finished = self._train_batches(batches, part, t0, step_sched)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:  # a generator over worker batches: its workers stop now
                close()
        if finished:
            self._end_epoch(epoch, val_loader)

    def _train_batches(self, batches: Iterator[Any], part: dict[str, Any], t0: float, step_sched: bool) -> bool:
        """The epoch's remaining steps; False if a callback stopped training before the epoch's end."""
        model, opt, sched = self.model, self.optimizer, self.scheduler
        for batch in batches:
            xb, yb = _unpack(batch)
            i, logs = self.step, {}
            rng = default_generator.np.bit_generator
            rng_at_start = rng.state
            try:
                self._call("on_batch_begin", i, logs)
                out = model(xb)
                loss = self.loss_fn(out, yb)
                logs["loss"] = value = float(loss.item())
                if self._mean_over_ranks is not None:
                    logs["loss"] = value = self._mean_over_ranks([value])[0]
                self._call("on_before_backward", i, logs)
                if not self.stop_training:
                    loss.backward()
                    if self.grad_clip is not None:
                        from ..nn.utils import clip_grad_norm_

                        clip_grad_norm_(self._params, self.grad_clip)
                    self._call("on_before_optimizer_step", i, logs)
            except BaseException:  # nothing was updated yet: back to the batch boundary
                rng.state = rng_at_start
                opt.zero_grad()
                raise
            if self.stop_training:  # a guard refused this batch: no step, stop now
                opt.zero_grad()
                part["time"] += time.perf_counter() - t0
                return False
            self._dirty = True
            part["lr"] = float(opt.param_groups[0]["lr"])  # the rate this step uses (the epoch's last is logged)
            opt.step()
            opt.zero_grad()
            if step_sched:
                sched.step()
            n = _batch_size(yb, xb)
            part["loss_sum"] += value * n
            part["count"] += n
            for m in self._train_metrics:
                m.update(out, yb)
            self.step += 1
            self.global_step += 1
            self._dirty = False
            self._call("on_batch_end", i, logs)
            if self.stop_training:
                part["time"] += time.perf_counter() - t0
                return False
        part["time"] += time.perf_counter() - t0
        return True

    def _end_epoch(self, epoch: int, val_loader: Any) -> None:
        part = self._partial
        t0 = time.perf_counter()
        logs: dict[str, Any] = {"epoch": epoch, "train_loss": part["loss_sum"] / part["count"] if part["count"] else float("nan")}
        logs.update({f"train_{m.name}": m.compute() for m in self._train_metrics})
        mean = self._mean_over_ranks
        if mean is not None and self._train_metrics:  # each rank saw an equal share of the epoch
            keys = [f"train_{m.name}" for m in self._train_metrics]
            logs.update(zip(keys, mean([logs[k] for k in keys])))
        if val_loader is not None:
            logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader).items()})
        logs["lr"] = part["lr"]
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if _is_plateau(self.scheduler):
                self.scheduler.step(logs.get("val_loss", logs["train_loss"]))
            else:
                self.scheduler.step()
        logs["time"] = part["time"] + time.perf_counter() - t0
        self.history.append(logs)
        self.epoch, self.step, self.in_epoch, self._plan, self._partial = epoch, 0, False, None, None
        self._call("on_epoch_end", epoch, logs)

    # --- evaluation and prediction -------------------------------------------------------------
    def evaluate(self, loader: Iterable[Any]) -> dict[str, float]:
        """Loss and metrics over ``loader`` with ``model.eval()`` under ``no_grad`` (the mode is restored)."""
        was = self.model.training
        metrics = [get_metric(m) for m in self.metrics]
        loss_sum, count = 0.0, 0
        self.model.eval()
        try:
            with no_grad():
                for batch in loader:
                    xb, yb = _unpack(batch)
                    out = self.model(xb)
                    n = _batch_size(yb, xb)
                    loss_sum += float(self.loss_fn(out, yb).item()) * n
                    count += n
                    for m in metrics:
                        m.update(out, yb)
        finally:
            self.model.train(was)
        return {"loss": loss_sum / count if count else float("nan"), **{m.name: m.compute() for m in metrics}}

    def predict(self, data: Any, *, batch_size: int | None = None) -> Tensor:
        """Model outputs for a Tensor (in chunks of ``batch_size`` if given) or a loader (inputs = first
        item of each batch), concatenated, computed in eval mode under ``no_grad``."""
        from .. import cat

        if isinstance(data, Tensor):
            step = batch_size or max(int(data.shape[0]) if data.ndim else 1, 1)
            batches: Iterable[Any] = [data] if batch_size is None else [data[i:i + step] for i in range(0, data.shape[0], step)]
        else:
            batches = (b[0] if isinstance(b, (list, tuple)) else b for b in data)
        was = self.model.training
        self.model.eval()
        try:
            with no_grad():
                outs = [self.model(xb) for xb in batches]
        finally:
            self.model.train(was)
        return outs[0] if len(outs) == 1 else cat(outs)

    # --- checkpoints ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly (see the module docstring); save with ``chainrule.save``."""
        if self._dirty:
            raise RuntimeError("Trainer.state_dict: training was interrupted inside an optimizer update, so the "
                               "state is not at a batch boundary; resume from the last checkpoint instead.")
        plan = None
        if self.in_epoch and self._plan is not None:
            sizes = np.array([len(b) for b in self._plan], dtype=np.int64)
            flat = np.concatenate(self._plan) if self._plan else np.zeros(0, np.int64)
            plan = {"indices": flat.astype(np.int64), "sizes": sizes}
        partial = None
        if self.in_epoch and self._partial is not None:
            partial = {**self._partial, "metrics": [m.state_dict() for m in self._train_metrics]}
        loader_rng = (self._pending_loader_rng if self._pending_loader_rng is not None
                      else [g.get_state() for g in _loader_generators(self._loader)])
        np_state = np.random.get_state()
        py_state = random.getstate()
        return {
            "format": FORMAT,
            "model": {k: Tensor._make(v._data.copy()) for k, v in _plain(self.model).state_dict().items()},
            "optimizer": self.optimizer.state_dict(),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "epoch": self.epoch, "step": self.step, "global_step": self.global_step, "in_epoch": self.in_epoch,
            "plan": plan, "partial": partial,
            "history": self.history.state_dict(),
            "stop_training": self.stop_training,
            "callbacks": [{"class": type(cb).__name__, "state": st} for cb in self.callbacks if (st := cb.state_dict())],
            "rng": {
                "chainrule": default_generator.get_state(),
                "numpy": {"keys": np.asarray(np_state[1], dtype=np.int64), "pos": int(np_state[2]),
                          "has_gauss": int(np_state[3]), "cached_gaussian": float(np_state[4])},
                "python": {"version": py_state[0], "state": np.asarray(py_state[1], dtype=np.int64),
                           "gauss_next": py_state[2]},
                "loader": loader_rng,
            },
            "workers": (self._pending_workers if self._pending_workers is not None
                        else self._workers.state_dict(self._loader) if _with_workers(self._loader) else None),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` (e.g. from ``chainrule.load``): model, optimizer, scheduler,
        progress, history, callbacks and random states (the global ones at once, the loader's at
        the next ``fit``)."""
        from ..errors import UserError

        if not isinstance(state, dict) or any(k not in state for k in _KEYS):
            missing = [k for k in _KEYS if not isinstance(state, dict) or k not in state]
            raise UserError(f"Trainer.load_state_dict: this is not a Trainer checkpoint (missing {', '.join(missing)}); "
                            "pass what Trainer.state_dict() or ModelCheckpoint wrote, or load a plain model "
                            "state dict with model.load_state_dict.")
        try:
            _plain(self.model).load_state_dict(state["model"])
        except RuntimeError as e:
            raise _checkpoint_error(f"Trainer.load_state_dict: the checkpoint's model does not match this model "
                                    f"({e}). Build the model with the same architecture as the run that wrote "
                                    "the checkpoint.") from e
        self.optimizer.load_state_dict(state["optimizer"])
        if (state["scheduler"] is None) != (self.scheduler is None):
            raise UserError("Trainer.load_state_dict: the checkpoint was written "
                            f"{'without' if state['scheduler'] is None else 'with'} a learning-rate scheduler but "
                            "this Trainer has the opposite; build it as in the run that wrote the checkpoint.")
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.step = int(state["epoch"]), int(state["step"])
        self.global_step, self.in_epoch = int(state["global_step"]), bool(state["in_epoch"])
        plan = state["plan"]
        if plan is None:
            self._plan = None
        else:
            flat, sizes = _array(plan["indices"]).astype(np.int64), _array(plan["sizes"]).astype(np.int64)
            self._plan = np.split(flat, np.cumsum(sizes)[:-1]) if len(sizes) else []
        partial = state["partial"]
        if partial is None:
            self._partial = None
        else:
            self._partial = {k: partial[k] for k in ("loss_sum", "count", "lr", "time")}
            for m, s in zip(self._train_metrics, partial["metrics"]):
                m.load_state_dict(s)
        self.history.load_state_dict(state["history"])
        self.stop_training = bool(state["stop_training"])
        pool: dict[str, list[Any]] = {}
        for entry in state["callbacks"]:
            pool.setdefault(entry["class"], []).append(entry["state"])
        for cb in self.callbacks:
            saved = pool.get(type(cb).__name__)
            if saved:
                cb.load_state_dict(saved.pop(0))
        rng = state["rng"]
        default_generator.set_state(rng["chainrule"])
        npst = rng["numpy"]
        np.random.set_state(("MT19937", _array(npst["keys"]).astype(np.uint32), int(npst["pos"]),
                             int(npst["has_gauss"]), float(npst["cached_gaussian"])))
        pyst = rng["python"]
        random.setstate((int(pyst["version"]), tuple(int(v) for v in _array(pyst["state"])), pyst["gauss_next"]))
        self._pending_loader_rng = list(rng["loader"])
        self._pending_workers = state.get("workers")  # absent in checkpoints of loaders without workers
        self._dirty = False

    @staticmethod
    def _restore_loader_rng(loader: Any, states: Sequence[Any]) -> None:
        gens = _loader_generators(loader)
        if len(gens) != len(states):
            from ..errors import UserError

            raise UserError(f"Trainer.fit: the checkpoint holds {len(states)} DataLoader generator state(s) but this "
                            f"DataLoader uses {len(gens)}; build the training DataLoader as in the original run "
                            "(same shuffle and generator arguments).")
        for g, s in zip(gens, states):
            g.set_state(s)


def _with_workers(loader: Any) -> bool:
    return _controllable(loader) and loader.num_workers > 0


def _distributed_sampler(loader: Any) -> bool:
    from ..utils.data.distributed import DistributedSampler

    return _controllable(loader) and isinstance(getattr(loader, "sampler", None), DistributedSampler)


def _plain(model: Any) -> Any:
    """The wrapped model of a DistributedDataParallel (checkpoints hold it without the ``module.`` prefix,
    so a distributed run resumes in one process and vice versa)."""
    return model.module if getattr(model, "_is_ddp", False) else model


def _is_plateau(scheduler: Any) -> bool:
    from ..optim.lr_scheduler import ReduceLROnPlateau

    return isinstance(scheduler, ReduceLROnPlateau)


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _checkpoint_error(message: str) -> Exception:
    try:
        from ..io import CheckpointError
    except ImportError:
        from ..errors import UserError as CheckpointError
    return CheckpointError(message)


def _as_loader(data: Any, batch_size: int, shuffle: bool, generator: Generator | None) -> Any:
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(isinstance(t, Tensor) for t in data):
        from ..utils.data import DataLoader, TensorDataset

        return DataLoader(TensorDataset(*data), batch_size=batch_size, shuffle=shuffle, generator=generator)
    return data


def fit(model: Any, train_data: Any, loss_fn: Any, optimizer: Any, epochs: int, *, val_data: Any = None,
        batch_size: int = 32, shuffle: bool = True, generator: Generator | None = None, **kwargs: Any) -> History:
    """Train ``model`` with a ``Trainer`` and return its History.

    ``train_data``/``val_data``: a DataLoader (or any iterable of (x, y) batches) or a pair of
    Tensors ``(x, y)``, batched by ``batch_size`` (training data shuffled unless ``shuffle=False``).
    Other keyword arguments go to ``Trainer`` (scheduler, metrics, callbacks, progress, grad_clip...).
    """
    train_loader = _as_loader(train_data, batch_size, shuffle, generator)
    val_loader = None if val_data is None else _as_loader(val_data, batch_size, False, None)
    return Trainer(model, loss_fn, optimizer, **kwargs).fit(train_loader, epochs, val_loader)
