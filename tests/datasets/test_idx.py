"""IDX files (MNIST format): round trips, corrupt files, loading and downloading small fakes."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule import datasets
from chainrule.errors import UserError

NAMES = datasets.MNIST_FILES


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path, dtype, suffix):
    a = (np.arange(2 * 3 * 4) * 7 - 20).astype(dtype).reshape(2, 3, 4)
    path = tmp_path / f"a-idx3{suffix}"
    datasets.write_idx(path, a)
    raw = path.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == bool(suffix)
    b = datasets.read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative and b.flags.writeable
    np.testing.assert_array_equal(a, b)


def test_header_layout_is_big_endian(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    datasets.write_idx(path, np.array([3, 1, 4], np.uint8))
    assert path.read_bytes() == bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 3, 1, 4])
    datasets.write_idx(path, np.array([[258]], np.int16))
    assert path.read_bytes() == bytes([0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2])
    np.testing.assert_array_equal(datasets.read_idx(path), [[258]])


def test_gzip_detected_by_content_not_name(tmp_path):
    path = tmp_path / "no-suffix"
    path.write_bytes(gzip.compress(struct.pack(">HBBI", 0, 8, 1, 2) + b"\x05\x06"))
    np.testing.assert_array_equal(datasets.read_idx(path), [5, 6])


@pytest.mark.parametrize(
    "payload, match",
    [
        (b"", "only 0 bytes"),
        (b"\x00\x00", "only 2 bytes"),
        (b"\x01\x00\x08\x01" + b"\x00" * 8, "magic number 01000801"),
        (b"\x00\x00\x07\x01" + b"\x00" * 8, "magic number"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "announces 3 dimensions"),
        (
            struct.pack(">HBBII", 0, 8, 2, 2, 3) + b"\x00" * 5,
            "shape 2x3 needs 6 data bytes but the file holds 5",
        ),
        (struct.pack(">HBBI", 0, 8, 1, 2) + b"\x00" * 3, "needs 2 data bytes but the file holds 3"),
        (b"\x1f\x8b\x08\x00garbage", "gzip stream is damaged"),
        (gzip.compress(struct.pack(">HBBI", 0, 8, 1, 9))[:-6], "gzip stream is damaged"),
    ],
)
def test_corrupt_files(tmp_path, payload, match):
    path = tmp_path / "bad-idx"
    path.write_bytes(payload)
    with pytest.raises(UserError, match=match) as err:
        datasets.read_idx(path)
    assert "not a valid IDX file" in str(err.value) and "download it again" in str(err.value)


def test_missing_and_unreadable_paths(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        datasets.read_idx(tmp_path / "nope")
    with pytest.raises(UserError, match="cannot read"):
        datasets.read_idx(tmp_path)
    with pytest.raises(UserError, match="cannot store"):
        datasets.write_idx(tmp_path / "x", np.zeros(2, np.int64))


def _fake_mnist(folder: Path, n_train=30, n_test=10, gz=True, size=(6, 5)) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for part, n in (("train", n_train), ("test", n_test)):
        sfx = ".gz" if gz else ""
        images = rng.integers(0, 256, size=(n, *size), dtype=np.uint8)
        images[0, 0, 0], images[0, 0, 1] = 0, 255
        datasets.write_idx(folder / (NAMES[f"{part}_images"] + sfx), images)
        datasets.write_idx(folder / (NAMES[f"{part}_labels"] + sfx), (np.arange(n) % 10).astype(np.uint8))


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_from_folder(tmp_path, gz):
    _fake_mnist(tmp_path, gz=gz)
    xtr, ytr, xte, yte = datasets.load_mnist(tmp_path)
    assert xtr.shape == (30, 6, 5) and xtr.dtype == np.float32 and xte.shape == (10, 6, 5)
    assert ytr.dtype == np.int64 and ytr.tolist() == [i % 10 for i in range(30)]
    assert xtr[0, 0, 0] == 0.0 and xtr[0, 0, 1] == 1.0 and 0 <= xtr.min() and xtr.max() <= 1


def test_torchvision_layout_is_found(tmp_path):
    _fake_mnist(tmp_path / "FashionMNIST" / "raw", gz=False)
    assert len(datasets.load_mnist(tmp_path, kind="fashion-mnist")[0]) == 30


def test_load_split_from_idx_files(tmp_path):
    _fake_mnist(tmp_path, n_train=40, n_test=20)
    s = datasets.load("fashion-mnist", root=str(tmp_path), val=0.25)
    assert s.input_shape == (30,) and (len(s.x_train), len(s.x_val), len(s.x_test)) == (30, 10, 20)
    assert s.class_names[0] == "T-shirt/top" and s.num_classes == 10 and s.y_test.dtype == chainrule.int64
    img = datasets.load("mnist", root=str(tmp_path), flatten=False, n_samples=20)
    assert img.input_shape == (1, 6, 5) and len(img.x_train) + len(img.x_val) == 20 and len(img.x_test) == 10


def test_missing_files_say_what_to_do(tmp_path):
    with pytest.raises(UserError, match="not found in .*does not exist.*--download"):
        datasets.load_mnist(tmp_path / "absent")
    (tmp_path / NAMES["train_images"]).write_bytes(b"")
    with pytest.raises(UserError, match="train-labels-idx1-ubyte, t10k-images"):
        datasets.load("mnist", root=str(tmp_path))
    with pytest.raises(UserError, match="unknown MNIST-style dataset"):
        datasets.load_mnist(tmp_path, kind="kmnist")
    with pytest.raises(UserError, match="is a file"):
        datasets.load_mnist(tmp_path / NAMES["train_images"])


def test_inconsistent_files_are_rejected(tmp_path):
    _fake_mnist(tmp_path, gz=False)
    datasets.write_idx(tmp_path / NAMES["test_labels"], np.zeros(3, np.uint8))
    with pytest.raises(UserError, match="expected 10 labels"):
        datasets.load_mnist(tmp_path)
    datasets.write_idx(tmp_path / NAMES["test_images"], np.zeros((10, 4), np.uint8))
    with pytest.raises(UserError, match=r"expected uint8 images \(N, H, W\)"):
        datasets.load_mnist(tmp_path)


def _server(tmp_path):
    """A folder of gzipped fake files, its file:// base URL and their SHA256 sums."""
    server = tmp_path / "server"
    _fake_mnist(server)
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in server.iterdir()}
    return server, server.as_uri() + "/", sums


