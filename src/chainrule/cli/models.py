"""Models, losses, optimizers and schedules built from a run configuration.

``linear``: one affine layer (linear regression, or softmax regression for classes).
``logistic``: logistic regression (one logit for two classes, softmax regression for more).
``mlp``: the seed's network, affine -> [norm] -> nonlinearity -> dropout per hidden layer, affine output;
``residual`` adds a skip connection around each hidden layer (a projection where the width changes).
``cnn``: 3x3 convolutions with pooling, then the mlp head; for image datasets.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import chainrule

from .. import nn, optim
from ..errors import UserError
from ..optim import lr_scheduler as sched
from .config import learning_rate
from .text_models import TEXT_MODELS, build_text_model

__all__ = ["build_model", "build_loss", "build_optimizer", "build_scheduler", "Residual", "BinaryLogits",
           "out_features"]

_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU", "leaky-relu": "LeakyReLU",
                "elu": "ELU", "silu": "SiLU"}


class Residual(nn.Module):
    """y = block(x) + shortcut(x)  (shortcut: identity, or an affine projection when the widths differ)."""

    def __init__(self, block: nn.Module, shortcut: nn.Module | None = None) -> None:
        super().__init__()
        self.block = block
        self.shortcut = shortcut if shortcut is not None else nn.Identity()

    def forward(self, x: Any) -> Any:
        return self.block(x) + self.shortcut(x)


class BinaryLogits(nn.Module):
    """One logit z -> two logits [0, z]: softmax gives [1 − σ(z), σ(z)], so cross-entropy is the logistic loss."""

    def forward(self, z: Any) -> Any:
        return chainrule.cat([chainrule.zeros_like(z), z], dim=1)


def out_features(task: str, num_classes: int | None, target_dim: int) -> int:
    """Width of the model's output: the number of classes for classification, else the target's width."""
    return num_classes if task == "classification" else target_dim


def _hidden_stack(cfg: dict[str, Any], width: int, layers: OrderedDict) -> int:
    """Append the hidden layers of the mlp (or the cnn's head) to ``layers``; return the last width."""
    for i, h in enumerate(cfg["hidden"], 1):
        block: OrderedDict = OrderedDict()
        block["fc"] = nn.Linear(width, h)
        if cfg["norm"] == "batch":
            block["norm"] = nn.BatchNorm1d(h)
        elif cfg["norm"] == "layer":
            block["norm"] = nn.LayerNorm(h)
        block["act"] = getattr(nn, _ACTIVATIONS[cfg["activation"]])()
        if cfg["dropout"] > 0:
            block["drop"] = nn.Dropout(cfg["dropout"])
        if cfg["residual"]:
            shortcut = None if h == width else nn.Linear(width, h, bias=False)
            layers[f"block{i}"] = Residual(nn.Sequential(block), shortcut)
        else:
            for name, mod in block.items():
                layers[f"{name}{i}"] = mod
        width = h
    return width


def build_model(cfg: dict[str, Any], input_shape: tuple[int, ...], task: str, num_classes: int | None,
                target_dim: int = 1) -> Any:
    """The model the config asks for, for samples of ``input_shape`` (initialized from the current seed)."""
    kind = cfg["model"]
    if kind in TEXT_MODELS or cfg["dataset"] == "text":  # character-level language models (text_models.py)
        return build_text_model(cfg, input_shape, num_classes)
    n_out = out_features(task, num_classes, target_dim)
    layers: OrderedDict = OrderedDict()
    if kind == "cnn":
        if len(input_shape) != 3:
            raise UserError(f"The cnn model needs images, but the {cfg['dataset']} dataset has samples of shape "
                            f"{tuple(input_shape)}. Use --model mlp, or an image dataset (digits, mnist, "
                            "fashion-mnist).")
        c, h, w = input_shape
        for i, ch in enumerate(cfg["channels"], 1):
            layers[f"conv{i}"] = nn.Conv2d(c, ch, 3, padding=1)
            if cfg["norm"] == "batch":
                layers[f"cnorm{i}"] = nn.BatchNorm2d(ch)
            elif cfg["norm"] == "layer":
                layers[f"cnorm{i}"] = nn.GroupNorm(1, ch)
            layers[f"cact{i}"] = getattr(nn, _ACTIVATIONS[cfg["activation"]])()
            if h >= 2 and w >= 2:
                layers[f"pool{i}"] = nn.MaxPool2d(2)
                h, w = h // 2, w // 2
            c = ch
        layers["flatten"] = nn.Flatten()
        width = _hidden_stack(cfg, c * h * w, layers)
    else:
        width = 1
        for d in input_shape:
            width *= d
        if len(input_shape) != 1:
            layers["flatten"] = nn.Flatten()
        if kind == "mlp":
            width = _hidden_stack(cfg, width, layers)
        elif kind == "logistic":
            if task != "classification":
                raise UserError(f"The logistic model is for classification, but the {cfg['dataset']} dataset is a "
                                "regression task. Use --model linear (linear regression) or --model mlp.")
            if num_classes == 2:
                layers["out"] = nn.Linear(width, 1)
                layers["logits"] = BinaryLogits()
                return nn.Sequential(layers)
    layers["out"] = nn.Linear(width, n_out)
    return nn.Sequential(layers)


def build_loss(cfg: dict[str, Any], task: str) -> Any:
    """The loss module for ``--loss`` (``auto``: cross-entropy for classification, MSE for regression).
    Raises UserError when the loss does not fit the task.
    """
    name = cfg["loss"]
    if name == "auto":
        name = "cross-entropy" if task == "classification" else "mse"
    if task == "classification" and name != "cross-entropy":
        raise UserError(f"The loss {name!r} is for regression, but the {cfg['dataset']} dataset is a classification "
                        "task. Use --loss cross-entropy (or auto), or --task regression for a numeric CSV target.")
    if task == "regression" and name == "cross-entropy":
        raise UserError(f"Cross-entropy is for classification, but the {cfg['dataset']} dataset is a regression "
                        "task. Use --loss mse, l1 or huber (or auto).")
    return {"cross-entropy": nn.CrossEntropyLoss, "mse": nn.MSELoss, "l1": nn.L1Loss, "huber": nn.HuberLoss}[name]()


def build_optimizer(cfg: dict[str, Any], model: Any) -> Any:
    """The optimizer named by ``--optimizer`` (sgd, momentum, rmsprop, adam or adamw) for ``model``."""
    p, lr, wd = model.parameters(), learning_rate(cfg), cfg["weight_decay"]
    name = cfg["optimizer"]
    if name == "sgd":
        return optim.SGD(p, lr=lr, weight_decay=wd)
    if name == "momentum":
        return optim.SGD(p, lr=lr, momentum=cfg["momentum"], weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(p, lr=lr, weight_decay=wd)
    if name == "adam":
        return optim.Adam(p, lr=lr, weight_decay=wd)
    return optim.AdamW(p, lr=lr, weight_decay=wd)


def build_scheduler(cfg: dict[str, Any], optimizer: Any, steps_per_epoch: int) -> tuple[Any, str]:
    """(scheduler or None, "step" | "epoch"): when the trainer steps it."""
    name, epochs = cfg["schedule"], cfg["epochs"]
    total = epochs * steps_per_epoch
    if name == "warmup-cosine":
        warmup = min(cfg["warmup"] * steps_per_epoch, total - 1)
        return sched.WarmupCosineLR(optimizer, warmup_steps=warmup, total_steps=total, min_lr_ratio=0.01), "step"
    if name == "cosine":
        return sched.CosineAnnealingLR(optimizer, T_max=total), "step"
    if name == "step":
        return sched.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1), "epoch"
    return None, "epoch"
