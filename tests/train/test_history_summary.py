"""History persistence and access; summary tables for an MLP and a small CNN."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.errors import UserError
from chainrule.train import History, summary


def make_history() -> History:
    return History([
        {"epoch": 1, "train_loss": 1.0, "val_loss": 0.9, "lr": 0.1},
        {"epoch": 2, "train_loss": 0.5, "val_loss": float("nan"), "lr": 0.05},
        {"epoch": 3, "train_loss": 0.25, "val_loss": 0.4, "lr": 0.025, "extra": 3},
    ], stop_reason="EarlyStopping: done")


def test_history_access() -> None:
    h = make_history()
    assert h["train_loss"] == [1.0, 0.5, 0.25]
    assert math.isnan(h["extra"][0]) and h["extra"][2] == 3
    assert h.keys() == ["epoch", "train_loss", "val_loss", "lr", "extra"]
    assert h.best("val_loss")["epoch"] == 3 and h.best("train_loss", "max")["epoch"] == 1
    assert len(h) == 3 and h.last["epoch"] == 3 and "val_loss" in h
    with pytest.raises(KeyError, match="available"):
        h["val_accuracy"]
    assert "3 epochs" in repr(h)


def test_history_json_and_csv_round_trip(tmp_path) -> None:
    h = make_history()
    h.to_json(tmp_path / "h.json")
    text = (tmp_path / "h.json").read_text()
    assert "NaN" not in text and "null" in text  # strict JSON
    back = History.from_json(tmp_path / "h.json")
    assert back.stop_reason == h.stop_reason and back["train_loss"] == h["train_loss"]
    assert math.isnan(back["val_loss"][1])
    h.to_csv(tmp_path / "h.csv")
    rows = list(csv.DictReader((tmp_path / "h.csv").open()))
    assert [r["train_loss"] for r in rows] == ["1.0", "0.5", "0.25"]
    assert rows[0]["extra"] == "" and rows[1]["val_loss"] == ""
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(UserError, match="not a history"):
        History.from_json(tmp_path / "bad.json")
    with pytest.raises(UserError, match="no file"):
        History.from_json(tmp_path / "missing.json")


def test_history_plot_delegates_to_viz(tmp_path, monkeypatch) -> None:
    import chainrule.viz

    seen = []
    monkeypatch.setattr(chainrule.viz, "plot_history", lambda h, path, **kw: seen.append((h, path, kw)))
    h = make_history()
    h.plot(tmp_path / "c.png", metrics=["loss"])
    assert seen == [(h, tmp_path / "c.png", {"metrics": ["loss"]})]


def _rows(table: str) -> list[str]:
    lines = table.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("="))) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("="))
    return lines[start:end]


def _param_column(rows: list[str]) -> int:
    total = 0
    for r in rows:
        last = r.split()[-1]
        total += 0 if last == "--" else int(last.replace(",", ""))
    return total


def test_summary_mlp() -> None:
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))
    state = cr.default_generator.get_state()
    table = summary(model, (1, 64))
    assert np.array_equal(cr.default_generator.get_state().numpy(), state.numpy())  # no global randomness
    rows = _rows(table)
    assert rows[0].split() == ["Sequential", "[1,", "10]", "--"]
    assert rows[1].split() == ["0", "(Linear)", "[1,", "32]", "2,080"]
    assert rows[3].split() == ["2", "(Dropout)", "[1,", "32]", "--"]
    total = sum(p.numel() for p in model.parameters())
    assert _param_column(rows) == total == 2410
    assert f"Total params: {total:,}" in table and f"Trainable params: {total:,}" in table
    assert "Non-trainable params: 0" in table and "Input size: [1, 64]" in table
    assert model.training


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(16, 10))

    def forward(self, x):
        return self.head(self.features(x))


def test_summary_cnn_nested_and_frozen() -> None:
    model = SmallCNN()
    model.features[0].weight.requires_grad_(False)
    table = summary(model, (2, 1, 8, 8))
    rows = _rows(table)
    assert rows[0].split()[0] == "SmallCNN"
    assert rows[1].startswith("  features (Sequential)") and "[2, 16, 1, 1]" in rows[1]
    assert rows[2].startswith("    0 (Conv2d)") and "[2, 8, 8, 8]" in rows[2]
    assert any(r.startswith("    4 (Conv2d)") and "[2, 16, 4, 4]" in r for r in rows)
    assert rows[-1].startswith("    1 (Linear)") and "[2, 10]" in rows[-1]
    total = sum(p.numel() for p in model.parameters())
    assert _param_column(rows) == total
    assert f"Total params: {total:,}" in table
    assert f"Trainable params: {total - 72:,}" in table and "Non-trainable params: 72" in table


def test_summary_inputs_and_errors() -> None:
    class Two(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(10, 4)
            self.fc = nn.Linear(4, 2)

        def forward(self, idx, scale):
            return self.fc(self.emb(idx) * scale)

    table = summary(Two(), [(3, 5), (3, 5, 1)], dtypes=[cr.int64, cr.float32])
    assert "[3, 5, 4]" in table and "[3, 5, 2]" in table
    assert "[3, 5, 2]" in summary(Two(), input_data=[cr.zeros(3, 5, dtype=cr.int64), cr.ones(3, 5, 1)])
    with pytest.raises(TypeError, match="input_size"):
        summary(Two(), 5)
    with pytest.raises(RuntimeError, match="summary: the forward pass of Sequential failed"):
        summary(nn.Sequential(nn.Linear(3, 2)), (1, 4))
