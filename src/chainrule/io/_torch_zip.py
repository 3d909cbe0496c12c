"""Reading files written by ``torch.save`` (the zip format of PyTorch ≥ 1.6), safely.

Such a file is a zip archive ``<name>/data.pkl`` + ``<name>/data/<key>`` (one raw little-endian
storage per key) + ``<name>/byteorder``. ``data.pkl`` is a pickle, and a pickle can name any
importable callable and call it. This reader never runs such code: its unpickler resolves only an
allow-list of names — the tensor/parameter rebuild functions, storage and dtype markers,
``torch.Size``/``torch.device``, ``OrderedDict``/``Counter``, ``set``/``frozenset``/``bytearray``/
``complex`` and ``_codecs.encode`` (bytes) — each mapped to chainrule's own safe stand-in, as PyTorch's
``weights_only=True`` does. Any other global (a pickled Module, an optimizer object, ``os.system``,
``builtins.eval``, a NumPy array) is refused before it is called, with :class:`UnsafeCheckpointError`.

Tensors come back as chainrule Tensors on the CPU that share memory exactly where PyTorch's shared
(views of one storage keep sharing one NumPy buffer). bfloat16 storages are widened to float32
(chainrule's bfloat16), unsigned 16/32/64-bit ones to int64; complex, quantized, sparse and float8
tensors are refused with a clear error.
"""

from __future__ import annotations

import collections
import os
import pickle
import zipfile
from typing import IO, Any

import numpy as np

from ._errors import CheckpointError

__all__ = ["UnsafeCheckpointError", "is_torch_zip", "load_torch_file"]

_ZIP_MAGIC = b"PK\x03\x04"
_WHAT_TO_DO = (
    "If it holds a whole model saved with torch.save(model), save its weights instead — "
    "torch.save(model.state_dict(), path) — and load them with model.load_state_dict(chainrule.load(path)); "
    "other objects can be converted to tensors, numbers, strings and plain containers, or exchanged as "
    "safetensors (chainrule.io.load_torch_weights)."
)


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A ``torch.save`` file whose pickle names something other than tensors and plain data.

    It is also a ``pickle.UnpicklingError``, the class PyTorch raises for ``weights_only=True``.
    """


# --- what a storage or a dtype in the pickle stands for --------------------------------------------
_BF16 = "bfloat16"  # NumPy has no bfloat16: its bits are widened to float32 (chainrule.bfloat16)


class _StorageType:
    """The marker a ``torch.<Kind>Storage`` global resolves to: the element type of its bytes.

    ``np`` is a NumPy dtype, the tag ``"bfloat16"``, or None for an untyped (byte) storage.
    """

    __slots__ = ("name", "np")

    def __init__(self, name: str, np_dtype: Any) -> None:
        self.name = name
        self.np = np_dtype if np_dtype is None or isinstance(np_dtype, str) else np.dtype(np_dtype)

    @property
    def itemsize(self) -> int:
        """Bytes per element (1 for an untyped storage, whose numel counts bytes)."""
        return 1 if self.np is None else 2 if isinstance(self.np, str) else self.np.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _UnsupportedStorage:
    """A storage kind chainrule cannot hold (complex, quantized): refused when a tensor uses it."""

    __slots__ = ("name", "torch_dtype")

    def __init__(self, name: str, torch_dtype: str) -> None:
        self.name, self.torch_dtype = name, torch_dtype


_STORAGES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
    "BFloat16Storage": _BF16, "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}
_UNSUPPORTED_STORAGES = {
    "ComplexDoubleStorage": "complex128", "ComplexFloatStorage": "complex64", "QInt8Storage": "qint8",
    "QInt32Storage": "qint32", "QUInt8Storage": "quint8", "QUInt4x2Storage": "quint4x2",
    "QUInt2x4Storage": "quint2x4",
}
_DTYPES = ("float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool")
_WIDE_UNSIGNED = ("uint16", "uint32", "uint64")  # no chainrule dtype: their tensors load as int64


def _np_dtype(marker: Any) -> Any:
    """NumPy dtype (or the bfloat16 tag) of a dtype global resolved by :meth:`_Unpickler.find_class`."""
    from .. import _dtype

    if isinstance(marker, _dtype.dtype):
        return marker.np
    if isinstance(marker, _TorchOnlyDtype):
        return np.dtype(marker.name)
    raise CheckpointError(f"chainrule.load: a tensor's dtype is {marker!r}, not a dtype")


class _TorchOnlyDtype:
    """A PyTorch dtype chainrule has no object for (uint16/32/64): their tensors load as int64."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


