"""The classic MNIST example trains through vision.datasets.MNIST on IDX files written here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from chainrule.datasets import load_digits, write_idx

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mnist_torchvision.py"


def _digits_as_mnist(root: Path) -> None:
    """The bundled 8×8 digits, enlarged to 28×28 (20×20 centred, as MNIST), as gzipped IDX files."""
    x, y = load_digits()
    imgs = np.zeros((len(x), 28, 28), dtype=np.uint8)
    for i, row in enumerate(x):
        small = Image.fromarray((row.reshape(8, 8) * 255).astype(np.uint8))
        imgs[i, 4:24, 4:24] = np.asarray(small.resize((20, 20), Image.Resampling.BILINEAR))
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    train, test = order[:1200], order[1200:1500]
    write_idx(raw / "train-images-idx3-ubyte.gz", imgs[train])
    write_idx(raw / "train-labels-idx1-ubyte.gz", y[train].astype(np.uint8))
    write_idx(raw / "t10k-images-idx3-ubyte.gz", imgs[test])
    write_idx(raw / "t10k-labels-idx1-ubyte.gz", y[test].astype(np.uint8))


@pytest.mark.slow
def test_classic_mnist_example_learns(tmp_path, capsys):
    _digits_as_mnist(tmp_path)
    spec = importlib.util.spec_from_file_location("mnist_torchvision", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(str(tmp_path), epochs=2, batch_size=32)
    out = capsys.readouterr().out
    assert "Train Epoch: 2" in out and "Test set: Average loss" in out
    assert result["test_accuracy"] > 0.9, result
