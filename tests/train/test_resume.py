"""Bit-exact resume: N epochs straight == interrupted at any batch boundary, saved, reloaded into a
FRESH model/optimizer/scheduler/loader/trainer and finished (shuffle, dropout and a scheduler on)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.errors import UserError
from chainrule.train import Callback, EarlyStopping, Trainer

from ._common import blobs, loaders, mlp, params, strip_time, worker_loader

EPOCHS = 5  # 240 samples / 16 = 15 batches per epoch, 75 steps


class Killed(Exception):
    """Stands in for an interruption right after a checkpoint."""


class SaveAndDie(Callback):
    def __init__(self, at_step: int, path) -> None:
        self.at_step, self.path = at_step, path

    def on_batch_end(self, trainer, batch, logs) -> None:
        if trainer.global_step == self.at_step:
            cr.save(trainer.state_dict(), self.path)
            raise Killed


def build(seed: int, own_generator: bool = False, interval: str = "step", extra: tuple = (), workers: bool = False) -> tuple:
    """Everything fresh; ``seed`` changes the initial weights and the default generator."""
    cr.manual_seed(seed)
    np.random.seed(seed)
    x, y = blobs()
    model = mlp(p=0.3)
    opt = cr.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)
    if interval == "step":
        sched = cr.optim.lr_scheduler.WarmupCosineLR(opt, warmup_steps=10, total_steps=75)
    else:
        sched = cr.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    gen = cr.Generator().manual_seed(100 + seed) if own_generator else None
    train, val = loaders(x, y, generator=gen)
    if workers:  # two worker processes drawing random augmentation in __getitem__
        train = worker_loader(x, y, generator=gen)

    class NumpyNoise(Callback):  # something that uses NumPy's global generator during training
        def on_batch_end(self, trainer, batch, logs) -> None:
            logs["noise"] = np.random.rand()

    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched, scheduler_interval=interval,
                      metrics=("accuracy", "top2_accuracy"), callbacks=[EarlyStopping(patience=100), NumpyNoise(), *extra],
                      progress=False, grad_clip=5.0)
    return model, trainer, train, val


def straight(own_generator: bool = False, interval: str = "step", workers: bool = False):
    model, trainer, train, val = build(0, own_generator, interval, workers=workers)
    trainer.fit(train, EPOCHS, val)
    return params(model), trainer


def resumed(at_step: int, path, own_generator: bool = False, interval: str = "step", workers: bool = False):
    model, trainer, train, val = build(0, own_generator, interval, extra=(SaveAndDie(at_step, path),), workers=workers)
    with pytest.raises(Killed):
        trainer.fit(train, EPOCHS, val)
    model, trainer, train, val = build(1, own_generator, interval, workers=workers)  # other weights and RNG state
    trainer.load_state_dict(cr.load(path))
    trainer.fit(train, EPOCHS, val)
    return params(model), trainer


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), k


@pytest.mark.parametrize("at_step", [1, 15, 16, 37, 74])  # first batch, epoch end, epoch start, mid, last-but-one
def test_resume_is_bit_exact(tmp_path, at_step: int) -> None:
    ref, ref_trainer = straight()
    got, trainer = resumed(at_step, tmp_path / "ck.safetensors")
    assert_same(ref, got)
    assert strip_time(trainer.history) == strip_time(ref_trainer.history)
    assert trainer.global_step == ref_trainer.global_step == 75
    assert_same(ref_trainer.callbacks[0].best_weights, trainer.callbacks[0].best_weights)


@pytest.mark.parametrize("at_step", [8, 30])
def test_resume_with_the_loaders_own_generator_and_epoch_scheduler(tmp_path, at_step: int) -> None:
    ref, ref_trainer = straight(own_generator=True, interval="epoch")
    got, trainer = resumed(at_step, tmp_path / "ck.safetensors", own_generator=True, interval="epoch")
    assert_same(ref, got)
    assert strip_time(trainer.history) == strip_time(ref_trainer.history)


@pytest.mark.parametrize("own_generator", [False, True])
@pytest.mark.parametrize("at_step", [1, 15, 37])  # first batch, epoch end, mid-epoch
def test_resume_with_workers_drawing_random_augmentation_is_bit_exact(tmp_path, at_step: int, own_generator) -> None:
    ref, ref_trainer = straight(own_generator, workers=True)
    got, trainer = resumed(at_step, tmp_path / "ck.safetensors", own_generator, workers=True)
    assert_same(ref, got)
    assert strip_time(trainer.history) == strip_time(ref_trainer.history)
    assert trainer._loader._passes == ref_trainer._loader._passes == EPOCHS


def test_in_memory_state_dict_round_trip_after_epochs() -> None:
    """k epochs with fit(epochs=k), state_dict() in memory (no restore: no EarlyStopping), finish."""
    cr.manual_seed(0)
    x, y = blobs()

    def make(seed: int):
        cr.manual_seed(seed)
        model = mlp()
        opt = cr.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        sched = cr.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=75)
        train, val = loaders(x, y)
        return model, Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched, progress=False), train, val

    model, trainer, train, val = make(0)
    trainer.fit(train, EPOCHS, val)
    ref = params(model)
    model, trainer, train, val = make(0)
    trainer.fit(train, 2, val)
    state = trainer.state_dict()
    model, trainer, train, val = make(7)
    trainer.load_state_dict(state)
    trainer.fit(train, EPOCHS, val)
    assert_same(ref, params(model))


def test_a_stopped_run_stays_stopped_after_resume(tmp_path) -> None:
    model, trainer, train, val = build(0)
    trainer.callbacks[0].patience = 0  # stop after the first epoch that does not improve
    trainer.fit(train, 50, val)
    assert trainer.stop_training and trainer.epoch < 50
    cr.save(trainer.state_dict(), tmp_path / "done.safetensors")
    model2, trainer2, train2, val2 = build(3)
    trainer2.load_state_dict(cr.load(tmp_path / "done.safetensors"))
    trainer2.fit(train2, 50, val2)
    assert trainer2.epoch == trainer.epoch and trainer2.history.stop_reason == trainer.history.stop_reason
    assert_same(params(model), params(model2))


def test_interrupt_inside_a_batch_rolls_back_to_the_batch_boundary(tmp_path) -> None:
    class Boom(Callback):
        def on_before_optimizer_step(self, trainer, batch, logs) -> None:
            if trainer.global_step == 20:
                raise KeyboardInterrupt

    ref, _ = straight()
    model, trainer, train, val = build(0, extra=(Boom(),))
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(train, EPOCHS, val)
    state = trainer.state_dict()  # taken after the interrupt: at the boundary before step 21
    assert state["global_step"] == 20
    model, trainer, train, val = build(2)
    trainer.load_state_dict(state)
    trainer.fit(train, EPOCHS, val)
    assert_same(ref, params(model))


def test_load_state_dict_rejects_foreign_or_mismatched_states() -> None:
    model, trainer, train, val = build(0)
    with pytest.raises(UserError, match="not a Trainer checkpoint"):
        trainer.load_state_dict(model.state_dict())
    state = trainer.state_dict()
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    t2 = Trainer(other, nn.CrossEntropyLoss(), cr.optim.SGD(other.parameters(), lr=0.1), progress=False)
    with pytest.raises(UserError, match="does not match this model"):
        t2.load_state_dict(state)
    m3 = mlp()
    t3 = Trainer(m3, nn.CrossEntropyLoss(), cr.optim.AdamW(m3.parameters()), progress=False)
    with pytest.raises(UserError, match="scheduler"):
        t3.load_state_dict(state)


def test_state_inside_an_update_is_refused_and_loader_mismatch_is_explained(tmp_path) -> None:
    def broken(pred, target):
        raise ValueError("metric bug")

    model, trainer, train, val = build(0)
    trainer.metrics = []
    trainer._train_metrics = [cr.train.metrics.get_metric(broken)]
    with pytest.raises(ValueError, match="metric bug"):
        trainer.fit(train, 1)
    with pytest.raises(RuntimeError, match="inside an optimizer update"):
        trainer.state_dict()
    model, trainer, train, val = build(0, own_generator=True)
    state = trainer.state_dict()
    assert state["rng"]["loader"] == []  # no fit yet: the loader is not known
    trainer.fit(train, 1, val)
    state = trainer.state_dict()
    assert len(state["rng"]["loader"]) == 1
    model, trainer, train, val = build(0)  # a loader without its own generator
    trainer.load_state_dict(state)
    with pytest.raises(UserError, match="DataLoader generator state"):
        trainer.fit(train, 2)
