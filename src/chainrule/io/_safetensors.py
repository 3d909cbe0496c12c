"""Reading and writing the safetensors container through the ``safetensors`` package.

Layout: 8-byte little-endian header length N, N bytes of JSON header
``{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}``, then
the tensor bytes (offsets relative to the end of the header). The package writes files and decides
whether a header is valid (types, shapes whose byte size overflows, offsets that leave gaps, data
cut short or followed by extra bytes); chainrule adds a diagnosis a person can act on
(``_diagnose``), refuses what is not a regular file, widens bfloat16 to float32 and checks a CRC-32
of every tensor's bytes, stored in the metadata under :data:`CHECKSUMS` by :func:`encode` (files
without it, e.g. from PyTorch, load unchecked).

Memory: a file is read tensor by tensor straight into the arrays returned (the package maps the
file to validate its header and touches nothing else), so loading needs the checkpoint's size once.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import zlib
from collections.abc import Callable

import numpy as np

from ._diagnose import MAX_HEADER, corrupt, explain, foreign_format_error, sniff
from ._errors import CheckpointError, CheckpointNotFoundError

__all__ = ["encode", "read_path", "read_bytes", "open_regular", "corrupt", "DTYPES", "CHECKSUMS", "MAX_DIMS"]

# safetensors dtype codes NumPy can hold (BF16 is widened to float32 on reading).
DTYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype(np.bool_), "U8": np.dtype("<u1"), "I8": np.dtype("<i1"), "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"), "F16": np.dtype("<f2"), "BF16": np.dtype("<u2"), "I32": np.dtype("<i4"),
    "U32": np.dtype("<u4"), "F32": np.dtype("<f4"), "I64": np.dtype("<i8"), "U64": np.dtype("<u8"),
    "F64": np.dtype("<f8"),
}
CHECKSUMS = "chainrule.crc32"  # metadata key: JSON {tensor name: CRC-32 of its bytes}
MAX_DIMS = 64  # NumPy's limit on the number of dimensions


def encode(tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` (C-contiguous little-endian arrays), with
    ``metadata`` and the CRC-32 of each tensor's bytes under :data:`CHECKSUMS`."""
    from safetensors.numpy import save

    sums = {k: zlib.crc32(memoryview(np.ascontiguousarray(a)).cast("B")) if a.size else 0 for k, a in tensors.items()}
    return save(tensors, metadata={**metadata, CHECKSUMS: json.dumps(sums, separators=(",", ":"))})


def open_regular(path: str, source: str) -> int:
    """A read-only descriptor of ``path``, which must be a regular file (CheckpointError otherwise).

    Opened without blocking, so a FIFO is refused instead of waiting forever for a writer, and a
    device such as /dev/zero (or a symlink to one) is refused instead of read without end."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise CheckpointNotFoundError(
            f"there is no checkpoint at {source}: the file does not exist. Check the path (and the "
            f"current folder, {os.getcwd()!r}), or train first to create the checkpoint."
        ) from None
    except IsADirectoryError:
        raise _folder(source) from None
    except OSError as e:
        if os.path.isdir(path):  # Windows refuses to open folders with PermissionError
            raise _folder(source) from None
        raise CheckpointError(f"cannot read the checkpoint {source}: {e.strerror or e}. Check the file's permissions.") from None
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return fd
    os.close(fd)
    if stat.S_ISDIR(mode):
        raise _folder(source)
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    raise CheckpointError(
        f"{source} is {kind}, not a regular file; chainrule reads checkpoints only from regular files, "
        f"whose size is known (a pipe or device could block or never end). Save the checkpoint to a file "
        f"first and pass its path."
    )


def _folder(source: str) -> CheckpointError:
    return CheckpointError(f"{source} is a folder, not a checkpoint file; pass the path of the checkpoint file inside it.")


def read_path(path: str, source: str) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Validate the safetensors file at ``path`` and return its metadata and arrays (fresh, writable)."""
    fd = open_regular(path, source)
    with os.fdopen(fd, "rb", buffering=0) as fh:
        size = os.fstat(fd).st_size

        def read(offset: int, out: np.ndarray) -> int:
            """Fill ``out`` from ``offset``; the number of bytes read (fewer only at the end of the file)."""
            fh.seek(offset)
            view, got = memoryview(out).cast("B"), 0
            while got < len(view):
                k = fh.readinto(view[got:])
                if not k:
                    break
                got += k
            return got

        head = np.empty(min(size, 16), np.uint8)
        _check_format(head[: read(0, head)].tobytes(), size, source)
        header = np.empty(8 + min(int.from_bytes(head[:8].tobytes(), "little"), MAX_HEADER, max(size - 8, 0)), np.uint8)
        header = header[: read(0, header)].tobytes()
        proc = f"/proc/self/fd/{fd}"  # the very file opened above, not whatever the path names now
        _validate(lambda: _open_lib(proc if os.path.exists(proc) else path), header, size, source)
        return _arrays(header, read, source)


