"""kill -9 at random moments (during training and during checkpoint saves): the checkpoint is never corrupt and
`chainrule resume` then finishes with parameters bit-identical to an uninterrupted run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import chainrule
from chainrule.cli import main

from .helpers import cli, final_params, same_params

# A tiny run with many quick epochs (a checkpoint save at the end of each), dropout (random state to restore),
# warmup-cosine steps per batch, and early stopping that may trigger (its state is in the checkpoint).
ARGS = ["--dataset", "moons", "--n-samples", "200", "--hidden", "16,16", "--epochs", "120", "--batch-size", "16",
        "--patience", "20", "--dropout", "0.2", "--quiet"]
MIN_KILLS = 50
TMP_GLOB = ".checkpoint.safetensors.*.tmp"


def _fork_cli(argv: list[str]) -> int:
    """Run ``main(argv)`` in a forked child process (chainrule is already imported: no start-up cost)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with BLAS threads around (Python 3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 70
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            code = main(argv)
        finally:
            os._exit(code)
    return pid


class _Forked:
    def __init__(self, argv: list[str]) -> None:
        self.pid = _fork_cli(argv)
        self.code: int | None = None

    def poll(self) -> int | None:
        if self.code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
        return self.code

    def kill(self) -> int:
        if self.code is None:
            os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
            self.code = os.waitstatus_to_exitcode(status)
        return self.code


class _Sub:
    def __init__(self, argv: list[str]) -> None:
        self.p = subprocess.Popen([sys.executable, "-m", "chainrule", *argv], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)

    def poll(self) -> int | None:
        return self.p.poll()

    def kill(self) -> int:
        self.p.send_signal(signal.SIGKILL)
        return self.p.wait()


def _kill_at_random(proc, run: Path, rng: random.Random, mid_save: bool, started: float) -> bool:
    """Kill ``proc`` after a random delay, or (``mid_save``) as soon as a checkpoint save is seen in progress.
    Returns False if the process finished first."""
    deadline = started + rng.uniform(0.0, 0.6)
    while True:
        if proc.poll() is not None:
            return False
        now = time.perf_counter()
        if mid_save and any(run.glob(TMP_GLOB)) or not mid_save and now >= deadline or now >= deadline + 1.0:
            return proc.kill() == -signal.SIGKILL


def _check_checkpoint(run: Path) -> None:
    """Whatever moment the kill hit, the checkpoint is absent or complete."""
    path = run / "checkpoint.safetensors"
    if path.exists():
        ckpt = chainrule.load(str(path))
        assert ckpt["format"] == "chainrule-run" and ckpt["status"] in ("training", "done")


def _interrupted_run(run: Path, rng: random.Random, spawn, max_kills: int, stats: dict) -> None:
    """Start `train`, kill it, then `resume` and kill that, ... and finally let `resume` finish."""
    argv = ["train", *ARGS, "--out", str(run)]
    for _ in range(max_kills):
        proc = spawn(argv)
        started = time.perf_counter()
        if argv[0] == "train":  # the run exists once its config is written
            while not (run / "config.toml").exists():
                assert proc.poll() is None, "train failed before writing its config"
                time.sleep(0.0005)
            started = time.perf_counter()
        mid_save = rng.random() < 0.5
        if not _kill_at_random(proc, run, rng, mid_save, started):
            break   # it finished before the kill
        stats["kills"] += 1
        stats["mid_save"] += any(run.glob(TMP_GLOB))
        _check_checkpoint(run)
        argv = ["resume", str(run), "--quiet"]
    else:
        proc = spawn(argv)
        while proc.poll() is None:
            time.sleep(0.005)
    assert proc.poll() == 0


@pytest.mark.slow
def test_kill_and_resume_is_bit_identical(tmp_path):
    t0 = time.perf_counter()
    ref = tmp_path / "reference"
    r = cli("train", *ARGS, "--out", ref)
    assert r.code == 0, r
    expected = final_params(ref)
    rng = random.Random(1234)
    stats = {"kills": 0, "mid_save": 0, "runs": 0}
    # a few chains with real `python -m chainrule` processes, the rest forked from this one (fast start)
    for i in range(2):
        run = tmp_path / f"sub{i}"
        _interrupted_run(run, rng, _Sub, 3, stats)
        assert same_params(final_params(run), expected), f"subprocess chain {i}"
        stats["runs"] += 1
    i = 0
    while stats["kills"] < MIN_KILLS:
        run = tmp_path / f"fork{i}"
        _interrupted_run(run, rng, _Forked, 6, stats)
        assert same_params(final_params(run), expected), f"forked chain {i}"
        stats["runs"] += 1
        i += 1
        assert i < 40, stats
    seconds = time.perf_counter() - t0
    print(f"\n{stats['kills']} kills ({stats['mid_save']} during a checkpoint save) over {stats['runs']} runs, "
          f"all resumed bit-identical, in {seconds:.1f} s")
    assert stats["kills"] >= MIN_KILLS
    assert stats["mid_save"] >= 5


def test_resume_before_the_first_checkpoint_starts_over(tmp_path):
    """Killed before its first epoch ended, a run holds only its config: resume trains it from the start."""
    args = ["--dataset", "moons", "--n-samples", "200", "--hidden", "8", "--epochs", "5", "--quiet"]
    assert cli("train", *args, "--out", tmp_path / "a").code == 0
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "config.toml").write_bytes((tmp_path / "a" / "config.toml").read_bytes())
    r = cli("resume", tmp_path / "b")
    assert r.code == 0, r
    assert same_params(final_params(tmp_path / "a"), final_params(tmp_path / "b"))
