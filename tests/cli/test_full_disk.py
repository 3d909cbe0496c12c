"""A full disk while writing results: one paragraph, exit status 2, never a traceback or a half-written file.

The disk is "filled" with a file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so a write past it fails
with EFBIG, as a write to a full disk fails with ENOSPC) in a fresh ``python -m chainrule`` process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import Result, cli, snapshot

resource = pytest.importorskip("resource")  # POSIX only

SMALL = ["--dataset", "moons", "--n-samples", "200", "--hidden", "4", "--epochs", "3"]


def limited(limit: int, *argv: object) -> Result:
    """``python -m chainrule *argv`` where no file can grow beyond ``limit`` bytes."""
    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    p = subprocess.run([sys.executable, "-m", "chainrule", *map(str, argv)], capture_output=True, text=True,
                       timeout=120, preexec_fn=cap)
    return Result(p.returncode, p.stdout, p.stderr)


def check_paragraph(r: Result, *words: str) -> None:
    assert r.code == 2, r
    assert "Traceback" not in r.err + r.out, r
    err = " ".join(r.err.split())
    assert err.startswith("chainrule: error: Could not write"), r
    for w in words:
        assert w in err, (w, r)


def no_temporaries(run: Path) -> None:
    assert not [p.name for p in run.iterdir() if p.name.startswith(".")], list(run.iterdir())


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("full") / "run"
    r = cli("train", *SMALL, "--out", run, "-q")
    assert r.code == 0, r
    return run


@pytest.mark.parametrize("cmd", ["draw", "resume"])
def test_draw_and_resume_of_a_finished_run_on_a_full_disk(run, cmd):
    before = snapshot(run)
    r = limited(200, cmd, run)
    check_paragraph(r, "File too large", f"chainrule {cmd} {run}", "half-written")
    assert snapshot(run) == before  # every file is its previous version
    no_temporaries(run)
    # with space again, the same command works and says what it wrote
    r = cli(cmd, run)
    assert r.code == 0, r


def test_end_of_train_on_a_full_disk(tmp_path):
    out = tmp_path / "run"
    # room for the checkpoint (~20 kB) and the small files, not for curves.png (~100 kB)
    r = limited(48_000, "train", *SMALL, "--out", out, "-q")
    check_paragraph(r, "curves.png", f"chainrule resume {out}")
    assert "curves.png" not in os.listdir(out)  # not half-written
    no_temporaries(out)
    for name in ("metrics.json", "history.json", "network.svg"):  # written before it: complete
        text = (out / name).read_text()
        assert text.rstrip().endswith(("}", "</svg>")), name
    r = cli("resume", out, "-q")  # rewrites the results of the finished run
    assert r.code == 0, r
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_predict_output_on_a_full_disk(run, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("\n".join(f"{i / 10},{-i / 10}" for i in range(400)) + "\n")
    r = limited(1000, "predict", run, "--input", points, "--output", tmp_path / "pred.csv")
    check_paragraph(r, "pred.csv")
    assert not (tmp_path / "pred.csv").exists()


def test_an_unforeseen_os_error_is_still_one_paragraph(monkeypatch, tmp_path):
    import errno

    from chainrule.cli import commands

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setitem(commands.COMMANDS, "summary", full)
    r = cli("summary", tmp_path)
    check_paragraph(r, "No space left on device", "free some space")
    monkeypatch.setitem(commands.COMMANDS, "summary", lambda args: open(tmp_path / "missing" / "f"))
    r = cli("summary", tmp_path)
    assert r.code == 2 and "Traceback" not in r.err and "A file operation failed" in r.err, r
