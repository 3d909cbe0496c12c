"""`chainrule train` on every dataset and model family (small epochs), and what the run directory holds."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import chainrule
from chainrule.datasets import MNIST_FILES, write_idx

from .helpers import SMALL, cli, metrics, write_csv

CLASSIFIER_KEYS = {"test_accuracy", "test_loss", "val_accuracy", "val_loss", "train_loss", "epochs", "best_epoch",
                   "seconds"}
REGRESSION_KEYS = {"test_mse", "test_mae", "test_r2", "test_loss", "val_loss", "train_loss", "epochs", "best_epoch",
                   "seconds"}
RUN_FILES = {"checkpoint.safetensors", "metrics.json", "config.toml", "history.csv", "history.json", "network.svg",
             "graph.svg", "curves.png", "report.txt"}


@pytest.fixture(scope="module")
def mnist_root(tmp_path_factory):
    """Tiny MNIST-format IDX files: 10 classes of 28x28 images, each class a bright bar at its own row."""
    root = tmp_path_factory.mktemp("mnist")
    rng = np.random.default_rng(0)
    for part, n in (("train", 120), ("test", 30)):
        y = (np.arange(n) % 10).astype(np.uint8)
        x = (rng.random((n, 28, 28)) * 60).astype(np.uint8)
        for i, c in enumerate(y):
            x[i, 2 * c:2 * c + 4, 4:24] = 250
        write_idx(root / MNIST_FILES[f"{part}_images"], x)
        write_idx(root / MNIST_FILES[f"{part}_labels"], y)
    return root


@pytest.fixture(scope="module")
def csv_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("csv")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(150, 3)).round(4)
    label = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    cls = write_csv(d / "cls.csv", ["a", "b", "c", "label"], [[*r, lab] for r, lab in zip(x, label)])
    reg = write_csv(d / "reg.csv", ["a", "b", "c", "price"], [[*r, round(3 * r[0] - r[1] + 0.5, 4)] for r in x])
    return cls, reg


def check_run(run, keys):
    assert RUN_FILES <= set(os.listdir(run))
    m = metrics(run)
    assert keys <= set(m)
    assert m["epochs"] >= 1 and 1 <= m["best_epoch"] <= m["epochs"]
    ET.parse(os.path.join(run, "network.svg"))
    ET.parse(os.path.join(run, "graph.svg"))
    with open(os.path.join(run, "curves.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    hist = json.loads(open(os.path.join(run, "history.json")).read())["epochs"]
    assert len(hist) == m["epochs"]
    assert open(os.path.join(run, "history.csv")).read().count("\n") == m["epochs"] + 1
    return m


@pytest.mark.parametrize("dataset", ["moons", "circles", "spirals", "xor"])
def test_synthetic_classification(tmp_path, dataset):
    r = cli("train", *SMALL, "--dataset", dataset, "--out", tmp_path / "run")
    assert r.code == 0, r
    m = check_run(tmp_path / "run", CLASSIFIER_KEYS)
    assert f"test accuracy {m['test_accuracy']:.2%}" in r.out
    assert 0.0 <= m["test_accuracy"] <= 1.0


def test_regression(tmp_path):
    r = cli("train", *SMALL, "--dataset", "regression", "--epochs", "30", "--out", tmp_path / "run")
    assert r.code == 0, r
    m = check_run(tmp_path / "run", REGRESSION_KEYS)
    assert "test_accuracy" not in m and m["test_r2"] > 0.8
    # the loss is the MSE of the standardized target; the metric is in the target's units
    std = chainrule.load(str(tmp_path / "run" / "checkpoint.safetensors"))["data"]["target_standardize"]["std"][0]
    assert m["test_mse"] == pytest.approx(m["test_loss"] * std**2, rel=1e-4)
    assert "R²" in r.out and "MSE" in r.out
    ev = cli("evaluate", tmp_path / "run")
    assert ev.code == 0 and "mse" in ev.out and "mae" in ev.out and "r2" in ev.out and "confusion" not in ev.out


def test_digits_small(tmp_path):
    r = cli("train", "--epochs", "3", "--hidden", "32", "--out", tmp_path / "run")
    assert r.code == 0, r
    check_run(tmp_path / "run", CLASSIFIER_KEYS)


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_mnist_idx_files(tmp_path, mnist_root, dataset, model):
    r = cli("train", "--dataset", dataset, "--data-root", mnist_root, "--model", model, "--channels", "4",
            "--hidden", "16", "--epochs", "3", "--out", tmp_path / "run")
    assert r.code == 0, r
    m = check_run(tmp_path / "run", CLASSIFIER_KEYS)
    assert "input 784" in r.out or "input 1x28x28" in r.out
    if model == "mlp":
        assert m["test_accuracy"] > 0.5  # the bars are easy
    ev = cli("evaluate", tmp_path / "run")
    assert ev.code == 0 and ("Trouser" in ev.out) == (dataset == "fashion-mnist")


def test_csv_classification_and_regression(tmp_path, csv_files):
    cls, reg = csv_files
    r = cli("train", *SMALL, "--dataset", "csv", "--data-root", cls, "--target", "label", "--epochs", "20",
            "--out", tmp_path / "c")
    assert r.code == 0, r
    m = check_run(tmp_path / "c", CLASSIFIER_KEYS)
    assert m["test_accuracy"] > 0.8
    r = cli("train", *SMALL, "--dataset", "csv", "--root", reg, "--target", "price", "--epochs", "30",
            "--out", tmp_path / "r")
    assert r.code == 0, r
    assert check_run(tmp_path / "r", REGRESSION_KEYS)["test_r2"] > 0.8


@pytest.mark.parametrize("args", [
    ["--model", "linear"],
    ["--model", "logistic"],
    ["--model", "logistic", "--dataset", "spirals"],
    ["--norm", "batch", "--residual"],
    ["--norm", "layer", "--activation", "gelu", "--dropout", "0"],
    ["--optimizer", "sgd", "--schedule", "none", "--lr", "0.1"],
    ["--optimizer", "momentum", "--schedule", "step"],
    ["--optimizer", "rmsprop", "--schedule", "cosine", "--grad-clip", "1.0"],
    ["--optimizer", "adamw", "--warmup", "0", "--patience", "0"],
])
def test_model_and_optimizer_options(tmp_path, args):
    r = cli("train", *SMALL, *args, "--out", tmp_path / "run")
    assert r.code == 0, r
    check_run(tmp_path / "run", CLASSIFIER_KEYS)


def test_cnn_on_digits(tmp_path):
    r = cli("train", "--model", "cnn", "--channels", "4,8", "--hidden", "32", "--epochs", "2",
            "--out", tmp_path / "run", "--quiet")
    assert r.code == 0, r
    assert "cnn 1x8x8-conv4-conv8-32-10" in (tmp_path / "run" / "report.txt").read_text()


def test_config_file_and_flags(tmp_path):
    cfg = tmp_path / "my.toml"
    cfg.write_text('dataset = "moons"\nn_samples = 200\nhidden = [8]\nepochs = 50\nlr = 0.01\n')
    r = cli("train", "--config", cfg, "--epochs", "2", "--out", tmp_path / "run", "--quiet")
    assert r.code == 0, r
    used = (tmp_path / "run" / "config.toml").read_text()
    assert 'dataset = "moons"' in used and "epochs = 2" in used and "hidden = [8]" in used and "lr = 0.01" in used
    # the saved config repeats the run exactly
    r2 = cli("train", "--config", tmp_path / "run" / "config.toml", "--out", tmp_path / "again", "--quiet")
    assert r2.code == 0
    assert metrics(tmp_path / "run")["test_loss"] == metrics(tmp_path / "again")["test_loss"]


def test_default_out_dir_and_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("train", *SMALL, "--epochs", "1", "--quiet")
    assert r.code == 0, r
    (run,) = os.listdir(tmp_path / "runs")
    assert run.startswith("moons-mlp-")
    r = cli("train", *SMALL, "--epochs", "1", "--quiet")
    assert r.code == 0 and len(os.listdir(tmp_path / "runs")) == 2   # a fresh directory each time
    out = tmp_path / "runs" / run
    (out / "mine.txt").write_text("kept")
    r = cli("train", *SMALL, "--epochs", "2", "--out", out, "--force", "--quiet")
    assert r.code == 0, r
    assert metrics(out)["epochs"] == 2 and (out / "mine.txt").read_text() == "kept"


def test_output_modes(tmp_path):
    r = cli("train", *SMALL, "--out", tmp_path / "a")
    assert "moons: 140 train / 30 val / 30 test samples" in r.out
    assert "epoch   8/8" in r.out and "run saved to" in r.out
    q = cli("train", *SMALL, "--out", tmp_path / "b", "--quiet")
    assert "epoch" not in q.out.split("best epoch")[0] and "test accuracy" in q.out
    assert q.err == ""


def test_divergence_stops_with_a_clear_message(tmp_path):
    r = cli("train", *SMALL, "--dataset", "regression", "--optimizer", "sgd", "--lr", "1e6", "--out", tmp_path / "r")
    assert r.code == 1, r
    assert "diverged" in r.err and "NaNGuard" in r.err and "Traceback" not in r.err
    m = json.loads((tmp_path / "r" / "metrics.json").read_text())   # strict JSON: non-finite values are null
    assert m["test_mse"] is None or np.isfinite(m["test_mse"])


def test_ctrl_c_says_how_to_resume(tmp_path, monkeypatch):
    from chainrule.cli import session

    def interrupted(self, run):
        raise KeyboardInterrupt

    monkeypatch.setattr(session.Session, "fit", interrupted)
    r = cli("train", *SMALL, "--out", tmp_path / "r")
    assert r.code == 130 and "chainrule resume" in r.err and "Traceback" not in r.err
