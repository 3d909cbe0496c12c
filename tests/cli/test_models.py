"""Models, losses, optimizers and schedules built from a config."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule import nn, optim
from chainrule.cli import config as C
from chainrule.cli.models import (
    BinaryLogits,
    Residual,
    build_loss,
    build_model,
    build_optimizer,
    build_scheduler,
)
from chainrule.errors import UserError
from chainrule.optim import lr_scheduler


def cfg(**kw):
    return C.validate(kw)


def n_params(m):
    return sum(p.numel() for p in m.parameters())


def test_default_mlp_is_the_seed_network():
    m = build_model(cfg(), (64,), "classification", 10)
    linears = [x for x in m.modules() if isinstance(x, nn.Linear)]
    assert [(lin.in_features, lin.out_features) for lin in linears] == [(64, 128), (128, 64), (64, 10)]
    assert any(isinstance(x, nn.ReLU) for x in m.modules()) and any(isinstance(x, nn.Dropout) for x in m.modules())
    assert m(chainrule.randn(5, 64)).shape == (5, 10)
    assert n_params(m) == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10


@pytest.mark.parametrize("norm, kind", [("batch", nn.BatchNorm1d), ("layer", nn.LayerNorm)])
def test_norms(norm, kind):
    m = build_model(cfg(norm=norm, hidden=[8, 8]), (3,), "classification", 2)
    assert sum(isinstance(x, kind) for x in m.modules()) == 2
    assert m(chainrule.randn(4, 3)).shape == (4, 2)


def test_residual_identity_and_projection():
    m = build_model(cfg(residual=True, hidden=[8, 8], dropout=0.0), (3,), "regression", None)
    blocks = [x for x in m.modules() if isinstance(x, Residual)]
    assert len(blocks) == 2
    assert isinstance(blocks[0].shortcut, nn.Linear) and isinstance(blocks[1].shortcut, nn.Identity)
    m.eval()
    x = chainrule.randn(4, 8)
    b = blocks[1]
    np.testing.assert_allclose((b(x) - b.block(x)).detach().numpy(), x.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "gelu", "leaky-relu", "elu", "silu"])
def test_activations(act):
    m = build_model(cfg(activation=act, hidden=[4]), (2,), "classification", 3)
    assert m(chainrule.randn(2, 2)).shape == (2, 3)


def test_linear_model():
    m = build_model(cfg(model="linear"), (5,), "regression", None, 1)
    assert [type(x).__name__ for x in m.children()] == ["Linear"]
    assert m(chainrule.randn(3, 5)).shape == (3, 1)


def test_logistic_binary_is_logistic_regression():
    m = build_model(cfg(model="logistic"), (3,), "classification", 2)
    assert n_params(m) == 4 and any(isinstance(x, BinaryLogits) for x in m.modules())
    x, y = chainrule.randn(6, 3), chainrule.tensor([0, 1, 1, 0, 1, 0])
    z = m[0](x)[:, 0]
    ce = nn.CrossEntropyLoss()(m(x), y)
    bce = nn.BCEWithLogitsLoss()(z, y.float())
    np.testing.assert_allclose(ce.item(), bce.item(), rtol=1e-5)
    multi = build_model(cfg(model="logistic"), (3,), "classification", 4)
    assert multi(x).shape == (6, 4)


def test_cnn_on_images():
    m = build_model(cfg(model="cnn", channels=[4, 8], hidden=[16]), (1, 8, 8), "classification", 10)
    assert sum(isinstance(x, nn.Conv2d) for x in m.modules()) == 2
    assert m(chainrule.randn(2, 1, 8, 8)).shape == (2, 10)
    tiny = build_model(cfg(model="cnn", channels=[2, 2, 2, 2], hidden=[]), (1, 4, 4), "classification", 3)
    assert tiny(chainrule.randn(2, 1, 4, 4)).shape == (2, 3)


def test_model_errors():
    with pytest.raises(UserError, match="needs images"):
        build_model(cfg(model="cnn"), (2,), "classification", 2)
    with pytest.raises(UserError, match="logistic model is for classification"):
        build_model(cfg(model="logistic"), (2,), "regression", None)


def test_losses():
    assert isinstance(build_loss(cfg(), "classification"), nn.CrossEntropyLoss)
    assert isinstance(build_loss(cfg(), "regression"), nn.MSELoss)
    assert isinstance(build_loss(cfg(loss="huber"), "regression"), nn.HuberLoss)
    assert isinstance(build_loss(cfg(loss="l1"), "regression"), nn.L1Loss)
    with pytest.raises(UserError, match="for regression"):
        build_loss(cfg(loss="mse"), "classification")
    with pytest.raises(UserError, match="for classification"):
        build_loss(cfg(loss="cross-entropy"), "regression")


@pytest.mark.parametrize("name, cls, extra", [
    ("sgd", optim.SGD, {"momentum": 0}), ("momentum", optim.SGD, {"momentum": 0.9}),
    ("rmsprop", optim.RMSprop, {}), ("adam", optim.Adam, {}), ("adamw", optim.AdamW, {}),
])
def test_optimizers(name, cls, extra):
    m = nn.Linear(2, 2)
    o = build_optimizer(cfg(optimizer=name, lr=0.01, weight_decay=0.001), m)
    assert type(o) is cls
    g = o.param_groups[0]
    assert g["lr"] == 0.01 and g["weight_decay"] == 0.001
    for k, v in extra.items():
        assert g[k] == v


def test_schedules():
    m = nn.Linear(2, 2)
    s, every = build_scheduler(cfg(epochs=10, warmup=2), build_optimizer(cfg(), m), 5)
    assert isinstance(s, lr_scheduler.WarmupCosineLR) and every == "step"
    assert s.warmup_steps == 10 and s.total_steps == 50
    s, every = build_scheduler(cfg(schedule="cosine"), build_optimizer(cfg(), m), 5)
    assert isinstance(s, lr_scheduler.CosineAnnealingLR) and every == "step"
    s, every = build_scheduler(cfg(schedule="step", epochs=9), build_optimizer(cfg(), m), 5)
    assert isinstance(s, lr_scheduler.StepLR) and every == "epoch" and s.step_size == 3
    assert build_scheduler(cfg(schedule="none"), build_optimizer(cfg(), m), 5) == (None, "epoch")
    s, _ = build_scheduler(cfg(epochs=1, warmup=5), build_optimizer(cfg(), m), 1)   # warmup longer than the run
    assert s.warmup_steps < s.total_steps
