"""Running the `chainrule` command in-process (``main(argv)``) or as ``python -m chainrule``."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import chainrule
from chainrule.cli import main

# Small and fast: a synthetic dataset and a small MLP (epochs kept low).
SMALL = ["--dataset", "moons", "--n-samples", "200", "--hidden", "16,16", "--epochs", "8", "--batch-size", "32"]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


def cli(*argv: object) -> Result:
    """Run ``chainrule *argv`` in this process; capture its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return Result(code, out.getvalue(), err.getvalue())


def cli_subprocess(*argv: object, timeout: float = 120, cwd: str | None = None) -> Result:
    """Run ``python -m chainrule *argv`` in a fresh interpreter."""
    p = subprocess.run([sys.executable, "-m", "chainrule", *map(str, argv)], capture_output=True, text=True,
                       timeout=timeout, cwd=cwd)
    return Result(p.returncode, p.stdout, p.stderr)


def assert_user_error(r: Result, *words: str) -> None:
    """Exit status 2, one paragraph on stderr naming ``words``, no traceback."""
    assert r.code == 2, r
    assert "Traceback" not in r.err and "Traceback" not in r.out, r
    text = " ".join(r.err.split()).lower()
    for w in words:
        assert w.lower() in text, (w, r)


def snapshot(folder: str | Path) -> dict[str, str]:
    """File name -> content hash (and mtime), to check that nothing was overwritten."""
    out = {}
    for p in sorted(Path(folder).iterdir()):
        if p.is_file():
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest() + f":{p.stat().st_mtime_ns}"
    return out


def metrics(run: str | Path) -> dict:
    return json.loads((Path(run) / "metrics.json").read_text())


def final_params(run: str | Path) -> dict[str, np.ndarray]:
    ckpt = chainrule.load(str(Path(run) / "checkpoint.safetensors"))
    assert ckpt["status"] == "done"
    return {k: v.numpy() for k, v in ckpt["trainer"]["model"].items()}


def same_params(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def write_csv(path: str | Path, header: list[str] | None, rows: list[list[object]]) -> str:
    lines = ([",".join(header)] if header else []) + [",".join(map(str, r)) for r in rows]
    Path(path).write_text("\n".join(lines) + "\n")
    return str(path)


def train_small_run(folder: Path, epochs: int) -> Path:
    """Train the SMALL model for ``epochs`` epochs into ``folder/run``; that run folder."""
    run = Path(folder) / "run"
    r = cli("train", *SMALL, "--epochs", str(epochs), "--out", run, "--quiet")
    assert r.code == 0, r
    return run


def copy_run(run: str | Path, folder: Path) -> Path:
    """A fresh copy of ``run`` at ``folder/run``, to spoil."""
    copy = Path(folder) / "run"
    shutil.copytree(run, copy)
    return copy
