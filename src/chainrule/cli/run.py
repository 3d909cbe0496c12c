"""The run directory: what `chainrule train` writes and what the other commands read back.

    RUN/config.toml          the configuration used (`chainrule train --config RUN/config.toml` repeats it)
    RUN/checkpoint.safetensors  model + optimizer + scheduler + trainer state (+ config and data facts);
                             rewritten atomically at the end of every epoch, final weights when done
    RUN/metrics.json         final metrics under plain keys (test_accuracy, test_loss, ...)
    RUN/history.csv|json     one record per epoch
    RUN/network.svg graph.svg curves.png   pictures
    RUN/report.txt           a short text report
"""

from __future__ import annotations

import errno
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import UserError
from . import config as C

__all__ = ["CHECKPOINT", "CONFIG", "ARTIFACTS", "default_run_dir", "check_new_run_dir", "create_run_dir",
           "write_bytes", "write_text", "write_json", "read_run_config", "load_checkpoint", "require_run", "writing",
           "write_failure"]

CHECKPOINT = "checkpoint.safetensors"
CONFIG = "config.toml"
METRICS = "metrics.json"
ARTIFACTS = (CHECKPOINT, CONFIG, METRICS, "history.csv", "history.json", "network.svg", "graph.svg",
             "curves.png", "curves.svg", "report.txt")
FORMAT = "chainrule-run"


def default_run_dir(cfg: dict[str, Any], root: str = "runs") -> str:
    """``runs/<dataset>-<model>-<YYYYmmdd-HHMMSS>`` (with a numeric suffix if that exists already)."""
    base = os.path.join(root, f"{cfg['dataset']}-{cfg['model']}-{time.strftime('%Y%m%d-%H%M%S')}")
    path, i = base, 2
    while os.path.exists(path):
        path, i = f"{base}-{i}", i + 1
    return path


def check_new_run_dir(path: str, force: bool) -> None:
    """Refuse a run directory that already holds something, unless ``force``."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UserError(f"The output path {path!r} is a file, not a folder. Give --out a folder name.")
    if os.path.isdir(path) and os.listdir(path) and not force:
        raise UserError(f"The run directory {path!r} already exists and is not empty; nothing was changed. "
                        "Give another --out, add --force to replace the run in it, or continue it with "
                        f"`chainrule resume {path}`.")


def create_run_dir(path: str, force: bool) -> None:
    """Create the run directory; with ``force``, remove the files a previous run left in it."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise UserError(f"The run directory {path!r} cannot be created ({e.strerror}). "
                        "Choose another --out.") from None
    if force:
        for name in ARTIFACTS:
            p = os.path.join(path, name)
            if os.path.isfile(p):
                os.remove(p)


FULL_DISK = (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))


def write_failure(path: str | None, e: OSError, retry: str | None = None) -> str:
    """One paragraph for a file that could not be written: what, why, what is intact, what to do."""
    what = f"{path!r}" if path else "a result file"
    why = e.strerror or str(e)
    if e.errno in FULL_DISK:
        fix = "The disk (or your file-size quota) is full: free some space"
    elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "The folder is not writable: fix its permissions or choose another folder"
    else:
        fix = "Check the folder and the disk"
    then = f", then run `{retry}` to write the results again" if retry else ", then run the command again"
    return (f"Could not write {what}: {why}. Nothing was left half-written: every file of the run is replaced "
            f"atomically, so each one is either its previous version or complete. {fix}{then}.")


@contextmanager
def writing(path: str | None, retry: str | None = None) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into a one-paragraph UserError (exit status 2)."""
    try:
        yield
    except UserError:
        raise
    except OSError as e:
        raise UserError(write_failure(path, e, retry)) from None


def write_bytes(path: str, data: bytes, retry: str | None = None) -> None:
    """Replace ``path`` atomically by ``data`` (an OSError becomes a one-paragraph UserError)."""
    from ..io import atomic_write
    with writing(path, retry):
        atomic_write(path, data)


def write_text(path: str, text: str, retry: str | None = None) -> None:
    """Replace ``path`` atomically by UTF-8 ``text``."""
    write_bytes(path, text.encode("utf-8"), retry)


def _finite(obj: Any) -> Any:
    """Strict JSON: nan and inf become null."""
    if isinstance(obj, float) and (obj != obj or obj in (float("inf"), float("-inf"))):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def write_json(path: str, obj: Any, retry: str | None = None) -> None:
    """Replace ``path`` atomically by ``obj`` as strict JSON (nan and inf as null)."""
    write_text(path, json.dumps(_finite(obj), indent=2, allow_nan=False) + "\n", retry)


def require_run(run: str) -> None:
    """Refuse a RUN argument that is not a folder (one paragraph saying what to give)."""
    if not os.path.isdir(run):
        what = "is a file, not" if os.path.exists(run) else "does not exist; it is not"
        raise UserError(f"{run!r} {what} a run directory. Give the folder that `chainrule train` wrote "
                        "(it prints its path at the end; by default under runs/).")


def read_run_config(run: str, ckpt: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's config: RUN/config.toml (it may have been edited), else the copy in the checkpoint."""
    path = os.path.join(run, CONFIG)
    if os.path.exists(path):
        return C.validate(C.read_config_file(path), f"The run's config file {path!r}")
    if ckpt is not None and isinstance(ckpt.get("config"), dict):
        return C.validate(dict(ckpt["config"]), f"The config stored in {os.path.join(run, CHECKPOINT)!r}")
    raise UserError(f"{run!r} has no {CONFIG}, so it is not a chainrule run directory (or it was emptied). "
                    "Give the folder that `chainrule train` wrote, or start a new run with `chainrule train`.")


def load_checkpoint(run: str, required: bool = True) -> dict[str, Any] | None:
    """Load RUN/checkpoint.safetensors (a CheckpointError if corrupt or foreign; None if absent and not required)."""
    path = os.path.join(run, CHECKPOINT)
    if not os.path.exists(path):
        if not required:
            return None
        raise UserError(f"{run!r} has no checkpoint ({CHECKPOINT}): the run was interrupted before its first "
                        f"epoch ended. Continue it with `chainrule resume {run}`.")
    from ..io import CheckpointError, load
    from ..io._torch_zip import is_torch_zip
    if is_torch_zip(path):
        raise CheckpointError(f"{path!r} is a zip archive written by torch.save, not a chainrule run checkpoint. "
                              "Load PyTorch weights in Python with chainrule.load, or train a run with "
                              "`chainrule train`.")
    ckpt = load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT or not isinstance(ckpt.get("trainer"), dict):
        raise CheckpointError(f"{path!r} is a safetensors file but not a chainrule run checkpoint (it lacks the "
                              "run's trainer state). It may be a plain state dict saved with chainrule.save; "
                              "load that with chainrule.load in Python, or train a run with `chainrule train`.")
    from .run_schema import check_run_checkpoint
    check_run_checkpoint(ckpt, path)
    return ckpt
