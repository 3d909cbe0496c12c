"""``chainrule.vision``: torchvision's API — transforms, datasets, utils, io and classic models.

``import chainrule.vision as torchvision`` lets an image program written for torchvision run on chainrule.
Images are handled with Pillow (the ``vision`` extra), imported only when an image is read or made.
The subpackages load on first use, so ``chainrule.vision.transforms`` alone stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["datasets", "transforms", "utils", "io", "models"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
