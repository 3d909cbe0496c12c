"""Read a model as the network diagram sees it: neuron columns, boxes, and what lies between them.

A model is reduced to its *units*: every ``Linear``, every library layer (``Conv2d``,
``MultiheadAttention``, ...) and every user leaf module, in registration order — or, when
``input_size`` is given, in the order a forward pass on zeros calls them (with their output
shapes). Linear layers become columns of neurons joined by their weights; activations, dropout,
normalization and ``Flatten`` become labels of the column (or box) whose output they act on;
anything else is a box.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Stage", "Gap", "read_model"]


@dataclass
class Stage:
    """A column of the diagram: ``kind`` is "neurons" (``size`` of them) or "box" (``lines``)."""

    kind: str
    size: int = 0
    bias: np.ndarray | None = None
    lines: list[str] = field(default_factory=list)
    role: str = ""  # neurons: "input" | "features" | "dense"
    header: str = ""
    tags: list[str] = field(default_factory=list)  # what acts on this stage's output, in order


@dataclass
class Gap:
    """What joins stage k and k+1: the weights (out, in) of a Linear, or None (an arrow)."""

    weight: np.ndarray | None = None


def _nn() -> Any:
    from .. import nn

    return nn


def _units(model: Any) -> list[Any]:
    nn = _nn()
    containers = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
    out: list[Any] = []

    def visit(m: Any) -> None:
        kids = list(m.children())
        library = type(m).__module__.startswith("chainrule.nn.")
        if isinstance(m, nn.Linear) or not kids or (library and not isinstance(m, containers)):
            out.append(m)
        else:
            for k in kids:
                visit(k)

    visit(model)
    return out


def _call_order(model: Any, units: list[Any], input_size: Any) -> list[tuple[Any, tuple[int, ...] | None]]:
    """Units in the order a forward pass on zeros calls them, with their output shapes."""
    from .. import _creation, autograd

    shape = (int(input_size),) if isinstance(input_size, int) else tuple(int(s) for s in input_size)
    calls: list[tuple[Any, tuple[int, ...] | None]] = []

    def hook(m: Any, args: Any, out: Any) -> None:
        s = getattr(out, "shape", None)
        calls.append((m, tuple(s)[1:] if s is not None else None))

    handles = [u.register_forward_hook(hook) for u in units]
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
    if mod.endswith(".normalization") or mod.endswith(".flatten"):
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


def read_model(model: Any, input_size: Any = None) -> tuple[list[Stage], list[Gap]]:
    """The diagram's stages and the gaps between them."""
    nn = _nn()
    if not isinstance(model, nn.Module):
        raise TypeError(f"draw_network: expected an nn.Module, got {type(model).__name__}")
    units = [u for u in _units(model) if not type(u).__module__.endswith(".loss")]
    calls = _call_order(model, units, input_size) if input_size is not None else [(u, None) for u in units]
    stages: list[Stage] = []
    gaps: list[Gap] = []
    lead: list[str] = []  # labels met before any stage (e.g. a leading Flatten)

    def push(stage: Stage, weight: np.ndarray | None = None) -> None:
        if stages:
            gaps.append(Gap(weight))
        else:
            stage.tags = lead + stage.tags
        stages.append(stage)

    if input_size is not None and calls and not isinstance(calls[0][0], nn.Linear):
        shape = (input_size,) if isinstance(input_size, int) else tuple(input_size)
        push(Stage("box", lines=["Input", _dims(shape)]))
    for m, shape in calls:
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
        push(Stage("box", lines=_box_lines(m, shape)))
    if not stages:
        raise ValueError(
            f"draw_network: found no layers to draw in {type(model).__name__}; expected a model "
            "containing nn.Linear (or other layers such as nn.Conv2d)"
        )
    _name_columns(stages)
    return stages, gaps


def _name_columns(stages: list[Stage]) -> None:
    hidden = 0
    last = len(stages) - 1
    for k, s in enumerate(stages):
        if s.kind != "neurons":
            continue
        if k == 0:
            s.header = "Input layer"
        elif k == last:
            s.header = "Output layer"
        elif s.role == "features":
            s.header = "Features"
        else:
            hidden += 1
            s.header = f"Hidden layer {hidden}"
