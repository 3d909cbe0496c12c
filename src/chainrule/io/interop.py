"""Weight exchange with PyTorch through safetensors, both ways, without importing torch.

PyTorch -> chainrule: ``safetensors.torch.save_file(torch_model.state_dict(), path)`` in PyTorch,
then :func:`load_torch_weights` ``(model, path)`` here, which returns a :class:`WeightLoadReport`
(missing, unexpected and mis-shaped keys, dtype conversions, stripped prefixes). chainrule ->
PyTorch: :func:`save_torch_weights` ``(model, path)`` here, then
``torch_model.load_state_dict(safetensors.torch.load_file(path))`` in PyTorch, whose own
``load_state_dict`` does the reporting on that side.

Values are copied into the model's existing tensors and take their dtype, as with PyTorch's
``load_state_dict``: float32/float64/int64 weights are kept as they are when the model has the
same dtype; float16 and bfloat16 (and any other dtype) are converted to the parameter's dtype,
and every conversion is listed in the report. ``assign=True`` instead makes each tensor take the
file's dtype, except float16/bfloat16, which are always converted (chainrule computes in
float32/float64). Buffers (BatchNorm running statistics, ``num_batches_tracked``) are included.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._atomic import atomic_write
from ._errors import CheckpointError
from ._safetensors import DTYPES, encode

__all__ = ["load_torch_weights", "save_torch_weights", "WeightLoadReport", "WeightLoadError", "DEFAULT_PREFIXES"]

#: What ``strip_prefixes=True`` removes: DistributedDataParallel / DataParallel and torch.compile wrappers.
DEFAULT_PREFIXES: tuple[str, ...] = ("module.", "_orig_mod.")
_WRAPPER = {"module.": "DistributedDataParallel / DataParallel", "_orig_mod.": "torch.compile"}
_HALF = ("float16", "bfloat16")
_SHOWN = 40  # keys listed per category in an error message (the report has them all)

Shape = tuple[int, ...]


@dataclass
class WeightLoadReport:
    """What :func:`load_torch_weights` did: which model keys were filled and what did not fit.

    ``mismatched`` holds ``(key, model_shape, file_shape)``; ``converted`` holds
    ``(key, file_dtype, model_dtype)``; ``renamed`` maps each file key whose prefix was stripped to
    the model key it became; ``tied`` lists model keys absent from the file that share their tensor
    with a loaded key (weight tying); ``kept`` lists absent ``num_batches_tracked`` buffers, which
    keep their value (PyTorch's norm layers treat them as optional too).
    """

    source: str
    model: str
    loaded: list[str] = field(default_factory=list)
    missing_keys: list[str] = field(default_factory=list)
    unexpected_keys: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, Shape, Shape]] = field(default_factory=list)
    converted: list[tuple[str, str, str]] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    tied: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    hint: str = ""

    @property
    def ok(self) -> bool:
        """True when every model key was filled and every file key was used."""
        return not (self.missing_keys or self.unexpected_keys or self.mismatched)

    def __str__(self) -> str:
        lines = [f"Loaded {len(self.loaded)} tensor(s) from {self.source} into {self.model}"
                 + (": all keys matched." if self.ok else ".")]
        lines += [f"  {line}" for line in _problems(self, limit=None)]
        if self.converted:
            lines.append(f"  dtype converted ({len(self.converted)}): "
                         + ", ".join(f"{k} {a} -> {b}" for k, a, b in self.converted))
        if self.renamed:
            counts = _prefix_counts(self.renamed)
            lines.append("  prefixes stripped: " + ", ".join(f"'{p}' ({n} key(s))" for p, n in counts.items()))
        if self.tied:
            lines.append(f"  tied to a loaded tensor ({len(self.tied)}): " + ", ".join(self.tied))
        if self.kept:
            lines.append(f"  not in the file, value kept ({len(self.kept)}): " + ", ".join(self.kept))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class WeightLoadError(RuntimeError):
    """Raised by ``load_torch_weights(strict=True)`` when the weights do not fit; ``.report`` has the details."""

    def __init__(self, message: str, report: WeightLoadReport) -> None:
        super().__init__(message)
        self.report = report


def load_torch_weights(
    model: Any,
    source: str | os.PathLike[str] | Mapping[str, Any] | Any,
    *,
    strict: bool = True,
    strip_prefixes: bool | str | Iterable[str] = False,
    assign: bool = False,
) -> WeightLoadReport:
    """Load PyTorch weights into a chainrule ``model`` of the same architecture; return a report.

    ``source``: a ``.safetensors`` path (e.g. from ``safetensors.torch.save_file(m.state_dict(), p)``),
    an already-loaded mapping of tensors (chainrule or torch tensors, NumPy arrays), or an object
    with a ``state_dict()`` method. ``strip_prefixes``: ``True`` removes the ``module.`` and
    ``_orig_mod.`` prefixes that DistributedDataParallel and torch.compile add; or give the prefix
    or prefixes to remove (each is removed, repeatedly, from the start of the file's keys).
    ``strict=True``: any missing, unexpected or mis-shaped key raises one :class:`WeightLoadError`
    listing them all, and nothing is loaded. ``strict=False``: what fits is loaded, the rest is in
    the report. ``assign``: as in ``load_state_dict`` (see the module docstring for dtypes).
    """
    prefixes = _prefixes(strip_prefixes)
    if not hasattr(model, "state_dict") or not hasattr(model, "load_state_dict"):
        raise TypeError(f"load_torch_weights: expected a chainrule nn.Module as the model, got {type(model).__name__}")
    arrays, dtypes, where = _read_source(source)
    renamed: dict[str, str] = {}
    if prefixes:
        arrays, dtypes, renamed = _strip(arrays, dtypes, prefixes, where)
    own = model.state_dict(keep_vars=True)
    report = WeightLoadReport(source=where, model=type(model).__name__, renamed=renamed)
    prepared: dict[str, np.ndarray] = {}
    absent = []
    for key, target in own.items():
        if key not in arrays:
            absent.append(key)
            continue
        arr, want = arrays[key], tuple(target.shape)
        if want == () and arr.shape == (1,):  # PyTorch loads 1-element tensors into 0-d ones too
            arr = arr.reshape(())
        if arr.shape != want:
            report.mismatched.append((key, want, tuple(arr.shape)))
            continue
        model_dtype = target.detach().numpy().dtype
        keep = assign and dtypes[key] not in _HALF
        if dtypes[key] != model_dtype.name and not keep:
            report.converted.append((key, dtypes[key], model_dtype.name))
        prepared[key] = arr if keep else arr.astype(model_dtype, copy=False)
        report.loaded.append(key)
    loaded_ids = {id(own[k]) for k in prepared}
    for key in absent:
        if id(own[key]) in loaded_ids:
            report.tied.append(key)
        elif key.rpartition(".")[2] == "num_batches_tracked" and getattr(
                model.get_submodule(key.rpartition(".")[0]), "track_running_stats", False):
            report.kept.append(key)
        else:
            report.missing_keys.append(key)
    report.unexpected_keys = [k for k in arrays if k not in own]
    report.hint = _hint(report, own, prefixes)
    if strict and not report.ok:
        message = _error_message(report, len(own))
        report.loaded, report.converted = [], []
        raise WeightLoadError(message, report)
    model.load_state_dict(prepared, strict=False, assign=assign)
    return report


def save_torch_weights(
    model_or_state_dict: Any,
    path: str | os.PathLike[str],
    *,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Write ``model.state_dict()`` (or a flat state dict) as a plain safetensors file for PyTorch.

    Load it in PyTorch with ``model.load_state_dict(safetensors.torch.load_file(path))``. The file
    holds only the tensors under their state-dict keys, with ``{"format": "pt"}`` metadata (what
    Hugging Face tools expect) plus ``metadata`` and a CRC-32 of each tensor (``chainrule.crc32``,
    which ``chainrule.load`` checks); chainrule reads it back with ``chainrule.load``.
    The write is atomic. Raises TypeError for a value that is not a tensor (e.g. a nested dict).
    """
    sd = model_or_state_dict.state_dict() if hasattr(model_or_state_dict, "state_dict") else model_or_state_dict
    if not isinstance(sd, Mapping):
        raise TypeError(f"save_torch_weights: expected a chainrule nn.Module or a state dict, got {type(sd).__name__}")
    arrays = {}
    for key, value in sd.items():
        if not isinstance(key, str):
            raise TypeError(f"save_torch_weights: state dict keys must be str, got {key!r} ({type(key).__name__})")
        if hasattr(value, "detach") and hasattr(value, "numpy"):
            value = value.detach().numpy()
        if not isinstance(value, np.ndarray):
            raise TypeError(
                f"save_torch_weights: the value of '{key}' is not a tensor but a {type(value).__name__}; a file "
                f"for PyTorch holds a flat state dict of tensors. Use chainrule.save for nested checkpoints."
            )
        arrays[key] = np.ascontiguousarray(value)
    meta = {"format": "pt"}
    for k, v in (metadata or {}).items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"save_torch_weights: metadata must map str to str, got {k!r}: {type(v).__name__}")
        meta[k] = v
    try:
        atomic_write(path, encode(arrays, meta))
    except OSError as e:
        raise CheckpointError(
            f"could not save the weights to '{os.fspath(path)}': {e.strerror or e}. Nothing was overwritten. "
            f"Check that the folder exists and is writable and that the disk is not full."
        ) from e


# --- reading the source -------------------------------------------------------------------------
def _read_source(source: Any) -> tuple[dict[str, np.ndarray], dict[str, str], str]:
    """The source's arrays and original dtype names by key, and a description of it."""
    if isinstance(source, (str, os.PathLike)):
        from . import load

        where = f"'{os.fspath(source)}'"
        from ._torch_zip import is_torch_zip

        sd = load(source)
        codes = {} if is_torch_zip(source) else _header_dtypes(source)
    elif isinstance(source, Mapping):
        where, sd, codes = "the given state dict", source, {}
    elif callable(getattr(source, "state_dict", None)):
        where, sd, codes = f"the {type(source).__name__}'s state_dict()", source.state_dict(), {}
    else:
        raise TypeError(
            f"load_torch_weights: expected a .safetensors path, a state dict (mapping of tensors) or a module "
            f"as the source, got {type(source).__name__}"
        )
    if not isinstance(sd, Mapping):
        raise TypeError(f"load_torch_weights: {where} holds a {type(sd).__name__}, not a state dict of tensors")
    arrays, dtypes = {}, {}
    for key, value in sd.items():
        arr, name = _to_numpy(key, value, where, sd)
        arrays[key] = arr
        dtypes[key] = codes.get(key, name)
    return arrays, dtypes, where


def _to_numpy(key: Any, value: Any, where: str, sd: Mapping[str, Any]) -> tuple[np.ndarray, str]:
    if not isinstance(key, str):
        raise TypeError(f"load_torch_weights: {where} has the non-string key {key!r}; state dict keys are str")
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):  # a torch.Tensor, without importing torch
        name = str(value.dtype).rpartition(".")[2]
        value = value.detach().cpu()
        try:
            return (value.float() if name == "bfloat16" else value).numpy(), name
        except TypeError:  # float8, complex32...: no NumPy dtype
            raise TypeError(
                f"load_torch_weights: '{key}' in {where} has dtype torch.{name}, which chainrule cannot represent; "
                f"convert it in PyTorch first, e.g. {{k: v.float() for k, v in state_dict.items()}}"
            ) from None
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a chainrule Tensor
        arr = value.detach().numpy()
        return arr, arr.dtype.name
    if isinstance(value, (np.ndarray, np.generic, int, float, bool)):
        arr = np.asarray(value)
        return arr, arr.dtype.name
    hint = ""
    if isinstance(value, Mapping) and any(isinstance(v, Mapping) for v in sd.values()):
        hint = f" It looks like a full training checkpoint: pass its model entry, e.g. chainrule.load(path)[{key!r}]."
    raise TypeError(f"load_torch_weights: the value of '{key}' in {where} is not a tensor but a {type(value).__name__}.{hint}")


