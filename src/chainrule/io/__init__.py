"""Checkpoints: ``chainrule.save`` / ``chainrule.load`` in safetensors plus JSON, never pickle.

One ``.safetensors`` file holds every Tensor and NumPy array of a nested structure (state dicts,
optimizer/scheduler states, RNG states, epoch counters...) under '/'-joined keys; the rest of the
structure is JSON in the safetensors metadata under ``"chainrule"``, with a format name and version.
A flat ``model.state_dict()`` keeps its keys verbatim, so PyTorch reads it with
``safetensors.torch.load_file`` and chainrule reads PyTorch's ``safetensors.torch.save_file`` output
as a flat dict of Tensors (bfloat16 tensors are widened to float32, chainrule's stand-in for
bfloat16; unsigned 16/32/64-bit tensors to int64). Saving to a path is atomic
(:func:`atomic_write`): a crash at any moment leaves the previous checkpoint intact.

Reading: the ``safetensors`` package validates the header, chainrule names what is wrong with a bad
file (truncated, pickle, ``torch.save`` zip, ``.npy``...), reads only regular files, each tensor
straight into its array (memory: the file's size once) and checks the CRC-32 of every tensor that
``save`` stores in the metadata (files without it, e.g. from PyTorch, load unchecked).

Round-trip fidelity: Tensors (dtype, shape, ``requires_grad``, ``nn.Parameter``), arrays (exact
dtype, including unsigned ints), NumPy scalars, dict (any hashable plain keys; ``OrderedDict``
stays ordered), list vs tuple, int/float (incl. nan/inf)/str/bytes/bool/None and chainrule dtypes.
Not kept: memory sharing between tensors (each is stored once per occurrence), ``.grad``,
autograd history, NumPy byte order (always native on loading) and namedtuple/subclass types.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from ._atomic import atomic_write
from ._errors import CheckpointError, CheckpointNotFoundError
from ._safetensors import corrupt, encode, read_bytes, read_path
from ._torch_zip import UnsafeCheckpointError  # noqa: F401  (torch.save files holding more than data)
from ._tree import flatten, unflatten
from .interop import WeightLoadError, WeightLoadReport, load_torch_weights, save_torch_weights

__all__ = [
    "save", "load", "save_file", "load_file", "atomic_write", "check_compatible",
    "CheckpointError", "CheckpointNotFoundError", "FORMAT", "VERSION",
    "load_torch_weights", "save_torch_weights", "WeightLoadReport", "WeightLoadError",
]

FORMAT = "chainrule-checkpoint"
VERSION = 1



def save(obj: Any, f: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``obj`` to ``f`` (a path: atomically; or a binary file object) as safetensors + JSON.

    Raises TypeError for objects that cannot be stored (before anything is written) and
    CheckpointError if the file cannot be written (the previous file stays as it was).
    """
    if callable(getattr(obj, "state_dict", None)) and callable(getattr(obj, "load_state_dict", None)):
        kind = type(obj).__name__
        raise TypeError(
            f"chainrule.save: cannot save a whole {kind} object; save its state instead: "
            f"chainrule.save(obj.state_dict(), path), and later rebuild the {kind} and call "
            f"obj.load_state_dict(chainrule.load(path)). Checkpoints hold tensors and plain data, never pickled code."
        )
    tree, arrays = flatten(obj)
    doc = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree}, separators=(",", ":"), allow_nan=False)
    data = encode(arrays, {"chainrule": doc})
    if isinstance(f, (str, os.PathLike)):
        try:
            atomic_write(f, data)
        except OSError as e:
            raise CheckpointError(
                f"could not save the checkpoint to '{os.fspath(f)}': {e.strerror or e}. Nothing was "
                f"overwritten (the previous file, if any, is intact). Check that the folder exists and is "
                f"writable and that the disk is not full, or choose another path."
            ) from e
    elif hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(f"chainrule.save: expected a path or a binary file object, got {type(f).__name__}")


