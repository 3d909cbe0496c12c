"""``VisionDataset``: the base class of the image datasets (root, transform, target_transform)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ...utils.data.dataset import Dataset

__all__ = ["VisionDataset", "StandardTransform"]


def _apply_pair(transform: Callable | None, target_transform: Callable | None, sample: Any,
                target: Any) -> tuple[Any, Any]:
    """``(transform(sample), target_transform(target))``, skipping whichever is None."""
    if transform is not None:
        sample = transform(sample)
    if target_transform is not None:
        target = target_transform(target)
    return sample, target


class VisionDataset(Dataset):
    """A dataset stored under ``root`` whose samples go through ``transform`` and targets ``target_transform``.

    ``transforms`` (a callable on ``(input, target)``) is the joint alternative to the two separate ones.
    """

    _repr_indent = 4

    def __init__(self, root: str | os.PathLike | None = None, transforms: Callable | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        separate = transform is not None or target_transform is not None
        if transforms is not None and separate:
            raise ValueError(f"{type(self).__name__}: only transforms or transform/target_transform can be passed "
                             "as argument")
        self.transform, self.target_transform = transform, target_transform
        if separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def _transform_pair(self, sample: Any, target: Any) -> tuple[Any, Any]:
        """``(transform(sample), target_transform(target))``, skipping whichever is None."""
        return _apply_pair(self.transform, self.target_transform, sample, target)

    def extra_repr(self) -> str:
        """Extra lines for ``repr`` (the split, for example)."""
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            body += repr(self.transforms).splitlines()
        return "\n".join([f"Dataset {type(self).__name__}"] + [" " * self._repr_indent + line for line in body])


class StandardTransform:
    """Apply ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        self.transform, self.target_transform = transform, target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:  # noqa: A002 - torchvision's name
        """Transform the pair."""
        return _apply_pair(self.transform, self.target_transform, input, target)

    def __repr__(self) -> str:
        body = [type(self).__name__]
        if self.transform is not None:
            body.append(f"Transform: {self.transform!r}")
        if self.target_transform is not None:
            body.append(f"Target transform: {self.target_transform!r}")
        return "\n".join(body)
