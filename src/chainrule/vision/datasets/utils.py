"""Files of the image datasets: MD5 checks, checked atomic downloads and safe archive extraction.

A download goes to a temporary file beside its destination, is checked against its MD5 (the sums
torchvision publishes) and only then renamed into place, so a broken or tampered download never
replaces anything. Archives are extracted only inside the target folder (no absolute paths, no ``..``).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from typing import Any

__all__ = [
    "calculate_md5", "check_md5", "check_integrity", "download_url", "extract_archive",
    "download_and_extract_archive", "verify_str_arg",
]  # fmt: skip


def calculate_md5(fpath: str | os.PathLike, chunk_size: int = 1024 * 1024) -> str:
    """Hex MD5 of a file (used as a checksum, not for security)."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: str | os.PathLike, md5: str, **kwargs: Any) -> bool:
    """True when the file's MD5 is ``md5``."""
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath: str | os.PathLike, md5: str | None = None) -> bool:
    """True when the file exists and (if ``md5`` is given) has that MD5."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def _open_url(url: str) -> Any:
    import urllib.request

    req = urllib.request.Request(url, headers={"User-Agent": "chainrule"})
    return urllib.request.urlopen(req, timeout=60)


def download_url(url: str, root: str | os.PathLike, filename: str | None = None, md5: str | None = None) -> None:
    """Download ``url`` to ``root/filename`` (MD5-checked, atomic); nothing is done if a good copy exists.

    Raises RuntimeError naming the file, the URL and the problem (no network, HTTP error, checksum mismatch).
    """
    root = os.path.expanduser(os.fspath(root))
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=root)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with os.fdopen(fd, "wb") as out, contextlib.closing(_open_url(url)) as src:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if md5 is not None and digest.hexdigest() != md5:
            raise RuntimeError(f"download_url: {filename} from {url} has MD5 {digest.hexdigest()}, expected {md5}; "
                               "the file was not saved")
        os.replace(tmp, fpath)
    except (OSError, ValueError, http.client.HTTPException) as e:
        raise RuntimeError(f"download_url: could not download {filename} from {url}: {getattr(e, 'reason', None) or e}. "
                           f"Without a network, put the file in {root} yourself.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _inside(root: str, name: str) -> str:
    target = os.path.realpath(os.path.join(root, name))
    if os.path.commonpath([os.path.realpath(root), target]) != os.path.realpath(root):
        raise RuntimeError(f"extract_archive: refusing the archive member {name!r}, which points outside {root}")
    return target


def extract_archive(from_path: str | os.PathLike, to_path: str | os.PathLike | None = None,
                    remove_finished: bool = False) -> str:
    """Extract a .tar(.gz/.bz2/.xz), .tgz, .zip or single-file .gz archive into ``to_path`` (default: beside it)."""
    from_path = os.fspath(from_path)
    to_path = os.path.dirname(from_path) if to_path is None else os.fspath(to_path)
    if zipfile.is_zipfile(from_path):
        with zipfile.ZipFile(from_path) as z:
            for member in z.namelist():
                _inside(to_path, member)
            z.extractall(to_path)
    elif tarfile.is_tarfile(from_path):
        with tarfile.open(from_path) as t:
            for member in t.getmembers():
                _inside(to_path, member.name)
                if member.issym() or member.islnk():
                    raise RuntimeError(f"extract_archive: refusing the link {member.name!r} in {from_path}")
            if hasattr(tarfile, "data_filter"):
                t.extractall(to_path, filter="data")
            else:  # pragma: no cover - Python < 3.11.4; members were checked above
                t.extractall(to_path)
    elif from_path.endswith(".gz"):
        out = os.path.join(to_path, os.path.basename(from_path)[:-3])
        fd, tmp = tempfile.mkstemp(prefix=".extract.", dir=to_path)
        try:
            with os.fdopen(fd, "wb") as dst, gzip.open(from_path, "rb") as src:
                shutil.copyfileobj(src, dst)
            os.replace(tmp, out)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        to_path = out
    else:
        raise RuntimeError(f"extract_archive: {from_path} is not a zip, tar or gzip archive")
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url: str, download_root: str | os.PathLike, extract_root: str | None = None,
                                 filename: str | None = None, md5: str | None = None,
                                 remove_finished: bool = False) -> None:
    """download_url, then extract_archive into ``extract_root`` (default ``download_root``)."""
    download_root = os.path.expanduser(os.fspath(download_root))
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    extract_archive(os.path.join(download_root, filename), extract_root or download_root, remove_finished)


def verify_str_arg(value: Any, arg: str | None = None, valid_values: Iterable[str] | None = None,
                   custom_msg: str | None = None) -> str:
    """``value`` if it is a str among ``valid_values``; a ValueError naming the choices otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"Expected type str{f' for argument {arg}' if arg else ''}, but got type {type(value)}.")
    if valid_values is None:
        return value
    valid = list(valid_values)
    if value not in valid:
        raise ValueError(custom_msg or f"Unknown value '{value}' for argument {arg}. "
                         f"Valid values are {{{', '.join(repr(v) for v in valid)}}}.")
    return value
