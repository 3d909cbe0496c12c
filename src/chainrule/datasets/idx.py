"""The IDX file format of MNIST and Fashion-MNIST: reading, writing, and checked downloads.

An IDX file is: two zero bytes, a dtype code byte, the number of dimensions (one byte), each
dimension as a big-endian uint32, then the values in big-endian C order. ``read_idx`` also reads
gzip-compressed files (recognised by their magic bytes, whatever the file name).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserError

__all__ = ["read_idx", "write_idx", "download_file", "load_mnist", "MNIST_FILES", "RESOURCES"]

_CODES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODE_OF = {np.dtype(v).newbyteorder("="): k for k, v in _CODES.items()}

# The four files of an MNIST-style dataset (without the ".gz" the mirrors serve).
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# Mirrors are tried in order. MNIST: the mirrors torchvision and TensorFlow use (LeCun's own site now
# often refuses downloads). Fashion-MNIST: Zalando's S3 bucket and the GitHub repository's data folder.
# SHA256 sums of the gzipped files as published in public download scripts (e.g. the TensorFlow-mirror
# tables of several MNIST loaders and python-mnist style checksum lists, which agree with each other;
# the matching MD5s are the ones torchvision checks). A download whose hash differs is rejected.
RESOURCES: dict[str, dict[str, Any]] = {
    "mnist": {
        "mirrors": (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        "sha256": {
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        "torchvision_dir": "MNIST",
    },
    "fashion-mnist": {
        "mirrors": (
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        "sha256": {
            "train-images-idx3-ubyte.gz": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            "train-labels-idx1-ubyte.gz": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            "t10k-images-idx3-ubyte.gz": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            "t10k-labels-idx1-ubyte.gz": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        },
        "torchvision_dir": "FashionMNIST",
    },
}


def _corrupt(path: Path, problem: str) -> UserError:
    return UserError(
        f"{path} is not a valid IDX file: {problem}. It may be truncated or not an MNIST-style file; "
        "delete it and download it again (for example with --download), or point to the right folder."
    )


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a NumPy array in native byte order."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise UserError(f"{path} does not exist. Check the path, or download the dataset first.") from None
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror or e}. Check that it is a readable file.") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise _corrupt(path, f"the gzip stream is damaged ({e})") from None
    if len(data) < 4:
        raise _corrupt(path, f"it has only {len(data)} bytes, fewer than the 4-byte magic number")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or code not in _CODES:
        raise _corrupt(path, f"the magic number {data[:4].hex()} is not 0000 + a known dtype code + ndim")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise _corrupt(
            path, f"the header announces {ndim} dimensions but the file ends after {len(data)} bytes"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(_CODES[code])
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        shape = "x".join(map(str, dims))
        raise _corrupt(
            path, f"shape {shape} needs {expected} data bytes but the file holds {len(data) - header}"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))  # copies: writable, native order


def write_idx(path: str | os.PathLike, array: Any) -> None:
    """Write ``array`` (uint8, int8, int16, int32, float32 or float64) as an IDX file; gzip if ``path`` ends in .gz."""
    arr = np.asarray(array)
    code = _CODE_OF.get(arr.dtype)
    if code is None or arr.ndim == 0 or arr.ndim > 255:
        raise UserError(
            f"write_idx: cannot store an array of dtype {arr.dtype} and {arr.ndim} dims in IDX format."
        )
    payload = struct.pack(f">HBB{arr.ndim}I", 0, code, arr.ndim, *arr.shape)
    payload += np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder(">")).tobytes()
    if str(path).endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    Path(path).write_bytes(payload)


def _default_opener(url: str) -> Any:
    import urllib.request

    return urllib.request.urlopen(url, timeout=60)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not supported on every OS/file system
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def download_file(
    urls: Sequence[str],
    dest: str | os.PathLike,
    sha256: str | None = None,
    *,
    opener: Callable[[str], Any] | None = None,
) -> Path:
    """Download the first URL that works to ``dest``, verifying ``sha256``; atomic (temp file + rename).

    ``opener(url)`` returns a readable binary file object (default: ``urllib.request.urlopen``, which
    also handles ``file://`` URLs). A failing mirror or a checksum mismatch moves on to the next URL;
    if none succeeds a ``UserError`` lists what went wrong, and ``dest`` is left untouched.
    """
    dest = Path(dest)
    opener = opener or _default_opener
    failures = []
    for url in urls:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        except OSError as e:
            raise UserError(
                f"cannot write to {dest.parent}: {e.strerror or e}. Choose a folder you can write to."
            ) from None
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, contextlib.closing(opener(url)) as src:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if sha256 is not None and digest.hexdigest() != sha256.lower():
                failures.append(f"{url}: checksum mismatch (SHA256 {digest.hexdigest()}, expected {sha256})")
                continue
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
            return dest
        except (OSError, ValueError, http.client.HTTPException) as e:  # URLError, HTTPError: OSError
            failures.append(f"{url}: {getattr(e, 'reason', None) or e}")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    kind = "checksum mismatch" if any("checksum mismatch" in f for f in failures) else "download failed"
    raise UserError(
        f"{kind}: could not download {dest.name} (tried: {'; '.join(failures) or 'no URL given'}). "
        f"Check your network connection, or fetch the file yourself and put it in {dest.parent}."
    )


def _find(root: Path, base: str, kind: str) -> Path | None:
    folders = [root, root / RESOURCES[kind]["torchvision_dir"] / "raw"]
    for folder in folders:
        for name in (base, base + ".gz"):
            if (folder / name).is_file():
                return folder / name
    return None


def default_root(kind: str) -> Path:
    """Where MNIST-style files are looked for without ``root``: $CHAINRULE_DATA/<kind> or ~/.cache/chainrule/<kind>."""
    base = os.environ.get("CHAINRULE_DATA") or os.path.join(os.path.expanduser("~"), ".cache", "chainrule")
    return Path(base) / kind


def load_mnist(
    root: str | os.PathLike | None = None,
    kind: str = "mnist",
    download: bool = False,
    *,
    mirrors: Sequence[str] | None = None,
    checksums: dict[str, str | None] | None = None,
    opener: Callable[[str], Any] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read MNIST or Fashion-MNIST from the four standard IDX files in ``root`` (.gz or uncompressed).

    Returns ``(x_train, y_train, x_test, y_test)``: images float32 (N, 28, 28) scaled to [0, 1] and
    labels int64 (N,). Files are also found in torchvision's layout (``root/MNIST/raw``). With
    ``download=True`` missing files are fetched from ``mirrors`` (base URLs; default: the known
    mirrors) and checked against ``checksums`` (file name -> SHA256; default: the real files' sums).
    """
    if kind not in RESOURCES:
        raise UserError(f"unknown MNIST-style dataset {kind!r}; choose one of {', '.join(RESOURCES)}.")
    res = RESOURCES[kind]
    root = Path(root).expanduser() if root is not None else default_root(kind)
    if root.exists() and not root.is_dir():
        raise UserError(f"{root} is a file, but {kind} needs the folder holding its four IDX files.")
    paths = {key: _find(root, base, kind) for key, base in MNIST_FILES.items()}
    missing = [MNIST_FILES[k] for k, p in paths.items() if p is None]
    if missing and not download:
        where = f"the folder {root}" if root.is_dir() else f"{root}, which does not exist"
        raise UserError(
            f"{kind}: {', '.join(missing)} (or the same with .gz) not found in {where}. Put the standard "
            "IDX files there, pass the folder that holds them (--data-root DIR), or add --download "
            "(download=True) to fetch them."
        )
    if missing:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(
                f"cannot create the data folder {root}: {e.strerror or e}. Choose another --data-root."
            ) from None
        sums = res["sha256"] if checksums is None else checksums
        for key, base in MNIST_FILES.items():
            if paths[key] is None:
                name = base + ".gz"
                urls = [m.rstrip("/") + "/" + name for m in (mirrors or res["mirrors"])]
                paths[key] = download_file(urls, root / name, sums.get(name), opener=opener)
    out = []
    for part in ("train", "test"):
        images, labels = read_idx(paths[f"{part}_images"]), read_idx(paths[f"{part}_labels"])
        if images.ndim != 3 or images.dtype != np.uint8:
            raise _corrupt(
                paths[f"{part}_images"], f"expected uint8 images (N, H, W), got {images.dtype} {images.shape}"
            )
        if labels.ndim != 1 or len(labels) != len(images):
            raise _corrupt(
                paths[f"{part}_labels"],
                f"expected {len(images)} labels (one per image), got shape {labels.shape}",
            )
        out += [images.astype(np.float32) / np.float32(255.0), labels.astype(np.int64)]
    return out[0], out[1], out[2], out[3]
