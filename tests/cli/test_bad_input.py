"""User mistakes: one paragraph on stderr saying what is wrong and what to do, exit status 2, no traceback,
nothing overwritten."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import chainrule

from .helpers import (
    SMALL,
    assert_user_error,
    cli,
    cli_subprocess,
    copy_run,
    snapshot,
    train_small_run,
    write_csv,
)


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    return train_small_run(tmp_path_factory.mktemp("good"), epochs=3)


@pytest.fixture
def run(good_run, tmp_path):
    """A fresh copy of a good run, to spoil."""
    return copy_run(good_run, tmp_path)


# --- datasets -----------------------------------------------------------------------------------------
def test_missing_csv(tmp_path):
    r = cli("train", "--dataset", "csv", "--data-root", tmp_path / "nope.csv", "--target", "y",
            "--out", tmp_path / "run")
    assert_user_error(r, "nope.csv", "does not exist")
    assert not (tmp_path / "run").exists()


def test_unreadable_csv(tmp_path):
    r = cli("train", "--dataset", "csv", "--data-root", tmp_path, "--target", "y", "--out", tmp_path / "run")
    assert_user_error(r, "folder")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert_user_error(cli("train", "--dataset", "csv", "--data-root", binary, "--target", "y",
                          "--out", tmp_path / "run"), "bin.csv")
    assert not (tmp_path / "run").exists()


def test_missing_mnist_folder(tmp_path):
    assert_user_error(cli("train", "--dataset", "mnist", "--data-root", tmp_path / "nope", "--out", tmp_path / "r"),
                      "train-images-idx3-ubyte", "not found", "--download")
    (tmp_path / "bad").mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        (tmp_path / "bad" / name).write_bytes(b"garbage!" * 3)
    assert_user_error(cli("train", "--dataset", "mnist", "--data-root", tmp_path / "bad", "--out", tmp_path / "r"))
    assert not (tmp_path / "r").exists()


def test_csv_needs_path_and_target(tmp_path):
    assert_user_error(cli("train", "--dataset", "csv", "--out", tmp_path / "r"), "--data-root", "--target")
    f = write_csv(tmp_path / "t.csv", ["a", "y"], [[1, 0], [2, 1]] * 10)
    assert_user_error(cli("train", "--dataset", "csv", "--data-root", f, "--out", tmp_path / "r"), "--target")


def test_csv_without_target_column(tmp_path):
    f = write_csv(tmp_path / "t.csv", ["a", "b", "label"], [[1, 2, "x"], [3, 4, "y"]] * 10)
    r = cli("train", "--dataset", "csv", "--data-root", f, "--target", "price", "--out", tmp_path / "run")
    assert_user_error(r, "no column named 'price'", "'label'", "--target")
    assert not (tmp_path / "run").exists()


def test_csv_with_non_numeric_cell(tmp_path):
    f = write_csv(tmp_path / "t.csv", ["a", "b", "label"], [[1, 2, "x"], [3, "oops", "y"]] * 10)
    r = cli("train", "--dataset", "csv", "--data-root", f, "--target", "label", "--out", tmp_path / "run")
    assert_user_error(r, "line 3", "oops", "not a finite number")
    assert not (tmp_path / "run").exists()


# --- configuration ------------------------------------------------------------------------------------
def test_config_with_unknown_key(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("epochs = 3\nlearning_rate = 0.1\n")
    r = cli("train", "--config", cfg, "--out", tmp_path / "run")
    assert_user_error(r, "unknown key 'learning_rate'", "valid keys are", "batch_size", "lr")
    assert not (tmp_path / "run").exists()


def test_config_with_bad_value_or_syntax(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('optimizer = "adagrad"\n')
    assert_user_error(cli("train", "--config", cfg), "optimizer", "one of sgd")
    cfg.write_text("epochs = = 3\n")
    assert_user_error(cli("train", "--config", cfg), "not valid TOML")
    assert_user_error(cli("train", "--config", tmp_path / "none.toml"), "does not exist")


@pytest.mark.parametrize("argv, words", [
    (["train", "--epochs", "ten"], ["--epochs", "invalid int"]),
    (["train", "--dataset", "imagenet"], ["--dataset", "invalid choice"]),
    (["train", "--hidden", "12,x"], ["--hidden", "comma-separated"]),
    (["train", "--no-such-flag"], ["unrecognized arguments"]),
    (["predict", "somewhere"], ["--input"]),
    (["explode"], ["invalid choice"]),
    ([], ["required"]),
])
def test_usage_errors(argv, words):
    assert_user_error(cli(*argv), "usage", *words)


def test_model_dataset_mismatch(tmp_path):
    assert_user_error(cli("train", "--model", "cnn", "--dataset", "moons", "--out", tmp_path / "r"), "needs images")
    assert_user_error(cli("train", "--model", "logistic", "--dataset", "regression"), "for classification")
    assert_user_error(cli("train", "--dataset", "moons", "--loss", "mse"), "for regression")


# --- run directories ----------------------------------------------------------------------------------
def test_existing_run_is_not_overwritten(run):
    before = snapshot(run)
    assert_user_error(cli("train", *SMALL, "--out", run), "already exists", "--force", "resume")
    # --force with a mistake in the new run: the old run stays as it was
    assert_user_error(cli("train", "--dataset", "csv", "--data-root", run / "nope.csv", "--target", "y",
                          "--out", run, "--force"), "does not exist")
    assert snapshot(run) == before


def test_not_a_run_directory(tmp_path):
    for cmd in ("evaluate", "resume", "draw", "summary"):
        assert_user_error(cli(cmd, tmp_path / "nope"), "does not exist", "not a run directory")
        assert_user_error(cli(cmd, tmp_path), "config.toml")
    assert_user_error(cli("predict", tmp_path / "nope", "--input", "x.csv"), "not a run directory")


def test_run_without_checkpoint(run):
    (run / "checkpoint.safetensors").unlink()
    assert_user_error(cli("evaluate", run), "no checkpoint", "chainrule resume")


# --- checkpoints --------------------------------------------------------------------------------------
def _spoil(path, how):
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(4096))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "pickle":
        path.write_bytes(pickle.dumps({"model": {"w": [1.0, 2.0]}}))
    elif how == "torch-zip":
        import zipfile
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("archive/data.pkl", pickle.dumps({"a": 1}))
    elif how == "state-dict":
        chainrule.save({"fc1.weight": chainrule.zeros(3, 2)}, str(path))
    elif how == "json-header-flipped":
        b = bytearray(data)
        b[20] ^= 0xFF
        path.write_bytes(bytes(b))


@pytest.mark.parametrize("how, words", [
    ("truncated", ["truncated"]),
    ("garbage", ["checkpoint"]),
    ("empty", ["checkpoint"]),
    ("pickle", ["pickle"]),
    ("torch-zip", ["zip"]),
    ("state-dict", ["not a chainrule run checkpoint"]),
    ("json-header-flipped", ["checkpoint"]),
])
@pytest.mark.parametrize("cmd", ["evaluate", "predict", "resume", "draw", "summary"])
def test_bad_checkpoint(run, tmp_path, how, words, cmd):
    _spoil(run / "checkpoint.safetensors", how)
    before = snapshot(run)
    extra = ["--input", write_csv(tmp_path / "x.csv", None, [[0.1, 0.2]])] if cmd == "predict" else []
    r = cli(cmd, run, *extra)
    assert_user_error(r, "checkpoint.safetensors", *words)
    assert snapshot(run) == before


@pytest.mark.parametrize("cmd", ["evaluate", "resume", "summary"])
def test_checkpoint_of_a_different_architecture(run, cmd):
    cfg = run / "config.toml"
    cfg.write_text(cfg.read_text().replace("hidden = [16, 16]", "hidden = [32, 16]"))
    before = snapshot(run)
    r = cli(cmd, run)
    assert_user_error(r, "different architecture", "fc1.weight", "hidden", "config.toml")
    assert snapshot(run) == before


def test_changed_optimizer_is_reported(run):
    cfg = run / "config.toml"
    cfg.write_text(cfg.read_text().replace('optimizer = "adam"', 'optimizer = "sgd"'))
    before = snapshot(run)
    # the run is finished, so resume only rewrites results; evaluate needs only the weights: both fine
    assert cli("evaluate", run).code == 0
    assert snapshot(run) == before


# --- predict inputs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("content, words", [
    (None, ["does not exist"]),
    ("1.0,2.0\n3.0,abc\n", ["line 2", "abc", "non-numeric"]),
    ("1.0,2.0,3.0\n", ["3 features", "trained on 2"]),
    ("x1,zzz\n1,2\n", ["lacks the feature column", "x2"]),
    ("", ["empty"]),
    ("1.0,2.0\n1.0\n", ["line 2", "cells"]),
    ("1.0,nan\n", ["nan"]),
])
def test_bad_predict_input(run, tmp_path, content, words):
    f = tmp_path / "in.csv"
    if content is not None:
        f.write_text(content)
    before = snapshot(run)
    assert_user_error(cli("predict", run, "--input", f), *words)
    assert snapshot(run) == before


def test_predict_refuses_pickled_npy(run, tmp_path):
    f = tmp_path / "in.npy"
    np.save(f, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert_user_error(cli("predict", run, "--input", f), "not a plain .npy")


def test_subprocess_errors_have_no_traceback(run, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("epochz = 3\n")
    r = cli_subprocess("train", "--config", cfg)
    assert_user_error(r, "unknown key 'epochz'")
    _spoil(run / "checkpoint.safetensors", "pickle")
    r = cli_subprocess("resume", run)
    assert_user_error(r, "pickle")
    assert r.err.count("\n") <= 8   # one paragraph
