"""CIFAR-10 as arrays for ``datasets.load("cifar10")`` and ``chainrule train --dataset cifar10``.

The files are torchvision's: ``<root>/cifar-10-batches-py/`` (``data_batch_1..5``, ``test_batch``,
``batches.meta``), read by ``chainrule.vision.datasets.CIFAR10`` (MD5-checked, restricted unpickler).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import UserError
from .idx import default_root

__all__ = ["load_cifar10"]


def load_cifar10(root: str | os.PathLike | None = None, download: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """``(x_train, y_train, x_test, y_test, class_names)``: images float32 (N, 3, 32, 32) in [0, 1], labels int64.

    ``root`` holds ``cifar-10-batches-py`` (the folder itself is accepted too); default ``default_root("cifar10")``.
    """
    from ..vision.datasets import CIFAR10

    root = Path(root).expanduser() if root is not None else default_root("cifar10")
    if root.name == CIFAR10.base_folder:
        root = root.parent
    try:
        train, test = CIFAR10(str(root), train=True, download=download), CIFAR10(str(root), train=False)
    except RuntimeError as e:
        raise UserError(f"cifar10: {e} Pass the folder that holds {CIFAR10.base_folder} (--data-root DIR), "
                        "or add --download (download=True).") from None

    def arrays(ds: CIFAR10) -> tuple[np.ndarray, np.ndarray]:
        x = ds.data.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255)
        return x, np.asarray(ds.targets, dtype=np.int64)

    return (*arrays(train), *arrays(test), list(train.classes))
