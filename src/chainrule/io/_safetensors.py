"""Reading and writing the safetensors container, with a diagnosis for every way a file can be bad.

Layout: 8-byte little-endian header length N, N bytes of JSON header
``{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}``, then
the tensor bytes (offsets relative to the end of the header). Writing goes through the
``safetensors`` package; reading is done here so that truncation, garbage, pickle and zip files
get a message a person can act on, and so that bfloat16 can be widened to float32.
"""

from __future__ import annotations

import json
import math

import numpy as np

from ._errors import CheckpointError

__all__ = ["encode", "decode", "DTYPES"]

# safetensors dtype codes NumPy can hold (BF16 is widened to float32 on reading).
DTYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype(np.bool_), "U8": np.dtype("<u1"), "I8": np.dtype("<i1"), "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"), "F16": np.dtype("<f2"), "BF16": np.dtype("<u2"), "I32": np.dtype("<i4"),
    "U32": np.dtype("<u4"), "F32": np.dtype("<f4"), "I64": np.dtype("<i8"), "U64": np.dtype("<u8"),
    "F64": np.dtype("<f8"),
}
_MAX_HEADER = 100_000_000  # the safetensors limit

_PICKLE_HINT = (
    "chainrule never unpickles files: unpickling runs arbitrary code, so a checkpoint from an "
    "untrusted source could take over your machine. Convert it once, in PyTorch: "
    "`import torch, safetensors.torch; model.load_state_dict(torch.load(path)); "
    'safetensors.torch.save_file(model.state_dict(), "model.safetensors")`, '
    "then load the .safetensors file with chainrule.load."
)


def encode(tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` (C-contiguous little-endian arrays)."""
    from safetensors.numpy import save

    return save(tensors, metadata=metadata)


def corrupt(source: str, detail: str) -> CheckpointError:
    return CheckpointError(
        f"{source} is not a usable checkpoint: the file is corrupt or truncated ({detail}). This "
        f"happens when a copy or download did not finish, the disk filled up, or the file is not a "
        f"safetensors checkpoint at all. Use the previous checkpoint (or a backup), or re-create this "
        f"one by training again; chainrule's own saves are atomic and never leave a partial file."
    )


def _sniff(data: bytes, source: str) -> None:
    """Name the foreign formats people most often pass by mistake."""
    if data[:1] == b"\x80":
        raise CheckpointError(f"{source} is a pickle file (written by torch.save or pickle.dump). {_PICKLE_HINT}")
    if data[:4] == b"PK\x03\x04":
        raise CheckpointError(
            f"{source} is a zip archive, as written by torch.save (or NumPy's savez). {_PICKLE_HINT} "
            f"For an .npz file: `chainrule.save(dict(numpy.load(path)), \"model.safetensors\")`."
        )
    if data[:6] == b"\x93NUMPY":
        raise CheckpointError(
            f"{source} is a NumPy .npy file, not a checkpoint. Read it with numpy.load and wrap it with "
            f"chainrule.from_numpy, or save it with chainrule.save to make a checkpoint."
        )


def decode(data: bytes, source: str) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Validate a whole safetensors file; return its metadata and its arrays (fresh, writable)."""
    if not data:
        raise corrupt(source, "it is empty: 0 bytes")
    n = int.from_bytes(data[:8], "little")
    if len(data) < 9 or n > len(data) - 8 or data[8:9] != b"{":  # not a safetensors header: what is it?
        _sniff(data, source)
    if len(data) < 8:
        raise corrupt(source, f"it is only {len(data)} bytes long")
    if n > min(len(data) - 8, _MAX_HEADER):
        raise corrupt(source, f"its header claims {n} bytes but the file has {len(data)} bytes")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise corrupt(source, f"its header is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise corrupt(source, "its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise corrupt(source, "its __metadata__ is not a mapping of strings")
    buffer = memoryview(data)[8 + n :]
    spans = []
    for name, info in header.items():
        try:
            code, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
            ok = type(code) is str and all(type(d) is int and d >= 0 for d in shape) and type(begin) is int and type(end) is int
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise corrupt(source, f"the header entry of tensor '{name}' is malformed")
        if code not in DTYPES:
            raise CheckpointError(
                f"{source}: tensor '{name}' has dtype {code}, which chainrule cannot represent (it reads "
                f"{', '.join(DTYPES)}). Convert it before saving, e.g. in PyTorch "
                f"`{{k: v.float() for k, v in state_dict.items()}}`."
            )
        if end - begin != math.prod(shape) * DTYPES[code].itemsize or begin < 0 or begin > end:
            raise corrupt(source, f"tensor '{name}' has {end - begin} bytes for shape {shape} and dtype {code}")
        spans.append((begin, end, name, code, shape))
    expected = 0
    for begin, end, name, _, _ in sorted(spans):
        if begin != expected:
            raise corrupt(source, f"the data of tensor '{name}' does not start where the previous one ends")
        expected = end
    if len(buffer) < expected:
        raise corrupt(source, f"the tensor data is cut short: {len(buffer)} of {expected} bytes are present")
    if len(buffer) > expected:
        raise corrupt(source, f"{len(buffer) - expected} unexpected bytes follow the tensor data")
    arrays = {}
    for begin, end, name, code, shape in spans:  # header order
        arr = np.frombuffer(buffer[begin:end], dtype=DTYPES[code]).reshape(shape)
        if code == "BF16":  # bfloat16 is the top half of a float32
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        elif code == "BOOL":  # any nonzero byte is True
            arr = arr.view(np.uint8) != 0
        arrays[name] = np.array(arr, dtype=arr.dtype.newbyteorder("="))  # a copy: writable, aligned, 0-d stays an array
    return metadata, arrays
