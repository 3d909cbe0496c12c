"""What the command prints: the learning rate of warmup epochs, usage hints, timing after a resume,
divergence, and epoch lines on a terminal without a window size."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys

import pytest

from .helpers import cli

SMALL = ["--dataset", "moons", "--n-samples", "200", "--hidden", "8", "--epochs", "4"]


def test_warmup_epochs_show_the_learning_rate_used(tmp_path):
    r = cli("train", *SMALL, "--out", tmp_path / "run")  # not quiet, not a terminal: one line per epoch
    assert r.code == 0, r
    first = next(line for line in r.out.splitlines() if line.startswith("epoch   1/"))
    lr = float(first.split("lr ")[1].split()[0])
    assert 0 < lr <= 3e-3, first
    hist = json.loads((tmp_path / "run" / "history.json").read_text())["epochs"]
    assert hist[0]["lr"] > 0 and hist[0]["lr"] == pytest.approx(lr, rel=1e-3)


@pytest.mark.parametrize("argv, words", [
    (["train", "--hiden", "3"], ["Did you mean --hidden (not --hiden)?", "`chainrule train --help`"]),
    (["train", "--dataset", "digit"], ["Did you mean 'digits'?", "`chainrule train --help`"]),
    (["train", "--activation", "rleu"], ["Did you mean 'relu'?"]),
    (["evaluate", "RUN", "--splt", "val"], ["Did you mean --split (not --splt)?", "`chainrule evaluate --help`"]),
    (["trian"], ["Did you mean 'train'?", "`chainrule --help`"]),
])
def test_usage_errors_name_the_right_help_and_a_close_match(argv, words):
    r = cli(*argv)
    assert r.code == 2, r
    err = " ".join(r.err.split())
    for w in words:
        assert w in err, (w, r)


def test_unknown_flag_without_a_close_match_has_no_suggestion():
    r = cli("train", "--zzzzzz")
    assert r.code == 2 and "Did you mean" not in r.err and "chainrule train --help" in r.err, r


def test_timing_after_a_resume_counts_every_session(tmp_path):
    run = tmp_path / "run"
    assert cli("train", *SMALL, "--out", run, "-q").code == 0
    r = cli("resume", run, "-q")  # a finished run: nothing more to train, results rewritten
    assert r.code == 0, r
    line = next(line for line in r.out.splitlines() if "trained in" in line)
    assert "over all sessions (0.00 s of it in this one; this command took" in line, line


def test_a_diverging_learning_rate_fails_with_a_hint(tmp_path):
    r = cli("train", *SMALL, "--hidden", "16,16", "--lr", "100", "--out", tmp_path / "run", "-q")
    assert r.code == 1, r
    err = " ".join(r.err.split())
    assert "training diverged" in err and "--lr 0.003" in err, r
    assert "training diverged" in (tmp_path / "run" / "report.txt").read_text()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_epoch_lines_on_a_terminal_without_a_window_size(tmp_path):
    master, slave = os.openpty()  # a new pseudo-terminal reports 0 columns and 0 rows
    p = subprocess.Popen([sys.executable, "-m", "chainrule", "train", *SMALL, "--out", str(tmp_path / "run")],
                         stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        try:
            chunk = os.read(master, 65536) if ready else b""
        except OSError:  # the child closed the terminal
            chunk = b""
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert p.wait(timeout=60) == 0
    text = out.decode("utf-8", "replace")
    for epoch in range(1, 5):
        assert f"epoch {epoch}/4: 100%" in text, text
