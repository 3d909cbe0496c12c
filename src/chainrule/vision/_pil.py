"""Pillow, imported only when an image operation needs it (``import chainrule`` never imports PIL)."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["pil_image", "is_pil_image"]


def pil_image() -> Any:
    """Return the ``PIL.Image`` module, or raise an ImportError saying how to install Pillow."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is in the vision extra
        raise ImportError(
            "chainrule.vision: this operation needs Pillow; install it with `python -m pip install pillow` "
            "(or, in the chainrule clone, `python -m pip install \".[vision]\"`)."
        ) from e
    return Image


def is_pil_image(x: Any) -> bool:
    """True when ``x`` is a PIL image (without importing Pillow: an image exists only if PIL is loaded)."""
    mod = sys.modules.get("PIL.Image")
    return mod is not None and isinstance(x, mod.Image)
