"""``draw_graph``: the computation graph behind a tensor (a loss), as SVG or Graphviz DOT.

Nodes: one per backward node (the op that made a tensor, e.g. ``Linear`` for ``LinearBackward``),
one per leaf tensor that requires grad (parameters, named when ``params`` is given), and one for
the output. Edges follow the data forward (leaf → op → ... → output); gradients flow back along
them. The SVG is laid out here (no system graphviz): each ``<g class="node">`` is a node and each
``<path class="edge">`` an edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._layout import layout
from ._svg import INK, MUTED, Doc, text_width, write_text

__all__ = ["draw_graph", "Graph", "build_graph"]

_STYLE = {  # kind: (fill, stroke, corner radius)
    "op": ("#dbeafe", "#2563eb", 7.0),
    "param": ("#dcfce7", "#16a34a", 3.0),
    "leaf": ("#fef9c3", "#ca8a04", 3.0),
    "output": ("#ffedd5", "#ea580c", 14.0),
}
LINE_H = 15.0

@dataclass
class Graph:
    """Nodes (kind, text lines) and edges (source index, target index) in data-flow direction."""

    kinds: list[str] = field(default_factory=list)
    lines: list[list[str]] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    row: list[int] = field(default_factory=list)  # 0 = top (inputs), last = output

    def add(self, kind: str, lines: list[str]) -> int:
        """Append a node of ``kind`` (op, param, leaf, output) with ``lines`` of text; returns its index."""
        self.kinds.append(kind)
        self.lines.append(lines)
        return len(self.kinds) - 1

def _shape(shape: Any, dtype: Any = None) -> str:
    s = "scalar" if len(shape) == 0 else str(tuple(int(n) for n in shape))
    if dtype is not None and np.dtype(dtype) != np.float32:
        s += f" {np.dtype(dtype).name}"
    return s

def _op_name(node: Any) -> str:
    name = node.name()
    return name[: -len("Backward")] if name.endswith("Backward") and len(name) > 8 else name

def _param_names(params: Any) -> dict[int, str]:
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = dict(params.named_parameters())
    if not hasattr(params, "items"):
        raise TypeError(f"draw_graph: params must be a dict of name -> Tensor (e.g. dict(model.named_parameters())), got {type(params).__name__}")
    return {id(t): str(k) for k, t in params.items()}

def build_graph(tensor: Any, *, params: Any = None, show_grad_norms: bool = True) -> Graph:
    """The graph behind ``tensor``, with text labels and longest-path rows (output at the bottom)."""
    from .. import Tensor
    from ..autograd.engine import toposort
    from ..nn import Parameter

    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor (e.g. a loss), got {type(tensor).__name__}")
    names = _param_names(params)
    g = Graph()

    def leaf_lines(t: Any) -> tuple[str, list[str]]:
        name = names.get(id(t))
        kind = "param" if name is not None or isinstance(t, Parameter) else "leaf"
        lines = [name or ("parameter" if kind == "param" else "tensor"), _shape(t._data.shape, t._data.dtype)]
        if show_grad_norms and t._grad is not None:
            lines.append(f"‖∇‖ = {float(np.linalg.norm(np.asarray(t._grad._data, dtype=np.float64))):.3g}")
        return kind, lines

    root = tensor._grad_fn
    if root is None:
        if not tensor._requires_grad:
            raise ValueError(
                "draw_graph: the tensor has no autograd graph; expected the result of operations on "
                "tensors with requires_grad=True (e.g. a loss), got a tensor with requires_grad=False"
            )
        g.add(*leaf_lines(tensor))
        g.row.append(0)
        return g

    ops = toposort([root])  # each node before the nodes it depends on: consumers first
    index = {node: g.add("op", [_op_name(node)]) for node in ops}
    shapes: dict[Any, dict[int, str]] = {node: {} for node in ops}
    leaves: dict[int, int] = {}
    depth = {index[root]: 1}
    for node in ops:
        v = index[node]
        for e in node._edges:
            if e is None:
                continue
            fn, nr, t, shape, dtype = e
            if fn is None:
                if id(t) not in leaves:
                    leaves[id(t)] = g.add(*leaf_lines(t))
                u = leaves[id(t)]
            else:
                u = index[fn]
                shapes[fn][nr] = _shape(shape, dtype)
            depth[u] = max(depth.get(u, 0), depth[v] + 1)
            g.edges.append((u, v))
    shapes[root][tensor._output_nr] = _shape(tensor._data.shape, tensor._data.dtype)
    for node in ops:
        g.lines[index[node]].append(", ".join(s for _, s in sorted(shapes[node].items())))
    out_lines = ["output", _shape(tensor._data.shape, tensor._data.dtype)]
    if tensor._data.size == 1:
        out_lines.append(f"= {float(tensor._data.reshape(())):.4g}")
    out = g.add("output", out_lines)
    depth[out] = 0
    g.edges.append((index[root], out))
    top = max(depth.values())
    g.row = [top - depth[v] for v in range(len(g.kinds))]
    return g

def to_dot(g: Graph, title: str) -> str:
    """Graphviz DOT text of ``g``."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = [
        "digraph chainrule {",
        f"  graph [rankdir=TB, labelloc=t, fontname=\"Helvetica\", label={q(title)}];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [color="#6b7280", arrowsize=0.7];',
    ]
    for i, (kind, lines) in enumerate(zip(g.kinds, g.lines)):
        fill, stroke, _ = _STYLE[kind]
        label = q("\n".join(lines)).replace("\n", "\\n")
        out.append(f'  n{i} [label={label}, fillcolor="{fill}", color="{stroke}"];')
    for u, v in g.edges:
        out.append(f"  n{u} -> n{v};")
    out.append("}")
    return "\n".join(out) + "\n"

