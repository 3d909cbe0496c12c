"""network.svg matches the model the run trains, for every --model and option: neurons, weights, skip
connections, column headers, neuron labels and the subtitle's layer counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from chainrule.cli import artifacts as A
from chainrule.cli.config import validate
from chainrule.cli.session import Session
from chainrule.viz import draw_network

from .helpers import write_csv

NS = "{http://www.w3.org/2000/svg}"
MAX = 10  # draw_network's default max_neurons


def shown(n: int) -> int:
    return n if n <= MAX else 2 * (MAX // 2)


def picture(cfg: dict) -> tuple[Session, ET.Element]:
    sess = Session(validate(cfg))
    svg = draw_network(sess.model, input_size=tuple(sess.split.input_shape), title=A.network_title(sess),
                       **A.network_labels(sess))
    return sess, ET.fromstring(svg.encode("utf-8"))


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def check_columns(root: ET.Element, widths: list[int]) -> list[float]:
    """Circles and lines of a chain of fully connected columns of ``widths``; returns the columns' x."""
    assert len(root.findall(f".//{NS}circle")) == sum(shown(w) for w in widths)
    assert len(root.findall(f".//{NS}line")) == sum(shown(a) * shown(b) for a, b in zip(widths, widths[1:]))
    xs = sorted({round(float(c.get("cx")), 1) for c in root.iter(f"{NS}circle")})
    assert len(xs) == len(widths)
    for x, w in zip(xs, widths):  # each column holds its own neurons
        assert sum(round(float(c.get("cx")), 1) == x for c in root.iter(f"{NS}circle")) == shown(w)
    return xs


def skips(root: ET.Element) -> list[tuple[float, float]]:
    """(start x, end x) of every skip arc."""
    out = []
    for p in root.iter(f"{NS}path"):
        if p.get("class") == "skip":
            nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", p.get("d"))]
            out.append((nums[0], nums[-2]))
    return out


def headers(root: ET.Element) -> list[str]:
    return [t for t in texts(root) if t.endswith(" layer") or re.fullmatch(r"Hidden layer \d+|Features", t)]


def labels(root: ET.Element, letter: str) -> list[str]:
    return [t for t in texts(root) if t.startswith(letter)]


def test_default_mlp_on_digits():
    _, root = picture({})
    check_columns(root, [64, 128, 64, 10])
    assert headers(root) == ["Input layer", "Hidden layer 1", "Hidden layer 2", "Output layer"]
    assert labels(root, "ŷ") == [f"ŷ{c}" for c in "₀₁₂₃₄₅₆₇₈₉"]  # class 0 is ŷ₀
    assert labels(root, "x")[:2] == ["x₀", "x₁"]
    assert "3 Linear · 17,226 parameters" in texts(root)
    assert skips(root) == []


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_residual_mlp_draws_skips_between_the_right_columns(norm):
    _, root = picture({"dataset": "moons", "hidden": [16, 16], "residual": True, "norm": norm})
    xs = check_columns(root, [2, 16, 16, 2])  # one connected chain: no extra columns for the shortcuts
    assert headers(root) == ["Input layer", "Hidden layer 1", "Hidden layer 2", "Output layer"]
    assert np.allclose(skips(root), [(xs[0], xs[1]), (xs[1], xs[2])], atol=0.11)
    t = texts(root)
    assert "+ skip: projection 2→16" in t and "+ skip: identity" in t
    assert "Identity" not in t and "Features" not in t
    assert labels(root, "ŷ") == ["ŷ₀", "ŷ₁"]  # only on the output column
    norm_name = {"batch": "BatchNorm1d", "layer": "LayerNorm"}.get(norm)
    subtitle = next(s for s in t if s.endswith("skip connections"))
    assert subtitle.startswith("4 Linear") and "2 skip connections" in subtitle  # 2 hidden, output, projection
    if norm_name:
        assert f"2 {norm_name}" in subtitle
        assert any(s.startswith(norm_name) and s.endswith("+ skip") for s in t)


def test_residual_with_projections_everywhere():
    _, root = picture({"dataset": "moons", "hidden": [16, 8], "residual": True, "norm": "batch"})
    xs = check_columns(root, [2, 16, 8, 2])
    assert np.allclose(skips(root), [(xs[0], xs[1]), (xs[1], xs[2])], atol=0.11)
    t = texts(root)
    assert "+ skip: projection 2→16" in t and "+ skip: projection 16→8" in t


def test_binary_logistic_is_an_output_layer_not_a_hidden_one():
    _, root = picture({"dataset": "moons", "model": "logistic"})
    check_columns(root, [2, 1])
    assert headers(root) == ["Input layer", "Output layer"]
    assert "z → P(1)" in texts(root) and labels(root, "ŷ") == []
    assert "1 Linear · 3 parameters" in texts(root)


def test_logistic_and_linear_models():
    _, root = picture({"model": "logistic"})
    check_columns(root, [64, 10])
    assert headers(root) == ["Input layer", "Output layer"]
    assert labels(root, "ŷ")[0] == "ŷ₀"
    sess, root = picture({"dataset": "regression", "model": "linear"})
    check_columns(root, [sess.split.input_shape[0], 1])
    assert headers(root) == ["Input layer", "Output layer"] and labels(root, "ŷ") == ["ŷ₀"]


@pytest.mark.parametrize("norm, extra", [("none", ""), ("batch", "2 BatchNorm2d"), ("layer", "2 GroupNorm")])
def test_cnn_subtitle_counts_every_layer_with_weights(norm, extra):
    _, root = picture({"model": "cnn", "norm": norm})
    check_columns(root, [128, 128, 64, 10])  # flattened 32×2×2 features, the head, 10 classes
    t = texts(root)
    assert t.count("Conv2d") == 2 and t.count("MaxPool2d") == 2
    assert headers(root) == ["Features", "Hidden layer 1", "Hidden layer 2", "Output layer"]
    subtitle = next(s for s in t if s.endswith(" parameters"))
    assert subtitle.startswith("2 Conv2d") and "3 Linear" in subtitle and extra in subtitle


def test_csv_runs_use_column_and_class_names(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 3)).round(3)
    species = np.array(["setosa", "versicolor", "virginica"])[np.arange(90) % 3]
    path = write_csv(tmp_path / "flowers.csv", ["sepal", "petal", "width", "species"],
                     [[*r, s] for r, s in zip(x, species)])
    _, root = picture({"dataset": "csv", "data_root": path, "target": "species", "hidden": [8]})
    check_columns(root, [3, 8, 3])
    t = texts(root)
    for name in ("sepal", "petal", "width", "setosa", "versicolor", "virginica"):
        assert name in t, name
    assert labels(root, "ŷ") == [] and "x₀" not in t
    assert any("flowers.csv (target species)" in s for s in t)
    price = write_csv(tmp_path / "prices.csv", ["a", "b", "price"], [[*r[:2], 100 + r[2]] for r in x])
    _, root = picture({"dataset": "csv", "data_root": price, "target": "price", "model": "linear"})
    check_columns(root, [2, 1])
    assert "price" in texts(root) and "a" in texts(root)