def read_bytes(data: bytes, source: str) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Validate a whole safetensors file held in ``data``; return its metadata and arrays."""
    _check_format(data[:16], len(data), source)

    def deserialize() -> None:
        from safetensors import deserialize

        deserialize(data)

    _validate(deserialize, data[: 8 + min(int.from_bytes(data[:8], "little"), MAX_HEADER)], len(data), source)
    view = memoryview(data)

    def read(offset: int, out: np.ndarray) -> int:
        chunk = view[offset : offset + out.size]
        out[: len(chunk)] = np.frombuffer(chunk, np.uint8)
        return len(chunk)

    return _arrays(bytes(view[: 8 + int.from_bytes(data[:8], "little")]), read, source)


def _check_format(head: bytes, size: int, source: str) -> None:
    if size < 9:
        return  # too short for any format; the validation says how
    error = foreign_format_error(sniff(head, size), source)
    if error is not None:
        raise error


def _open_lib(path: str) -> None:
    from safetensors import safe_open

    with safe_open(path, framework="numpy") as f:
        f.keys()


def _validate(check: Callable[[], None], header: bytes, size: int, source: str) -> None:
    """Run the package's validation; turn its complaint into a sentence (see ``_diagnose.explain``)."""
    from safetensors import SafetensorError

    try:
        check()
    except SafetensorError as e:
        raise corrupt(source, explain(str(e), header, size)) from None


def _arrays(header: bytes, read: Callable[[int, np.ndarray], int], source: str) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """The metadata and arrays of a validated file whose first ``8 + n`` bytes are ``header``;
    ``read(offset, out)`` fills the byte array ``out`` from the file at ``offset``."""
    n = int.from_bytes(header[:8], "little")
    entries = json.loads(header[8 : 8 + n])
    metadata = entries.pop("__metadata__", None) or {}
    sums = _checksums(metadata, source)
    arrays: dict[str, np.ndarray] = {}
    for name, info in sorted(entries.items(), key=lambda kv: kv[1]["data_offsets"][0]):  # the order of the bytes
        code, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if code not in DTYPES:
            raise CheckpointError(
                f"{source}: tensor '{name}' has dtype {code}, which chainrule cannot represent (it reads "
                f"{', '.join(DTYPES)}). Convert it before saving, e.g. in PyTorch "
                f"`{{k: v.float() for k, v in state_dict.items()}}`."
            )
        if len(shape) > MAX_DIMS:
            raise corrupt(source, f"tensor '{name}' has {len(shape)} dimensions; at most {MAX_DIMS} are possible")
        raw = np.empty(end - begin, np.uint8)
        got = read(8 + n + begin, raw) if raw.size else 0
        if got != raw.size:  # the file shrank after it was validated
            raise corrupt(source, f"the data of tensor '{name}' is cut short: {got} of {raw.size} bytes could be read")
        if name in sums and (zlib.crc32(raw) if raw.size else 0) != sums[name]:
            raise corrupt(source, f"the bytes of tensor '{name}' do not match the checksum written with them, so the "
                                  f"data was changed after it was saved")
        try:
            arr = raw.view(DTYPES[code]).reshape(shape)
        except ValueError as e:
            raise corrupt(source, f"tensor '{name}' has the shape {shape}, which NumPy cannot hold ({e})") from None
        if code == "BF16":  # bfloat16 is the top half of a float32
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        elif code == "BOOL":  # any nonzero byte is True
            arr = arr.view(np.uint8).astype(np.bool_)
        elif sys.byteorder != "little" and arr.dtype.itemsize > 1:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        arrays[name] = arr
    return metadata, {name: arrays[name] for name in entries}  # header order


def _checksums(metadata: dict[str, str], source: str) -> dict[str, int]:
    text = metadata.get(CHECKSUMS)
    if text is None:
        return {}
    try:
        sums = json.loads(text)
    except ValueError:
        sums = None
    if not isinstance(sums, dict) or not all(type(v) is int for v in sums.values()):
        raise corrupt(source, f"its checksums ({CHECKSUMS} in the metadata) are damaged")
    return sums
