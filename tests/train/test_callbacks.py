"""EarlyStopping, ModelCheckpoint, NaNGuard, ProgressBar and the callback protocol."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.train import Callback, EarlyStopping, ModelCheckpoint, NaNGuard, ProgressBar, Trainer
from chainrule.utils.data import DataLoader, TensorDataset

from ._common import blobs, loaders, mlp, params


class Snapshots(Callback):
    """Parameters after every epoch (and, if asked, before a given batch)."""

    def __init__(self, before_batch: int | None = None) -> None:
        self.epochs: dict[int, dict[str, np.ndarray]] = {}
        self.before_batch = before_batch
        self.before: dict[str, np.ndarray] | None = None

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        self.epochs[epoch] = params(trainer.model)

    def on_batch_begin(self, trainer, batch, logs) -> None:
        if batch == self.before_batch:
            self.before = params(trainer.model)


def test_early_stopping_stops_and_restores_the_best_weights() -> None:
    x, y = blobs(n=120, seed=1)
    model = mlp()
    opt = cr.optim.SGD(model.parameters(), lr=0.5)  # too large: the val loss goes up and down
    snaps = Snapshots()
    stopper = EarlyStopping(monitor="val_loss", patience=2)
    train, val = loaders(x, y)
    history = Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[stopper, snaps], progress=False).fit(train, 60, val)
    assert len(history) < 60
    losses = history["val_loss"]
    best = int(np.argmin(losses)) + 1
    assert stopper.best_epoch == best and stopper.best == min(losses)
    assert len(history) == best + 2  # patience 2: two epochs without improvement
    assert "EarlyStopping" in history.stop_reason and "val_loss" in history.stop_reason
    final = params(model)
    assert all(np.array_equal(final[k], snaps.epochs[best][k]) for k in final)
    assert not all(np.array_equal(final[k], snaps.epochs[len(history)][k]) for k in final)


def test_early_stopping_mode_and_min_delta() -> None:
    assert EarlyStopping("val_accuracy").mode == "max"
    assert EarlyStopping("val_r2").mode == "max"
    assert EarlyStopping("train_loss").mode == "min"
    stopper = EarlyStopping("val_loss", patience=1, min_delta=0.1)

    class T:
        stop_training = False
        stop_reason = None
        model = mlp()

    t = T()
    for epoch, v in enumerate([1.0, 0.95], start=1):  # 0.95 is not 0.1 better than 1.0
        stopper.on_epoch_end(t, epoch, {"val_loss": v})
    assert t.stop_training and stopper.best == 1.0
    with pytest.raises(ValueError, match="pass val_loader"):
        EarlyStopping().on_epoch_end(t, 1, {"train_loss": 1.0})
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_model_checkpoint_writes_loadable_files(tmp_path) -> None:
    x, y = blobs(n=64)
    model = mlp()
    opt = cr.optim.SGD(model.parameters(), lr=0.1)
    ckpt = ModelCheckpoint(tmp_path / "run", every_n_epochs=2)
    single = ModelCheckpoint(tmp_path / "single.safetensors")
    fmt = ModelCheckpoint(tmp_path / "fmt" / "ck_{epoch:02d}.safetensors", save_last=False)
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[ckpt, single, fmt], progress=False)
    train, val = loaders(x, y)
    trainer.fit(train, 5, val)
    names = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert names == ["epoch_0002.safetensors", "epoch_0004.safetensors", "last.safetensors"]
    assert sorted(p.name for p in (tmp_path / "fmt").iterdir()) == [f"ck_{e:02d}.safetensors" for e in range(1, 6)]
    state = cr.load(tmp_path / "run" / "epoch_0004.safetensors")
    assert state["epoch"] == 4 and len(state["history"]["epochs"]) == 4
    last = cr.load(tmp_path / "single.safetensors")
    assert last["epoch"] == 5
    final = params(model)
    assert all(np.array_equal(last["model"][k].numpy(), final[k]) for k in final)
    fresh = mlp()
    Trainer(fresh, nn.CrossEntropyLoss(), cr.optim.SGD(fresh.parameters(), lr=0.1), progress=False).load_state_dict(last)
    assert all(np.array_equal(params(fresh)[k], final[k]) for k in final)


def test_model_checkpoint_runs_after_the_other_callbacks(tmp_path) -> None:
    x, y = blobs(n=64)
    model = mlp()
    stopper = EarlyStopping(patience=100)
    ckpt = ModelCheckpoint(tmp_path / "c.safetensors")
    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
                      callbacks=[ckpt, stopper], progress=False)
    assert trainer.callbacks.index(ckpt) > trainer.callbacks.index(stopper)
    train, val = loaders(x, y)
    trainer.fit(train, 2, val)
    saved = cr.load(tmp_path / "c.safetensors")
    (entry,) = [c for c in saved["callbacks"] if c["class"] == "EarlyStopping"]
    assert entry["state"]["best_epoch"] == stopper.best_epoch


def test_model_checkpoint_every_n_steps(tmp_path) -> None:
    x, y = blobs(n=64)
    model = mlp()
    seen = []

    class Spy(ModelCheckpoint):
        def save(self, trainer, path) -> None:
            super().save(trainer, path)
            seen.append((trainer.epoch, trainer.step))

    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
                      callbacks=[Spy(tmp_path, every_n_epochs=0, every_n_steps=3, save_last=False)], progress=False)
    trainer.fit(DataLoader(TensorDataset(x, y), batch_size=16), 2)  # 4 batches per epoch
    assert seen == [(0, 3), (1, 2)]
    assert cr.load(tmp_path / "last.safetensors")["step"] == 2


def _nan_problem(bad_batch: int):
    x, y = blobs(n=96)
    x[bad_batch * 16 + 5, 2] = float("nan")
    model = mlp()
    opt = cr.optim.Adam(model.parameters(), lr=0.01)
    return model, opt, DataLoader(TensorDataset(x, y), batch_size=16)


def test_nan_guard_stops_at_the_first_nan_loss_without_an_update(capsys) -> None:
    model, opt, loader = _nan_problem(bad_batch=3)
    snaps = Snapshots(before_batch=3)
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[NaNGuard(), snaps], progress=False)
    history = trainer.fit(loader, 5)
    assert trainer.stop_training and len(history) == 0  # only completed epochs are recorded
    assert "NaNGuard: non-finite loss (nan) at epoch 1, batch 3" in history.stop_reason
    assert "NaNGuard" in capsys.readouterr().err
    after = params(model)
    assert all(np.array_equal(after[k], snaps.before[k]) for k in after)
    assert all(np.isfinite(v).all() for v in after.values())
    assert trainer.global_step == 3
    assert all(int(s["step"].item()) == 3 for s in opt.state.values())  # Adam took 3 steps, not 4
    assert all(p.grad is None for p in model.parameters())
    assert trainer.fit(loader, 5) is history and trainer.global_step == 3  # a stopped run stays stopped


def test_without_a_guard_the_nan_spreads() -> None:
    model, opt, loader = _nan_problem(bad_batch=1)
    Trainer(model, nn.CrossEntropyLoss(), opt, progress=False).fit(loader, 1)
    assert not all(np.isfinite(v).all() for v in params(model).values())


def test_nan_guard_checks_gradients() -> None:
    class InfGrad(cr.autograd.Function):
        @staticmethod
        def forward(ctx, w):
            return (w * 0).sum()

        @staticmethod
        def backward(ctx, g):
            return cr.full((16, 4), float("inf"))

    x, y = blobs(n=32)
    model = mlp()
    first = model[0].weight
    loss_fn = nn.CrossEntropyLoss()
    before = params(model)
    trainer = Trainer(model, lambda out, yb: loss_fn(out, yb) + InfGrad.apply(first),
                      cr.optim.SGD(model.parameters(), lr=0.1), callbacks=[NaNGuard(verbose=False)], progress=False)
    history = trainer.fit(DataLoader(TensorDataset(x, y), batch_size=16), 2)
    assert "non-finite gradient of 0.weight" in history.stop_reason
    assert all(np.array_equal(before[k], v) for k, v in params(model).items())


def test_progress_bar_quiet_off_terminal_and_forced(capsys) -> None:
    x, y = blobs(n=32)
    model = mlp()
    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1))
    assert any(isinstance(c, ProgressBar) for c in trainer.callbacks)
    trainer.fit(DataLoader(TensorDataset(x, y), batch_size=8), 1)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""  # pytest's stdout is not a terminal
    assert not any(isinstance(c, ProgressBar) for c in Trainer(model, None, None, progress=False, metrics=()).callbacks)
    buf = io.StringIO()
    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
                      callbacks=[ProgressBar(file=buf, force=True)])
    trainer.fit(DataLoader(TensorDataset(x, y), batch_size=8), 2)
    text = buf.getvalue()
    assert "epoch 1/2" in text and "epoch 2/2" in text and "train_accuracy" in text


def test_hook_order_and_stop_after_batch() -> None:
    calls = []

    class Log(Callback):
        def on_train_begin(self, trainer, logs): calls.append("train_begin")
        def on_epoch_begin(self, trainer, epoch, logs): calls.append(f"epoch_begin {epoch}")
        def on_batch_begin(self, trainer, batch, logs): calls.append(f"batch_begin {batch}")
        def on_before_backward(self, trainer, batch, logs):
            assert math.isfinite(logs["loss"])
            calls.append("before_backward")
        def on_before_optimizer_step(self, trainer, batch, logs):
            assert all(p.grad is not None for p in trainer.model.parameters())
            calls.append("before_step")
        def on_batch_end(self, trainer, batch, logs):
            calls.append(f"batch_end {batch}")
            if trainer.epoch == 1 and batch == 0:
                trainer.stop_training = True
        def on_epoch_end(self, trainer, epoch, logs): calls.append(f"epoch_end {epoch}")
        def on_train_end(self, trainer, logs): calls.append("train_end")

    x, y = blobs(n=32)
    model = mlp()
    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1), callbacks=[Log()],
                      progress=False)
    trainer.fit(DataLoader(TensorDataset(x, y), batch_size=16), 3)
    one = ["batch_begin {}", "before_backward", "before_step", "batch_end {}"]
    batch = lambda i: [c.format(i) for c in one]  # noqa: E731
    assert calls == ["train_begin", "epoch_begin 1", *batch(0), *batch(1), "epoch_end 1",
                     "epoch_begin 2", *batch(0), "train_end"]
    assert trainer.in_epoch and trainer.step == 1 and trainer.epoch == 1


def test_early_stopping_with_a_never_finite_monitor_says_so() -> None:
    # an empty validation loader gives val_loss nan every epoch: the stop reason must still be a sentence
    x, y = blobs(n=40, seed=2)
    model = mlp()
    empty = DataLoader(TensorDataset(x[:0], y[:0]), batch_size=8)
    stopper = EarlyStopping(monitor="val_loss", patience=2)
    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1), callbacks=[stopper],
                      progress=False)
    trainer.fit(DataLoader(TensorDataset(x, y), batch_size=8), 5, empty)
    assert len(trainer.history) == 2 and stopper.best is None
    assert "never a finite number" in trainer.stop_reason