def test_download_with_checksums(tmp_path):
    server, url, sums = _server(tmp_path)
    opened = []

    def opener(u):
        opened.append(u)
        return urllib.request.urlopen(u)

    root = tmp_path / "data" / "mnist"
    xtr, *_ = datasets.load_mnist(root, download=True, mirrors=[url], checksums=sums, opener=opener)
    assert len(xtr) == 30 and len(opened) == 4
    assert sorted(p.name for p in root.iterdir()) == sorted(sums)  # no temporary files left behind
    for name in sums:
        assert (root / name).read_bytes() == (server / name).read_bytes()
    datasets.load_mnist(root, download=True, mirrors=[url], checksums=sums, opener=opener)
    assert len(opened) == 4  # present files are not fetched again


def test_download_falls_back_to_next_mirror(tmp_path):
    _, url, sums = _server(tmp_path)
    bad = (tmp_path / "empty-mirror").as_uri() + "/"
    xtr, *_ = datasets.load_mnist(tmp_path / "d", download=True, mirrors=[bad, url], checksums=sums)
    assert len(xtr) == 30


def test_wrong_checksum_is_rejected_and_nothing_is_written(tmp_path):
    _, url, sums = _server(tmp_path)
    wrong = dict(sums, **{NAMES["train_labels"] + ".gz": "0" * 64})
    root = tmp_path / "d"
    with pytest.raises(UserError, match="checksum mismatch.*train-labels-idx1-ubyte.gz.*expected 0000"):
        datasets.load_mnist(root, download=True, mirrors=[url], checksums=wrong)
    assert not (root / (NAMES["train_labels"] + ".gz")).exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".")]


def test_real_checksums_reject_fake_files(tmp_path):
    _, url, _ = _server(tmp_path)
    with pytest.raises(UserError, match="checksum mismatch") as err:
        datasets.load_mnist(tmp_path / "d", download=True, mirrors=[url])  # the built-in checksums
    assert datasets.RESOURCES["mnist"]["sha256"][NAMES["train_images"] + ".gz"] in str(err.value)


def test_interrupted_download_leaves_no_partial_file(tmp_path):
    class Broken(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def read(self, n=-1):
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("connection reset by peer")
            return b"x" * 100

    dest = tmp_path / "file.gz"
    with pytest.raises(UserError, match="download failed.*connection reset"):
        datasets.download_file(["http://mirror.invalid/file.gz"], dest, opener=lambda u: Broken())
    assert os.listdir(tmp_path) == []
    with pytest.raises(UserError, match="cannot write to"):
        datasets.download_file(["file:///x"], tmp_path / "missing-dir" / "f")


def test_real_resource_table_is_complete():
    for kind, res in datasets.RESOURCES.items():
        assert set(res["sha256"]) == {n + ".gz" for n in NAMES.values()}, kind
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in res["sha256"].values())
        assert all(m.endswith("/") for m in res["mirrors"])
