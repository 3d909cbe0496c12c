"""draw_graph: node and edge counts equal the autograd graph's; DOT names every node."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd.engine import toposort
from chainrule.viz import draw_graph

NS = "{http://www.w3.org/2000/svg}"


def autograd_counts(t: cr.Tensor) -> tuple[int, int, int]:
    """(ops, distinct leaves, edges) of the graph behind ``t``, read straight from the engine."""
    ops = toposort([t.grad_fn])
    leaves = {id(e[2]) for n in ops for e in n._edges if e is not None and e[0] is None}
    edges = sum(e is not None for n in ops for e in n._edges)
    return len(ops), len(leaves), edges


def svg_nodes(svg: str) -> tuple[list[ET.Element], list[ET.Element]]:
    root = ET.fromstring(svg.encode("utf-8"))
    nodes = [g for g in root.iter(f"{NS}g") if g.get("class") == "node"]
    edges = [p for p in root.iter(f"{NS}path") if p.get("class") == "edge"]
    return nodes, edges


def mlp_loss(backward: bool = True):
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    loss = F.cross_entropy(model(cr.randn(4, 6)), cr.tensor([0, 2, 1, 0]))
    if backward:
        loss.backward()
    return model, loss


def test_counts_match_autograd_graph():
    model, loss = mlp_loss()
    loss = loss  # already backpropagated: edges survive backward
    ops, leaves, edges = autograd_counts(loss)
    nodes, paths = svg_nodes(draw_graph(loss, params=dict(model.named_parameters())))
    assert len(nodes) == ops + leaves + 1  # + the output node
    assert len(paths) == edges + 1
    assert (ops, leaves) == (4, 4)


def test_labels_shapes_names_and_grad_norms():
    model, loss = mlp_loss()
    svg = draw_graph(loss, params=dict(model.named_parameters()))
    root = ET.fromstring(svg.encode("utf-8"))
    text = [t.text for t in root.iter(f"{NS}text")]
    for s in ("Linear", "Relu", "CrossEntropy", "(4, 5)", "(4, 3)", "0.weight", "2.bias", "(5, 6)", "output", "scalar"):
        assert s in text, s
    norm = float(np.linalg.norm(model[0].weight.grad.numpy().astype(np.float64)))
    assert f"‖∇‖ = {norm:.3g}" in text
    assert not any("‖∇‖" in s for s in svg_texts(draw_graph(loss, show_grad_norms=False)))
    _, fresh = mlp_loss(backward=False)
    assert not any("‖∇‖" in s for s in svg_texts(draw_graph(fresh)))
    assert "0.weight" in svg_texts(draw_graph(loss, params=model))  # a Module works too


def svg_texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg.encode("utf-8")).iter(f"{NS}text")]


def test_dot_contains_every_node_and_edge():
    model, loss = mlp_loss()
    ops, leaves, edges = autograd_counts(loss)
    dot = draw_graph(loss, format="dot", params=model)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    ids = re.findall(r"^\s+(n\d+) \[label=", dot, flags=re.M)
    assert len(ids) == ops + leaves + 1
    arrows = re.findall(r"^\s+(n\d+) -> (n\d+);", dot, flags=re.M)
    assert len(arrows) == edges + 1
    assert {a for pair in arrows for a in pair} == set(ids)
    for node in toposort([loss.grad_fn]):
        assert node.name().removesuffix("Backward") in dot
    for name in dict(model.named_parameters()):
        assert f'label="{name}\\n' in dot


def test_shared_leaf_and_unnamed_leaves():
    a = cr.randn(3, requires_grad=True)
    b = cr.randn(3, requires_grad=True)
    z = (a * a + a.exp() * b).sum()
    ops, leaves, edges = autograd_counts(z)
    nodes, paths = svg_nodes(draw_graph(z))
    assert (leaves, len(nodes), len(paths)) == (2, ops + 3, edges + 1)
    assert "tensor" in svg_texts(draw_graph(z)) and "(3,)" in svg_texts(draw_graph(z))


def test_layout_is_clean(tmp_path):
    """Node boxes never overlap and every edge runs downwards (inputs on top, output at the bottom)."""
    model = nn.Sequential(nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 2))
    out = model(cr.randn(5, 8))
    loss = F.mse_loss(out, cr.randn(5, 2)) + 0.01 * sum((p * p).sum() for p in model.parameters())
    loss.backward()
    path = tmp_path / "g.svg"
    svg = draw_graph(loss, path, params=model)
    assert path.read_text(encoding="utf-8") == svg
    nodes, paths = svg_nodes(svg)
    boxes = []
    for g in nodes:
        r = g.find(f"{NS}rect")
        boxes.append(tuple(float(r.get(k)) for k in ("x", "y", "width", "height")))
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
    for p in paths:
        ys = [float(v) for v in re.findall(r"[-\d.]+,([-\d.]+)", p.get("d"))]
        assert ys[-1] > ys[0]


def test_leaf_output_and_errors():
    w = cr.randn(2, 2, requires_grad=True)
    nodes, paths = svg_nodes(draw_graph(w, params={"w": w}))
    assert (len(nodes), len(paths)) == (1, 0)
    with pytest.raises(ValueError, match="requires_grad"):
        draw_graph(cr.randn(3))
    with pytest.raises(ValueError, match="format"):
        draw_graph(w, format="png")
    with pytest.raises(TypeError, match="Tensor"):
        draw_graph(np.zeros(3))
    with pytest.raises(TypeError, match="params"):
        draw_graph(w, params=[w])


def test_multi_output_node():
    x = cr.randn(4, 6, requires_grad=True)
    a, b = x.chunk(2, dim=1)
    y = (a * b.sigmoid()).max(dim=1).values.sum()
    ops, leaves, edges = autograd_counts(y)
    nodes, paths = svg_nodes(draw_graph(y))
    assert (len(nodes), len(paths)) == (ops + leaves + 1, edges + 1)
    assert "(4, 3), (4, 3)" in draw_graph(y, format="dot")  # both outputs' shapes