# --- the rebuild functions the pickle calls ----------------------------------------------------------
class _Storage:
    """One ``data/<key>`` record: raw bytes, viewed as elements of one dtype (converted at most once)."""

    __slots__ = ("raw", "views", "key")

    def __init__(self, raw: np.ndarray, key: str) -> None:
        self.raw, self.views, self.key = raw, {}, key

    def elements(self, dt: Any, big_endian: bool) -> np.ndarray:
        """The storage as a 1-d array of ``dt`` (bfloat16 -> float32, uint16/32/64 -> int64)."""
        name = dt if isinstance(dt, str) else dt.str
        if name in self.views:
            return self.views[name]
        raw, order = self.raw, ">" if big_endian else "<"
        if isinstance(dt, str):  # bfloat16: the high half of a float32
            arr = (raw[: raw.size // 2 * 2].view(order + "u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = raw[: raw.size // dt.itemsize * dt.itemsize].view(dt.newbyteorder(order))
            if not arr.dtype.isnative:
                arr = arr.astype(dt.newbyteorder("="))
            if dt.kind == "u" and dt.itemsize > 1:
                arr = arr.astype(np.int64)  # chainrule has no uint16/32/64 (as its safetensors reader)
        self.views[name] = arr
        return arr


class _Loader:
    """State of one load: the archive, its prefix, byte order, mmap choice and storages read so far."""

    def __init__(self, zf: zipfile.ZipFile, prefix: str, source: str, path: str | None) -> None:
        self.zf, self.prefix, self.source, self.path = zf, prefix, source, path
        names = set(zf.namelist())
        order = prefix + "byteorder"
        self.big_endian = order in names and zf.read(order).strip() == b"big"
        self.storages: dict[str, _Storage] = {}

    def storage(self, key: str, nbytes: int) -> _Storage:
        """The bytes of record ``data/<key>`` (read once; memory-mapped copy-on-write if asked)."""
        if key in self.storages:
            return self.storages[key]
        name = f"{self.prefix}data/{key}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise _corrupt(self.source, f"its pickle refers to the storage '{key}', which the archive lacks") from None
        if info.file_size < nbytes:
            raise _corrupt(self.source, f"the storage '{key}' holds {info.file_size} bytes; the pickle needs {nbytes}")
        raw = self._mapped(info) if self.path is not None else None
        if raw is None:
            raw = np.empty(info.file_size, dtype=np.uint8)
            with self.zf.open(info) as fh:
                fh.readinto(memoryview(raw))  # type: ignore[attr-defined]
        st = self.storages[key] = _Storage(raw, key)
        return st

    def _mapped(self, info: zipfile.ZipInfo) -> np.ndarray | None:
        """A copy-on-write memory map of an uncompressed record (``mmap=True``), or None if compressed."""
        if info.compress_type != zipfile.ZIP_STORED or info.file_size == 0:
            return None
        with open(self.path, "rb") as fh:  # type: ignore[arg-type]
            fh.seek(info.header_offset)
            local = fh.read(30)
        if local[:4] != _ZIP_MAGIC:
            raise _corrupt(self.source, f"the local header of '{info.filename}' is damaged")
        start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
        return np.memmap(self.path, dtype=np.uint8, mode="c", offset=start, shape=(info.file_size,))

    def tensor(self, storage: Any, offset: int, size: Any, stride: Any, requires_grad: bool, dt: Any = None) -> Any:
        """A chainrule Tensor viewing ``storage`` at ``offset`` with ``size``/``stride`` (in elements)."""
        from .._tensor import Tensor

        if not isinstance(storage, tuple) or len(storage) != 2 or not isinstance(storage[0], _Storage):
            raise _corrupt(self.source, f"a tensor is built from {type(storage).__name__}, not from a storage")
        st, storage_dt = storage
        dt = storage_dt if dt is None else _np_dtype(dt)
        if dt is None:
            raise _corrupt(self.source, "a tensor views an untyped storage without naming its dtype")
        elems = st.elements(dt, self.big_endian)
        shape, strides, offset = _layout(size, stride, offset, elems.size, self.source)
        view = np.lib.stride_tricks.as_strided(elems[offset:] if elems.size else elems, shape,
                                               tuple(s * elems.itemsize for s in strides))
        t = Tensor._make(view)
        if requires_grad:
            if not t.is_floating_point():
                raise _corrupt(self.source, f"a {t.dtype} tensor is marked requires_grad")
            t.requires_grad_(True)
        return t


def _layout(size: Any, stride: Any, offset: Any, numel: int, source: str) -> tuple[tuple, tuple, int]:
    """Check a tensor's size/stride/offset against its storage (an untrusted file must not read past it)."""
    ok = (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride) and type(offset) is int
          and all(type(v) is int and v >= 0 for v in (*size, *stride, offset)))
    if not ok:
        raise _corrupt(source, f"a tensor has an invalid layout (size {size!r}, stride {stride!r}, offset {offset!r})")
    if 0 in size:
        return tuple(size), tuple(stride), 0
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= numel:
        raise _corrupt(source, f"a tensor of size {list(size)} (stride {list(stride)}, offset {offset}) reaches "
                               f"element {last} of a storage of {numel}")
    return tuple(size), tuple(stride), offset


def _corrupt(source: str, what: str) -> CheckpointError:
    return CheckpointError(f"chainrule.load: {source} is not a valid torch.save file: {what}. Re-save it with torch.save.")


class _Unpickler(pickle._Unpickler):  # the Python implementation: its opcode table can be restricted
    """An unpickler whose only reachable globals are the safe stand-ins of :meth:`find_class`.

    ``BUILD`` (set an object's state) is allowed only where a state dict needs it — plain attributes such
    as ``_metadata`` on an ``OrderedDict`` — so a file cannot rewrite a class, a dtype or a function.
    """

    dispatch = dict(pickle._Unpickler.dispatch)  # type: ignore[attr-defined]

    def __init__(self, fh: IO[bytes], loader: _Loader) -> None:
        super().__init__(fh)
        self.loader = loader
        self.allowed = _allowed(loader)

    def find_class(self, module: str, name: str) -> Any:
        """The stand-in for ``module.name`` if it is on the allow-list; otherwise refuse (nothing is imported)."""
        key = f"{'builtins' if module == '__builtin__' else module}.{name}"  # protocol 2 spells Python 2's name
        if key in self.allowed:
            return self.allowed[key]
        raise UnsafeCheckpointError(_refusal(self.loader.source, key))

    def persistent_load(self, pid: Any) -> Any:
        """``('storage', storage_type, key, location, numel)`` -> (storage bytes, element dtype)."""
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and isinstance(pid[2], str)):
            raise _corrupt(self.loader.source, f"its pickle holds an unknown persistent id {pid!r:.80}")
        _, kind, key, _location, numel = pid
        if isinstance(kind, _UnsupportedStorage):
            raise CheckpointError(
                f"chainrule.load: {self.loader.source} holds a {kind.torch_dtype} tensor; chainrule has no complex "
                f"or quantized dtypes. Convert it in PyTorch before saving (torch.view_as_real(t), t.dequantize())."
            )
        if not isinstance(kind, _StorageType) or type(numel) is not int or numel < 0:
            raise _corrupt(self.loader.source, f"its storage '{key}' has the unknown type {kind!r:.60}")
        return self.loader.storage(key, numel * kind.itemsize), kind.np

    def load_build(self) -> None:
        """``BUILD``: only plain, non-dunder attributes on an ``OrderedDict``/``Counter`` (e.g. ``_metadata``)."""
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) not in (collections.OrderedDict, collections.Counter) or not isinstance(state, dict) \
                or any(not isinstance(k, str) or k.startswith("__") for k in state):
            raise UnsafeCheckpointError(
                f"chainrule.load: refused to load {self.loader.source}: its pickle sets the state of a "
                f"{type(inst).__name__} object, which only pickled Python objects (not tensors and plain data) "
                f"need. {_WHAT_TO_DO}"
            )
        inst.__dict__.update(state)

    dispatch[pickle.BUILD[0]] = load_build


