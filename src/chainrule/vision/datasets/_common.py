"""Shared helpers of the dataset classes: the missing-files message and the PIL image constructor."""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np

from .._pil import pil_image


def missing(name: str, folder: str | os.PathLike, files: Iterable[str], download_hint: bool = True) -> RuntimeError:
    """RuntimeError: the dataset was not found; names the folder and the files it expects there."""
    listed = ", ".join(files)
    hint = " You can use download=True to download it (this needs a network)." if download_hint else ""
    return RuntimeError(f"{name}: dataset not found or corrupted. Expected the files {listed} in {folder}.{hint}")


def image(a: np.ndarray, mode: str | None = None) -> object:
    """PIL image from a uint8 array (H×W for 'L', H×W×3 for 'RGB')."""
    Image = pil_image()
    img = Image.fromarray(np.ascontiguousarray(a))
    return img if mode is None or img.mode == mode else img.convert(mode)
