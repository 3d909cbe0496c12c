"""One training session: data, model, loss, optimizer, schedule and trainer, built from a config.

The same construction serves `train` (fresh), `resume` (then the checkpoint's trainer state is loaded)
and the read-only commands (evaluate/predict/draw/summary load only the model weights). Everything
random is seeded from ``cfg["seed"]`` before construction, so two sessions of one config start equal.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

import numpy as np

from ..errors import UserError
from ..train import Callback, EarlyStopping, NaNGuard, Trainer
from ..utils.data import DataLoader, TensorDataset
from .config import IMAGE_DATASETS
from .models import build_loss, build_model, build_optimizer, build_scheduler
from .run import CHECKPOINT, FORMAT
from .target import Unstandardized, fit_target_stats, standardize_targets
from .threads import plan_threads

__all__ = ["Session", "load_split", "check_split_sizes", "SaveEachEpoch", "EpochLines"]

INPUT_SCALE = {"digits": 16.0, "mnist": 255.0, "fashion-mnist": 255.0, "cifar10": 255.0}  # raw pixel value -> loader's [0, 1]


def load_split(cfg: dict[str, Any]) -> Any:
    """The dataset of ``cfg`` as a ``chainrule.datasets.Split`` (images unflattened for the cnn)."""
    from .. import datasets

    name = cfg["dataset"]
    if name == "csv" and not cfg["data_root"]:
        raise UserError("The csv dataset needs the path of your CSV file and its target column: "
                        "--dataset csv --data-root FILE.csv --target COLUMN.")
    if name == "csv" and not cfg["target"]:
        raise UserError(f"The csv dataset needs the name of the target column of {cfg['data_root']!r}: "
                        "add --target COLUMN (the header of the column to predict).")
    if cfg["model"] == "cnn" and name not in IMAGE_DATASETS:
        raise UserError(f"The cnn model needs images, but {name} is not an image dataset. Use --model mlp, or "
                        f"one of the image datasets: {', '.join(IMAGE_DATASETS)}.")
    root = cfg["data_root"]
    if root is not None:
        root = os.path.expanduser(root)
    return datasets.load(name, root=root, val=cfg["val"], test=cfg["test"], seed=cfg["seed"],
                         flatten=cfg["model"] != "cnn", n_samples=cfg["n_samples"], noise=cfg["noise"],
                         target=cfg["target"], task=cfg["task"], download=cfg["download"])


def _parts(n: int, val: float, test: float) -> tuple[int, int, int]:
    """(train, val, test) sizes that ``datasets.split`` makes of ``n`` samples."""
    n_test, n_val = int(round(n * test)), int(round(n * val))
    return n - n_val - n_test, n_val, n_test


def check_split_sizes(s: Any, cfg: dict[str, Any]) -> list[str]:
    """Refuse a split with an empty (or, for R², single-sample) part; return warnings for small data."""
    sizes = (len(s.x_train), len(s.x_val), len(s.x_test))
    least = (2, 2, 2) if s.task == "regression" else (1, 1, 1)
    if any(have < need for have, need in zip(sizes, least)):
        official = "test_source" in s.meta  # mnist: the test split is the official test files
        n = sizes[0] + sizes[1] + (0 if official else sizes[2])
        test = 0.0 if official else cfg["test"]
        want = (least[0], least[1], 0 if official else least[2])
        need = next(m for m in range(n + 1, 10**7)
                    if all(a >= b for a, b in zip(_parts(m, cfg["val"], test), want)))
        what = "R² needs at least 2 samples in each part" if s.task == "regression" else "each part needs a sample"
        raise UserError(
            f"The {s.name} dataset has only {n} usable rows: with --val {cfg['val']:g} and --test {cfg['test']:g} "
            f"they split into {sizes[0]} train / {sizes[1]} val / {sizes[2]} test samples, but {what}. "
            f"Give at least {need} rows (more give meaningful metrics), or raise --val / --test so that "
            "every part gets its share.")
    if sizes[0] < 50 or min(sizes[1:]) < 10:
        return [f"the {s.name} dataset is small ({sizes[0]} train / {sizes[1]} val / {sizes[2]} test samples): "
                "the validation and test metrics rest on few samples and will vary a lot between seeds."]
    return []


def _seed(seed: int) -> None:
    import random

    from .. import manual_seed
    manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


class SaveEachEpoch(Callback):
    """Write the run checkpoint at the end of every epoch (``order = 100``: after the other callbacks, so the
    early-stopping state of this epoch is in it)."""

    order = 100

    def __init__(self, session: Session, path: str) -> None:
        self.session, self.path = session, path

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Save the run checkpoint (status "training")."""
        self.session.save(self.path, status="training")


