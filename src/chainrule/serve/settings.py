"""The playground's settings: what the page may ask for (every size bounded), its 2-D datasets, and the
``chainrule train`` configuration they become."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import UserError

__all__ = ["check_params", "run_config", "write_csv", "surface", "LIMITS", "DEFAULTS", "DATASETS", "NEURON_GRID"]

DATASETS = ("moons", "circles", "spirals", "xor", "surface", "custom")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky-relu", "gelu", "elu", "silu")
LOSSES = ("auto", "cross-entropy", "mse", "l1", "huber")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "adamw")
SCHEDULES = ("none", "warmup-cosine", "cosine", "step")
LIMITS = {"layers": 6, "neurons": 16, "n_samples": 2000, "points": 1000, "batch_size": 1024, "grid": 96,
          "epochs": 100000}
DEFAULTS: dict[str, Any] = {"dataset": "moons", "hidden": [8, 8], "activation": "tanh", "loss": "auto",
                            "optimizer": "adam", "lr": 0.03, "schedule": "none", "epochs": 200, "weight_decay": 0.0,
                            "dropout": 0.0, "batch_size": 32, "noise": 0.15, "test": 0.3, "n_samples": 600,
                            "seed": 0, "steps_per_tick": 4, "grid": 64, "points": None}
NEURON_GRID = 24


def _fail(key: str, value: Any, expected: str) -> UserError:
    return UserError(f"playground: {key} is {value!r}, but it must be {expected}.")


def check_params(raw: Any) -> dict[str, Any]:
    """Validate the page's settings (unknown keys refused, every size bounded); return them with defaults."""
    if not isinstance(raw, dict):
        raise UserError(f"playground: the settings must be a JSON object, got {type(raw).__name__}.")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise UserError(f"playground: unknown setting {', '.join(map(repr, unknown))}; known settings are "
                        f"{', '.join(DEFAULTS)}.")
    p = {**DEFAULTS, **raw}

    def choice(key: str, allowed: tuple[str, ...]) -> None:
        if p[key] not in allowed:
            raise _fail(key, p[key], "one of " + ", ".join(allowed))

    def number(key: str, lo: float, hi: float, integer: bool = False) -> None:
        v = p[key]
        ok = isinstance(v, int) if integer else isinstance(v, (int, float)) and math.isfinite(v)
        if isinstance(v, bool) or not ok or not lo <= v <= hi:
            raise _fail(key, v, f"{'an integer' if integer else 'a number'} from {lo:g} to {hi:g}")
        if not integer:
            p[key] = float(v)

    choice("dataset", DATASETS)
    choice("activation", ACTIVATIONS)
    choice("loss", LOSSES)
    choice("optimizer", OPTIMIZERS)
    choice("schedule", SCHEDULES)
    h = p["hidden"]
    if not isinstance(h, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in h):
        raise _fail("hidden", h, "a list of positive layer widths such as [8, 8]")
    if len(h) > LIMITS["layers"] or any(n > LIMITS["neurons"] for n in h):
        raise UserError(f"playground: the network {h} is too large to draw and train live; use at most "
                        f"{LIMITS['layers']} hidden layers of at most {LIMITS['neurons']} neurons each.")
    number("lr", 1e-6, 10.0)
    number("weight_decay", 0.0, 1.0)
    number("dropout", 0.0, 0.9)
    number("noise", 0.0, 2.0)
    number("test", 0.1, 0.5)
    number("batch_size", 1, LIMITS["batch_size"], integer=True)
    number("n_samples", 50, LIMITS["n_samples"], integer=True)
    number("epochs", 1, LIMITS["epochs"], integer=True)
    number("seed", 0, 2**31 - 1, integer=True)
    number("steps_per_tick", 1, 100, integer=True)
    number("grid", 8, LIMITS["grid"], integer=True)
    if p["dataset"] == "custom":
        pts = p["points"]
        if not isinstance(pts, list) or not 10 <= len(pts) <= LIMITS["points"]:
            raise UserError(f"playground: the custom dataset needs 10 to {LIMITS['points']} points (click in the "
                            f"plane to add some); got {len(pts) if isinstance(pts, list) else 'none'}.")
        for q in pts:
            if (not isinstance(q, list) or len(q) != 3 or not all(isinstance(v, (int, float)) and
                                                                 not isinstance(v, bool) and math.isfinite(v)
                                                                 for v in q) or q[2] not in (0, 1)):
                raise _fail("points", q, "a list of [x, y, label] with label 0 or 1")
        if len({q[2] for q in pts}) < 2:
            raise UserError("playground: the custom points need both classes (shift-click adds class 1).")
    elif p["points"] is not None:
        raise _fail("points", "…", "absent unless the dataset is custom")
    return p


def surface(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A smooth regression surface over [-1, 1]²: y = sin(2x₁)·cos(2x₂) + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = np.sin(2 * x[:, 0]) * np.cos(2 * x[:, 1]) + rng.normal(scale=noise * 0.3, size=n)
    return x, y


def write_csv(path: str, x: np.ndarray, y: np.ndarray, integer: bool) -> None:
    """Write points (x1, x2) and targets as the CSV the playground trains from (header ``x1,x2,y``)."""
    from ..io import atomic_write
    lines = ["x1,x2,y"] + [f"{a!r},{b!r},{int(t) if integer else repr(float(t))}" for (a, b), t in zip(x.tolist(), y)]
    atomic_write(path, ("\n".join(lines) + "\n").encode())


def run_config(p: dict[str, Any], csv_path: str | None) -> dict[str, Any]:
    """The ``chainrule train`` configuration of playground settings ``p`` (validated by the CLI's own rules)."""
    from ..cli.config import validate

    cfg: dict[str, Any] = {"model": "mlp", "hidden": list(p["hidden"]), "activation": p["activation"],
                           "dropout": p["dropout"], "loss": p["loss"], "optimizer": p["optimizer"], "lr": p["lr"],
                           "schedule": p["schedule"], "weight_decay": p["weight_decay"],
                           "batch_size": p["batch_size"], "epochs": p["epochs"], "seed": p["seed"],
                           "test": p["test"], "val": 0.05, "patience": 0, "warmup": 2, "threads": 1}
    if csv_path is None:
        cfg.update(dataset=p["dataset"], n_samples=p["n_samples"], noise=p["noise"])
    else:
        cfg.update(dataset="csv", data_root=csv_path, target="y",
                   task="classification" if p["dataset"] == "custom" else "regression")
    return validate(cfg, "The playground settings")