def _refusal(source: str, key: str) -> str:
    if key.startswith("torch._utils._rebuild_") or key.startswith("torch.sparse") or "qscheme" in key \
            or key.startswith("torch.per_"):
        what = f"a kind of tensor chainrule does not support ({key}: sparse, quantized, nested, meta or subclass)"
        return (f"chainrule.load: {source} holds {what}. Save dense CPU tensors instead "
                f"(in PyTorch: t.to_dense() / t.dequantize()).")
    if key.startswith("torch.nn.") or key.startswith("torch.optim.") or key.startswith("__main__."):
        found = f"a pickled Python object of class {key} (a whole module, optimizer or custom class)"
    else:
        found = f"a reference to the Python global {key}"
    return (f"chainrule.load: refused to load {source}: it holds {found}. Loading it would mean running code "
            f"named by the file, and chainrule only reads tensors, storages, state dicts, numbers, strings and "
            f"plain containers (as torch.load(weights_only=True)), even when weights_only=False is passed. "
            f"{_WHAT_TO_DO}")


def _allowed(loader: _Loader) -> dict[str, Any]:
    """The allow-list: PyTorch name -> chainrule's safe stand-in."""
    from .. import _dtype
    from .._device import device
    from .._tensor import Size

    def rebuild_tensor(storage: Any, offset: int, size: Any, stride: Any) -> Any:
        return loader.tensor(storage, offset, size, stride, False)

    def rebuild_tensor_v2(storage: Any, offset: int, size: Any, stride: Any, requires_grad: bool,
                          backward_hooks: Any = None, metadata: Any = None) -> Any:
        return loader.tensor(storage, offset, size, stride, bool(requires_grad))

    def rebuild_tensor_v3(storage: Any, offset: int, size: Any, stride: Any, requires_grad: bool,
                          backward_hooks: Any, dtype: Any, metadata: Any = None) -> Any:
        return loader.tensor(storage, offset, size, stride, bool(requires_grad), dtype)

    def rebuild_parameter(data: Any, requires_grad: bool, backward_hooks: Any = None, state: Any = None) -> Any:
        from ..nn.parameter import Parameter

        return Parameter(_as_tensor(data, loader.source), requires_grad=bool(requires_grad))

    def rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
        if func not in rebuilders or not isinstance(args, tuple):
            raise _corrupt(loader.source, "a tensor is rebuilt by an unexpected function")
        t = func(*args)
        return rebuild_parameter(t, t.requires_grad) if new_type is _PARAMETER and not _is_param(t) else t

    def encode(text: Any, encoding: str = "utf-8") -> bytes:
        if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
            raise _corrupt(loader.source, "its bytes are encoded in an unexpected way")
        return text.encode("latin1")

    def get_layout(name: Any) -> str:
        if name != "torch.strided":
            raise UnsafeCheckpointError(_refusal(loader.source, f"torch._utils._rebuild_ layout {name}"))
        return name

    rebuilders = (rebuild_tensor, rebuild_tensor_v2, rebuild_tensor_v3)
    allowed: dict[str, Any] = {
        "torch._utils._rebuild_tensor": rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rebuild_parameter,
        "torch._tensor._rebuild_from_type_v2": rebuild_from_type_v2,
        "torch.nn.parameter.Parameter": _PARAMETER,
        "torch.Tensor": _TENSOR,
        "torch.serialization._get_layout": get_layout,
        "torch.Size": Size,
        "torch.device": device,
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "_codecs.encode": encode,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.bytearray": bytearray,
        "builtins.complex": complex,
        "torch.storage.UntypedStorage": _StorageType("UntypedStorage", None),
    }
    for name, np_dt in _STORAGES.items():
        allowed[f"torch.{name}"] = _StorageType(name, np_dt)
    for name in _DTYPES:
        allowed[f"torch.{name}"] = getattr(_dtype, name)
    for name in _WIDE_UNSIGNED:
        allowed[f"torch.{name}"] = _TorchOnlyDtype(name)
    for name, torch_dt in _UNSUPPORTED_STORAGES.items():
        allowed[f"torch.{name}"] = _UnsupportedStorage(name, torch_dt)
    return allowed


