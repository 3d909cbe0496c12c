"""SVHN (Street View House Numbers) from its MATLAB ``*_32x32.mat`` files, read with SciPy.

``data`` is uint8 (N, 3, 32, 32), ``labels`` int64 with the digit 0 stored as 0 (the files say 10).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ._common import ensure_present, image
from .utils import check_integrity, download_url, verify_str_arg
from .vision import VisionDataset

__all__ = ["SVHN"]


class SVHN(VisionDataset):
    """SVHN digits, ``split`` 'train', 'test' or 'extra'; items are ``(PIL 'RGB' image, int)``."""

    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat", "train_32x32.mat",
                  "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat", "test_32x32.mat",
                 "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", "extra_32x32.mat",
                  "a93ce644f1a588dc4d68dda5feec44a7"],
    }

    def __init__(self, root: str | os.PathLike, split: str = "train", transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list))
        self.url, self.filename, self.file_md5 = self.split_list[split]
        ensure_present(self, download, self._check_integrity, self.root, [self.filename], name="SVHN")
        try:
            import scipy.io as sio
        except ImportError as e:  # pragma: no cover - scipy is in the vision extra
            raise ImportError("SVHN: reading .mat files needs SciPy; install it with `python -m pip install scipy` "
                              "(or, in the chainrule clone, `python -m pip install \".[vision]\"`).") from e
        mat = sio.loadmat(os.path.join(self.root, self.filename))
        self.labels = mat["y"].astype(np.int64).squeeze()
        np.place(self.labels, self.labels == 10, 0)
        self.data = np.transpose(mat["X"], (3, 2, 0, 1))

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """``(image, target)`` after the transforms."""
        img, target = image(np.transpose(self.data[index], (1, 2, 0))), int(self.labels[index])
        return self._transform_pair(img, target)

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return check_integrity(os.path.join(self.root, self.filename), self.split_list[self.split][2])

    def download(self) -> None:
        """Fetch this split's .mat file (MD5-checked)."""
        download_url(self.url, self.root, self.filename, self.split_list[self.split][2])

    def extra_repr(self) -> str:
        """The split."""
        return f"Split: {self.split}"
