"""Datasets on small files written here in each standard format, against torchvision on the same files."""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle

import numpy as np
import pytest
from PIL import Image

import chainrule
from chainrule.datasets import write_idx
from chainrule.utils.data import DataLoader
from chainrule.vision import datasets, transforms

from .tv import torchvision

TD = torchvision.datasets


def _md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def _write_mnist(root, cls="MNIST", n=(7, 5), gz=False):
    raw = root / cls / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for part, count in zip(("train", "t10k"), n):
        write_idx(raw / f"{part}-images-idx3-ubyte{'.gz' if gz else ''}", rng.integers(0, 256, (count, 28, 28), dtype=np.uint8))
        write_idx(raw / f"{part}-labels-idx1-ubyte{'.gz' if gz else ''}", rng.integers(0, 10, count, dtype=np.uint8))


@pytest.mark.parametrize("name", ["MNIST", "FashionMNIST", "KMNIST"])
@pytest.mark.parametrize("train", [True, False])
def test_mnist_family_matches_torchvision(tmp_path, name, train):
    _write_mnist(tmp_path, name)
    ours = getattr(datasets, name)(str(tmp_path), train=train)
    theirs = getattr(TD, name)(str(tmp_path), train=train)
    assert len(ours) == len(theirs) and ours.classes == theirs.classes and ours.class_to_idx == theirs.class_to_idx
    np.testing.assert_array_equal(ours.data.numpy(), theirs.data.numpy())
    np.testing.assert_array_equal(ours.targets.numpy(), theirs.targets.numpy())
    assert ours.data.dtype == chainrule.uint8 and ours.targets.dtype == chainrule.int64
    for i in range(len(ours)):
        (a, y), (b, z) = ours[i], theirs[i]
        assert isinstance(a, Image.Image) and a.mode == b.mode == "L" and y == z and type(y) is int
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert ours.resources == theirs.resources and ours.mirrors == theirs.mirrors


@pytest.mark.parametrize("train", [True, False])
def test_mnist_old_attribute_names_warn_and_alias(tmp_path, train):
    """``train_data``/``test_data``/``train_labels``/``test_labels``: torchvision's deprecated aliases."""
    _write_mnist(tmp_path)
    ours, theirs = datasets.MNIST(str(tmp_path), train=train), TD.MNIST(str(tmp_path), train=train)
    for name, new in [("train_data", "data"), ("test_data", "data"), ("train_labels", "targets"),
                      ("test_labels", "targets")]:
        with pytest.warns(UserWarning, match=f"{name} has been renamed {new}"):
            a = getattr(ours, name)
        with pytest.warns(UserWarning, match=f"{name} has been renamed {new}"):
            b = getattr(theirs, name)
        assert a is getattr(ours, new)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_mnist_reads_gz_and_transforms_feed_a_loader(tmp_path):
    _write_mnist(tmp_path, gz=True, n=(10, 3))
    ds = datasets.MNIST(tmp_path, transform=transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]),
                        target_transform=lambda t: t + 100)
    xb, yb = next(iter(DataLoader(ds, batch_size=4, shuffle=False)))
    assert tuple(xb.shape) == (4, 1, 28, 28) and xb.dtype == chainrule.float32
    assert yb.tolist() == [int(t) + 100 for t in ds.targets.numpy()[:4]]


def test_mnist_missing_files_message(tmp_path):
    with pytest.raises(RuntimeError, match=r"train-images-idx3-ubyte.*MNIST/raw.*download=True"):
        datasets.MNIST(tmp_path)