def _sizes(g: Graph) -> tuple[list[float], list[float]]:
    ws = [max(64.0, max(text_width(s, 12.5 if k == 0 else 11, k == 0) for k, s in enumerate(ls)) + 24) for ls in g.lines]
    hs = [14.0 + LINE_H * len(ls) for ls in g.lines]
    return ws, hs

def to_svg(g: Graph, title: str) -> str:
    """SVG text of ``g``, laid out in rows from inputs (top) to the output (bottom)."""
    ws, hs = _sizes(g)
    lay = layout(ws, hs, g.row, g.edges, margin=30.0)
    n_ops = g.kinds.count("op")
    n_leaves = g.kinds.count("param") + g.kinds.count("leaf")
    subtitle = f"{n_ops} operation{'s' if n_ops != 1 else ''} · {n_leaves} leaf tensor{'s' if n_leaves != 1 else ''}"
    if any(ln.startswith("‖∇‖") for ls in g.lines for ln in ls):
        subtitle += " · leaf gradient norms after backward"
    legend = [("op", "operation · output shape"), ("param", "parameter"), ("leaf", "other leaf tensor"), ("output", "output")]
    legend = [(k, s) for k, s in legend if k in g.kinds or k in ("op", "output")]
    legend_w = sum(30 + text_width(s, 11.5) + 20 for _, s in legend)
    top = 78.0
    width = max(lay.width, legend_w + 40, text_width(title, 19, True) + 40, text_width(subtitle, 12) + 40)
    dx = (width - lay.width) / 2
    d = Doc(title)
    d.text(width / 2, 34, title, 19, weight="bold", cls="title")
    d.text(width / 2, 57, subtitle, 12, fill=MUTED)

    xs = [x + dx for x in lay.x]
    ys = [y + top for y in lay.y]
    incoming: dict[int, list[int]] = {}
    for k, (_, v) in enumerate(g.edges):
        incoming.setdefault(v, []).append(k)
    ports: dict[int, float] = {}
    for v, ks in incoming.items():  # spread arrowheads along the target's top edge
        def src_x(k: int) -> float:
            pts = lay.routes[k]
            return pts[-1][0] + dx if pts else xs[g.edges[k][0]]
        ks = sorted(ks, key=src_x)
        step = min(16.0, ws[v] / (len(ks) + 1))
        for j, k in enumerate(ks):
            ports[k] = xs[v] + (j - (len(ks) - 1) / 2) * step
    for k, (u, v) in enumerate(g.edges):
        pts = [(xs[u], ys[u] + hs[u])] + [(x + dx, y + top) for x, y in lay.routes[k]] + [(ports[k], ys[v] - 2)]
        path = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
        for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
            my = (y1 + y2) / 2
            path += f" C{x1:.1f},{my:.1f} {x2:.1f},{my:.1f} {x2:.1f},{y2:.1f}"
        d.add("path", d=path, fill="none", stroke="#6b7280", stroke_width=1.4, marker_end="url(#arrow)", cls="edge")
    for i, (kind, lines) in enumerate(zip(g.kinds, g.lines)):
        fill, stroke, rx = _STYLE[kind]
        d.raw(f'<g class="node" id="n{i}">')
        d.add("rect", x=xs[i] - ws[i] / 2, y=ys[i], width=ws[i], height=hs[i], rx=rx, fill=fill, stroke=stroke,
              stroke_width=1.4)
        for j, s in enumerate(lines):
            d.text(xs[i], ys[i] + 19 + j * LINE_H, s, 12.5 if j == 0 else 11, weight="bold" if j == 0 else None,
                   fill=INK if j == 0 else "#4b5563")
        d.raw("</g>")

    y = top + lay.height + 6
    x = (width - legend_w) / 2
    for kind, label in legend:
        fill, stroke, rx = _STYLE[kind]
        d.add("rect", x=x, y=y - 9, width=22.0, height=13.0, rx=min(rx, 6.0), fill=fill, stroke=stroke)
        d.text(x + 30, y + 2, label, 11.5, anchor="start", fill="#374151")
        x += 30 + text_width(label, 11.5) + 20
    d.text(width / 2, y + 24, "arrows: data flow (forward); backward sends gradients the other way", 11, fill=MUTED)
    defs = ('<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker>')
    return d.render(width, y + 44, defs)

def draw_graph(tensor: Any, path: Any = None, *, format: str = "svg", show_grad_norms: bool = True,  # noqa: A002
               params: Any = None, title: str | None = None) -> str:
    """The computation graph behind ``tensor`` (e.g. a loss) as SVG or Graphviz DOT text.

    Each op node shows its output shape; leaves show their name (pass ``params=dict(model
    .named_parameters())`` or the model itself), shape and, after ``backward()``, the norm of
    their gradient. ``path`` also writes the text to a file.
    """
    if format not in ("svg", "dot"):
        raise ValueError(f"draw_graph: unknown format {format!r}; expected 'svg' or 'dot'")
    g = build_graph(tensor, params=params, show_grad_norms=show_grad_norms)
    title = title if title is not None else "Computation graph"
    text = to_svg(g, title) if format == "svg" else to_dot(g, title)
    if path is not None:
        write_text(path, text)
    return text