def _header_dtypes(path: str | os.PathLike[str]) -> dict[str, str]:
    """The dtype names stored in a safetensors header (so bfloat16 is named, though read as float32)."""
    names = {code: ("bfloat16" if code == "BF16" else dt.name) for code, dt in DTYPES.items()}
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(os.fspath(path), framework="numpy") as f:
            return {k: names[f.get_slice(k).get_dtype()] for k in f.keys()}
    except (OSError, SafetensorError, KeyError):  # load() already validated the file; be lenient
        return {}


# --- prefixes -----------------------------------------------------------------------------------
def _prefixes(strip: bool | str | Iterable[str] | None) -> tuple[str, ...]:
    if strip is None or strip is False:
        return ()
    if strip is True:
        return DEFAULT_PREFIXES
    items = (strip,) if isinstance(strip, str) else tuple(strip) if isinstance(strip, Iterable) else ()
    if not items or not all(isinstance(p, str) and p for p in items):
        raise TypeError(
            f"load_torch_weights: strip_prefixes must be True, False, a prefix or a tuple of non-empty prefixes "
            f"such as ('module.', '_orig_mod.'); got {strip!r}"
        )
    return items


def _strip(arrays: dict[str, np.ndarray], dtypes: dict[str, str], prefixes: tuple[str, ...],
           where: str) -> tuple[dict[str, np.ndarray], dict[str, str], dict[str, str]]:
    out, out_dtypes, renamed, origin = {}, {}, {}, {}
    for key, arr in arrays.items():
        new = key
        while any(new.startswith(p) for p in prefixes):
            new = new[len(next(p for p in prefixes if new.startswith(p))):]
        if new in origin:
            raise ValueError(
                f"load_torch_weights: stripping {prefixes} from the keys of {where} maps both "
                f"'{origin[new]}' and '{key}' to '{new}'; strip fewer prefixes or pass the state dict you want."
            )
        origin[new] = key
        out[new], out_dtypes[new] = arr, dtypes[key]
        if new != key:
            renamed[key] = new
    return out, out_dtypes, renamed


