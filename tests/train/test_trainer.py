"""The Trainer loop: learns, equals a hand-written loop bit for bit, steps schedulers like PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.train import Callback, Trainer, fit
from chainrule.utils.data import DataLoader, TensorDataset

from ._common import blobs, loaders, mlp, params, worker_loader


def test_fit_learns_a_synthetic_problem() -> None:
    x, y = blobs(n=300, seed=3)
    model = mlp(p=0.1)
    opt = cr.optim.Adam(model.parameters(), lr=0.02)
    history = fit(model, (x[:240], y[:240]), nn.CrossEntropyLoss(), opt, 15, val_data=(x[240:], y[240:]),
                  batch_size=32, progress=False)
    assert len(history) == 15
    assert history["val_accuracy"][-1] >= 0.95
    assert history["train_loss"][-1] < history["train_loss"][0] / 3
    assert set(history.keys()) == {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "time"}
    assert history["epoch"] == list(range(1, 16))


def test_regression_metrics_in_history() -> None:
    rs = np.random.RandomState(0)
    xa = rs.normal(size=(200, 3)).astype(np.float32)
    ya = (xa @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    x, y = cr.tensor(xa), cr.tensor(ya)
    model = nn.Linear(3, 1)
    history = fit(model, (x, y), nn.MSELoss(), cr.optim.SGD(model.parameters(), lr=0.1), 20, val_data=(x, y),
                  progress=False)
    assert history["val_r2"][-1] > 0.999
    assert history["val_mse"][-1] == pytest.approx(history["val_loss"][-1], rel=1e-5)


def test_trainer_equals_a_hand_written_loop() -> None:
    x, y = blobs()
    results = []
    for use_trainer in (True, False):
        cr.manual_seed(5)
        model = mlp()
        opt = cr.optim.Adam(model.parameters(), lr=0.01)
        sched = cr.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=60)
        loader, _ = loaders(x, y)
        loss_fn = nn.CrossEntropyLoss()
        if use_trainer:
            Trainer(model, loss_fn, opt, scheduler=sched, progress=False, grad_clip=1.0).fit(loader, 4)
        else:
            for _ in range(4):
                model.train()
                for xb, yb in loader:
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    opt.step()
                    opt.zero_grad()
                    sched.step()
        results.append(params(model))
    assert all(np.array_equal(results[0][k], results[1][k]) for k in results[0])


@pytest.mark.parametrize("persistent", [False, True])
@pytest.mark.parametrize("own_generator", [False, True])
def test_trainer_with_workers_equals_a_hand_written_loop(persistent: bool, own_generator: bool) -> None:
    """Workers draw random augmentation: the Trainer's workers get the hand-written loop's seeds and batches."""
    x, y = blobs(n=96)
    results, passes = [], []
    for use_trainer in (True, False):
        cr.manual_seed(5)
        np.random.seed(5)
        model = mlp()
        opt = cr.optim.Adam(model.parameters(), lr=0.01)
        loader = worker_loader(x, y, generator=cr.Generator().manual_seed(9) if own_generator else None,
                               persistent=persistent)
        loss_fn = nn.CrossEntropyLoss()
        if use_trainer:
            Trainer(model, loss_fn, opt, progress=False).fit(loader, 3)
        else:
            for _ in range(3):
                model.train()
                for xb, yb in loader:
                    loss_fn(model(xb), yb).backward()
                    opt.step()
                    opt.zero_grad()
        results.append(params(model))
        passes.append(loader._passes)
        del loader  # persistent workers stop with their loader
    assert passes == [3, 3]
    assert all(np.array_equal(results[0][k], results[1][k]) for k in results[0])


class LrRecorder(Callback):
    def __init__(self) -> None:
        self.lrs: list[float] = []

    def on_batch_begin(self, trainer, batch, logs) -> None:
        self.lrs.append(trainer.optimizer.param_groups[0]["lr"])


SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 40}),
    ("ExponentialLR", {"gamma": 0.9}),
]


@pytest.mark.torch
@pytest.mark.parametrize("interval", ["step", "epoch"])
@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_scheduler_lr_sequence_matches_pytorch(interval: str, name: str, kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    epochs, n, bs = 5, 64, 8  # 8 batches per epoch, 40 steps in all
    x, y = blobs(n=n)
    model = mlp()
    opt = cr.optim.SGD(model.parameters(), lr=0.05)
    sched = getattr(cr.optim.lr_scheduler, name)(opt, **kwargs)
    rec = LrRecorder()
    Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched, scheduler_interval=interval, callbacks=[rec],
            progress=False).fit(DataLoader(TensorDataset(x, y), batch_size=bs), epochs)

    p = torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([p], lr=0.05)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    expected = []
    for _ in range(epochs):
        for _ in range(n // bs):
            expected.append(topt.param_groups[0]["lr"])
            topt.step()
            if interval == "step":
                tsched.step()
        if interval == "epoch":
            tsched.step()
    assert len(rec.lrs) == len(expected)
    np.testing.assert_allclose(rec.lrs, expected, rtol=1e-12, atol=0)


def test_reduce_lr_on_plateau_gets_the_validation_loss() -> None:
    class Recording(cr.optim.lr_scheduler.ReduceLROnPlateau):
        seen: list[float] = []

        def step(self, metrics, epoch=None) -> None:
            self.seen.append(float(metrics))
            super().step(metrics)

    x, y = blobs(n=64)
    model = mlp()
    opt = cr.optim.SGD(model.parameters(), lr=0.1)
    sched = Recording(opt, patience=0, factor=0.5, threshold=10.0)  # nothing counts as improving
    loader = DataLoader(TensorDataset(x, y), batch_size=16)
    history = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched, scheduler_interval="epoch",
                      progress=False).fit(loader, 3, loader)
    assert sched.seen == history["val_loss"]
    assert history["lr"] == [0.1, 0.05, 0.025]
    sched.seen.clear()
    history = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched, scheduler_interval="epoch",
                      progress=False).fit(loader, 2)
    assert sched.seen == history["train_loss"]
    with pytest.raises(ValueError, match="scheduler_interval='epoch'"):
        Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched)


def test_evaluate_and_predict() -> None:
    x, y = blobs(n=50)
    model = mlp()
    model.train()
    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
                      metrics=("accuracy", "top2_accuracy"), progress=False)
    res = trainer.evaluate(DataLoader(TensorDataset(x, y), batch_size=16))
    model.eval()
    with cr.no_grad():
        out = model(x)
    assert res["loss"] == pytest.approx(float(nn.CrossEntropyLoss()(out, y).item()), rel=1e-6)
    assert res["accuracy"] == cr.train.accuracy(out, y)
    assert res["top2_accuracy"] == cr.train.top_k_accuracy(out, y, k=2)
    model.train()
    np.testing.assert_array_equal(trainer.predict(x).numpy(), out.numpy())
    np.testing.assert_allclose(trainer.predict(x, batch_size=16).numpy(), out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(trainer.predict(DataLoader(TensorDataset(x, y), batch_size=20)).numpy(),
                               out.numpy(), rtol=1e-6)
    assert model.training  # the mode is restored
    assert not trainer.predict(x).requires_grad


def test_fit_continues_to_a_total_number_of_epochs() -> None:
    x, y = blobs(n=64)
    model = mlp()
    trainer = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1), progress=False)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    trainer.fit(loader, 2)
    trainer.fit(loader, 5)
    assert trainer.history["epoch"] == [1, 2, 3, 4, 5]
    assert trainer.epoch == 5 and trainer.global_step == 20
    trainer.fit(loader, 5)
    assert len(trainer.history) == 5


def test_plain_iterables_of_batches_work() -> None:
    x, y = blobs(n=64)
    batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    model = mlp()
    history = Trainer(model, nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
                      progress=False).fit(batches, 2, batches)
    assert len(history) == 2 and "val_accuracy" in history


def test_bad_arguments() -> None:
    model = mlp()
    opt = cr.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="scheduler_interval"):
        Trainer(model, nn.CrossEntropyLoss(), opt, scheduler_interval="batch")
    with pytest.raises(ValueError, match="grad_clip"):
        Trainer(model, nn.CrossEntropyLoss(), opt, grad_clip=0)
    x, y = blobs(n=8)
    with pytest.raises(TypeError, match=r"\(inputs, targets\)"):
        Trainer(model, nn.CrossEntropyLoss(), opt, progress=False).fit([(x, y, y)], 1)