class _TypeTag:
    """What ``torch.Tensor`` / ``torch.nn.Parameter`` resolve to: a tag read by ``_rebuild_from_type_v2``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_TENSOR, _PARAMETER = _TypeTag("Tensor"), _TypeTag("Parameter")


def _is_param(t: Any) -> bool:
    from ..nn.parameter import Parameter

    return isinstance(t, Parameter)


def _as_tensor(data: Any, source: str) -> Any:
    from .._tensor import Tensor

    if not isinstance(data, Tensor):
        raise _corrupt(source, f"a parameter wraps a {type(data).__name__}, not a tensor")
    return data


# --- entry points ------------------------------------------------------------------------------------
def is_torch_zip(f: Any) -> bool:
    """True for a ``torch.save`` zip archive (a zip with ``<name>/data.pkl``); a file object keeps its position.

    Anything else (safetensors, bare pickles, other zips) is left to the safetensors reader, which
    explains what the file is and what to do.
    """
    if isinstance(f, (str, os.PathLike)):
        if not os.path.isfile(f):
            return False  # FIFOs, devices, folders, missing files: the safetensors reader explains
        try:
            with open(f, "rb") as fh:
                return fh.read(4) == _ZIP_MAGIC and _has_data_pkl(fh)
        except OSError:
            return False  # the safetensors reader reports missing/unreadable files
    if not (hasattr(f, "read") and hasattr(f, "seek") and hasattr(f, "tell")):
        return False
    pos = f.tell()
    try:
        return f.read(4) == _ZIP_MAGIC and _has_data_pkl(f)
    finally:
        f.seek(pos)


def _has_data_pkl(fh: IO[bytes]) -> bool:
    try:
        fh.seek(0)
        return any(n.endswith("/data.pkl") and n.count("/") == 1 for n in zipfile.ZipFile(fh).namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


def load_torch_file(f: Any, map_location: Any = None, *, weights_only: bool | None = None,
                    mmap: bool | None = None) -> Any:
    """Load a ``torch.save`` zip file's tensors and plain data safely (see the module docstring).

    ``map_location`` may name the CPU (or be a dict/callable, ignored: everything loads on the CPU);
    a GPU device raises the CPU-only RuntimeError. ``weights_only`` is accepted: the load is always
    restricted. ``mmap=True`` maps a path's uncompressed storages copy-on-write instead of reading them.
    """
    _check_map_location(map_location)
    path = os.fspath(f) if isinstance(f, (str, os.PathLike)) else None
    source = f"'{path}'" if path is not None else "the checkpoint stream"
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise _corrupt(source, f"its zip archive cannot be read ({e})") from None
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if not pkl or any(n.endswith("/constants.pkl") for n in names):
            raise CheckpointError(
                f"chainrule.load: {source} is a TorchScript archive (torch.jit.save) or another zip, not a "
                f"torch.save file; chainrule cannot run TorchScript. Save the model's state_dict() with "
                f"torch.save(model.state_dict(), path) and load that into the chainrule model."
            )
        loader = _Loader(zf, pkl[0][: -len("data.pkl")], source, path if mmap else None)
        with zf.open(pkl[0]) as fh:
            try:
                return _Unpickler(fh, loader).load()
            except CheckpointError:
                raise
            except (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError, IndexError,
                    KeyError, RecursionError, MemoryError) as e:
                raise _corrupt(source, f"its pickle cannot be read as tensors and plain data ({type(e).__name__}: "
                                       f"{e})") from None


def _check_map_location(map_location: Any) -> None:
    from .._device import check_device, device

    if isinstance(map_location, (str, device)):
        check_device(map_location, "chainrule.load(map_location=...)")
