"""A few helpers for writing SVG by hand: escaping, text width estimates, a document builder."""

from __future__ import annotations

import os
from typing import Any

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#1f2937"  # main text colour
MUTED = "#6b7280"  # secondary text colour
POS = "#2563eb"  # positive weights / biases (blue)
NEG = "#dc2626"  # negative weights / biases (red)

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def esc(s: Any) -> str:
    """``s`` as XML text (attribute-safe)."""
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def sub(n: int) -> str:
    """``n`` in Unicode subscript digits (x₁₂)."""
    return str(n).translate(_SUB)


def text_width(s: str, size: float, bold: bool = False) -> float:
    """A conservative width estimate of ``s`` in a sans-serif font of ``size`` px."""
    w = 0.0
    for ch in s:
        if ch in "il.,:;|!'·()[]":
            w += 0.32
        elif ch in "mwMW":
            w += 0.9
        elif ch.isupper() or ch in "‖∇→×":
            w += 0.7
        else:
            w += 0.58
    return w * size * (1.07 if bold else 1.0)


def fmt(x: float) -> str:
    """A coordinate with at most 2 decimals (keeps files small)."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


class Doc:
    """An SVG document being built: ``add`` elements, then ``render(width, height)``."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []

    def add(self, tag: str, text: str | None = None, **attrs: Any) -> None:
        """Append ``<tag attrs>text</tag>``; attribute names use ``_`` for ``-`` (``font_size``)."""
        a = " ".join(
            f'{"class" if k == "cls" else k.replace("_", "-")}="{fmt(v) if isinstance(v, float) else esc(v)}"'
            for k, v in attrs.items()
            if v is not None
        )
        if text is None:
            self.parts.append(f"<{tag} {a}/>")
        else:
            self.parts.append(f"<{tag} {a}>{esc(text)}</{tag}>")

    def raw(self, s: str) -> None:
        self.parts.append(s)

    def text(self, x: float, y: float, s: str, size: float = 12, *, anchor: str = "middle",
             weight: str | None = None, fill: str = INK, cls: str | None = None, **kw: Any) -> None:
        self.add("text", s, x=float(x), y=float(y), font_size=size, text_anchor=anchor,
                 font_weight=weight, fill=fill, cls=cls, **kw)

    def render(self, width: float, height: float, defs: str = "") -> str:
        w, h = fmt(width), fmt(height)
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'font-family="{FONT}">\n<title>{esc(self.title)}</title>\n'
        )
        bg = f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>\n'
        defs = f"<defs>{defs}</defs>\n" if defs else ""
        return head + defs + bg + "\n".join(self.parts) + "\n</svg>\n"


def write_text(path: Any, text: str) -> None:
    """Replace ``path`` atomically by ``text`` (UTF-8): a reader never sees a half-written picture."""
    from ..io import atomic_write

    atomic_write(os.fspath(path), text.encode("utf-8"))
