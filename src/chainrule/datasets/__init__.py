"""``chainrule.datasets``: ready-to-train data, already split and standardized.

``load(name)`` returns a :class:`Split` of chainrule Tensors. The building blocks it uses are public
and work on NumPy arrays: ``load_digits``, the ``make_*`` generators, ``read_idx``/``load_mnist``,
``load_csv``, ``split`` and ``fit_standardization``/``standardize_with``.

>>> from chainrule import datasets
>>> data = datasets.load("moons", n_samples=200)
>>> data.x_train.shape, data.y_train.dtype, data.num_classes
(chainrule.Size([140, 2]), chainrule.int64, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UserError
from .cifar import load_cifar10
from .idx import MNIST_FILES, RESOURCES, default_root, download_file, load_mnist, read_idx, write_idx
from .preprocessing import fit_standardization, split, standardize_with
from .synthetic import make_circles, make_moons, make_regression, make_spirals, make_xor
from .tabular import MAX_AUTO_CLASSES, Table, load_csv, load_digits
from .text import CharVocab, load_text, load_text_windows, text_windows

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "Split", "load", "DATASETS", "load_digits", "make_moons", "make_circles", "make_spirals", "make_xor",
    "make_regression", "read_idx", "write_idx", "download_file", "load_mnist", "load_cifar10", "load_csv", "Table", "split",
    "fit_standardization", "standardize_with", "MNIST_FILES", "RESOURCES", "MAX_AUTO_CLASSES", "FASHION_CLASSES",
]  # fmt: skip
__all__ += ["load_text", "CharVocab", "text_windows", "load_text_windows"]

DATASETS: tuple[str, ...] = (
    "digits", "moons", "circles", "spirals", "xor", "regression", "mnist", "fashion-mnist", "cifar10", "csv",
    "text",
)  # fmt: skip

FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip

_SYNTHETIC = {  # name: (generator, default n_samples, default noise)
    "moons": (make_moons, 1000, 0.1),
    "circles": (make_circles, 1000, 0.05),
    "spirals": (make_spirals, 900, 0.2),
    "xor": (make_xor, 1000, 0.1),
    "regression": (make_regression, 1000, 0.1),
}


@dataclass
class Split:
    """One dataset, split into train/validation/test Tensors and (if asked) standardized."""

    name: str
    task: str  # "classification" | "regression"
    x_train: Tensor
    y_train: Tensor
    x_val: Tensor
    y_val: Tensor
    x_test: Tensor
    y_test: Tensor
    num_classes: int | None  # None for regression
    input_shape: tuple[int, ...]  # per-sample shape: (64,) flat or (1, 8, 8) as images
    class_names: list[str] | None
    feature_names: list[str] | None
    meta: dict = field(default_factory=dict)  # JSON-able: source, sizes, standardization, seed, ...

    def __repr__(self) -> str:
        sizes = f"train={len(self.x_train)}, val={len(self.x_val)}, test={len(self.x_test)}"
        classes = f", num_classes={self.num_classes}" if self.num_classes is not None else ""
        return (
            f"Split(name={self.name!r}, task={self.task!r}, {sizes}, input_shape={self.input_shape}{classes})"
        )


def _subsample(x: np.ndarray, y: np.ndarray, n: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``n`` samples, drawn without replacement (seeded); original order kept."""
    if n is None or n >= len(x):
        return x, y
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise UserError(f"n_samples must be a positive integer, got {n!r}.")
    keep = np.sort(np.random.default_rng([seed, 1]).choice(len(x), size=n, replace=False))
    return x[keep], y[keep]


