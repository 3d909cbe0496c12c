"""MNIST and the datasets in its IDX format: FashionMNIST, KMNIST, EMNIST.

Files live in ``root/<ClassName>/raw/`` (torchvision's layout), uncompressed or as the .gz the mirrors
serve. ``data`` is a uint8 tensor (N, 28, 28), ``targets`` an int64 tensor; an item is
``(PIL image 'L', int)`` before the transforms.
"""

from __future__ import annotations

import os
import string
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..._tensor import Tensor
from ...datasets.idx import read_idx
from ._common import ensure_present, image
from .utils import check_integrity, download_and_extract_archive, extract_archive, verify_str_arg
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "read_image_file", "read_label_file"]


def read_image_file(path: str) -> Tensor:
    """IDX images (uint8, 3-D) as a uint8 tensor; ``path`` or ``path.gz``."""
    a = read_idx(_existing(path))
    if a.dtype != np.uint8 or a.ndim != 3:
        raise ValueError(f"read_image_file: {path} should hold uint8 images of 3 dimensions, got {a.dtype} {a.shape}")
    return Tensor._make(np.ascontiguousarray(a))


def read_label_file(path: str) -> Tensor:
    """IDX labels (uint8, 1-D) as an int64 tensor; ``path`` or ``path.gz``."""
    a = read_idx(_existing(path))
    if a.dtype != np.uint8 or a.ndim != 1:
        raise ValueError(f"read_label_file: {path} should hold uint8 labels of 1 dimension, got {a.dtype} {a.shape}")
    return Tensor._make(a.astype(np.int64))


def _existing(path: str) -> str:
    return path if os.path.isfile(path) or not os.path.isfile(path + ".gz") else path + ".gz"


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images of 28×28 pixels."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root: str | os.PathLike, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        ensure_present(self, download, self._check_exists, self.raw_folder, self._expected_files())
        self.data, self.targets = self._load_data()

    def _expected_files(self) -> list[str]:
        return [os.path.splitext(f)[0] + " (or .gz)" for f, _ in self.resources]

    def _load_data(self) -> tuple[Tensor, Tensor]:
        part = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{part}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{part}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """``(image, target)``: a PIL 'L' image and an int, after the transforms."""
        img, target = image(self.data._data[index], "L"), int(self.targets._data[index])
        return self._transform_pair(img, target)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def train_labels(self) -> Tensor:
        """Old name of ``targets`` (warns, as torchvision does)."""
        warnings.warn("train_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self) -> Tensor:
        """Old name of ``targets`` (warns, as torchvision does)."""
        warnings.warn("test_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self) -> Tensor:
        """Old name of ``data`` (warns, as torchvision does)."""
        warnings.warn("train_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def test_data(self) -> Tensor:
        """Old name of ``data`` (warns, as torchvision does)."""
        warnings.warn("test_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def raw_folder(self) -> str:
        """``root/<ClassName>/raw``: where the IDX files are."""
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self) -> str:
        """``root/<ClassName>/processed`` (torchvision's old cache folder; not used)."""
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Class name -> index."""
        return {c: i for i, c in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        return all(_present(os.path.join(self.raw_folder, os.path.splitext(os.path.basename(f))[0]))
                   for f, _ in self.resources)

    def download(self) -> None:
        """Fetch the missing files from the mirrors (MD5-checked) and uncompress them into ``raw_folder``."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                try:
                    download_and_extract_archive(f"{mirror}{filename}", self.raw_folder, filename=filename, md5=md5)
                except RuntimeError as e:
                    errors.append(f"{mirror}: {e}")
                    continue
                break
            else:
                raise RuntimeError(f"{type(self).__name__}: error downloading {filename}; " + "; ".join(errors))

    def extra_repr(self) -> str:
        """The split."""
        return f"Split: {'Train' if self.train is True else 'Test'}"


def _present(path: str) -> bool:
    return check_integrity(path) or check_integrity(path + ".gz")


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28×28 grayscale pictures of 10 kinds of clothing, in MNIST's format."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 10 classes of cursive Japanese characters, in MNIST's format."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """Extended MNIST: handwritten letters and digits in six ``split`` s (byclass, bymerge, balanced, ...)."""

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root: str | os.PathLike, split: str, **kwargs: Any) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = f"training_{split}.pt"
        self.test_file = f"test_{split}.pt"
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self) -> str:
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self) -> str:
        """Path of this split's IDX image file."""
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self) -> str:
        """Path of this split's IDX label file."""
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _expected_files(self) -> list[str]:
        return [os.path.basename(self.images_file) + " (or .gz)", os.path.basename(self.labels_file) + " (or .gz)"]

    def _load_data(self) -> tuple[Tensor, Tensor]:
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _check_exists(self) -> bool:
        return _present(self.images_file) and _present(self.labels_file)

    def download(self) -> None:
        """Fetch NIST's zip (MD5-checked) and uncompress the IDX files of every split into ``raw_folder``."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        download_and_extract_archive(self.url, self.raw_folder, md5=self.md5)
        gz = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gz):
            if name.endswith(".gz"):
                extract_archive(os.path.join(gz, name), self.raw_folder)
