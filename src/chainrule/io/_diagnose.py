"""What is wrong with a file that is not a usable safetensors checkpoint, in words a person can act on.

The ``safetensors`` package decides whether a header is valid; its errors are terse
("incomplete metadata, file not fully covered"). :func:`explain` turns them into a sentence naming
the tensor and the byte counts involved, and :func:`sniff` names the foreign formats people most
often pass by mistake (pickle, the zip archives of ``torch.save`` and ``numpy.savez``, ``.npy``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from ._errors import CheckpointError

__all__ = ["sniff", "foreign_format_error", "corrupt", "explain", "MAX_HEADER"]

MAX_HEADER = 100_000_000  # the safetensors limit on the JSON header

_PICKLE_HINT = (
    "chainrule reads torch.save's default zip format with a reader that allows only tensors and plain data, "
    "and never unpickles anything else (unpickling runs arbitrary code). Convert it once, in PyTorch: "
    "`import torch, safetensors.torch; model.load_state_dict(torch.load(path)); "
    'safetensors.torch.save_file(model.state_dict(), "model.safetensors")`, '
    "then load the .safetensors file with chainrule.load."
)


def corrupt(source: str, detail: str) -> CheckpointError:
    """The error for a damaged file: what is wrong (``detail``), why it happens and what to do."""
    return CheckpointError(
        f"{source} is not a usable checkpoint: the file is corrupt or truncated ({detail}). This "
        f"happens when a copy or download did not finish, the disk filled up, or the file is not a "
        f"safetensors checkpoint at all. Use the previous checkpoint (or a backup), or re-create this "
        f"one by training again; chainrule's own saves are atomic and never leave a partial file."
    )


def sniff(head: bytes, size: int) -> str | None:
    """The format of a file that starts with ``head`` (its first 16 bytes or fewer) and has ``size``
    bytes: ``None`` when it may be safetensors, else ``"pickle"``, ``"zip"`` or ``"npy"`` (or
    ``"unknown"``). A safetensors file starts with an 8-byte header length followed by ``{``."""
    n = int.from_bytes(head[:8], "little")
    if len(head) >= 9 and n <= size - 8 and head[8:9] == b"{":
        return None
    if head[:1] == b"\x80":
        return "pickle"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if head[:6] == b"\x93NUMPY":
        return "npy"
    return "unknown"


def foreign_format_error(kind: str | None, source: str) -> CheckpointError | None:
    """The error for a file of a known foreign format (see :func:`sniff`); None for other formats."""
    if kind == "pickle":
        return CheckpointError(f"{source} is a bare pickle file (written by pickle.dump, or by torch.save with "
                               f"_use_new_zipfile_serialization=False). {_PICKLE_HINT}")
    if kind == "zip":
        return CheckpointError(
            f"{source} is a zip archive but not one torch.save writes (it has no <name>/data.pkl; NumPy's "
            f"savez writes such files). {_PICKLE_HINT} "
            f"For an .npz file: `chainrule.save(dict(numpy.load(path)), \"model.safetensors\")`."
        )
    if kind == "npy":
        return CheckpointError(
            f"{source} is a NumPy .npy file, not a checkpoint. Read it with numpy.load and wrap it with "
            f"chainrule.from_numpy, or save it with chainrule.save to make a checkpoint."
        )
    return None


def explain(message: str, header: bytes, size: int) -> str:
    """A sentence for the ``safetensors`` error ``message`` about a file of ``size`` bytes whose
    first ``8 + n`` bytes (or fewer, when the file is shorter) are ``header``."""
    if size == 0:
        return "it is empty: 0 bytes"
    if size < 8:
        return f"it is only {size} bytes long"
    n = int.from_bytes(header[:8], "little")
    if n > min(size - 8, MAX_HEADER):
        return f"its header claims {n} bytes but the file has {size} bytes"
    try:
        parsed = json.loads(header[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        return f"its header is not valid JSON: {e}"
    if not isinstance(parsed, dict):
        return "its header is not a JSON object"
    meta = parsed.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        return "its __metadata__ is not a mapping of strings"
    spans = []
    for name, info in parsed.items():
        entry = _entry(info)
        if entry is None:
            return f"the header entry of tensor '{name}' is malformed"
        code, shape, begin, end = entry
        numel = math.prod(shape)
        if any(math.prod(shape[: i + 1]) * _ITEMSIZE.get(code, 1) >= 2**64 for i in range(len(shape))):
            return f"tensor '{name}' declares the shape {shape}, whose byte size overflows"
        if code in _ITEMSIZE and (end - begin != numel * _ITEMSIZE[code] or begin > end):
            return f"tensor '{name}' has {end - begin} bytes for shape {shape} and dtype {code}"
        spans.append((begin, end, name))
    expected = 0
    for begin, end, name in sorted(spans):
        if begin != expected:
            return f"the data of tensor '{name}' does not start where the previous one ends"
        expected = end
    present = size - 8 - n
    if present < expected:
        return f"the tensor data is cut short: {present} of {expected} bytes are present"
    if present > expected:
        return f"{present - expected} unexpected bytes follow the tensor data"
    return message.removeprefix("Error while deserializing header: ").removeprefix("Error while deserializing: ")


_ITEMSIZE = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
             "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8, "C64": 8}


def _entry(info: Any) -> tuple[str, list[int], int, int] | None:
    """(dtype code, shape, begin, end) of a header entry, or None when its fields have the wrong types."""
    if not isinstance(info, dict):
        return None
    code, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if type(code) is not str or type(shape) is not list or type(offsets) is not list or len(offsets) != 2:
        return None
    if not all(type(d) is int and d >= 0 for d in [*shape, *offsets]):
        return None
    return code, shape, offsets[0], offsets[1]
