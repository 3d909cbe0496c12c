"""The run configuration: one flat table of keys, shared by the flags, the TOML file and the run directory.

Precedence: built-in defaults < ``--config FILE`` < flags given on the command line. Every key is
checked (type, choices, range); a mistake is a :class:`~chainrule.errors.UserError` naming the key,
the value and what is allowed.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from typing import Any

from ..errors import UserError

__all__ = ["SPECS", "DEFAULTS", "Spec", "resolve", "learning_rate", "DEFAULT_LR", "read_config_file", "to_toml", "parse_int_list", "validate"]

DATASETS = ("digits", "moons", "circles", "spirals", "xor", "regression", "mnist", "fashion-mnist", "cifar10", "csv",
            "text")
IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")


@dataclass(frozen=True)
class Spec:
    key: str
    type: str                       # "str" | "int" | "float" | "bool" | "ints"
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    min: float | None = None        # inclusive lower bound for numbers (and list items)
    max: float | None = None        # inclusive upper bound
    optional: bool = False          # None allowed (omitted from the TOML file)


SPECS: tuple[Spec, ...] = (
    # data
    Spec("dataset", "str", "digits", "dataset to train on", DATASETS),
    Spec("data_root", "str", None, "folder of the mnist/fashion-mnist IDX files (cifar10: the folder holding cifar-10-batches-py), or the CSV file for --dataset csv",
         optional=True),
    Spec("target", "str", None, "name of the target column of a CSV file", optional=True),
    Spec("task", "str", "auto", "classification or regression (auto: from the dataset)",
         ("auto", "classification", "regression")),
    Spec("val", "float", 0.15, "fraction of the data held out for validation", min=0.01, max=0.5),
    Spec("test", "float", 0.15, "fraction of the data held out for the test", min=0.01, max=0.5),
    Spec("n_samples", "int", None, "number of samples of a synthetic dataset", min=10, optional=True),
    Spec("noise", "float", None, "noise level of a synthetic dataset", min=0.0, optional=True),
    Spec("download", "bool", False, "download mnist/fashion-mnist/cifar10 into --data-root if missing"),
    # model
    Spec("model", "str", "mlp", "model family", ("linear", "logistic", "mlp", "cnn", "rnn", "lstm", "gru")),
    Spec("hidden", "ints", [128, 64], "hidden layer sizes, e.g. 128,64", min=1),
    Spec("activation", "str", "relu", "nonlinearity between layers",
         ("relu", "tanh", "sigmoid", "gelu", "leaky-relu", "elu", "silu")),
    Spec("dropout", "float", 0.1, "dropout probability after each hidden layer", min=0.0, max=0.95),
    Spec("norm", "str", "none", "normalization after each hidden affine layer", ("none", "batch", "layer")),
    Spec("residual", "bool", False, "add skip connections around the hidden layers"),
    Spec("channels", "ints", [16, 32], "convolution channels of the cnn, e.g. 16,32", min=1),
    # loss and optimization
    Spec("loss", "str", "auto", "loss (auto: cross-entropy for classification, mse for regression)",
         ("auto", "cross-entropy", "mse", "l1", "huber")),
    Spec("optimizer", "str", "adam", "optimizer", ("sgd", "momentum", "rmsprop", "adam", "adamw")),
    Spec("lr", "float", None, "peak learning rate (default: 0.03 for the one-layer linear and logistic models, "
         "0.003 for mlp and cnn)", min=0.0, optional=True),
    Spec("weight_decay", "float", 1e-4, "weight decay (L2 for sgd/adam/rmsprop, decoupled for adamw)", min=0.0),
    Spec("momentum", "float", 0.9, "momentum of the momentum optimizer", min=0.0, max=1.0),
    Spec("schedule", "str", "warmup-cosine", "learning-rate schedule", ("warmup-cosine", "cosine", "step", "none")),
    Spec("warmup", "int", 2, "warmup epochs of the warmup-cosine schedule", min=0),
    Spec("batch_size", "int", 64, "mini-batch size", min=1),
    Spec("epochs", "int", 60, "maximum number of epochs", min=1),
    Spec("patience", "int", 10, "early stopping: epochs without improvement of val_loss (0: off)", min=0),
    Spec("grad_clip", "float", None, "clip the gradient norm to this value", min=0.0, optional=True),
    Spec("threads", "int", None, "BLAS threads for matrix products (default: chosen for the model's size, 1 for "
         "small models; a thread variable such as OMP_NUM_THREADS in the environment also sets it)", min=1,
         optional=True),
    Spec("seed", "int", 0, "random seed (data split, initialization, shuffling, dropout)", min=0),
)
SPEC = {s.key: s for s in SPECS}
DEFAULTS: dict[str, Any] = {s.key: s.default for s in SPECS}


# One affine layer on standardized data is a convex problem that tolerates (and needs, to converge within the
# default epochs on a few hundred rows) a step ten times larger than a deep network.
DEFAULT_LR = {"linear": 3e-2, "logistic": 3e-2, "mlp": 3e-3, "cnn": 3e-3}


def learning_rate(cfg: dict[str, Any]) -> float:
    """The peak learning rate of a run: ``lr`` if set, else the default of its model family."""
    return float(cfg["lr"]) if cfg.get("lr") is not None else DEFAULT_LR[cfg["model"]]


def parse_int_list(text: str, key: str = "hidden") -> list[int]:
    """``"128,64"`` -> ``[128, 64]``; ``""`` or ``"none"`` -> ``[]``."""
    text = text.strip()
    if text.lower() in ("", "none", "[]"):
        return []
    try:
        return [int(t) for t in text.strip("[]").replace(" ", "").split(",") if t]
    except ValueError:
        raise UserError(f"{key} must be a comma-separated list of positive integers such as 128,64; "
                        f"got {text!r}.") from None


def _bad(key: str, value: Any, expected: str) -> UserError:
    return UserError(f"Config key {key!r} has the value {value!r}, but it must be {expected}. "
                     "Fix it on the command line or in the config file.")


def _check(spec: Spec, value: Any) -> Any:
    """Return the value converted to the spec's type, or raise a UserError."""
    if value is None:
        if spec.optional:
            return None
        raise _bad(spec.key, value, f"a {spec.type}")
    t = spec.type
    if t == "str":
        if not isinstance(value, str):
            raise _bad(spec.key, value, "a string")
        if spec.choices is not None and value not in spec.choices:
            raise _bad(spec.key, value, "one of " + ", ".join(spec.choices))
        return value
    if t == "bool":
        if not isinstance(value, bool):
            raise _bad(spec.key, value, "true or false")
        return value
    if t == "ints":
        if isinstance(value, str):
            value = parse_int_list(value, spec.key)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                           for v in value):
            raise _bad(spec.key, value, "a list of positive integers such as [128, 64]")
        if any(v < (spec.min or 0) for v in value):
            raise _bad(spec.key, value, "a list of positive integers such as [128, 64]")
        return list(value)
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(spec.key, value, "an integer")
    else:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _bad(spec.key, value, "a finite number")
        value = float(value)
    if spec.min is not None and value < spec.min or spec.max is not None and value > spec.max:
        lo = "-inf" if spec.min is None else spec.min
        hi = "inf" if spec.max is None else spec.max
        raise _bad(spec.key, value, f"between {lo} and {hi}")
    return value


