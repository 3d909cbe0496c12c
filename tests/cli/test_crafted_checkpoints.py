"""Run checkpoints that are valid safetensors but hostile or damaged inside: crafted headers, a schema
that is not what `chainrule train` writes, flipped bytes and non-finite weights. Every run command
answers with one paragraph and exit status 2 (or a warning and exit 1), never a traceback."""

from __future__ import annotations

import json

import numpy as np
import pytest

import chainrule

from .helpers import assert_user_error, cli, copy_run, snapshot, train_small_run, write_csv

COMMANDS = ["evaluate", "predict", "draw", "summary", "resume"]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    return train_small_run(tmp_path_factory.mktemp("good"), epochs=2)


@pytest.fixture
def run(good_run, tmp_path):
    """A fresh copy of a good run, to spoil."""
    return copy_run(good_run, tmp_path)


def _cli(run, cmd, tmp_path):
    extra = ["--input", write_csv(tmp_path / "x.csv", None, [[0.1, 0.2]])] if cmd == "predict" else []
    return cli(cmd, run, *extra)


def _rewrite_header(path, change):
    data = path.read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    change(header)
    raw = json.dumps(header).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + data[8 + n :])


def _weight(header):
    return next(k for k in header if k.endswith("fc1.weight"))


@pytest.mark.parametrize("shape, words", [
    (lambda s: [1] * (70 - len(s)) + s, "70 dimensions"),
    (lambda s: [2**64, 0], "overflows"),
    (lambda s: [2**40, 2**40, 0], "overflows"),
], ids=["70-dims", "2^64", "2^40x2^40x0"])
@pytest.mark.parametrize("cmd", COMMANDS)
def test_crafted_shapes(run, tmp_path, cmd, shape, words):
    path = run / "checkpoint.safetensors"
    _rewrite_header(path, lambda h: h[_weight(h)].update(shape=shape(h[_weight(h)]["shape"])))
    before = snapshot(run)
    assert_user_error(_cli(run, cmd, tmp_path), "checkpoint.safetensors", "corrupt", words)
    assert snapshot(run) == before


def _tree_edit(path, edit):
    """Load the run checkpoint, change its Python structure, save it back (a valid file, bad content)."""
    ckpt = chainrule.load(path)
    edit(ckpt)
    chainrule.save(ckpt, path)


@pytest.mark.parametrize("edit, field", [
    (lambda c: c["trainer"].pop("history"), "trainer.history should be a dict, but it is missing"),
    (lambda c: c["trainer"].update(history=[1, 2]), "trainer.history should be a dict"),
    (lambda c: c["trainer"]["history"].pop("epochs"), "trainer.history.epochs should be a list"),
    (lambda c: c["trainer"]["history"].update(epochs="x"), "trainer.history.epochs should be a list"),
    (lambda c: c["trainer"]["history"]["epochs"].append(3), "trainer.history.epochs[2] should be a dict"),
    (lambda c: c["trainer"]["history"]["epochs"][0].update(val_loss=[1]), "epochs[0]['val_loss'] should be a number"),
    (lambda c: c["trainer"]["history"].update(stop_reason=5), "stop_reason should be a string or None"),
    (lambda c: c["trainer"].update(model=[1]), "trainer.model should be a dict of tensors"),
    (lambda c: c["trainer"]["model"].update(extra=3), "trainer.model should be a dict of tensors"),
    (lambda c: c["trainer"].update(epoch="2"), "trainer.epoch should be an int"),
    (lambda c: c.pop("data"), "data should be a dict, but it is missing"),
    (lambda c: c["data"].update(input_shape=[0]), "data.input_shape should be a list of positive ints"),
    (lambda c: c.update(status=None), "status should be a string"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
@pytest.mark.parametrize("cmd", COMMANDS)
def test_damaged_run_schema(run, tmp_path, cmd, edit, field):
    _tree_edit(run / "checkpoint.safetensors", edit)
    before = snapshot(run)
    assert_user_error(_cli(run, cmd, tmp_path), "checkpoint.safetensors", "damaged content", field)
    assert snapshot(run) == before


@pytest.mark.parametrize("cmd", COMMANDS)
def test_flipped_weight_byte(run, tmp_path, cmd):
    path = run / "checkpoint.safetensors"
    data = bytearray(path.read_bytes())
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    begin, end = header[_weight(header)]["data_offsets"]
    data[8 + n + (begin + end) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert_user_error(_cli(run, cmd, tmp_path), "checkpoint.safetensors", "do not match the checksum", "fc1.weight")


@pytest.mark.parametrize("cmd", ["evaluate", "predict", "draw"])
def test_nan_weights_are_refused_by_evaluate_predict_and_draw(run, tmp_path, cmd):
    def poison(c):
        w = c["trainer"]["model"][next(k for k in c["trainer"]["model"] if k.endswith("fc1.weight"))]
        w.data[0, 0] = float("nan")
    _tree_edit(run / "checkpoint.safetensors", poison)
    r = _cli(run, cmd, tmp_path)
    assert_user_error(r, "nan or inf", "fc1.weight", "diverged", "--lr")
    assert "nan%" not in r.out and "50.00%" not in r.out


@pytest.mark.parametrize("cmd", ["summary"])
def test_nan_weights_are_noted_by_summary(run, cmd):
    def poison(c):
        for w in c["trainer"]["model"].values():
            w.data.fill_(float("inf"))
    _tree_edit(run / "checkpoint.safetensors", poison)
    r = cli(cmd, run)
    assert r.code == 0, r
    assert "note:" in r.err and "nan or inf" in r.err and "diverged" in r.err, r


def test_overflowing_outputs_make_evaluate_warn_and_fail(run):
    def huge(c):
        for k, w in c["trainer"]["model"].items():
            if k.endswith("weight"):
                w.data.copy_(chainrule.from_numpy(np.full(tuple(w.shape), 1e30, np.float32)))
    _tree_edit(run / "checkpoint.safetensors", huge)
    r = cli("evaluate", run)
    assert r.code == 1, r
    assert "warning:" in r.err and "test_loss is not finite" in r.err and "Traceback" not in r.err, r
