"""draw_network: well-formed SVG whose circles and lines match the model."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.viz import draw_network
from chainrule.viz._svg import NEG, POS

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def count(root: ET.Element, tag: str) -> int:
    return len(root.findall(f".//{NS}{tag}"))


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def expected(sizes: list[int], max_neurons: int) -> tuple[int, int]:
    """(circles, lines) for an MLP with layer widths ``sizes`` drawn with ``max_neurons``."""
    shown = [n if n <= max_neurons else 2 * (max_neurons // 2) for n in sizes]
    return sum(shown), sum(a * b for a, b in zip(shown, shown[1:]))


def mlp(sizes: list[int], act: type = nn.ReLU) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        if i:
            layers.append(act())
        layers.append(nn.Linear(a, b))
    return nn.Sequential(*layers)


def test_small_mlp_counts_and_colours():
    model = mlp([2, 3, 1], nn.Tanh)
    root = parse(draw_network(model))
    assert root.tag == f"{NS}svg"
    assert count(root, "circle") == 6
    lines = root.findall(f".//{NS}line")
    assert len(lines) == 2 * 3 + 3 * 1
    w = np.concatenate([model[0].weight.detach().numpy().ravel(), model[2].weight.detach().numpy().ravel()])
    assert sum(ln.get("stroke") == POS for ln in lines) == int((w >= 0).sum())
    assert sum(ln.get("stroke") == NEG for ln in lines) == int((w < 0).sum())
    widths = sorted(float(ln.get("stroke-width")) for ln in lines)
    assert widths[-1] > widths[0]  # width shows magnitude
    t = texts(root)
    for label in ("Input layer", "Hidden layer 1", "Output layer", "Tanh", "2 neurons", "3 neurons", "1 neuron"):
        assert label in t
    assert "⋮" not in t
    assert root.find(f"{NS}title") is not None


@pytest.mark.parametrize("sizes,max_neurons", [
    ([64, 32, 16, 10], 10),
    ([784, 256, 128, 10], 10),
    ([784, 256, 128, 10], 4),
    ([784, 256, 128, 10], 5),
    ([5, 7, 3], 6),
    ([3, 3], 2),
])
def test_collapsed_counts(sizes, max_neurons):
    svg = draw_network(mlp(sizes), max_neurons=max_neurons)
    root = parse(svg)
    circles, lines = expected(sizes, max_neurons)
    assert count(root, "circle") == circles
    assert count(root, "line") == lines
    t = texts(root)
    for n in sizes:
        assert f"{n:,} neurons" in t
    assert t.count("⋮") == sum(n > max_neurons for n in sizes)


def test_connections_join_the_shown_neurons():
    """Every line starts at a circle of one column and ends at a circle of the next."""
    root = parse(draw_network(mlp([784, 16, 10]), max_neurons=6))
    centres = {(round(float(c.get("cx")), 1), round(float(c.get("cy")), 1)) for c in root.iter(f"{NS}circle")}
    xs = sorted({x for x, _ in centres})
    assert len(xs) == 3
    r = float(next(root.iter(f"{NS}circle")).get("r"))
    for ln in root.iter(f"{NS}line"):
        a = (round(float(ln.get("x1")) - r, 1), round(float(ln.get("y1")), 1))
        b = (round(float(ln.get("x2")) + r, 1), round(float(ln.get("y2")), 1))
        assert a in centres and b in centres and xs.index(b[0]) == xs.index(a[0]) + 1


def test_custom_module_flatten_dropout_and_path(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.flat = nn.Flatten()
            self.fc1 = nn.Linear(12, 5)
            self.drop = nn.Dropout(0.25)
            self.fc2 = nn.Linear(5, 3)

        def forward(self, x):
            return self.fc2(self.drop(cr.relu(self.fc1(self.flat(x)))))

    path = tmp_path / "net.svg"
    svg = draw_network(Net(), path, max_neurons=20)
    assert path.read_text(encoding="utf-8") == svg
    root = parse(svg)
    assert count(root, "circle") == 12 + 5 + 3
    assert count(root, "line") == 12 * 5 + 5 * 3
    t = texts(root)
    assert "Flatten" in t and "Dropout(0.25)" in t
    assert any("Net" in s for s in t)


def test_conv_model_boxes_with_input_size():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10),
    )
    model.train()
    root = parse(draw_network(model, input_size=(1, 8, 8)))
    assert model.training and all(m.training for m in model.modules())  # mode restored
    t = texts(root)
    for label in ("Input", "1×8×8", "Conv2d", "1→4 channels", "→ 4×8×8", "MaxPool2d", "→ 4×4×4", "Features"):
        assert label in t, label
    assert count(root, "circle") == 10 + 10 + 10
    assert count(root, "line") == 10 * 10 + 10 * 10
    # the same model without input_size: boxes without shapes, same neurons
    root = parse(draw_network(model))
    assert "Conv2d" in texts(root) and "→ 4×8×8" not in texts(root)
    assert count(root, "circle") == 30


def test_text_does_not_overlap_between_columns():
    """Column headers and labels of neighbouring columns keep apart (estimated text widths)."""
    from chainrule.viz._svg import text_width

    model = nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(), nn.Dropout(0.5), nn.LayerNorm(4), nn.Linear(4, 2))
    root = parse(draw_network(model))
    row: dict[float, list[tuple[float, float]]] = {}
    for t in root.iter(f"{NS}text"):
        if t.get("text-anchor") != "middle" or not t.text:
            continue
        x, w = float(t.get("x")), text_width(t.text, float(t.get("font-size")))
        row.setdefault(float(t.get("y")), []).append((x - w / 2, x + w / 2))
    for spans in row.values():
        spans.sort()
        for (_, a1), (b0, _) in zip(spans, spans[1:]):
            assert a1 <= b0


def test_errors():
    with pytest.raises(ValueError, match="max_neurons"):
        draw_network(mlp([2, 2]), max_neurons=1)
    with pytest.raises(TypeError, match="nn.Module"):
        draw_network([1, 2, 3])
    with pytest.raises(ValueError, match="no layers"):
        draw_network(nn.ReLU())
    with pytest.raises(ValueError, match="input_size"):
        draw_network(mlp([4, 2]), input_size=(5,))


def test_single_linear_model():
    root = parse(draw_network(nn.Linear(5, 3)))
    assert (count(root, "circle"), count(root, "line")) == (8, 15)


def test_user_residual_block_is_drawn_as_a_skip():
    class Block(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.block = nn.Sequential(nn.Linear(n, n), nn.ReLU())
            self.shortcut = nn.Identity()

        def forward(self, x):
            return self.block(x) + self.shortcut(x)

    model = nn.Sequential(nn.Linear(3, 4), Block(4), nn.Linear(4, 2))
    for size in (None, (3,)):
        root = parse(draw_network(model, input_size=size))
        assert (count(root, "circle"), count(root, "line")) == (3 + 4 + 4 + 2, 12 + 16 + 8)
        arcs = [p for p in root.iter(f"{NS}path") if p.get("class") == "skip"]
        assert len(arcs) == 1
        t = texts(root)
        assert "+ skip: identity" in t and "Identity" not in t
        assert [s for s in t if s.startswith("ŷ")] == ["ŷ₀", "ŷ₁"]


def test_neuron_labels():
    root = parse(draw_network(mlp([2, 3, 2]), input_labels=["a", "b"], output_labels=["no", "yes"]))
    t = texts(root)
    assert all(s in t for s in ("a", "b", "no", "yes")) and "x₀" not in t and "ŷ₀" not in t
    with pytest.raises(ValueError, match="output_labels has 1 names but the output layer has 2"):
        draw_network(mlp([2, 3, 2]), output_labels=["one"])
    with pytest.raises(TypeError, match="input_labels must be a list"):
        draw_network(mlp([2, 3, 2]), input_labels="ab")