def load(
    f: str | os.PathLike[str] | IO[bytes],
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Read what :func:`save` wrote, or a flat safetensors file from elsewhere (-> dict of Tensors).

    ``map_location``, ``pickle_module``, ``weights_only``, ``mmap`` and extra keywords are accepted
    for ``torch.load`` compatibility and ignored: everything loads on the CPU, and nothing is ever
    unpickled, so loading is always as safe as ``weights_only=True``. Raises CheckpointError
    (CheckpointNotFoundError for a missing file) with a message saying what to do.
    A file written by ``torch.save`` (zip format) is read by a restricted unpickler instead: see
    ``chainrule.io._torch_zip`` (tensors, state dicts and plain data only; ``mmap=True`` maps it).
    """
    from ._torch_zip import is_torch_zip, load_torch_file

    if is_torch_zip(f):
        return load_torch_file(f, map_location, weights_only=weights_only, mmap=mmap)
    metadata, arrays, source = _read(f)
    doc = metadata.get("chainrule")
    if doc is None:
        from .._tensor import Tensor

        return {k: Tensor._make(a.astype(np.int64) if a.dtype.kind == "u" and a.itemsize > 1 else a)
                for k, a in arrays.items()}
    try:
        doc = json.loads(doc)
        fmt, version, tree = doc["format"], doc["version"], doc["tree"]
    except (ValueError, KeyError, TypeError, RecursionError) as e:
        raise corrupt(source, f"its chainrule metadata is damaged: {e}") from None
    if fmt != FORMAT:
        raise corrupt(source, f"its chainrule metadata names the unknown format {fmt!r}")
    if type(version) is not int or version > VERSION:
        raise CheckpointError(
            f"{source} was written by a newer chainrule (checkpoint format version {version}; this "
            f"chainrule reads version {VERSION} and older). Update your chainrule clone (`git pull`) and reinstall it (`python -m pip install .`)."
        )
    try:
        return unflatten(tree, arrays)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError) as e:
        raise corrupt(source, f"its structure description does not match its tensors: {e!r}") from None


save_file = save
load_file = load


def _read(f: str | os.PathLike[str] | IO[bytes]) -> tuple[dict[str, str], dict[str, np.ndarray], str]:
    """The metadata and arrays of the safetensors file ``f`` (a path or a binary file object), and
    how to name it in messages."""
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        source = f"'{path}'"
        return (*read_path(path, source), source)
    if hasattr(f, "read"):
        _refuse_device(f)
        data = f.read()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("chainrule.load: the file object must be opened in binary mode ('rb')")
        name = getattr(f, "name", None)
        source = f"'{name}'" if isinstance(name, str) else "the checkpoint stream"
        return (*read_bytes(bytes(data), source), source)
    raise TypeError(f"chainrule.load: expected a path or a binary file object, got {type(f).__name__}")


def _refuse_device(f: IO[bytes]) -> None:
    """A stream on a device (e.g. ``open("/dev/zero", "rb")``) would be read without end: refuse it."""
    try:
        mode = os.fstat(f.fileno()).st_mode
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return  # an in-memory stream
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        name = getattr(f, "name", "the stream")
        raise CheckpointError(f"'{name}' is a device, not a checkpoint file; chainrule reads checkpoints from "
                              "regular files (or streams over them). Save the checkpoint to a file and pass its path.")


def check_compatible(model: Any, state_dict: Mapping[str, Any], *, source: str | None = None) -> None:
    """Raise CheckpointError unless ``state_dict`` has exactly ``model``'s keys and shapes.

    Call it before ``model.load_state_dict(state_dict)`` to turn an architecture mismatch into one
    paragraph listing the missing, unexpected and mis-shaped keys. ``source`` names the file.
    """
    where = f"The checkpoint {source}" if source else "This checkpoint"
    if not isinstance(state_dict, Mapping):
        raise CheckpointError(f"{where} does not hold a model state dict (a dict of tensors), but a {type(state_dict).__name__}.")
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    shapes = [
        f"{k} (checkpoint {list(np.shape(state_dict[k]))}, model {list(own[k].shape)})"
        for k in own if k in state_dict and tuple(np.shape(state_dict[k])) != tuple(own[k].shape)
    ]
    if not (missing or unexpected or shapes):
        return
    parts = []
    for label, keys in (("missing from the checkpoint", missing), ("unexpected (not in the model)", unexpected),
                        ("with a different shape", shapes)):
        if keys:
            shown = ", ".join(keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
            parts.append(f"{len(keys)} key(s) {label}: {shown}")
    hint = ""
    if missing and set(missing) == set(own) and isinstance(state_dict.get("model"), Mapping):
        hint = " It looks like a full training checkpoint: pass its 'model' entry instead."
    raise CheckpointError(
        f"{where} was saved from a different architecture than this {type(model).__name__}: "
        f"{'; '.join(parts)}.{hint} Build the model with the same options (layer sizes, activation, "
        f"normalization...) as when the checkpoint was saved - a run's saved config has them - or "
        f"choose the checkpoint that belongs to this model."
    )
