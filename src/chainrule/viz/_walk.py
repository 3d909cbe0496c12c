"""Read a model as the network diagram sees it: neuron columns, boxes, and what lies between them.

A model is reduced to its *units*: every ``Linear``, every library layer (``Conv2d``,
``MultiheadAttention``, ...) and every user leaf module, in registration order — or, when
``input_size`` is given, in the order a forward pass on zeros calls them (with their output
shapes). Linear layers become columns of neurons joined by their weights; activations, dropout,
normalization and ``Flatten`` become labels of the column (or box) whose output they act on;
``Identity`` is left out; anything else is a box.

Residual blocks: a module with submodules ``block`` and ``shortcut`` whose forward returns
``block(x) + shortcut(x)`` (``shortcut`` an ``Identity`` or a ``Linear`` projection) is read as its
block's units plus a :class:`Skip` from the column the block reads to the column it ends at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Stage", "Gap", "Skip", "read_model", "is_residual"]


@dataclass
class Stage:
    """A column of the diagram: ``kind`` is "neurons" (``size`` of them) or "box" (``lines``)."""

    kind: str
    size: int = 0
    bias: np.ndarray | None = None
    lines: list[str] = field(default_factory=list)
    role: str = ""  # neurons: "input" | "features" | "dense" | "output"
    params: int = 0  # boxes: parameters of the layer
    header: str = ""
    tags: list[str] = field(default_factory=list)  # what acts on this stage's output, in order


@dataclass
class Gap:
    """What joins stage k and k+1: the weights (out, in) of a Linear, or None (an arrow)."""

    weight: np.ndarray | None = None


@dataclass
class Skip:
    """A residual connection: the output of stage ``source`` is added to that of stage ``target``,
    unchanged (``weight`` None) or through a projection whose weights are ``weight`` (out, in)."""

    source: int
    target: int
    weight: np.ndarray | None = None


_BEGIN, _END = "begin", "end"  # markers of a residual block in the unit stream


def is_residual(m: Any) -> bool:
    """A module drawn as a residual block (submodules ``block`` and ``shortcut``)."""
    mods = getattr(m, "_modules", None) or {}
    return "block" in mods and "shortcut" in mods


def _nn() -> Any:
    from .. import nn

    return nn


def _units(model: Any) -> list[Any]:
    """The units in registration order, a residual block as ``(_BEGIN, m)``, its block's units, ``(_END, m)``
    (its shortcut is not a unit: it is drawn as the skip)."""
    nn = _nn()
    containers = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
    out: list[Any] = []

    def visit(m: Any) -> None:
        kids = list(m.children())
        library = type(m).__module__.startswith("chainrule.nn.")
        if is_residual(m):
            out.append((_BEGIN, m))
            visit(m.block)
            out.append((_END, m))
        elif isinstance(m, nn.Linear) or not kids or (library and not isinstance(m, containers)):
            out.append(m)
        else:
            for k in kids:
                visit(k)

    visit(model)
    return out


def _call_order(model: Any, units: list[Any], input_size: Any) -> list[tuple[Any, tuple[int, ...] | None]]:
    """Units in the order a forward pass on zeros calls them, with their output shapes (residual blocks
    as begin/end markers around their block's units)."""
    from .. import _creation, autograd

    shape = (int(input_size),) if isinstance(input_size, int) else tuple(int(s) for s in input_size)
    calls: list[tuple[Any, tuple[int, ...] | None]] = []
    inside_shortcut: list[Any] = []

    def hook(m: Any, args: Any, out: Any) -> None:
        if not inside_shortcut:
            s = getattr(out, "shape", None)
            calls.append((m, tuple(s)[1:] if s is not None else None))

    def begin(m: Any, args: Any) -> None:
        calls.append(((_BEGIN, m), None))

    def end(m: Any, args: Any, out: Any) -> None:
        calls.append(((_END, m), None))

    def enter_shortcut(m: Any, args: Any) -> None:
        inside_shortcut.append(m)

    def leave_shortcut(m: Any, args: Any, out: Any) -> None:
        inside_shortcut.pop()

    plain = [u for u in units if not isinstance(u, tuple)]
    blocks = [u[1] for u in units if isinstance(u, tuple) and u[0] == _BEGIN]
    handles = [u.register_forward_hook(hook) for u in plain]
    for b in blocks:
        handles += [b.register_forward_pre_hook(begin), b.register_forward_hook(end),
                    b.shortcut.register_forward_pre_hook(enter_shortcut),
                    b.shortcut.register_forward_hook(leave_shortcut)]
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with autograd.no_grad():
            model(_creation.zeros((1, *shape)))
    except Exception as e:
        raise ValueError(
            f"draw_network: running the model on zeros of shape {(1, *shape)} failed ({e}); "
            "expected input_size to be the shape of one sample, without the batch dimension"
        ) from e
    finally:
        for h in handles:
            h.remove()
        for m, t in modes:
            m.training = t
    return calls


def _tag(m: Any) -> str | None:
    """The label of a shape-keeping module (activation, dropout, norm, flatten), else None."""
    mod = type(m).__module__
    name = type(m).__name__
    if mod.endswith(".activation"):
        return name
    if mod.endswith(".dropout"):
        return f"{name}({m.p:g})"
    if mod.endswith(".normalization") or mod.endswith(".flatten") or name == "Identity":
        return name
    return None


def _dims(v: Any) -> str:
    v = (v,) if isinstance(v, int) else tuple(v)
    return "×".join(str(int(x)) for x in v)


def _box_lines(m: Any, shape: tuple[int, ...] | None) -> list[str]:
    lines = [type(m).__name__]
    if hasattr(m, "in_channels") and hasattr(m, "out_channels"):
        lines.append(f"{m.in_channels}→{m.out_channels} channels")
        lines.append(f"kernel {_dims(m.kernel_size)}")
    elif hasattr(m, "kernel_size"):
        lines.append(f"kernel {_dims(m.kernel_size)}")
    elif hasattr(m, "embed_dim") and hasattr(m, "num_heads"):
        lines.append(f"{m.embed_dim} dims, {m.num_heads} heads")
    elif hasattr(m, "num_embeddings"):
        lines.append(f"{m.num_embeddings} × {m.embedding_dim}")
    elif hasattr(m, "output_size"):
        lines.append(f"output {_dims(m.output_size) if m.output_size is not None else '?'}")
    n = sum(p.numel() for p in m.parameters())
    if n:
        lines.append(f"{n:,} params")
    if shape:
        lines.append(f"→ {_dims(shape)}")
    return lines


def _array(t: Any) -> np.ndarray:
    return np.asarray(t.detach()._data, dtype=np.float64)


def read_model(model: Any, input_size: Any = None) -> tuple[list[Stage], list[Gap], list[Skip]]:
    """The diagram's stages, the gaps between them and the residual skips."""
    nn = _nn()
    if not isinstance(model, nn.Module):
        raise TypeError(f"draw_network: expected an nn.Module, got {type(model).__name__}")
    units = [u for u in _units(model) if isinstance(u, tuple) or not type(u).__module__.endswith(".loss")]
    calls = _call_order(model, units, input_size) if input_size is not None else [(u, None) for u in units]
    stages: list[Stage] = []
    gaps: list[Gap] = []
    skips: list[Skip] = []
    lead: list[str] = []  # labels met before any stage (e.g. a leading Flatten)
    open_blocks: list[tuple[Any, int]] = []  # (residual module, stage count when it began)

    def push(stage: Stage, weight: np.ndarray | None = None) -> None:
        if stages:
            gaps.append(Gap(weight))
        else:
            stage.tags = lead + stage.tags
        stages.append(stage)

    first = next((m for m, _ in calls if not isinstance(m, tuple)), None)
    if input_size is not None and first is not None and not isinstance(first, nn.Linear):
        shape = (input_size,) if isinstance(input_size, int) else tuple(input_size)
        push(Stage("box", lines=["Input", _dims(shape)]))
    for m, shape in calls:
        if isinstance(m, tuple):
            kind, block = m
            if kind == _BEGIN:
                open_blocks.append((block, len(stages)))
                continue
            block_, start = open_blocks.pop()
            _close_block(block_, start, stages, skips)
            continue
        if isinstance(m, nn.Linear):
            last = stages[-1] if stages else None
            if not (last is not None and last.kind == "neurons" and last.size == m.in_features):
                push(Stage("neurons", size=m.in_features, role="input" if not stages else "features"))
            b = _array(m.bias) if m.bias is not None else None
            push(Stage("neurons", size=m.out_features, bias=b, role="dense"), _array(m.weight))
            continue
        label = _tag(m)
        if label is not None:
            if label != "Identity":
                (stages[-1].tags if stages else lead).append(label)
            continue
        push(Stage("box", lines=_box_lines(m, shape), params=sum(p.numel() for p in m.parameters())))
    if not stages:
        raise ValueError(
            f"draw_network: found no layers to draw in {type(model).__name__}; expected a model "
            "containing nn.Linear (or other layers such as nn.Conv2d)"
        )
    _name_columns(stages)
    return stages, gaps, skips


def _close_block(block: Any, start: int, stages: list[Stage], skips: list[Skip]) -> None:
    """Record the skip of a residual block that began when there were ``start`` stages."""
    nn = _nn()
    if len(stages) <= start:  # the block drew nothing
        return
    # the block reads the column before it, or, if its first Linear opened a column for its input, that one
    source = start if stages[start].kind == "neurons" and stages[start].role in ("input", "features") else start - 1
    target = len(stages) - 1
    if source < 0 or source >= target:
        return
    sc = block.shortcut
    weight = _array(sc.weight) if isinstance(sc, nn.Linear) else None
    skips.append(Skip(source, target, weight))
    stages[target].tags.append("+ skip")


def _name_columns(stages: list[Stage]) -> None:
    """Headers: the input column, the output column (the last column of neurons that only parameter-free
    boxes follow), "Features" for a column that a box feeds, hidden layers counted from 1."""
    hidden = 0
    cols = [k for k, s in enumerate(stages) if s.kind == "neurons"]
    out = cols[-1] if cols and all(not stages[j].params for j in range(cols[-1] + 1, len(stages))) else None
    for k in cols:
        s = stages[k]
        if k == 0:
            s.header = "Input layer"
        elif k == out:
            s.header = "Output layer"
            s.role = "output"
        elif s.role == "features":
            s.header = "Features"
        else:
            hidden += 1
            s.header = f"Hidden layer {hidden}"