def test_mnist_download_is_checksummed(tmp_path):
    src = tmp_path / "mirror"
    src.mkdir()
    rng = np.random.default_rng(1)
    files = {}
    for name, arr in [("train-images-idx3-ubyte.gz", rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)),
                      ("train-labels-idx1-ubyte.gz", rng.integers(0, 10, 3, dtype=np.uint8)),
                      ("t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (2, 28, 28), dtype=np.uint8)),
                      ("t10k-labels-idx1-ubyte.gz", rng.integers(0, 10, 2, dtype=np.uint8))]:
        write_idx(src / name, arr)
        files[name] = _md5(src / name)

    class Local(datasets.MNIST):
        mirrors = [src.as_uri() + "/"]
        resources = list(files.items())

    ds = Local(tmp_path / "data", download=True)
    assert len(ds) == 3 and os.path.isfile(tmp_path / "data" / "Local" / "raw" / "train-images-idx3-ubyte")

    class Bad(Local):
        resources = [(n, "0" * 32) for n in files]

    with pytest.raises(RuntimeError, match="MD5"):
        Bad(tmp_path / "bad", download=True)
    assert not any(p.name.endswith(".gz") for p in (tmp_path / "bad").rglob("*"))


def test_emnist_split(tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(2)
    write_idx(raw / "emnist-letters-train-images-idx3-ubyte", rng.integers(0, 256, (4, 28, 28), dtype=np.uint8))
    write_idx(raw / "emnist-letters-train-labels-idx1-ubyte", rng.integers(1, 27, 4, dtype=np.uint8))
    ours, theirs = datasets.EMNIST(tmp_path, split="letters"), TD.EMNIST(str(tmp_path), split="letters")
    assert ours.classes == theirs.classes and len(ours) == len(theirs) == 4
    np.testing.assert_array_equal(np.asarray(ours[2][0]), np.asarray(theirs[2][0]))
    assert ours[2][1] == theirs[2][1]
    with pytest.raises(ValueError, match="split"):
        datasets.EMNIST(tmp_path, split="nope")


def _cifar_files(root, folder, train_names, test_names, meta_name, meta_key, label_key, protocol):
    base = root / folder
    base.mkdir(parents=True)
    rng = np.random.default_rng(3)
    for i, name in enumerate(train_names + test_names):
        entry = {"batch_label": f"batch {i}", "data": rng.integers(0, 256, (4, 3072), dtype=np.uint8),
                 label_key: [int(v) for v in rng.integers(0, 10, 4)], "filenames": [f"f{i}_{k}.png" for k in range(4)]}
        with open(base / name, "wb") as f:
            pickle.dump(entry, f, protocol=protocol)
    with open(base / meta_name, "wb") as f:
        pickle.dump({meta_key: [f"class{k}" for k in range(10)], "num_cases_per_batch": 4}, f, protocol=protocol)
    return base


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("train", [True, False])
def test_cifar10_and_100_match_torchvision(tmp_path, protocol, train):
    base = _cifar_files(tmp_path, "cifar-10-batches-py", ["data_batch_1", "data_batch_2"], ["test_batch"],
                        "batches.meta", "label_names", "labels", protocol)
    sums = {p.name: _md5(p) for p in base.iterdir()}
    attrs = dict(train_list=[["data_batch_1", sums["data_batch_1"]], ["data_batch_2", sums["data_batch_2"]]],
                 test_list=[["test_batch", sums["test_batch"]]],
                 meta={"filename": "batches.meta", "key": "label_names", "md5": sums["batches.meta"]})
    ours = type("Tiny", (datasets.CIFAR10,), attrs)(str(tmp_path), train=train)
    theirs = type("Tiny", (TD.CIFAR10,), attrs)(str(tmp_path), train=train)
    assert len(ours) == len(theirs) and ours.classes == theirs.classes and ours.class_to_idx == theirs.class_to_idx
    assert ours.targets == theirs.targets
    np.testing.assert_array_equal(ours.data, theirs.data)
    a, b = ours[1][0], theirs[1][0]
    assert a.mode == b.mode == "RGB" and a.size == b.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    base100 = _cifar_files(tmp_path / "c100", "cifar-100-python", ["train"], ["test"], "meta", "fine_label_names",
                           "fine_labels", protocol)
    ours = type("Tiny100", (datasets.CIFAR100,), {"meta": dict(datasets.CIFAR100.meta, md5=_md5(base100 / "meta")),
                                                  "train_list": [["train", None]], "test_list": [["test", None]]})
    theirs = type("Tiny100", (TD.CIFAR100,), {"meta": dict(TD.CIFAR100.meta, md5=_md5(base100 / "meta")),
                                              "train_list": [["train", None]], "test_list": [["test", None]]})
    o, t = ours(str(tmp_path / "c100"), train=train), theirs(str(tmp_path / "c100"), train=train)
    assert o.targets == t.targets and o.classes == t.classes
    np.testing.assert_array_equal(o.data, t.data)


def test_cifar_class_attributes_and_checksums_are_torchvision_s():
    for name in ("CIFAR10", "CIFAR100"):
        ours, theirs = getattr(datasets, name), getattr(TD, name)
        for attr in ("base_folder", "url", "filename", "tgz_md5", "train_list", "test_list", "meta"):
            assert getattr(ours, attr) == getattr(theirs, attr), (name, attr)
    assert datasets.SVHN.split_list == TD.SVHN.split_list
    assert datasets.EMNIST.md5 == TD.EMNIST.md5 and datasets.EMNIST.classes_split_dict == TD.EMNIST.classes_split_dict


def test_cifar_wrong_checksum_is_reported(tmp_path):
    _cifar_files(tmp_path, "cifar-10-batches-py", ["data_batch_1"], ["test_batch"], "batches.meta", "label_names",
                 "labels", 2)
    with pytest.raises(RuntimeError, match=r"data_batch_1.*cifar-10-batches-py.*download=True"):
        datasets.CIFAR10(tmp_path)


class _Evil:
    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').write('pwned')",))


def test_a_malicious_cifar_pickle_is_refused_and_runs_nothing(tmp_path):
    base = tmp_path / "cifar-10-batches-py"
    base.mkdir()
    marker = tmp_path / "pwned.txt"
    payload = pickle.dumps({"data": _Evil(marker), "labels": [0]}, protocol=2)
    (base / "data_batch_1").write_bytes(payload)
    (base / "test_batch").write_bytes(payload)
    with open(base / "batches.meta", "wb") as f:
        pickle.dump({"label_names": ["a"]}, f)
    tiny = type("Tiny", (datasets.CIFAR10,), dict(train_list=[["data_batch_1", None]], test_list=[["test_batch", None]],
                                                   meta={"filename": "batches.meta", "key": "label_names", "md5": None}))
    with pytest.raises(pickle.UnpicklingError, match=r"exec, which a CIFAR batch never holds; refused"):
        tiny(str(tmp_path))
    assert not marker.exists()
    (base / "data_batch_1").write_bytes(pickle.dumps({"data": np.array([os.getcwd], dtype=object), "labels": [0]}))
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        tiny(str(tmp_path))
    pickle.loads(payload)  # the same bytes do run code under plain pickle: the test's payload is live
    assert marker.exists()


def test_svhn_matches_torchvision(tmp_path):
    sio = pytest.importorskip("scipy.io", reason="SciPy (vision extra) reads SVHN's .mat files")
    rng = np.random.default_rng(4)
    sio.savemat(tmp_path / "test_32x32.mat", {"X": rng.integers(0, 256, (32, 32, 3, 5), dtype=np.uint8),
                                              "y": np.array([[10], [1], [2], [10], [9]], dtype=np.uint8)})
    split = {"test": ["http://example.invalid/test_32x32.mat", "test_32x32.mat", _md5(tmp_path / "test_32x32.mat")]}
    ours = type("S", (datasets.SVHN,), {"split_list": split})(str(tmp_path), split="test")
    theirs = type("S", (TD.SVHN,), {"split_list": split})(str(tmp_path), split="test")
    np.testing.assert_array_equal(ours.labels, theirs.labels)
    np.testing.assert_array_equal(ours.data, theirs.data)
    for i in range(5):
        np.testing.assert_array_equal(np.asarray(ours[i][0]), np.asarray(theirs[i][0]))
        assert ours[i][1] == theirs[i][1]
    with pytest.raises(RuntimeError, match="train_32x32.mat"):
        datasets.SVHN(tmp_path, split="train")


def test_image_folder_matches_torchvision(tmp_path):
    rng = np.random.default_rng(5)
    for cls, n in (("cat", 2), ("dog", 3), ("zebra", 1)):
        d = tmp_path / cls / ("sub" if cls == "dog" else "")
        d.mkdir(parents=True, exist_ok=True)
        for k in range(n):
            Image.fromarray(rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)).save(d / f"{k}.png")
        (tmp_path / cls / "notes.txt").write_text("not an image")
    ours, theirs = datasets.ImageFolder(str(tmp_path)), TD.ImageFolder(str(tmp_path))
    assert ours.classes == theirs.classes and ours.class_to_idx == theirs.class_to_idx
    assert ours.samples == theirs.samples and ours.targets == theirs.targets and ours.imgs == theirs.imgs
    for i in range(len(ours)):
        np.testing.assert_array_equal(np.asarray(ours[i][0]), np.asarray(theirs[i][0]))
    folder = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(), extensions=(".txt",))
    assert len(folder) == 3 and folder[0] == ("not an image", 0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        datasets.ImageFolder(str(tmp_path))


def test_fake_data():
    ds = datasets.FakeData(size=5, image_size=(3, 8, 6), num_classes=4, transform=transforms.ToTensor())
    x, y = ds[3]
    assert tuple(x.shape) == (3, 8, 6) and 0 <= y < 4
    np.testing.assert_array_equal(ds[3][0].numpy(), x.numpy())
    raw, _ = datasets.FakeData(size=2, image_size=(1, 4, 4))[0]
    assert isinstance(raw, Image.Image) and raw.mode == "L"
    with pytest.raises(IndexError):
        ds[5]


def test_gz_helper_used_by_torchvision_layout(tmp_path):
    """Uncompressed files are what torchvision reads; .gz alone is read by chainrule (decompressed on the fly)."""
    _write_mnist(tmp_path, gz=True, n=(2, 2))
    assert len(datasets.MNIST(tmp_path, train=False)) == 2
    with gzip.open(tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz") as f:
        assert f.read(4) == b"\x00\x00\x08\x01"


def test_cifar_download_from_a_mirror_is_checked_and_unpacked(tmp_path):
    import tarfile

    src = tmp_path / "src"
    base = _cifar_files(src, "cifar-10-batches-py", ["data_batch_1"], ["test_batch"], "batches.meta", "label_names",
                        "labels", 2)
    tgz = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(tgz, "w:gz") as t:
        t.add(base, arcname="cifar-10-batches-py")
    attrs = dict(url=tgz.as_uri(), tgz_md5=_md5(tgz), train_list=[["data_batch_1", _md5(base / "data_batch_1")]],
                 test_list=[["test_batch", _md5(base / "test_batch")]],
                 meta={"filename": "batches.meta", "key": "label_names", "md5": _md5(base / "batches.meta")})
    ds = type("Tiny", (datasets.CIFAR10,), attrs)(str(tmp_path / "data"), download=True)
    assert len(ds) == 4 and (tmp_path / "data" / "cifar-10-batches-py" / "test_batch").is_file()
    bad = type("Bad", (datasets.CIFAR10,), dict(attrs, tgz_md5="0" * 32))
    with pytest.raises(RuntimeError, match="MD5"):
        bad(str(tmp_path / "other"), download=True)
    assert not (tmp_path / "other" / "cifar-10-python.tar.gz").exists()


def test_extract_archive_refuses_paths_outside_the_folder(tmp_path):
    import io as _io
    import tarfile

    from chainrule.vision.datasets.utils import extract_archive

    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as t:
        data = b"x"
        info = tarfile.TarInfo("../escaped.txt")
        info.size = len(data)
        t.addfile(info, _io.BytesIO(data))
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError, match="outside"):
        extract_archive(evil, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()


def test_import_chainrule_does_not_import_pillow():
    import subprocess
    import sys

    code = ("import sys, chainrule, chainrule.utils.data.transforms, chainrule.vision.transforms, "
            "chainrule.vision.datasets, chainrule.vision.models; print('PIL' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
