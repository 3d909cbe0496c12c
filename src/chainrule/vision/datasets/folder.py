"""``DatasetFolder`` and ``ImageFolder``: one sub-folder per class (``root/<class>/<file>``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .._pil import pil_image
from .vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "find_classes", "make_dataset",
           "has_file_allowed_extension", "is_image_file", "pil_loader", "default_loader"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: str | tuple[str, ...]) -> bool:
    """True when ``filename`` ends (case-insensitively) with one of ``extensions``."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename: str) -> bool:
    """True for the image extensions ImageFolder reads."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
    """Sorted sub-folder names of ``directory`` and their indices."""
    classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
    if not classes:
        raise FileNotFoundError(f"find_classes: couldn't find any class folder in {directory}.")
    return classes, {c: i for i, c in enumerate(classes)}


def make_dataset(directory: str | os.PathLike, class_to_idx: dict[str, int] | None = None,
                 extensions: str | tuple[str, ...] | None = None,
                 is_valid_file: Callable[[str], bool] | None = None, allow_empty: bool = False) -> list[tuple[str, int]]:
    """``(path, class index)`` of every valid file under each class folder, in sorted order."""
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("make_dataset: 'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("make_dataset: both extensions and is_valid_file cannot be None or not None at the same time")
    valid = is_valid_file if is_valid_file is not None else (lambda p: has_file_allowed_extension(p, extensions))
    out, seen = [], set()
    for cls in sorted(class_to_idx):
        target = os.path.join(directory, cls)
        if not os.path.isdir(target):
            continue
        for root, _, names in sorted(os.walk(target, followlinks=True)):
            for name in sorted(names):
                path = os.path.join(root, name)
                if valid(path):
                    out.append((path, class_to_idx[cls]))
                    seen.add(cls)
    empty = set(class_to_idx) - seen
    if empty and not allow_empty:
        msg = f"make_dataset: found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return out


def pil_loader(path: str | os.PathLike) -> Any:
    """Open an image file as an RGB PIL image."""
    with open(path, "rb") as f:
        return pil_image().open(f).convert("RGB")


def default_loader(path: str | os.PathLike) -> Any:
    """The loader ImageFolder uses: ``pil_loader``."""
    return pil_loader(path)


class DatasetFolder(VisionDataset):
    """Samples ``root/<class>/**/<file>`` read by ``loader``; targets are the class indices."""

    def __init__(self, root: str | os.PathLike, loader: Callable[[str], Any], extensions: tuple[str, ...] | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 is_valid_file: Callable[[str], bool] | None = None, allow_empty: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file, allow_empty)
        self.loader, self.extensions = loader, extensions
        self.classes, self.class_to_idx = classes, class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory: str | os.PathLike, class_to_idx: dict[str, int], extensions: tuple[str, ...] | None = None,
                     is_valid_file: Callable[[str], bool] | None = None, allow_empty: bool = False) -> list[tuple[str, int]]:
        """The ``(path, class index)`` list (override to change how files are found)."""
        if class_to_idx is None:
            raise ValueError("DatasetFolder.make_dataset: the class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
        """The class folders (override to change how classes are found)."""
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """``(sample, target)`` after the transforms."""
        path, target = self.samples[index]
        sample = self.loader(path)
        return self._transform_pair(sample, target)

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images in ``root/<class>/...`` with the usual extensions, opened as RGB PIL images."""

    def __init__(self, root: str | os.PathLike, transform: Callable | None = None, target_transform: Callable | None = None,
                 loader: Callable[[str], Any] = default_loader, is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
