"""Crash-safe file replacement: a reader sees the old file or the new one, never a partial one."""

from __future__ import annotations

import os
import re
import secrets
import stat

__all__ = ["atomic_write"]

_POSIX = os.name == "posix"


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` by a file holding ``data``, atomically and durably.

    Writes a temporary file in the same folder, flushes and fsyncs it, renames it over ``path``
    (``os.replace`` is atomic on POSIX and Windows) and fsyncs the folder so the rename itself
    survives a power cut. If the process dies at any moment, ``path`` is either the previous file
    (or absent if there was none) or the complete new one. On an error the temporary file is
    removed and the exception (``OSError``) propagates; the old file is untouched. A temporary
    file orphaned by a killed process is removed by the next write to the same path.
    The new file keeps the mode of the file it replaces (otherwise the usual ``0o666 & ~umask``).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    _remove_orphans(folder, base)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    while True:
        tmp = os.path.join(folder, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None and _POSIX:
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename durable (POSIX; Windows cannot open folders and commits renames itself)."""
    if not _POSIX:  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _remove_orphans(folder: str, base: str) -> None:
    """Delete ``.{base}.{pid}.{hex}.tmp`` files whose writing process no longer exists (POSIX)."""
    if not _POSIX:  # pragma: no cover - os.kill(pid, 0) would terminate the process on Windows
        return
    pattern = re.compile(re.escape(f".{base}.") + r"(\d+)\.[0-9a-f]{8}\.tmp")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if m is None or _alive(int(m.group(1))):
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: exists, owned by someone else
        return True
    return True