def unknown_keys_error(unknown: list[str], source: str) -> UserError:
    valid = ", ".join(s.key for s in SPECS)
    s = "s" if len(unknown) > 1 else ""
    return UserError(f"{source} has unknown key{s} {', '.join(repr(k) for k in unknown)}. "
                     f"Valid keys are: {valid}. Use underscores in the file (batch_size) where the flags use "
                     "dashes (--batch-size); remove or rename the key and run again.")


def validate(cfg: dict[str, Any], source: str = "The config") -> dict[str, Any]:
    """Check every key of ``cfg``; return a complete config (defaults filled in)."""
    unknown = [k for k in cfg if k not in SPEC]
    if unknown:
        raise unknown_keys_error(unknown, source)
    out = dict(DEFAULTS)
    for k, v in cfg.items():
        out[k] = _check(SPEC[k], v)
    if out["val"] + out["test"] >= 0.9:
        raise UserError(f"val ({out['val']}) + test ({out['test']}) leave too little training data; "
                        "keep their sum below 0.9.")
    return out


def read_config_file(path: str) -> dict[str, Any]:
    """Read a TOML (or JSON, by suffix) config file into a flat dict (not yet validated)."""
    if not os.path.exists(path):
        raise UserError(f"The config file {path!r} does not exist. Check the path given to --config.")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise UserError(f"The config file {path!r} cannot be read ({e.strerror}). "
                        "Check its permissions.") from None
    try:
        if path.endswith(".json"):
            data = json.loads(raw.decode("utf-8"))
        else:
            data = _toml_loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"The config file {path!r} is not UTF-8 text. Give a TOML file "
                        "(key = value lines, e.g. epochs = 20).") from None
    except ValueError as e:  # tomllib.TOMLDecodeError and json.JSONDecodeError are ValueErrors
        raise UserError(f"The config file {path!r} is not valid {'JSON' if path.endswith('.json') else 'TOML'}: "
                        f"{e}. Fix the syntax (TOML: one `key = value` per line, strings in quotes).") from None
    if not isinstance(data, dict):
        raise UserError(f"The config file {path!r} must hold a table of key = value pairs.")
    nested = [k for k, v in data.items() if isinstance(v, dict)]
    if nested:
        raise unknown_keys_error(nested, f"The config file {path!r}")
    return data


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise UserError("Reading a TOML config on Python 3.10 needs the tomli package: "
                            "`pip install tomli`, or give the config as a .json file.") from None
    return tomllib.loads(text)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to TOML")


def to_toml(cfg: dict[str, Any]) -> str:
    """The config as a commented TOML file (keys left at None are written as comments)."""
    lines = ["# chainrule run configuration: `chainrule train --config this-file` repeats the run.", ""]
    for s in SPECS:
        v = cfg.get(s.key, s.default)
        lines.append(f"# {s.help}")
        lines.append(f"# {s.key} =" if v is None else f"{s.key} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


def resolve(flags: dict[str, Any], config_path: str | None) -> dict[str, Any]:
    """Defaults < config file < flags given on the command line."""
    cfg: dict[str, Any] = {}
    if config_path is not None:
        cfg.update(read_config_file(config_path))
        validate(cfg, f"The config file {config_path!r}")
    cfg.update({k: v for k, v in flags.items() if v is not None})
    return validate(cfg, "The configuration")