class EpochLines(Callback):
    """A line every ``every`` epochs (and at the last) when no progress bar is shown (output not a terminal)."""

    def __init__(self, every: int) -> None:
        self.every = every

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Print the epoch's losses, metrics and learning rate (every ``every`` epochs, the last, a stop)."""
        if epoch % self.every and epoch != trainer.epochs and not trainer.stop_training:
            return
        parts = [f"epoch {epoch:3d}/{trainer.epochs}"]
        for k in ("train_loss", "val_loss", "val_accuracy", "val_r2", "lr"):
            if k in logs:
                parts.append(f"{k} {logs[k]:.4g}")
        print("  ".join(parts), flush=True)


class Session:
    """Everything a run needs, built from a validated config (see ``config.SPECS``)."""

    def __init__(self, cfg: dict[str, Any], *, quiet: bool = True, progress: bool = False,
                 distributed: bool = False, standardize_target: bool = True) -> None:
        """``distributed``: under ``mpiexec -n N`` (process group initialized), wrap the model in
        DistributedDataParallel and give each rank ``batch_size / N`` samples of every global batch
        (DistributedSampler), so the global batch size and schedule are those of a single process.
        ``standardize_target``: a regression model learns ``(y − mean) / std`` (see ``cli.target``);
        False only for runs written before targets were standardized."""
        self.cfg = cfg
        _seed(cfg["seed"])
        self.split = s = load_split(cfg)
        self.warnings = check_split_sizes(s, cfg)
        self.task = s.task
        self.target_dim = 1 if s.task == "classification" else int(s.y_train.shape[1])
        self.target_stats: dict[str, Any] | None = None
        if s.task == "regression" and standardize_target:
            self.target_stats = fit_target_stats(s.y_train)
            standardize_targets(s, self.target_stats)
        self.loss_fn = build_loss(cfg, s.task)
        self.model = build_model(cfg, s.input_shape, s.task, s.num_classes, self.target_dim)
        self.optimizer = build_optimizer(cfg, self.model)
        self.rank, self.world = 0, 1
        self.threads: int | None = None  # BLAS threads while training (None: as the environment set them)
        self.threads_why = ""
        train_model: Any = self.model
        if distributed:
            train_model, self.train_loader = self._distributed(TensorDataset(s.x_train, s.y_train))
        else:
            self.train_loader = DataLoader(TensorDataset(s.x_train, s.y_train), batch_size=cfg["batch_size"],
                                           shuffle=True)
        self.threads, self.threads_why = plan_threads(self.model, s.input_shape, cfg["batch_size"] // self.world,
                                                      cfg["threads"], self.world)
        steps = len(self.train_loader)
        self.scheduler, interval = build_scheduler(cfg, self.optimizer, steps)
        self.early = (EarlyStopping("val_loss", patience=cfg["patience"], restore_best_weights=True)
                      if cfg["patience"] > 0 else None)
        callbacks: list[Any] = [NaNGuard(verbose=False), *([self.early] if self.early is not None else [])]
        if not quiet and not progress:
            callbacks.append(EpochLines(max(1, cfg["epochs"] // 20)))
        self.callbacks = callbacks
        metrics: tuple[Any, ...] = ("accuracy",) if s.task == "classification" else ("mse", "mae", "r2")
        if self.target_stats is not None:
            metrics = tuple(Unstandardized(m, self.target_stats) for m in metrics)
        self.trainer = Trainer(train_model, self.loss_fn, self.optimizer, scheduler=self.scheduler,
                               scheduler_interval=interval, metrics=metrics, callbacks=callbacks,
                               progress=progress, grad_clip=cfg["grad_clip"])
        self.seconds = 0.0   # wall time spent training, summed over resumes
        self.prior_seconds = 0.0  # of which before this process (restored from the checkpoint)
        self._t0 = time.perf_counter()

    def _distributed(self, train: Any) -> tuple[Any, Any]:
        from .. import distributed as dist
        from ..nn.parallel import DistributedDataParallel
        from ..utils.data import DistributedSampler

        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        bs = self.cfg["batch_size"]
        if bs % self.world:
            raise UserError(f"--batch-size {bs} is the global batch and must split evenly over the {self.world} "
                            f"processes of mpiexec; use a multiple of {self.world} (e.g. "
                            f"{(bs // self.world + 1) * self.world}) or another process count.")
        sampler = DistributedSampler(train, seed=self.cfg["seed"])
        return DistributedDataParallel(self.model), DataLoader(train, batch_size=bs // self.world, sampler=sampler)

    # --- facts about the data, stored in the checkpoint for predict --------------------------------
    def data_info(self) -> dict[str, Any]:
        """Facts about the data that ``predict`` needs (shapes, names, standardization), for the checkpoint."""
        s = self.split
        return {"name": s.name, "task": s.task, "num_classes": s.num_classes, "input_shape": list(s.input_shape),
                "class_names": s.class_names, "feature_names": s.feature_names, "meta": s.meta,
                "target_dim": self.target_dim, "input_scale": INPUT_SCALE.get(s.name, 1.0),
                "target_standardize": self.target_stats}

    def loader(self, part: str, batch_size: int = 1024) -> Any:
        """An unshuffled DataLoader over the ``part`` split ("train", "val" or "test")."""
        s = self.split
        return DataLoader(TensorDataset(getattr(s, f"x_{part}"), getattr(s, f"y_{part}")), batch_size=batch_size)

    # --- checkpoints -----------------------------------------------------------------------------
    def save(self, path: str, status: str) -> None:
        """Write the run checkpoint (rank 0 only in a distributed run)."""
        if self.rank != 0:
            return
        from .. import save
        save({"format": FORMAT, "version": 1, "status": status, "config": self.cfg, "data": self.data_info(),
              "seconds": self.seconds + (time.perf_counter() - self._t0 if status == "training" else 0.0),
              "trainer": self.trainer.state_dict()}, path)

    def restore(self, ckpt: dict[str, Any], run: str) -> None:
        """Load a run checkpoint's full trainer state (architecture checked first)."""
        from ..io import check_compatible
        source = repr(os.path.join(run, CHECKPOINT))
        state = ckpt["trainer"]
        check_compatible(self.model, state.get("model"), source=source)
        self.trainer.load_state_dict(state)
        self.seconds = self.prior_seconds = float(ckpt.get("seconds", 0.0))

    def load_weights(self, ckpt: dict[str, Any], run: str) -> None:
        """Load only the model weights of a run checkpoint (for evaluate/predict/draw/summary)."""
        from ..io import check_compatible
        state = ckpt["trainer"].get("model")
        check_compatible(self.model, state, source=repr(os.path.join(run, CHECKPOINT)))
        self.model.load_state_dict(state)
        self.model.eval()

    # --- training --------------------------------------------------------------------------------
    def fit(self, run: str) -> None:
        """Train (from scratch or from the restored state) until done; checkpoint after every epoch."""
        cb = SaveEachEpoch(self, os.path.join(run, CHECKPOINT))
        self.trainer.callbacks = sorted([*self.trainer.callbacks, cb], key=lambda c: getattr(c, "order", 0))
        self._t0 = time.perf_counter()
        try:
            with self.blas_threads():
                self.trainer.fit(self.train_loader, self.cfg["epochs"], self.loader("val"))
        finally:
            self.trainer.callbacks.remove(cb)
        self.seconds += time.perf_counter() - self._t0
        self._t0 = time.perf_counter()

    def blas_threads(self) -> Any:
        """A context in which the BLAS uses ``self.threads`` threads (restored afterwards)."""
        if self.threads is None:
            return contextlib.nullcontext()
        from threadpoolctl import threadpool_limits
        return threadpool_limits(limits=self.threads, user_api="blas")

    @property
    def used_threads(self) -> int:
        """The BLAS threads training uses."""
        if self.threads is not None:
            return self.threads
        from .._threads import get_num_threads
        return get_num_threads()

    @property
    def best_epoch(self) -> int:
        """The epoch whose weights the run keeps: EarlyStopping's best epoch, else the last one."""
        if self.early is not None and self.early.best_epoch:
            return int(self.early.best_epoch)
        return len(self.trainer.history)