def load(
    name: str,
    *,
    root: str | None = None,
    val: float = 0.15,
    test: float = 0.15,
    seed: int = 0,
    flatten: bool = True,
    standardize: bool = True,
    n_samples: int | None = None,
    noise: float | None = None,
    target: str | None = None,
    task: str = "auto",
    download: bool = False,
) -> Split:
    """Load dataset ``name`` (one of ``DATASETS``) as a seeded, stratified train/val/test :class:`Split`.

    ``digits`` ships with the package. ``moons``/``circles``/``spirals``/``xor``/``regression`` are
    generated from ``seed`` (``n_samples`` and ``noise`` tune them). ``mnist``/``fashion-mnist`` read
    the IDX files in ``root`` (``download=True`` fetches missing ones); their official test set is the
    test split and ``val`` is taken from the training files; ``n_samples`` caps the training pool (and
    the test set in proportion). ``csv`` reads the file ``root`` with the target column ``target``.
    With ``flatten=False`` image data comes as (N, 1, H, W). Standardization statistics come from the
    training split only and are stored in ``meta["standardize"]`` (see ``standardize_with``).
    """
    if not isinstance(name, str) or name.lower() not in DATASETS:
        raise UserError(f"unknown dataset {name!r}. Choose one of: {', '.join(DATASETS)}.")
    name = name.lower()
    meta: dict[str, Any] = {"name": name, "seed": seed, "val": val, "test": test}
    class_names: list[str] | None = None
    feature_names: list[str] | None = None
    image_hw: tuple[int, int] | None = None
    channels = 1
    test_part = None
    if name == "digits":
        x, y = _subsample(*load_digits(), n_samples, seed)
        task_, class_names, image_hw = "classification", [str(i) for i in range(10)], (8, 8)
        meta["source"] = "bundled UCI ML hand-written digits (chainrule/datasets/data/digits.csv.gz)"
    elif name in _SYNTHETIC:
        gen, default_n, default_noise = _SYNTHETIC[name]
        n = default_n if n_samples is None else n_samples
        nz = default_noise if noise is None else noise
        x, y = gen(n_samples=n, noise=nz, seed=seed)
        meta.update(source=f"synthetic ({gen.__name__})", noise=nz)
        task_ = "regression" if name == "regression" else "classification"
        feature_names = [f"x{i + 1}" for i in range(x.shape[1])]
        if task_ == "classification":
            class_names = [str(i) for i in range(int(y.max()) + 1)]
    elif name == "text":  # windows of 64 character ids -> the next character at each position
        xi, yi, chars = load_text_windows(64)
        x, y = _subsample(xi.astype(np.float32), yi, n_samples, seed)
        task_, class_names = "classification", list(chars)
        meta.update(source="bundled Shakespeare text (chainrule/datasets/data/shakespeare.txt.gz)", seq_len=64)
    elif name in ("mnist", "fashion-mnist"):
        x, y, xt, yt = load_mnist(root, kind=name, download=download)
        if n_samples is not None:
            n_test = max(1, round(n_samples * len(xt) / len(x)))
            x, y = _subsample(x, y, n_samples, seed)
            xt, yt = _subsample(xt, yt, n_test, seed)
        task_, image_hw = "classification", x.shape[1:]
        class_names = list(FASHION_CLASSES) if name == "fashion-mnist" else [str(i) for i in range(10)]
        meta["source"] = f"{name} IDX files in {root if root is not None else default_root(name)}"
        x = x.reshape(len(x), -1)
        test_part = (xt.reshape(len(xt), -1), yt)
    elif name == "cifar10":
        x, y, xt, yt, class_names = load_cifar10(root, download=download)
        if n_samples is not None:
            n_test = max(1, round(n_samples * len(xt) / len(x)))
            x, y = _subsample(x, y, n_samples, seed)
            xt, yt = _subsample(xt, yt, n_test, seed)
        task_, channels, image_hw = "classification", 3, (32, 32)
        meta["source"] = f"CIFAR-10 batches in {root if root is not None else default_root(name)}"
        x = x.reshape(len(x), -1)
        test_part = (xt.reshape(len(xt), -1), yt)
    else:  # csv
        if root is None:
            raise UserError("the csv dataset needs the path of the CSV file: pass root=PATH (--data-root FILE).")
        if target is None:
            raise UserError(
                f"the csv dataset needs the name of the target column: pass target=NAME (--target NAME) for {root}."
            )
        table = load_csv(root, target, task)
        x, y = _subsample(table.x, table.y, n_samples, seed)
        task_, class_names, feature_names = table.task, table.class_names, table.feature_names
        meta.update(source=f"CSV file {root}", target=target)
    classify = task_ == "classification"
    if test_part is None:
        x_tr, y_tr, x_va, y_va, x_te, y_te = split(x, y, val, test, seed, stratify=classify and name != "text")
    else:
        # The official test files are the test split; the validation split comes from the training files.
        x_tr, y_tr, x_va, y_va, _, _ = split(x, y, val, 0.0, seed, stratify=classify)
        x_te, y_te = test_part
        meta["test_source"] = "the official test files (the test fraction is not used)"
    if image_hw is not None and not flatten:
        x_tr, x_va, x_te = (a.reshape(len(a), channels, *image_hw) for a in (x_tr, x_va, x_te))
    elif image_hw and channels > 1:
        feature_names = [f"pixel_{k}_{r}_{c}" for k in range(channels) for r in range(image_hw[0])
                         for c in range(image_hw[1])]
    else:
        feature_names = feature_names or (
            [f"pixel_{r}_{c}" for r in range(image_hw[0]) for c in range(image_hw[1])] if image_hw else None
        )
    if standardize and name != "text":  # character ids are not standardized
        stats = fit_standardization(x_tr, per="all" if image_hw is not None else "feature")
        x_tr, x_va, x_te = (standardize_with(a, stats) for a in (x_tr, x_va, x_te))
        meta["standardize"] = stats
    else:
        meta["standardize"] = None
    meta.update(task=task_, n_samples=len(x) + (len(test_part[0]) if test_part else 0))
    meta["sizes"] = {"train": len(x_tr), "val": len(x_va), "test": len(x_te)}
    meta["flatten"] = bool(flatten) if image_hw is not None else True
    from .._creation import from_numpy

    def t(a: np.ndarray, dtype: Any) -> Any:
        return from_numpy(np.ascontiguousarray(a, dtype=dtype))

    ydt = np.int64 if classify else np.float32
    return Split(
        name=name,
        task=task_,
        x_train=t(x_tr, np.float32),
        y_train=t(y_tr, ydt),
        x_val=t(x_va, np.float32),
        y_val=t(y_va, ydt),
        x_test=t(x_te, np.float32),
        y_test=t(y_te, ydt),
        num_classes=len(class_names) if classify else None,
        input_shape=tuple(int(s) for s in x_tr.shape[1:]),
        class_names=class_names,
        feature_names=feature_names,
        meta=meta,
    )
