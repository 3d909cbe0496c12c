"""The shape of a run checkpoint, checked when it is loaded: a file that is valid safetensors but whose
content is not what `chainrule train` writes gets one paragraph naming the first bad field, not a
KeyError or AttributeError later inside evaluate, predict, draw, summary or resume.

    {"format": "chainrule-run", "version": int, "status": str, "config": dict, "seconds": number,
     "data": {"task": str, "input_shape": [int > 0, ...], "meta": dict, ...},
     "trainer": {"model": {str: Tensor}, "optimizer": dict, "scheduler": dict | None,
                 "epoch" / "step" / "global_step": int >= 0, "in_epoch" / "stop_training": bool,
                 "plan": dict | None, "partial": dict | None, "callbacks": list, "rng": dict,
                 "history": {"epochs": [{str: number | str | None}, ...], "stop_reason": str | None}}}

Only the fields chainrule reads are checked; others (added by later versions) are left alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_run_checkpoint", "nonfinite_weights", "describe_nonfinite"]

_NUMBER = (int, float, np.number)


def check_run_checkpoint(ckpt: dict[str, Any], path: str) -> None:
    """Raise CheckpointError naming the first field of ``ckpt`` (loaded from ``path``) that does not
    have the type the run commands read it as."""
    problem = _problem(ckpt)
    if problem is not None:
        from ..io import CheckpointError

        field, expected, value = problem
        raise CheckpointError(
            f"{path!r} is a chainrule run checkpoint with damaged content: {field} should be {expected}, "
            f"but it is {_describe(value)}. The file was edited or written by another program. Use the run's "
            f"previous checkpoint (or a backup), or train the run again with `chainrule train`."
        )


_MISSING = object()


def _problem(ckpt: dict[str, Any]) -> tuple[str, str, Any] | None:
    """(field, what it should be, what it is) for the first bad field, or None."""
    checks: list[tuple[str, Any, str, Any]] = []

    def get(obj: Any, key: str) -> Any:
        return obj.get(key, _MISSING) if isinstance(obj, dict) else _MISSING

    data, trainer = get(ckpt, "data"), get(ckpt, "trainer")
    history = get(trainer, "history")
    checks += [
        ("status", get(ckpt, "status"), "a string", lambda v: isinstance(v, str)),
        ("config", get(ckpt, "config"), "a dict", lambda v: v is _MISSING or isinstance(v, dict)),
        ("seconds", get(ckpt, "seconds"), "a number", lambda v: v is _MISSING or _number(v)),
        ("data", data, "a dict", lambda v: isinstance(v, dict)),
        ("data.task", get(data, "task"), "a string", lambda v: isinstance(v, str)),
        ("data.input_shape", get(data, "input_shape"), "a list of positive ints",
         lambda v: isinstance(v, list) and bool(v) and all(type(d) is int and d > 0 for d in v)),
        ("data.meta", get(data, "meta"), "a dict", lambda v: isinstance(v, dict)),
        ("data.class_names", get(data, "class_names"), "a list of strings or None",
         lambda v: v is _MISSING or v is None or (isinstance(v, list) and all(isinstance(c, str) for c in v))),
        ("trainer.model", get(trainer, "model"), "a dict of tensors", _tensors),
        ("trainer.optimizer", get(trainer, "optimizer"), "a dict", lambda v: isinstance(v, dict)),
        ("trainer.scheduler", get(trainer, "scheduler"), "a dict or None", lambda v: v is None or isinstance(v, dict)),
        *[(f"trainer.{k}", get(trainer, k), "an int >= 0", lambda v: type(v) is int and v >= 0)
          for k in ("epoch", "step", "global_step")],
        *[(f"trainer.{k}", get(trainer, k), "true or false", lambda v: type(v) is bool) for k in ("in_epoch", "stop_training")],
        *[(f"trainer.{k}", get(trainer, k), "a dict or None", lambda v: v is None or isinstance(v, dict))
          for k in ("plan", "partial")],
        ("trainer.callbacks", get(trainer, "callbacks"), "a list of {'class', 'state'} dicts",
         lambda v: isinstance(v, list) and all(isinstance(c, dict) and isinstance(c.get("class"), str) and "state" in c
                                               for c in v)),
        ("trainer.rng", get(trainer, "rng"), "a dict", lambda v: isinstance(v, dict)),
        ("trainer.history", history, "a dict", lambda v: isinstance(v, dict)),
        ("trainer.history.epochs", get(history, "epochs"), "a list of dicts", lambda v: isinstance(v, list)),
        ("trainer.history.stop_reason", get(history, "stop_reason"), "a string or None",
         lambda v: v is None or isinstance(v, str)),
    ]
    for field, value, expected, ok in checks:
        if not ok(value):
            return field, expected, value
    for i, record in enumerate(get(history, "epochs")):
        if not isinstance(record, dict) or not all(isinstance(k, str) for k in record):
            return f"trainer.history.epochs[{i}]", "a dict with string keys", record
        for k, v in record.items():
            if not (v is None or isinstance(v, str) or _number(v)):
                return f"trainer.history.epochs[{i}][{k!r}]", "a number, a string or None", v
    return None


def _number(v: Any) -> bool:
    return isinstance(v, _NUMBER) and not isinstance(v, (bool, np.bool_))


def _tensors(v: Any) -> bool:
    from .._tensor import Tensor

    return isinstance(v, dict) and all(isinstance(k, str) and isinstance(t, Tensor) for k, t in v.items())


def _describe(value: Any) -> str:
    if value is _MISSING:
        return "missing"
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def nonfinite_weights(model_state: dict[str, Any]) -> list[str]:
    """The names of the tensors in a model state dict that hold nan or inf."""
    bad = []
    for name, t in model_state.items():
        a = t.numpy() if hasattr(t, "numpy") else np.asarray(t)
        if a.dtype.kind in "fc" and not np.isfinite(a).all():
            bad.append(name)
    return bad


def describe_nonfinite(names: list[str], path: str) -> str:
    """One sentence naming the weights of the checkpoint at ``path`` that are nan or inf, and why."""
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (f"the weights in {path!r} hold nan or inf values ({shown}): the run diverged (train again with a "
            f"lower --lr, or with --grad-clip 1) or the file was changed after it was written")
