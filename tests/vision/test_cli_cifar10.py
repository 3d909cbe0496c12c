"""`chainrule train --dataset cifar10` on small CIFAR batches written here (checksums patched to the small files')."""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pytest

from chainrule import datasets
from chainrule.errors import UserError
from chainrule.vision.datasets import CIFAR10

from ..cli.helpers import assert_user_error, cli


@pytest.fixture
def cifar_root(tmp_path, monkeypatch):
    base = tmp_path / "cifar-10-batches-py"
    base.mkdir()
    rng = np.random.default_rng(0)
    palette = rng.integers(0, 256, (10, 3))
    sums = {}
    for name, n in [(f"data_batch_{i}", 40) for i in range(1, 6)] + [("test_batch", 60)]:
        labels = rng.integers(0, 10, n)
        imgs = np.clip(palette[labels][:, :, None, None] + rng.normal(0, 30, (n, 3, 32, 32)), 0, 255).astype(np.uint8)
        with open(base / name, "wb") as f:
            pickle.dump({"data": imgs.reshape(n, 3072), "labels": labels.tolist()}, f, protocol=2)
        sums[name] = hashlib.md5((base / name).read_bytes()).hexdigest()
    with open(base / "batches.meta", "wb") as f:
        pickle.dump({"label_names": [f"class{k}" for k in range(10)]}, f)
    monkeypatch.setattr(CIFAR10, "train_list", [[f"data_batch_{i}", sums[f"data_batch_{i}"]] for i in range(1, 6)])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", sums["test_batch"]]])
    monkeypatch.setattr(CIFAR10, "meta", dict(CIFAR10.meta, md5=hashlib.md5((base / "batches.meta").read_bytes()).hexdigest()))
    return tmp_path


def test_load_cifar10_split(cifar_root):
    s = datasets.load("cifar10", root=str(cifar_root), flatten=False)
    assert s.input_shape == (3, 32, 32) and s.num_classes == 10 and s.class_names[3] == "class3"
    assert s.meta["sizes"]["test"] == 60 and s.meta["sizes"]["train"] + s.meta["sizes"]["val"] == 200
    flat = datasets.load("cifar10", root=str(cifar_root / "cifar-10-batches-py"))
    assert flat.input_shape == (3072,)
    with pytest.raises(UserError, match="data_batch_1.*--data-root"):
        datasets.load("cifar10", root=str(cifar_root / "nowhere"))


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_chainrule_train_cifar10(tmp_path, cifar_root, model):
    r = cli("train", "--dataset", "cifar10", "--data-root", cifar_root, "--model", model, "--channels", "4",
            "--hidden", "32", "--epochs", "15", "--out", tmp_path / "run")
    assert r.code == 0, r
    assert "input 3072" in r.out or "input 3x32x32" in r.out
    ev = cli("evaluate", tmp_path / "run")
    assert ev.code == 0 and "class7" in ev.out, ev
    import json

    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert m["test_accuracy"] > 0.5, m  # colours separate the classes


def test_chainrule_train_cifar10_missing_files(tmp_path):
    r = cli("train", "--dataset", "cifar10", "--data-root", tmp_path, "--out", tmp_path / "run")
    assert_user_error(r, "cifar-10-batches-py", "data_batch_1", "--download")
