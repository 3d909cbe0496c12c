"""Regression on a user's table: standardized targets, metrics in the table's units, too-small data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule.cli.artifacts import quality_warnings

from .helpers import assert_user_error, cli, metrics, write_csv


def house_table(path: Path, n: int = 300, seed: int = 0, noise: float = 4.0) -> tuple[str, np.ndarray, np.ndarray]:
    """Features on very different scales and a target with a large offset and scale (≈ 5000 ± 1000)."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(1500, 400, n), rng.integers(1, 6, n), rng.normal(30, 10, n), rng.random(n)])
    y = 4000 + x @ np.array([0.6, 150.0, -12.0, 200.0]) + rng.normal(0, noise, n)
    path = write_csv(path, ["area", "rooms", "age", "garden", "price"], [[*r.round(4), round(t, 3)] for r, t in zip(x, y)])
    return path, x.round(4), y


def r2(pred: np.ndarray, y: np.ndarray) -> float:
    return 1.0 - float(np.square(pred - y).sum() / np.square(y - y.mean()).sum())


@pytest.mark.parametrize("model", ["linear", "mlp"])
def test_defaults_fit_a_linear_target_with_a_large_offset(tmp_path, model):
    path, x, y = house_table(tmp_path / "houses.csv")
    assert y.mean() > 4000 and y.std() > 100
    run = tmp_path / "run"
    r = cli("train", "--dataset", "csv", "--data-root", path, "--target", "price", "--model", model, "--out", run, "-q")
    assert r.code == 0, r
    m = metrics(run)
    assert m["test_r2"] >= 0.95 and m["val_r2"] >= 0.95, m
    # metrics are in the table's units: the test MSE is a small part of the target's variance, not of 1
    assert m["test_mse"] > 1.0 and m["test_mse"] < 0.05 * y.var(), m
    ckpt = chainrule.load(str(run / "checkpoint.safetensors"))
    stats = ckpt["data"]["target_standardize"]
    assert abs(stats["mean"][0] - y.mean()) < 0.1 * y.std() and abs(stats["std"][0] / y.std() - 1) < 0.2
    # predict maps back to the target's units
    feats = write_csv(tmp_path / "x.csv", ["area", "rooms", "age", "garden"], x.tolist())
    r = cli("predict", run, "--input", feats)
    assert r.code == 0, r
    pred = np.array([float(v) for v in r.out.split()[1:]])
    assert r2(pred, y) >= 0.95
    # evaluate reports the same units as metrics.json
    r = cli("evaluate", run)
    assert r.code == 0, r
    row = r.out.strip().splitlines()[-1].split()
    assert row[0] == "test" and float(row[2]) == pytest.approx(m["test_mse"], rel=1e-3)
    assert "standardized target" in (run / "report.txt").read_text()


def test_a_run_worse_than_the_mean_warns(tmp_path):
    rng = np.random.default_rng(3)
    rows = [[*rng.normal(size=3).round(3), round(float(v), 3)] for v in rng.normal(900, 50, 120)]
    path = write_csv(tmp_path / "noise.csv", ["a", "b", "c", "t"], rows)
    run = tmp_path / "run"
    # lr 0: the untrained network's outputs are noise around the mean, so R² < 0
    r = cli("train", "--dataset", "csv", "--data-root", path, "--target", "t", "--lr", "0", "--epochs", "2",
            "--out", run, "-q")
    assert r.code == 0, r
    assert metrics(run)["test_r2"] < 0
    assert "worse than the mean" in " ".join(r.err.split()), r
    assert "worse than the mean" in " ".join((run / "report.txt").read_text().split())


def test_quality_warnings():
    assert quality_warnings({"test_r2": 0.5, "val_r2": 0.9}) == []
    assert quality_warnings({"test_accuracy": 0.1}) == []
    assert len(quality_warnings({"test_r2": -0.2, "val_r2": -1.0})) == 1


@pytest.mark.parametrize("rows, target, need", [
    ([[1, 2, 3.5], [2, 3, 4.5]], "y", 10),                       # regression: R² needs 2 per part
    ([[1, 2, 3.5], [2, 3, 4.5], [4, 1, 0.5]], "y", 10),
    ([[1, 2, "a"], [2, 3, "b"], [3, 3, "a"]], "y", 4),           # classification: a sample per part
])
def test_too_few_rows_is_one_paragraph(tmp_path, rows, target, need):
    path = write_csv(tmp_path / "tiny.csv", ["a", "b", target], rows)
    r = cli("train", "--dataset", "csv", "--data-root", path, "--target", target, "--out", tmp_path / "run")
    assert_user_error(r, "only", f"at least {need} rows", "--val")
    assert not (tmp_path / "run").exists()


def test_the_row_count_named_is_enough(tmp_path):
    rows = [[i, (i * 7) % 5, "a" if i % 2 else "b"] for i in range(4)]
    path = write_csv(tmp_path / "four.csv", ["a", "b", "y"], rows)
    r = cli("train", "--dataset", "csv", "--data-root", path, "--target", "y", "--epochs", "2", "--out",
            tmp_path / "run", "-q")
    assert r.code == 0, r
    assert "warning" in r.err and "small" in r.err
    hist = json.loads((tmp_path / "run" / "history.json").read_text())["epochs"]
    assert len(hist) == 2