def _prefix_counts(renamed: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for old, new in renamed.items():
        p = old[: len(old) - len(new)]
        counts[p] = counts.get(p, 0) + 1
    return counts


def _hint(report: WeightLoadReport, own: Mapping[str, Any], prefixes: tuple[str, ...]) -> str:
    """Explain keys that differ only by a leading prefix, and how to fix that."""
    missing, unexpected = set(report.missing_keys), report.unexpected_keys
    if not missing or not unexpected:
        return ""
    extra: dict[str, int] = {}  # prefix the file has and the model lacks
    lacking: dict[str, int] = {}  # prefix the model has and the file lacks
    for u in unexpected:
        for i, ch in enumerate(u):
            if ch == "." and u[i + 1:] in missing:
                extra[u[: i + 1]] = extra.get(u[: i + 1], 0) + 1
    unexpected_set = set(unexpected)
    for m in missing:
        for i, ch in enumerate(m):
            if ch == "." and m[i + 1:] in unexpected_set:
                lacking[m[: i + 1]] = lacking.get(m[: i + 1], 0) + 1
    if extra:
        found = sorted(extra, key=lambda p: (-extra[p], len(p)))
        shown = [p for p in found if extra[p] * 2 >= extra[found[0]]]
        names = ", ".join(f"'{p}'" + (f" (added by {' and '.join(_wrappers(p))})" if _wrappers(p) else "") for p in shown)
        arg = "True" if all(_wrappers(p) for p in shown) else repr(tuple(dict.fromkeys((*prefixes, *shown))))
        return (f"the file's keys differ from the model's only by the prefix {names}: "
                f"pass strip_prefixes={arg}.")
    if lacking:
        p = max(lacking, key=lambda q: (lacking[q], -len(q)))
        return (f"the model's keys start with '{p}' where the file's do not: the file holds the weights of that "
                f"part only; load it with load_torch_weights(model.get_submodule({p[:-1]!r}), ...).")
    return ""


def _wrappers(prefix: str) -> list[str]:
    """The wrappers whose prefixes make up ``prefix`` exactly (e.g. '_orig_mod.module.'), else []."""
    names = []
    while prefix:
        p = next((p for p in DEFAULT_PREFIXES if prefix.startswith(p)), None)
        if p is None:
            return []
        names.append(_WRAPPER[p])
        prefix = prefix[len(p):]
    return names


def _problems(report: WeightLoadReport, limit: int | None) -> list[str]:
    def listing(keys: list[str]) -> str:
        shown = keys if limit is None else keys[:limit]
        more = f" and {len(keys) - len(shown)} more (error.report lists them all)" if len(keys) > len(shown) else ""
        return ", ".join(shown) + more

    out = []
    if report.missing_keys:
        out.append(f"missing from the weights ({len(report.missing_keys)}): {listing(report.missing_keys)}")
    if report.unexpected_keys:
        out.append(f"unexpected, not in the model ({len(report.unexpected_keys)}): {listing(report.unexpected_keys)}")
    if report.mismatched:
        items = [f"{k} (model {list(a)}, file {list(b)})" for k, a, b in report.mismatched]
        out.append(f"different shape ({len(items)}): {listing(items)}")
    return out


def _error_message(report: WeightLoadReport, n_model: int) -> str:
    if report.hint:
        advice = f"Hint: {report.hint[0].upper()}{report.hint[1:]}"
    else:
        advice = "Check that both models are built with the same options (layer sizes, heads, bias...)"
        advice += (f", or pass strict=False to load the {len(report.loaded)} matching tensor(s) and get a report "
                   f"of the rest." if report.loaded else ".")
    return (
        f"load_torch_weights: the weights in {report.source} do not fit this {report.model} "
        f"({len(report.loaded) + len(report.tied)} of its {n_model} keys match); "
        f"nothing was loaded.\n  " + "\n  ".join(_problems(report, _SHOWN)) + "\n" + advice
    )
