"""Regularization: weight decay, dropout and early stopping close the train/validation gap.

A wide MLP trained on a small, noisy training set (a few hundred digits, a fifth of them given a
random label) memorizes it: the training loss goes to zero while the validation loss, after a
minimum, climbs again — the validation gap. Three remedies:
  • weight decay adds λ/2 ‖θ‖² to the loss (AdamW applies it decoupled: θ ← θ − ηλθ), pulling
    weights toward zero, so the network prefers smooth functions over memorized noise;
  • dropout zeroes each hidden unit with probability p during training (and scales the rest by
    1/(1 − p)), so no unit can rely on a few specific others; it is off in ``model.eval()``;
  • early stopping watches the validation loss and keeps the weights of its best epoch.
The script trains the same MLP from the same start without and with them and compares losses.
(The training loss is measured on the noisy labels, so a model that does not memorize them ends
with a training loss above its validation loss. The ``EarlyStopping`` callback of ``chainrule.train``
packages the early-stopping loop written out here.)

Run:  python examples/07_regularization.py
"""

from __future__ import annotations

import copy

import chainrule as cr
from chainrule import datasets, nn, optim


def make_mlp(n_in: int, n_out: int, hidden: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, n_out),
    )  # fmt: skip


def evaluate(model: nn.Module, x: cr.Tensor, y: cr.Tensor) -> tuple[float, float]:
    model.eval()
    with cr.no_grad():
        logits = model(x)
        return nn.functional.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def train(model, data, *, epochs: int, lr: float, weight_decay: float, patience: int | None) -> dict:
    """Full-batch AdamW; with ``patience``, stop when val loss hasn't improved for that many epochs."""
    optimizer = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    best_loss, best_state, best_epoch = float("inf"), None, 0
    for epoch in range(1, epochs + 1):
        model.train()
        loss = nn.functional.cross_entropy(model(data["x_train"]), data["y_train"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        val_loss, _ = evaluate(model, data["x_val"], data["y_val"])
        if val_loss < best_loss:
            best_loss, best_state, best_epoch = val_loss, copy.deepcopy(model.state_dict()), epoch
        elif patience is not None and epoch - best_epoch >= patience:
            break
    if patience is not None:
        model.load_state_dict(best_state)  # early stopping restores the best weights
    train_loss, train_acc = evaluate(model, data["x_train"], data["y_train"])
    val_loss, val_acc = evaluate(model, data["x_val"], data["y_val"])
    test_loss, test_acc = evaluate(model, data["x_test"], data["y_test"])
    return {
        "epochs": epoch, "best_epoch": best_epoch,
        "train_loss": train_loss, "val_loss": val_loss, "test_loss": test_loss,
        "train_accuracy": train_acc, "val_accuracy": val_acc, "test_accuracy": test_acc,
    }  # fmt: skip


def main(
    n_train: int = 300, label_noise: float = 0.2, epochs: int = 150, hidden: int = 256, seed: int = 0
) -> dict:
    cr.manual_seed(seed)
    split = datasets.load("digits", seed=seed)
    n_classes = split.num_classes
    # A small training set with some labels replaced by random classes: easy to memorize, hard to learn.
    pick = cr.randperm(len(split.y_train))[:n_train]
    y_train = split.y_train[pick].clone()
    flip = cr.rand(n_train) < label_noise
    y_train[flip] = cr.randint(0, n_classes, (int(flip.sum().item()),))
    data = {"x_train": split.x_train[pick], "y_train": y_train, "x_val": split.x_val, "y_val": split.y_val,
            "x_test": split.x_test, "y_test": split.y_test}  # fmt: skip

    settings = {
        "none": {"dropout": 0.0, "weight_decay": 0.0, "patience": None},
        "weight decay": {"dropout": 0.0, "weight_decay": 0.5, "patience": None},
        "dropout": {"dropout": 0.5, "weight_decay": 0.0, "patience": None},
        "all three": {"dropout": 0.5, "weight_decay": 0.5, "patience": 10},
    }
    n_in = data["x_train"].shape[1]
    initial = make_mlp(n_in, n_classes, hidden, 0.0).state_dict()
    results = {}
    print(
        f"{'regularization':15s} {'epochs':>6s} {'train loss':>11s} {'val loss':>9s} {'gap':>7s} {'test acc':>9s}"
    )
    for name, s in settings.items():
        cr.manual_seed(seed + 1)  # the same dropout masks for every run
        model = make_mlp(n_in, n_classes, hidden, s["dropout"])
        model.load_state_dict(initial)  # ... and the same initial weights
        r = train(model, data, epochs=epochs, lr=1e-3, weight_decay=s["weight_decay"], patience=s["patience"])
        results[name] = r
        gap = r["val_loss"] - r["train_loss"]
        print(
            f"{name:15s} {r['epochs']:6d} {r['train_loss']:11.4f} {r['val_loss']:9.4f} {gap:7.3f} {r['test_accuracy']:9.1%}"
        )
    return results


if __name__ == "__main__":
    results = main()
    none, reg = results["none"], results["all three"]
    print(
        f"validation loss {none['val_loss']:.3f} without regularization, {reg['val_loss']:.3f} with all three"
    )
