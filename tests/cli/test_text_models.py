"""`chainrule train --dataset text --model rnn|lstm|gru`: a character model trains, predict samples from a
prompt, evaluate/summary/draw work, and mismatched dataset/model or prompts are clear user errors."""

from __future__ import annotations

import json

import pytest

from chainrule.cli import config as C
from chainrule.cli.models import build_model
from chainrule.cli.text_models import SAMPLE_LENGTH, CharRNN

from .helpers import assert_user_error, cli

TEXT = ["--dataset", "text", "--n-samples", "300", "--epochs", "2", "--batch-size", "32", "--lr", "0.01",
        "--dropout", "0"]


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_build_text_model(kind: str) -> None:
    cfg = C.validate({"dataset": "text", "model": kind, "hidden": [16, 8], "dropout": 0.0})
    model = build_model(cfg, (64,), "classification", 62)
    assert isinstance(model, CharRNN) and len(model.layers) == 2
    assert [type(m).__name__.lower() for m in model.layers] == [kind] * 2


def test_train_predict_evaluate_summary_draw(tmp_path) -> None:
    run = tmp_path / "run"
    r = cli("train", *TEXT, "--model", "gru", "--hidden", "64", "--out", run, "-q")
    assert r.code == 0, r
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test_loss"] < 3.8  # below a uniform guess over 62 characters (4.13) after two short epochs
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("ROMEO:\n")
    r = cli("predict", run, "--input", prompt)
    assert r.code == 0, r
    assert r.out.startswith("ROMEO:\n") and len(r.out) == len("ROMEO:\n") + SAMPLE_LENGTH + 1
    assert cli("predict", run, "--input", prompt).out == r.out  # seeded by the run's seed
    r = cli("evaluate", run)
    assert r.code == 0 and "accuracy" in r.out and "confusion" not in r.out, r
    r = cli("summary", run)
    assert r.code == 0 and "GRU" in r.out and "Embedding" in r.out, r
    assert cli("draw", run).code == 0
    assert "GRU" in (run / "network.svg").read_text()


def test_mismatched_model_dataset_and_prompt(tmp_path) -> None:
    assert_user_error(cli("train", *TEXT, "--model", "mlp", "--out", tmp_path / "a"), "rnn, lstm or gru")
    assert_user_error(cli("train", "--dataset", "moons", "--model", "lstm", "--out", tmp_path / "b"),
                      "not a text dataset")
    run = tmp_path / "c"
    assert cli("train", *TEXT, "--model", "rnn", "--hidden", "16", "--epochs", "1", "--out", run, "-q").code == 0
    bad = tmp_path / "bad.txt"
    bad.write_text("hello €")
    assert_user_error(cli("predict", run, "--input", bad), "never saw")
    assert_user_error(cli("predict", run, "--input", tmp_path / "missing.txt"), "does not exist")
