"""``draw_network``: the classic neural-network figure (neurons in columns, weighted lines), as SVG.

Every ``<circle>`` of the drawing is a neuron and every ``<line>`` is one weight, so a picture's
content can be counted; each residual connection is one ``<path class="skip">`` (an arc under the
columns it joins); legend swatches and arrows are other ``<path>`` and ``<rect>`` elements.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._svg import INK, MUTED, NEG, POS, Doc, sub, text_width, write_text
from ._walk import Gap, Skip, Stage, read_model

__all__ = ["draw_network"]

R = 11.0  # neuron radius
PITCH = 30.0  # vertical distance between neurons
AREA_TOP = 150.0  # top of the neuron area
LINE_H = 17.0  # box text line height
SKIP_DEPTH = 64.0  # extra room below the neuron area for the skip arcs and their labels


def shown(n: int, max_neurons: int) -> tuple[list[int], bool]:
    """The neuron indices drawn for a layer of ``n`` and whether a "⋮" stands for the rest."""
    if n <= max_neurons:
        return list(range(n)), False
    h = max_neurons // 2
    return list(range(h)) + list(range(n - h, n)), True


def _slots(idx: list[int], collapsed: bool) -> list[float]:
    """Slot position (0, 1, ...) of each shown neuron; a collapsed layer leaves a slot for "⋮"."""
    h = len(idx) // 2
    return [float(i if not collapsed or i < h else i + 1) for i in range(len(idx))]


def _mix(color: str, a: float) -> str:
    """``color`` blended with white: ``a`` = 0 gives white, 1 the colour itself."""
    c = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (v - 255) * a):02x}" for v in c)


def _params(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


def draw_network(model: Any, path: Any = None, *, max_neurons: int = 10, input_size: Any = None,
                 title: str | None = None, input_labels: Any = None, output_labels: Any = None) -> str:
    """The network diagram of ``model`` as SVG text (also written to ``path`` if given).

    Neurons are circles in columns (input, hidden, output layers, read from the model's ``Linear``
    layers in order); each weight is a line whose width and opacity grow with ``|w|``, blue when
    positive and red when negative; a neuron's fill shows its bias the same way. Layers wider than
    ``max_neurons`` show their first and last neurons around a "⋮". Activations, dropout and
    normalization label the column they act on; other layers (convolutions, pooling,
    attention) are boxes. With ``input_size`` (one sample's shape) the model is run once on zeros
    to follow its call order and annotate boxes with output shapes. A residual block (a module with
    ``block`` and ``shortcut`` submodules computing ``block(x) + shortcut(x)``) is drawn as its block
    plus an arc from the column it reads to the column where the skip is added.

    Input neurons are labelled x₀, x₁, … and output neurons ŷ₀, ŷ₁, … (index i is feature or class i),
    or by ``input_labels`` / ``output_labels`` (e.g. a table's column names and class names).
    """
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, int) or max_neurons < 2:
        raise ValueError(f"draw_network: max_neurons must be an int >= 2; expected e.g. 10, got {max_neurons!r}")
    stages, gaps, skips = read_model(model, input_size)
    title = title if title is not None else f"{type(model).__name__}: network diagram"
    labels = {"input": _labels(input_labels, "input_labels"), "output": _labels(output_labels, "output_labels")}
    svg = _Drawing(model, stages, gaps, max_neurons, skips, labels).render(title)
    if path is not None:
        write_text(path, svg)
    return svg


def _labels(v: Any, name: str) -> list[str] | None:
    if v is None:
        return None
    if isinstance(v, str) or not hasattr(v, "__iter__"):
        raise TypeError(f"draw_network: {name} must be a list of strings, one per neuron; got {type(v).__name__}")
    return [str(x) for x in v]


def _layer_counts(model: Any) -> str:
    """``2 Conv2d · 3 Linear``: the layers that hold parameters, by type, in order of first appearance."""
    counts: dict[str, int] = {}
    for m in model.modules():
        if any(True for _ in m.parameters(recurse=False)):
            counts[type(m).__name__] = counts.get(type(m).__name__, 0) + 1
    return " · ".join(f"{n} {k}" for k, n in counts.items())


class _Drawing:
    def __init__(self, model: Any, stages: list[Stage], gaps: list[Gap], max_neurons: int,
                 skips: list[Skip] | None = None, labels: dict[str, list[str] | None] | None = None) -> None:
        self.model, self.stages, self.gaps = model, stages, gaps
        self.skips = skips or []
        self.labels = labels or {}
        self.max_neurons = max_neurons
        self.idx = [shown(s.size, max_neurons) if s.kind == "neurons" else ([], False) for s in stages]
        self.collapsed = any(c for _, c in self.idx)

    # --- geometry -------------------------------------------------------------------------------
    def _stage_w(self, s: Stage) -> float:
        if s.kind == "neurons":
            return 2 * R
        return max(110.0, max(text_width(t, 12, k == 0) for k, t in enumerate(s.lines)) + 28)

    def _stage_h(self, k: int) -> float:
        s = self.stages[k]
        if s.kind == "neurons":
            idx, collapsed = self.idx[k]
            return (len(idx) + collapsed - 1) * PITCH
        return max(72.0, 22 + LINE_H * len(s.lines))

    def _layout(self) -> None:
        st = self.stages
        widths = [self._stage_w(s) for s in st]
        heads = [text_width(s.header, 13, True) if s.header else 0.0 for s in st]
        counts = [text_width(self._count(s), 12) if s.kind == "neurons" else 0.0 for s in st]
        label_w = [max(h, c, self._tag_w(s.tags)) for h, c, s in zip(heads, counts, st)]
        xs = []
        first = st[0]
        side = [self._side_w(k) for k in range(len(st))]  # neuron labels right of an output column
        left = self._side_w(0, left=True)
        x = max(widths[0] / 2 + left, label_w[0] / 2) + (24 if first.kind == "neurons" else 24)
        for k in range(len(st)):
            if k:
                span = widths[k - 1] / 2 + widths[k] / 2
                need = 200.0 if self.gaps[k - 1].weight is not None else span + 70 + side[k - 1]
                need = max(need, label_w[k - 1] / 2 + label_w[k] / 2 + 28)
                x += need
            xs.append(x)
        right = x + max(widths[-1] / 2 + side[-1], label_w[-1] / 2) + 24
        self.xs, self.widths = xs, widths
        self.area_h = max(self._stage_h(k) for k in range(len(st)))
        self.content_w = right

    def _names(self, k: int) -> list[str] | None:
        """The neuron labels of column ``k`` (inputs of the first column, outputs of the output column)."""
        s = self.stages[k]
        if s.kind != "neurons" or not (s.role == "output" or s.role == "input" and k == 0):
            return None
        idx, _ = self.idx[k]
        given = self.labels.get("input" if s.role == "input" else "output")
        if given is not None:
            if len(given) != s.size:
                raise ValueError(f"draw_network: {s.role}_labels has {len(given)} names but the {s.role} layer "
                                 f"has {s.size} neurons; expected one name per neuron")
            return [given[i] for i in idx]
        return [f"{'x' if s.role == 'input' else 'ŷ'}{sub(i)}" for i in idx]

    def _side_w(self, k: int, left: bool = False) -> float:
        """Room the neuron labels of column ``k`` take beside it (left: input labels; right: output labels)."""
        names = self._names(k)
        if not names or (self.stages[k].role == "input") != left:
            return 0.0
        return max(text_width(n, 11) for n in names) + R + 10

    def _ys(self, k: int) -> list[float]:
        idx, collapsed = self.idx[k]
        top = AREA_TOP + (self.area_h - self._stage_h(k)) / 2
        return [top + s * PITCH for s in _slots(idx, collapsed)]

    @staticmethod
    def _count(s: Stage) -> str:
        return f"{s.size:,} neuron" + ("" if s.size == 1 else "s")

    # --- drawing --------------------------------------------------------------------------------
    def render(self, title: str) -> str:
        self._layout()
        d = Doc(title)
        layers = _layer_counts(self.model)
        subtitle = (f"{layers} · " if layers else "") + f"{_params(self.model):,} parameters"
        if self.skips:
            subtitle += f" · {len(self.skips)} skip connection{'s' if len(self.skips) != 1 else ''}"
        legend_w = self._legend_width()
        width = max(self.content_w, legend_w + 40, text_width(title, 20, True) + 40, text_width(subtitle, 12) + 40)
        self.dx = (width - self.content_w) / 2
        self.xs = [x + self.dx for x in self.xs]
        d.text(width / 2, 36, title, 20, weight="bold", cls="title")
        d.text(width / 2, 60, subtitle, 12, fill=MUTED)
        bottom = AREA_TOP + self.area_h
        for k, g in enumerate(self.gaps):
            if g.weight is not None:
                self._connections(d, k, g.weight)
        for k, g in enumerate(self.gaps):
            if g.weight is None:
                self._arrow(d, k)
        for sk in self.skips:
            self._skip(d, sk, bottom)
        for k, s in enumerate(self.stages):
            if s.kind == "neurons":
                self._column(d, k, s, bottom)
            else:
                self._box(d, k, s)
        for k, s in enumerate(self.stages):  # a box's labels sit just above it
            y = 112.0 if s.kind == "neurons" else AREA_TOP + (self.area_h - self._stage_h(k)) / 2 - 28
            self._tags(d, self.xs[k], s.tags, y)
        extra = SKIP_DEPTH if self.skips else 0.0
        self._legend(d, width, bottom + 62 + extra)
        height = bottom + extra + (126 if self.collapsed else 104)
        return d.render(width, height)

    def _connections(self, d: Doc, k: int, w: np.ndarray) -> None:
        (ia, _), (ib, _) = self.idx[k], self.idx[k + 1]
        ya, yb = self._ys(k), self._ys(k + 1)
        xa, xb = self.xs[k] + R, self.xs[k + 1] - R
        sub_w = w[np.ix_(ib, ia)]  # rows: shown outputs, columns: shown inputs
        wmax = float(np.abs(w).max()) if w.size else 0.0
        wmax = wmax if wmax > 0 else 1.0
        a = np.abs(sub_w) / wmax
        order = np.argsort(a, axis=None, kind="stable")  # strongest lines drawn last, on top
        for flat in order:
            i, j = divmod(int(flat), sub_w.shape[1])
            v, s = float(sub_w[i, j]), float(a[i, j]) ** 1.5  # fades the many mid-sized weights
            d.add("line", x1=xa, y1=ya[j], x2=xb, y2=yb[i], stroke=POS if v >= 0 else NEG,
                  stroke_width=0.3 + 2.4 * s, stroke_opacity=0.14 + 0.72 * s, stroke_linecap="round")

    def _column(self, d: Doc, k: int, s: Stage, bottom: float) -> None:
        x, ys = self.xs[k], self._ys(k)
        idx, collapsed = self.idx[k]
        head_y = 96.0
        d.text(x, head_y, s.header, 13, weight="bold")
        d.text(x, bottom + 30, self._count(s), 12, fill=MUTED)
        b = s.bias
        bmax = float(np.abs(b).max()) if b is not None and b.size else 0.0
        names = self._names(k)
        for n, (i, y) in enumerate(zip(idx, ys)):
            if b is not None and bmax > 0:
                v = float(b[i])
                fill = _mix(POS if v >= 0 else NEG, 0.08 + 0.5 * abs(v) / bmax)
            else:
                fill = "#f3f4f6"
            d.add("circle", cx=x, cy=y, r=R, fill=fill, stroke="#374151", stroke_width=1.3,
                  cls="neuron")
            if names and s.role == "input":
                d.text(x - R - 7, y + 4, names[n], 11, anchor="end", fill=MUTED)
            elif names:
                d.text(x + R + 7, y + 4, names[n], 11, anchor="start", fill=MUTED)
        if collapsed:
            h = len(idx) // 2
            y = (ys[h - 1] + ys[h]) / 2
            d.text(x, y + 7, "⋮", 22, weight="bold", fill=MUTED)

    def _box(self, d: Doc, k: int, s: Stage) -> None:
        x, w, h = self.xs[k], self.widths[k], self._stage_h(k)
        top = AREA_TOP + (self.area_h - h) / 2
        d.add("rect", x=x - w / 2, y=top, width=w, height=h, rx=8.0, fill="#ede9fe", stroke="#7c3aed",
              stroke_width=1.3)
        y = top + (h - LINE_H * len(s.lines)) / 2 + 12
        for n, line in enumerate(s.lines):
            d.text(x, y + n * LINE_H, line, 13 if n == 0 else 11.5, weight="bold" if n == 0 else None,
                   fill=INK if n == 0 else "#4b5563")

    def _skip(self, d: Doc, sk: Skip, bottom: float) -> None:
        """An arc under the columns from ``source`` to ``target`` with an arrowhead: the residual addition."""
        xa, xb = self.xs[sk.source], self.xs[sk.target]
        y0 = bottom + 40  # under the neuron counts
        low = y0 + 56     # control points; the arc's lowest point is 3/4 of the way down
        color = "#059669"
        d.add("path", d=f"M{xa:.1f},{y0:.1f} C{xa:.1f},{low:.1f} {xb:.1f},{low:.1f} {xb:.1f},{y0 + 2:.1f}",
              stroke=color, stroke_width=2.0, fill="none", stroke_dasharray="6 4", cls="skip")
        d.add("path", d=f"M{xb:.1f},{y0 - 8:.1f} l-5,10 h10 z", fill=color)
        what = "identity" if sk.weight is None else f"projection {sk.weight.shape[1]}→{sk.weight.shape[0]}"
        d.text((xa + xb) / 2, y0 + 0.75 * (low - y0) + 15, f"+ skip: {what}", 11, fill=color)

    def _arrow(self, d: Doc, k: int) -> None:
        y = AREA_TOP + self.area_h / 2
        x1 = self.xs[k] + self.widths[k] / 2 + 8 + self._side_w(k)
        x2 = self.xs[k + 1] - self.widths[k + 1] / 2 - 8
        d.add("path", d=f"M{x1:.1f},{y:.1f} H{x2 - 9:.1f}", stroke="#6b7280", stroke_width=1.8, fill="none")
        d.add("path", d=f"M{x2:.1f},{y:.1f} l-10,-5 v10 z", fill="#6b7280")

    @staticmethod
    def _tag_w(tags: list[str]) -> float:
        return text_width(" · ".join(tags), 11) + 18 if tags else 0.0

    def _tags(self, d: Doc, x: float, tags: list[str], y: float) -> None:
        """One pill naming what acts on a column's output, in order ("ReLU · Dropout(0.2)")."""
        if not tags:
            return
        w = self._tag_w(tags)
        d.add("rect", x=x - w / 2, y=y, width=w, height=20.0, rx=10.0, fill="#fef3c7", stroke="#d97706",
              stroke_width=0.9)
        d.text(x, y + 14, " · ".join(tags), 11, fill="#92400e")

    _LEGEND = (("pos", "positive weight"), ("neg", "negative weight"),
               ("width", "width, opacity ∝ |w|"), ("bias", "neuron fill: bias (blue +, red −)"))

    def _legend_width(self) -> float:
        return sum(34 + text_width(t, 11.5) + 26 for _, t in self._LEGEND)

    def _legend(self, d: Doc, width: float, y: float) -> None:
        x = (width - self._legend_width()) / 2
        d.add("rect", x=x - 14, y=y - 16, width=self._legend_width() + 10, height=30.0, rx=6.0, fill="#f9fafb",
              stroke="#e5e7eb")
        for kind, label in self._LEGEND:
            if kind in ("pos", "neg"):
                d.add("path", d=f"M{x:.1f},{y:.1f} h26", stroke=POS if kind == "pos" else NEG, stroke_width=2.6,
                      stroke_linecap="round")
            elif kind == "width":
                d.add("path", d=f"M{x:.1f},{y - 4:.1f} h26", stroke="#9ca3af", stroke_width=0.6)
                d.add("path", d=f"M{x:.1f},{y + 3:.1f} h26", stroke="#374151", stroke_width=2.8)
            else:
                for n, (c, a) in enumerate(((POS, 0.55), (NEG, 0.55))):
                    d.add("rect", x=x + n * 14, y=y - 6, width=12.0, height=12.0, rx=6.0, fill=_mix(c, a),
                          stroke="#374151", stroke_width=1.0)
            d.text(x + 34, y + 4, label, 11.5, anchor="start", fill="#374151")
            x += 34 + text_width(label, 11.5) + 26
        if self.collapsed:
            h = self.max_neurons // 2
            note = f"Layers wider than {self.max_neurons} neurons show their first {h} and last {h} (⋮ marks the rest)."
            d.text(width / 2, y + 34, note, 11, fill=MUTED)
