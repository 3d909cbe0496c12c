"""The BLAS thread count of a run: chosen for the work (one thread for small models), overridable, reported."""

from __future__ import annotations

import pytest

import chainrule
from chainrule import nn
from chainrule.cli.config import validate
from chainrule.cli.session import Session
from chainrule.cli.threads import ENV_VARS, MACS_PER_THREAD, choose_threads, largest_product
from chainrule.train import Callback

from .helpers import cli, metrics

SMALL = ["--dataset", "moons", "--n-samples", "200", "--hidden", "8", "--epochs", "2"]


@pytest.fixture
def no_thread_env(monkeypatch):
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)


def test_choose_threads():
    assert choose_threads(0, 8) == 1
    assert choose_threads(MACS_PER_THREAD - 1, 8) == 1
    assert choose_threads(3 * MACS_PER_THREAD, 8) == 3
    assert choose_threads(2**40, 2) == 2
    assert choose_threads(2**40, 1) == 1


def test_largest_product_of_dense_and_convolutional_models():
    mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    assert largest_product(mlp, (64,), 32) == 32 * 64 * 128
    cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                        nn.Flatten(), nn.Linear(32 * 14 * 14, 10))
    # the second convolution as im2col: (batch·14·14 positions) × (16·3·3) × 32
    assert largest_product(cnn, (1, 28, 28), 64) == 64 * 14 * 14 * 16 * 9 * 32


def test_small_run_uses_one_thread_and_says_so(tmp_path, no_thread_env):
    before = chainrule.get_num_threads()
    run = tmp_path / "run"
    r = cli("train", *SMALL, "--out", run)
    assert r.code == 0, r
    assert "1 BLAS thread" in r.out.splitlines()[1]
    assert metrics(run)["blas_threads"] == 1
    report = " ".join((run / "report.txt").read_text().split())
    assert "threads 1 BLAS thread for matrix products (chosen for the work" in report
    assert chainrule.get_num_threads() == before  # the limit ends with the command


def test_threads_flag_and_environment_override(tmp_path, no_thread_env, monkeypatch):
    r = cli("train", *SMALL, "--threads", "2", "--out", tmp_path / "a", "-q")
    assert r.code == 0, r
    assert "(set with --threads)" in (tmp_path / "a" / "report.txt").read_text()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    r = cli("train", *SMALL, "--out", tmp_path / "b", "-q")
    assert r.code == 0, r
    assert "(from OMP_NUM_THREADS=1)" in (tmp_path / "b" / "report.txt").read_text()


def test_training_runs_under_the_chosen_limit(tmp_path, no_thread_env):
    seen = []

    class Record(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            seen.append(chainrule.get_num_threads())

    sess = Session(validate({"dataset": "moons", "n_samples": 200, "hidden": [8], "epochs": 2}))
    assert sess.threads == 1
    sess.trainer.callbacks.append(Record())
    (tmp_path / "run").mkdir()
    sess.fit(str(tmp_path / "run"))
    assert seen == [1, 1]
