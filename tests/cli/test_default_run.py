"""The default `chainrule train` (the seed's network on the bundled digits) and the commands that read its run."""

from __future__ import annotations

import os
import shutil
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from chainrule import datasets

from .helpers import cli, cli_subprocess, metrics, snapshot, write_csv


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("default") / "run"
    t0 = time.perf_counter()
    r = cli("train", "--out", run)
    seconds = time.perf_counter() - t0
    assert r.code == 0, r
    return run, r, seconds


def test_default_reaches_95_percent(default_run):
    run, r, seconds = default_run
    m = metrics(run)
    print(f"default run: test accuracy {m['test_accuracy']:.4f} in {seconds:.1f} s "
          f"({m['epochs']} epochs, best {m['best_epoch']})")
    assert m["test_accuracy"] >= 0.95
    assert seconds < 60
    assert m["dataset"] == "digits" and m["model"] == "mlp" and m["parameters"] == 17226
    assert m["best_epoch"] <= m["epochs"] and m["seconds"] > 0
    assert "digits: 1257 train / 270 val / 270 test samples" in r.out
    assert "mlp 64-128-64-10 (relu, dropout 0.1)" in r.out
    assert f"test accuracy {m['test_accuracy']:.2%}" in r.out and "trained in" in r.out


def test_report(default_run):
    run, _, _ = default_run
    text = (run / "report.txt").read_text()
    for words in ("dataset    digits", "17,226 parameters", "warmup-cosine", "best epoch", "confusion matrix",
                  "test", "metrics.json"):
        assert words in text
    cfg = (run / "config.toml").read_text()
    assert 'model = "mlp"' in cfg and "hidden = [128, 64]" in cfg


def test_evaluate(default_run):
    run, _, _ = default_run
    r = cli("evaluate", run)
    assert r.code == 0, r
    m = metrics(run)
    assert f"{m['test_accuracy']:.2%}" in r.out and "confusion matrix" in r.out
    rows = [line.split() for line in r.out.splitlines() if line[:1].isdigit() and line.endswith("%")]
    counts = np.array([[int(v) for v in row[1:11]] for row in rows])
    assert counts.shape == (10, 10) and counts.sum() == 270
    assert np.trace(counts) == round(m["test_accuracy"] * 270)
    val = cli("evaluate", run, "--split", "val")
    assert f"{m['val_accuracy']:.2%}" in val.out


def _raw_test_features():
    """The digits test split as the user has it: pixel values 0..16, one row of 64 per image."""
    s = datasets.load("digits")
    st = s.meta["standardize"]
    x = s.x_test.numpy() * np.array(st["std"], dtype=np.float32) + np.array(st["mean"], dtype=np.float32)
    return np.round(x * 16).astype(np.int64), s.y_test.numpy()


def test_predict_csv_and_npy(default_run, tmp_path):
    run, _, _ = default_run
    x, y = _raw_test_features()
    m = metrics(run)
    src = write_csv(tmp_path / "in.csv", None, x.tolist())
    r = cli("predict", run, "--input", src)
    assert r.code == 0, r
    lines = r.out.splitlines()
    assert lines[0] == "prediction," + ",".join(f"p_{i}" for i in range(10))
    pred = np.array([int(line.split(",")[0]) for line in lines[1:]])
    probs = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    assert len(pred) == 270 and np.allclose(probs.sum(1), 1, atol=1e-4)
    assert (pred == y).mean() == pytest.approx(m["test_accuracy"], abs=1.5 / 270)
    np.save(tmp_path / "in.npy", x.astype(np.float32))
    out = tmp_path / "pred.csv"
    r2 = cli("predict", run, "-i", tmp_path / "in.npy", "-o", out)
    assert r2.code == 0 and "wrote 270 predictions" in r2.out
    assert out.read_text() == r.out
    # a header with the feature names: columns are picked by name, extra columns ignored
    names = [f"pixel_{i // 8}_{i % 8}" for i in range(64)]
    src = write_csv(tmp_path / "named.csv", ["label", *names[::-1]], [[t, *row[::-1]] for t, row in zip(y, x)])
    assert cli("predict", run, "-i", src).out == r.out


def test_draw(default_run, tmp_path):
    run, _, _ = default_run
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    for name in ("network.svg", "graph.svg", "curves.png"):
        os.remove(copy / name)
    r = cli("draw", copy)
    assert r.code == 0, r
    net = ET.parse(copy / "network.svg").getroot()
    circles = [e for e in net.iter() if e.tag.endswith("circle")]
    assert len(circles) >= 10 + 10 + 10 + 10   # four layers, big ones collapsed to 10 shown neurons
    graph = (copy / "graph.svg").read_text()
    assert "fc1.weight" in graph and "CrossEntropy" in graph
    assert (copy / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert "wrote" in r.out


def test_summary(default_run):
    run, _, _ = default_run
    r = cli("summary", run)
    assert r.code == 0, r
    for words in ("fc1 (Linear)", "[1, 128]", "8,320", "out (Linear)", "Total params: 17,226"):
        assert words in r.out


def test_resume_of_a_finished_run_changes_nothing_but_rewrites_results(default_run, tmp_path):
    run, _, _ = default_run
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    before = metrics(copy)
    os.remove(copy / "metrics.json")
    r = cli("resume", copy)
    assert r.code == 0, r
    assert "complete" in r.out
    after = metrics(copy)
    assert {k: v for k, v in after.items() if k != "seconds"} == {k: v for k, v in before.items() if k != "seconds"}


def test_subprocess_commands(default_run):
    run, _, _ = default_run
    before = snapshot(run)
    r = cli_subprocess("evaluate", run)
    assert r.code == 0 and "confusion matrix" in r.out, r
    r = cli_subprocess("summary", run)
    assert r.code == 0 and "Total params: 17,226" in r.out, r
    assert snapshot(run) == before
    h = cli_subprocess("--help")
    assert h.code == 0 and "train" in h.out and "resume" in h.out
