"""``SummaryWriter``: scalars, histograms, text and images into a TensorBoard event file, as PyTorch's.

Events are kept in memory and appended to the file every ``max_queue`` events, every
``flush_secs`` seconds (checked when an event is added), on ``flush()`` and on ``close()``. An
event file is an append-only log that TensorBoard reads while it grows; each record carries CRCs,
so a record cut short by a crash is detected and skipped by readers.
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time
import warnings
from datetime import datetime
from typing import Any

import numpy as np

from . import _records as rec

__all__ = ["SummaryWriter"]

_file_ids = itertools.count()


def _tf_bins() -> np.ndarray:
    """TensorBoard's default histogram edges: ±1e-12·1.1^k up to 1e20, and 0."""
    pos, v = [], 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return np.array([-x for x in reversed(pos)] + [0.0] + pos)


_TF_BINS = _tf_bins()


def _array(values: Any) -> np.ndarray:
    data = getattr(values, "_data", None)
    if data is None and hasattr(values, "detach") and hasattr(values, "numpy"):  # a torch tensor
        data = values.detach().numpy()
    return np.asarray(values if data is None else data)


def _number(op: str, value: Any) -> float:
    arr = _array(value)
    if arr.size != 1:
        raise ValueError(f"{op}: scalar_value should be a single number, got an array of shape {tuple(arr.shape)}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{op}: scalar_value should be a number, got {arr.dtype}")
    return float(arr.reshape(()))


def _step(step: Any) -> int | None:
    return None if step is None else int(_array(step).reshape(()))


