"""``plot_history``: training curves (train vs validation, per epoch) through matplotlib."""

from __future__ import annotations

import math
import os
from typing import Any

__all__ = ["plot_history", "history_records"]

_LOWER_IS_BETTER = ("loss", "mse", "mae", "rmse", "error", "perplexity")
_NICE = {"loss": "Loss", "accuracy": "Accuracy", "mse": "MSE", "mae": "MAE", "r2": "R²", "lr": "Learning rate"}
_SKIP = ("epoch", "step", "time", "seconds", "elapsed")


def history_records(history: Any) -> list[dict[str, Any]]:
    """Per-epoch records from a ``History``, a list of dicts or a dict of lists."""
    if hasattr(history, "epochs") and not isinstance(history, dict):
        history = history.epochs
    if isinstance(history, dict):
        lengths = {len(v) for v in history.values() if isinstance(v, (list, tuple))}
        if len(lengths) > 1:
            raise ValueError(f"plot_history: the lists of a dict history must have one length; got lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 0
        return [{k: v[i] for k, v in history.items() if isinstance(v, (list, tuple))} for i in range(n)]
    if isinstance(history, (list, tuple)) and all(isinstance(r, dict) for r in history):
        return [dict(r) for r in history]
    raise TypeError(
        "plot_history: expected a chainrule.train.History, a list of per-epoch dicts or a dict of lists, "
        f"got {type(history).__name__}"
    )


def _series(records: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    """(epochs, values) where ``key`` has a finite-or-nan number."""
    xs, ys = [], []
    for i, r in enumerate(records):
        v = r.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            xs.append(float(r.get("epoch", i + 1)))
            ys.append(float(v))
    return xs, ys


def _metrics(records: list[dict[str, Any]]) -> list[str]:
    """Base metric names in a sensible order: loss first, lr last."""
    names: list[str] = []
    for r in records:
        for k in r:
            base = k[6:] if k.startswith("train_") else k[4:] if k.startswith("val_") else k
            if base not in names and base not in _SKIP:
                names.append(base)
    return sorted(names, key=lambda b: (b != "loss", b == "lr"))


def plot_history(history: Any, path: Any = None, *, metrics: Any = None, title: str | None = None) -> Any:
    """Draw loss and metrics per epoch (train solid, validation dashed) to a PNG or SVG ``path``.

    ``history`` is a ``chainrule.train.History``, a list of dicts (``{"epoch": 1, "train_loss":
    ..., "val_loss": ...}``) or a dict of lists. ``metrics`` picks base names ("loss",
    "accuracy", "lr", ...); by default every one found, loss first. The best validation epoch is
    marked. Without ``path`` the matplotlib ``Figure`` is returned instead of saved. Needs
    matplotlib (a requirement of chainrule, imported on first use).
    """
    p = os.fspath(path) if path is not None else None
    ext = os.path.splitext(p)[1].lower() if p is not None else ""
    if p is not None and ext not in (".png", ".svg", ".pdf"):
        raise ValueError(f"plot_history: unsupported file type {ext or '(none)'!r}; expected a path ending in .png or .svg, got {p!r}")
    records = history_records(history)
    if not records:
        raise ValueError("plot_history: the history is empty; expected at least one epoch record")
    found = _metrics(records)
    names = list(found) if metrics is None else [metrics] if isinstance(metrics, str) else list(metrics)
    for m in names:
        if m not in found:
            raise ValueError(f"plot_history: no metric {m!r} in the history; expected one of {found}")
    if not names:
        raise ValueError("plot_history: nothing to plot; expected at least one metric")
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - matplotlib is installed in the test environment
        raise ImportError("plot_history needs matplotlib, a requirement of chainrule missing from this environment; "
                          "install it with: python -m pip install matplotlib") from e

    ncols = min(3, len(names))
    nrows = math.ceil(len(names) / ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.5 * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, name in zip(axes, names):
        _panel(ax, records, name)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    fig.suptitle(title or f"Training history ({len(records)} epoch{'s' if len(records) != 1 else ''})",
                 fontsize=13, fontweight="bold")
    if p is None:
        return fig
    import io

    from ..io import atomic_write

    buf = io.BytesIO()  # drawn in memory, then written atomically: never a half-written picture
    fig.savefig(buf, format=ext[1:], dpi=150 if ext == ".png" else None, facecolor="white")
    atomic_write(p, buf.getvalue())
    return None


def _panel(ax: Any, records: list[dict[str, Any]], name: str) -> None:
    from matplotlib.ticker import MaxNLocator

    lower = any(s in name for s in _LOWER_IS_BETTER)
    styles = (("train_", "train", "#2563eb", "-", "o"), ("val_", "validation", "#ea580c", "--", "s"), ("", name, "#16a34a", "-", "o"))
    drew = False
    for prefix, label, color, ls, marker in styles:
        if prefix == "" and drew:
            break
        xs, ys = _series(records, prefix + name)
        if not xs:
            continue
        drew = True
        ax.plot(xs, ys, ls, color=color, marker=marker, markersize=3.5 if len(xs) <= 40 else 0, lw=1.8, label=label)
        finite = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
        if prefix == "val_" and finite and name != "lr":
            bx, by = (min if lower else max)(finite, key=lambda t: t[1])
            ax.plot([bx], [by], "*", color="#b91c1c", markersize=12, zorder=5, label=f"best: {by:.4g} (epoch {bx:g})")
    ax.set_title(_NICE.get(name, name.replace("_", " ").capitalize()), fontsize=11)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    epochs = sorted({x for p in ("train_", "val_", "") for x in _series(records, p + name)[0]})
    if len(epochs) == 1:  # one point: a readable axis around it instead of a 0.1-wide one
        ax.set_xlim(epochs[0] - 1, epochs[0] + 1)
        ax.set_xticks(epochs)
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if name == "lr":
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    elif name == "loss" and all(y > 0 for y in _series(records, "train_loss")[1]) and _spread(records, name) > 30:
        ax.set_yscale("log")
    if len(ax.get_lines()) > 1:
        ax.legend(fontsize=8.5, frameon=False)


def _spread(records: list[dict[str, Any]], name: str) -> float:
    """max/min ratio of a metric's positive finite values (a log scale helps when it is large)."""
    ys = [y for p in ("train_", "val_") for y in _series(records, p + name)[1] if math.isfinite(y) and y > 0]
    return max(ys) / min(ys) if ys else 1.0
