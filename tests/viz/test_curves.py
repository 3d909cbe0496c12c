"""plot_history: PNG and SVG files from a History, a list of dicts or a dict of lists."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from chainrule.viz import plot_history

pytest.importorskip("matplotlib")

PNG = b"\x89PNG\r\n\x1a\n"


def records(n: int = 6) -> list[dict]:
    return [
        {"epoch": e, "train_loss": 2 / e, "val_loss": 2.2 / e + 0.01 * e, "train_accuracy": 1 - 0.5 / e,
         "val_accuracy": 0.95 - 0.5 / e, "lr": 1e-3 / e, "time": 0.1}
        for e in range(1, n + 1)
    ]


def test_png_from_list_of_dicts(tmp_path):
    path = tmp_path / "curves.png"
    assert plot_history(records(), path) is None
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 1000


def test_svg_from_dict_of_lists(tmp_path):
    recs = records()
    path = tmp_path / "curves.svg"
    plot_history({k: [r[k] for r in recs] for k in recs[0]}, str(path), metrics=["loss", "accuracy"])
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = path.read_text(encoding="utf-8")
    assert "Loss" in text and "Accuracy" in text and "Learning rate" not in text


def test_history_object_and_nan(tmp_path):
    train = pytest.importorskip("chainrule.train")
    recs = records(4)
    recs[-1]["train_loss"] = float("nan")  # a NaN-guarded epoch still plots
    h = train.History(recs)
    plot_history(h, tmp_path / "h.png", metrics="loss")
    assert (tmp_path / "h.png").read_bytes().startswith(PNG)


def test_single_epoch_and_plain_keys(tmp_path):
    plot_history([{"epoch": 1, "loss": 0.5}], tmp_path / "one.png")
    plot_history([{"loss": 0.5, "mse": 0.2}, {"loss": 0.4, "mse": math.inf}], tmp_path / "two.svg")
    assert (tmp_path / "one.png").stat().st_size > 0 and (tmp_path / "two.svg").stat().st_size > 0


def test_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plot_history(records(), tmp_path / "curves.txt")
    with pytest.raises(ValueError, match="no metric 'f1'"):
        plot_history(records(), tmp_path / "c.png", metrics=["loss", "f1"])
    with pytest.raises(ValueError, match="empty"):
        plot_history([], tmp_path / "c.png")
    with pytest.raises(ValueError, match="one length"):
        plot_history({"train_loss": [1, 2], "val_loss": [1]}, tmp_path / "c.png")
    with pytest.raises(TypeError, match="History"):
        plot_history(42, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


def test_no_path_returns_figure():
    fig = plot_history(records(3), metrics=["loss", "accuracy", "lr"])
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