def _to_hwc(img: np.ndarray, dataformats: str, op: str) -> np.ndarray:
    """An image array in ``dataformats`` as (H, W, C) uint8 with C in (3, 4), as PyTorch's writer converts it."""
    fmt = dataformats.upper()
    if len(set(fmt)) != len(fmt) or set(fmt) - set("NCHW") or len(fmt) < 2 or "H" not in fmt or "W" not in fmt:
        raise ValueError(f"{op}: dataformats should be letters of 'NCHW' with H and W, each once, got {dataformats!r}")
    if img.ndim != len(fmt):
        raise ValueError(f"{op}: an image of shape {tuple(img.shape)} does not match dataformats {dataformats!r}")
    order = [fmt.index(c) for c in "NCHW" if c in fmt]
    img = img.transpose(order)  # N?, C?, H, W
    if "C" not in fmt:
        img = np.expand_dims(img, 1 if "N" in fmt else 0)
    if "N" in fmt:  # a grid of up to 8 columns
        n, c, h, w = img.shape
        cols = min(n, 8)
        rows = -(-n // cols)
        grid = np.zeros((c, h * rows, w * cols), dtype=img.dtype)
        for k in range(n):
            grid[:, (k // cols) * h : (k // cols + 1) * h, (k % cols) * w : (k % cols + 1) * w] = img[k]
        img = grid
    if img.shape[0] not in (1, 3, 4):
        raise ValueError(f"{op}: images need 1, 3 or 4 channels, got {img.shape[0]} (dataformats {dataformats!r})")
    if img.shape[0] == 1:
        img = np.concatenate([img] * 3)
    scale = 1.0 if img.dtype == np.uint8 else 255.0
    hwc = (img.astype(np.float32) * scale).clip(0, 255).astype(np.uint8).transpose(1, 2, 0)
    return np.ascontiguousarray(hwc)


class _EventFile:
    """One ``events.out.tfevents.*`` file: a version header, then buffered events."""

    def __init__(self, log_dir: str, max_queue: int, flush_secs: float, filename_suffix: str) -> None:
        os.makedirs(log_dir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}."
                f"{next(_file_ids)}{filename_suffix}")
        self.path = os.path.join(log_dir, name)
        self._file: Any = open(self.path, "ab")  # noqa: SIM115 (kept open for the writer's life)
        self._pending: list[bytes] = []
        self._max_queue, self._flush_secs = max(1, int(max_queue)), flush_secs
        self._last_flush = time.monotonic()
        self.add(rec.event(time.time(), file_version="brain.Event:2"))
        self.flush()

    def add(self, event: bytes) -> None:
        if self._file is None:
            raise RuntimeError(f"SummaryWriter: the event file {self.path} is closed")
        self._pending.append(rec.record(event))
        if len(self._pending) >= self._max_queue or time.monotonic() - self._last_flush >= self._flush_secs:
            self.flush()

    def flush(self) -> None:
        if self._file is not None and self._pending:
            self._file.write(b"".join(self._pending))
            self._pending.clear()
            self._file.flush()
        self._last_flush = time.monotonic()

    def close(self) -> None:
        if self._file is not None:
            self.flush()
            self._file.close()
            self._file = None


class SummaryWriter:
    """Log to TensorBoard: ``w = SummaryWriter("runs/exp1"); w.add_scalar("Loss/train", loss, step)``.

    Args mirror PyTorch's: ``log_dir`` (default ``runs/<date>_<host><comment>``), ``comment``,
    ``purge_step`` (TensorBoard hides events at or after it left by an earlier, crashed run),
    ``max_queue`` and ``flush_secs`` (when buffered events reach the file), ``filename_suffix``.
    Values may be chainrule tensors, NumPy arrays or numbers. Written: scalars, histograms, text,
    images and matplotlib figures; ``add_graph`` is not supported (it warns and writes nothing).
    Use as a context manager to close it.
    """

    def __init__(self, log_dir: str | os.PathLike[str] | None = None, comment: str = "", purge_step: int | None = None,
                 max_queue: int = 10, flush_secs: float = 120, filename_suffix: str = "") -> None:
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self._files: dict[str, _EventFile] = {}
        self._file(self.log_dir, purge_step)

    def _file(self, log_dir: str, purge_step: int | None = None) -> _EventFile:
        f = self._files.get(log_dir)
        if f is None:
            f = self._files[log_dir] = _EventFile(log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            if purge_step is not None:  # SessionLog{status: START} at purge_step
                f.add(rec.event(time.time(), purge_step) + rec.field_bytes(6, rec.field_varint(1, 1)))
        return f

    def _add(self, values: list[bytes], step: Any, walltime: float | None, log_dir: str | None = None) -> None:
        event = rec.event(time.time() if walltime is None else float(walltime), _step(step), values=values)
        self._file(log_dir or self.log_dir).add(event)

    def get_logdir(self) -> str:
        """The directory the event file is written to."""
        return self.log_dir

    def add_scalar(self, tag: str, scalar_value: Any, global_step: Any = None, walltime: float | None = None,
                   new_style: bool = False, double_precision: bool = False) -> None:
        """Log one number under ``tag`` at ``global_step`` (a 0-d or one-element tensor, array or number).

        ``new_style=True`` stores it as a tensor of the scalars plugin (float32, or float64 with
        ``double_precision``), which TensorBoard loads faster; the default is ``simple_value``.
        """
        x = _number("add_scalar", scalar_value)
        if new_style:
            dtype, field, fmt = (2, 6, "<d") if double_precision else (1, 5, "<f")
            tensor = rec.field_varint(1, dtype) + rec.field_bytes(2, b"") + rec.field_bytes(field, struct.pack(fmt, x))
            metadata = rec.field_bytes(1, rec.field_bytes(1, b"scalars"))
            value = rec.field_bytes(1, tag.encode()) + rec.field_bytes(8, tensor) + rec.field_bytes(9, metadata)
        else:
            value = rec.scalar_value(tag, x)
        self._add([value], global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any], global_step: Any = None,
                    walltime: float | None = None) -> None:
        """Log several numbers on one chart: each key goes to the run ``<log_dir>/<main_tag>_<key>``, tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        for key, value in tag_scalar_dict.items():
            sub = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{key}")
            self._add([rec.scalar_value(main_tag, _number("add_scalars", value))], global_step, walltime, sub)

    def add_histogram(self, tag: str, values: Any, global_step: Any = None, bins: Any = "tensorflow",
                      walltime: float | None = None, max_bins: int | None = None) -> None:
        """Log the distribution of ``values``: NumPy's ``histogram`` with ``bins`` (default: TensorBoard's
        exponential edges), empty buckets at both ends dropped, at most ``max_bins`` buckets (neighbours merged).
        """
        v = _array(values).astype(np.float64).reshape(-1)
        if v.size == 0:
            raise ValueError(f"add_histogram: the input for tag {tag!r} has no element")
        if not np.isfinite(v).all():
            raise ValueError(f"add_histogram: the input for tag {tag!r} holds NaN or infinite values")
        counts, edges = np.histogram(v, bins=_TF_BINS if isinstance(bins, str) and bins == "tensorflow" else bins)
        counts = counts.astype(np.float64)
        if max_bins is not None and len(counts) > max_bins:  # merge runs of `group` neighbouring buckets
            n, group = len(counts), -(-len(counts) // max_bins)
            counts = np.concatenate([counts, np.zeros(-n % group)]).reshape(-1, group).sum(axis=1)
            edges = edges[np.minimum(np.arange(len(counts) + 1) * group, n)]
        nz = np.flatnonzero(counts)
        lo, hi = (int(nz[0]), int(nz[-1])) if nz.size else (0, len(counts) - 1)
        value = rec.histogram_value(tag, float(v.min()), float(v.max()), v.size, float(v.sum()), float(v @ v),
                                    edges[lo + 1 : hi + 2].tolist(), counts[lo : hi + 1].tolist())
        self._add([value], global_step, walltime)

    def add_text(self, tag: str, text_string: str, global_step: Any = None, walltime: float | None = None) -> None:
        """Log a (Markdown) text under ``<tag>/text_summary``, shown in TensorBoard's Text tab."""
        self._add([rec.text_value(f"{tag}/text_summary", str(text_string))], global_step, walltime)

    def add_image(self, tag: str, img_tensor: Any, global_step: Any = None, walltime: float | None = None,
                  dataformats: str = "CHW") -> None:
        """Log one image (PNG): ``dataformats`` 'CHW', 'HWC' or 'HW'; floats in [0, 1] (scaled by 255),
        uint8 in [0, 255]; values outside are clipped; one channel becomes gray RGB, four are RGBA.
        """
        self._add([rec.image_value(tag, _to_hwc(_array(img_tensor), dataformats, "add_image"))], global_step, walltime)

    def add_images(self, tag: str, img_tensor: Any, global_step: Any = None, walltime: float | None = None,
                   dataformats: str = "NCHW") -> None:
        """Log a batch of images as one grid, 8 per row (``dataformats`` 'NCHW', 'NHWC'...), as ``add_image``."""
        self._add([rec.image_value(tag, _to_hwc(_array(img_tensor), dataformats, "add_images"))], global_step, walltime)

    def add_figure(self, tag: str, figure: Any, global_step: Any = None, close: bool = True,
                   walltime: float | None = None) -> None:
        """Log a matplotlib figure (or a list of them, as a grid) rendered to RGBA; ``close`` closes it."""
        figures = figure if isinstance(figure, list) else [figure]
        images = []
        for fig in figures:
            fig.canvas.draw()
            images.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].transpose(2, 0, 1))
            if close:
                import matplotlib.pyplot as plt

                plt.close(fig)
        if isinstance(figure, list):
            self.add_images(tag, np.stack(images), global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, images[0], global_step, walltime, dataformats="CHW")

    def add_pr_curve(self, tag: str, labels: Any, predictions: Any, global_step: Any = None,
                     num_thresholds: int = 127, weights: Any = None, walltime: float | None = None) -> None:
        """Log a precision-recall curve (TensorBoard's PR Curves tab) of binary ``labels`` (0/1, or bools)
        against ``predictions`` in [0, 1], at ``num_thresholds`` (at most 127) thresholds i/(n−1); see
        :func:`pr_curve` for the counts."""
        labels, predictions = _array(labels), _array(predictions)
        w = None if weights is None else _array(weights)
        curve = pr_curve(labels, predictions, min(int(num_thresholds), 127), w)
        self._add([rec.pr_curve_value(tag, curve)], global_step, walltime)

    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """Not supported: warns and writes nothing (PyTorch traces with TorchScript, which chainrule lacks).

        ``chainrule.viz`` draws the network and ``chainrule.onnx.export`` writes a graph that
        viewers such as Netron show.
        """
        warnings.warn(
            "SummaryWriter.add_graph: chainrule cannot write TensorBoard graphs (PyTorch traces the model with "
            "TorchScript); nothing was logged. Draw the network with chainrule.viz or export it with "
            "chainrule.onnx.export.", UserWarning, stacklevel=2,
        )

    def flush(self) -> None:
        """Write every buffered event to disk."""
        for f in self._files.values():
            f.flush()

    def close(self) -> None:
        """Flush and close the event files (a later ``add_*`` starts a new event file, as PyTorch's)."""
        for f in self._files.values():
            f.close()
        self._files.clear()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pr_curve(labels: Any, predictions: Any, num_thresholds: int, weights: Any = None) -> np.ndarray:
    """The rows TP, FP, TN, FN, precision, recall at the thresholds tᵢ = i/(n−1), i = 0…n−1.

    A prediction p counts as positive at threshold tᵢ when ⌊p·(n−1)⌋ ≥ i. With weights wₖ (default 1):
    TPᵢ = Σ wₖ·yₖ over positives, FPᵢ = Σ wₖ·(1−yₖ), TNᵢ = FP₀ − FPᵢ, FNᵢ = TP₀ − TPᵢ;
    precision = TP / max(TP + FP, 1e−7), recall = TP / max(TP + FN, 1e−7).
    """
    y = np.asarray(labels, np.float64).reshape(-1)
    p = np.asarray(predictions, np.float64).reshape(-1)
    if y.shape != p.shape:
        raise ValueError(f"add_pr_curve: labels ({y.size} values) and predictions ({p.size} values) must match")
    if num_thresholds < 2:
        raise ValueError(f"add_pr_curve: num_thresholds must be at least 2, got {num_thresholds}")
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("add_pr_curve: predictions must lie in [0, 1] (probabilities)")
    w = np.ones_like(y) if weights is None else np.broadcast_to(np.asarray(weights, np.float64).reshape(-1), y.shape)
    bucket = np.floor(p * (num_thresholds - 1)).astype(np.int64)
    tp = np.bincount(bucket, weights=w * y, minlength=num_thresholds)[::-1].cumsum()[::-1]
    fp = np.bincount(bucket, weights=w * (1 - y), minlength=num_thresholds)[::-1].cumsum()[::-1]
    tn, fn = fp[0] - fp, tp[0] - tp
    precision = tp / np.maximum(tp + fp, 1e-7)
    recall = tp / np.maximum(tp + fn, 1e-7)
    return np.stack([tp, fp, tn, fn, precision, recall]).astype(np.float32)
