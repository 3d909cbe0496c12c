"""Shared helpers of the dataset classes: the missing-files check and message, and the PIL image constructor."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._pil import pil_image


def missing(name: str, folder: str | os.PathLike, files: Iterable[str], download_hint: bool = True) -> RuntimeError:
    """RuntimeError: the dataset was not found; names the folder and the files it expects there."""
    listed = ", ".join(files)
    hint = " You can use download=True to download it (this needs a network)." if download_hint else ""
    return RuntimeError(f"{name}: dataset not found or corrupted. Expected the files {listed} in {folder}.{hint}")


def ensure_present(dataset: Any, download: bool, present: Callable[[], bool], folder: str | os.PathLike,
                   files: Iterable[str], name: str | None = None) -> None:
    """Run ``dataset.download()`` when ``download``, then raise :func:`missing` unless ``present()``."""
    if download:
        dataset.download()
    if not present():
        raise missing(name or type(dataset).__name__, folder, files)


def image(a: np.ndarray, mode: str | None = None) -> object:
    """PIL image from a uint8 array (H×W for 'L', H×W×3 for 'RGB')."""
    Image = pil_image()
    img = Image.fromarray(np.ascontiguousarray(a))
    return img if mode is None or img.mode == mode else img.convert(mode)
