"""The run folders under the served folder: listing, one run's contents, and change detection.

A run folder is any folder below the root (at most ``MAX_DEPTH`` levels down) holding a ``config.toml`` or a
``checkpoint.safetensors`` — what ``chainrule train`` writes. Only the files ``chainrule train`` writes
(:data:`SERVED`) are ever read or served; a run is named by its path relative to the root, with ``/``.
"""

from __future__ import annotations

import json
import os
import re
import struct
from typing import Any

__all__ = ["RunFolder", "SERVED", "MAX_DEPTH", "checkpoint_state"]

MAX_DEPTH = 3
# the files of a run folder the server reads or serves, with their content types
SERVED = {"config.toml": "text/plain; charset=utf-8", "metrics.json": "application/json",
          "history.json": "application/json", "history.csv": "text/csv; charset=utf-8",
          "report.txt": "text/plain; charset=utf-8", "network.svg": "image/svg+xml", "graph.svg": "image/svg+xml",
          "curves.png": "image/png", "curves.svg": "image/svg+xml"}
_MARKERS = ("config.toml", "checkpoint.safetensors")
_MAX_READ = 8 << 20
STALE = 120.0  # seconds without a write after which an unfinished run counts as stopped  # a text file of a run larger than this is not read


def _read(path: str) -> str | None:
    """The UTF-8 text of ``path`` (None if missing, unreadable, too large or not text)."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > _MAX_READ:
            return None
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _json(path: str) -> Any:
    text = _read(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:  # half-written by a tool that does not write atomically
        return None


def _toml(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10 without tomli
        try:
            import tomli as tomllib
        except ImportError:
            return {}
    try:
        return tomllib.loads(text)
    except ValueError:
        return {}


def _confusion(report: str | None) -> dict[str, Any] | None:
    """The confusion matrix table of report.txt as {"labels": [...], "rows": [[...]], "title": str}."""
    if not report:
        return None
    lines = report.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("confusion matrix"):
            head = lines[i + 1].split() if i + 1 < len(lines) else []
            if not head or not head[0].startswith("true"):
                return None
            labels = [h for h in head[1:] if h != "recall"]
            rows = []
            for row in lines[i + 2:]:
                cells = row.split()
                if len(cells) < len(labels) + 1 or not all(re.fullmatch(r"\d+", c) for c in cells[1:1 + len(labels)]):
                    break
                rows.append([int(c) for c in cells[1:1 + len(labels)]])
            if len(rows) == len(labels):
                return {"title": line, "labels": labels, "rows": rows}
            return None
    return None


def _plain(node: Any) -> Any:
    """A node of the checkpoint's metadata tree as plain JSON values (dicts with string keys only)."""
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, dict):
        if node.get("$") == "dict" and isinstance(node.get("v"), dict):
            return {k: _plain(v) for k, v in node["v"].items()}
        return None  # tensors and other tagged nodes are not needed here
    return node


def checkpoint_state(path: str) -> dict[str, Any] | None:
    """{"status", "history", "stop_reason"} from a run checkpoint's safetensors header, without reading its
    tensors (the checkpoint is rewritten atomically after every epoch, so it is the live record of a run)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) != 8:
                return None
            n = struct.unpack("<Q", head)[0]
            if n > _MAX_READ:
                return None
            header = json.loads(f.read(n))
        tree = json.loads(header["__metadata__"]["chainrule"])["tree"]
        run = _plain(tree)
        history = run["trainer"]["history"]
        return {"status": run.get("status"), "config": run.get("config"), "history": history.get("epochs") or [],
                "stop_reason": history.get("stop_reason")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, struct.error):
        return None


class RunFolder:
    """The runs below ``root``: listing, details, files, and a fingerprint of their files' mtimes."""

    def __init__(self, root: str) -> None:
        """``root``: the folder to look in (it need not exist yet: runs appear when they are written)."""
        self.root = os.path.realpath(root)

    def names(self) -> list[str]:
        """Relative paths (with ``/``) of every run folder below the root, sorted."""
        found: list[str] = []
        if not os.path.isdir(self.root):
            return found
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            rel = os.path.relpath(dirpath, self.root)
            depth = 0 if rel == "." else rel.count(os.sep) + 1
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")) if depth < MAX_DEPTH else []
            if rel != "." and any(m in filenames for m in _MARKERS):
                found.append(rel.replace(os.sep, "/"))
        return sorted(found)

    def path(self, name: str) -> str | None:
        """The folder of run ``name``, or None if ``name`` is not a run below the root (no traversal)."""
        if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
            return None
        parts = name.split("/")
        if any(p in ("", ".", "..") or p.startswith(".") for p in parts) or len(parts) > MAX_DEPTH:
            return None
        p = os.path.realpath(os.path.join(self.root, *parts))
        if os.path.commonpath([p, self.root]) != self.root or p == self.root or not os.path.isdir(p):
            return None
        if not any(os.path.isfile(os.path.join(p, m)) for m in _MARKERS):
            return None
        return p

    def file(self, name: str, filename: str) -> str | None:
        """The path of ``filename`` of run ``name`` if it is a servable run file that exists, else None."""
        folder = self.path(name)
        if folder is None or filename not in SERVED:
            return None
        p = os.path.join(folder, filename)
        real = os.path.realpath(p)
        if os.path.dirname(real) != folder or not os.path.isfile(real):  # a symlink out of the run
            return None
        return real

    def summary(self, name: str) -> dict[str, Any] | None:
        """One row of the list: dataset, model, status, epochs done, final metrics."""
        folder = self.path(name)
        if folder is None:
            return None
        cfg = _toml(_read(os.path.join(folder, "config.toml")))
        metrics = _json(os.path.join(folder, "metrics.json"))
        history = self._history(folder)
        if not cfg and isinstance(history.get("config"), dict):  # a folder holding only a checkpoint
            cfg = history["config"]
        epochs = history["history"]
        finished = isinstance(metrics, dict) and self._mtime(folder, "metrics.json") >= self._mtime(folder, "config.toml")
        last = epochs[-1] if epochs and isinstance(epochs[-1], dict) else {}
        if history.get("status") == "done" and not os.path.isfile(os.path.join(folder, "config.toml")):
            status = "done"
        elif finished:
            status = "done"
        elif self._age(folder) < STALE:
            status = "training"
        else:
            status = "stopped"
        hidden = cfg.get("hidden")
        return {"name": name, "dataset": cfg.get("dataset", (metrics or {}).get("dataset")),
                "model": cfg.get("model", (metrics or {}).get("model")),
                "hidden": hidden if isinstance(hidden, list) else None,
                "status": status, "epochs_done": len(epochs), "epochs": cfg.get("epochs"),
                "metrics": {k: v for k, v in (metrics or {}).items() if k.startswith(("test_", "val_"))}
                if finished else {k: v for k, v in last.items() if k.startswith(("train_", "val_"))},
                "modified": self._newest(folder)}

    def detail(self, name: str) -> dict[str, Any] | None:
        """Everything the run page shows: summary, history records, metrics, config, report, confusion matrix,
        and which pictures exist."""
        row = self.summary(name)
        if row is None:
            return None
        folder = self.path(name)
        if folder is None:  # removed between the two look-ups
            return None
        history = self._history(folder)
        report = _read(os.path.join(folder, "report.txt"))
        config = _read(os.path.join(folder, "config.toml"))
        row.update(history=history["history"], stop_reason=history["stop_reason"],
                   final=_json(os.path.join(folder, "metrics.json")), report=report, config=config,
                   confusion=_confusion(report),
                   files=[f for f in SERVED if os.path.isfile(os.path.join(folder, f))])
        return row

    def fingerprint(self) -> dict[str, float]:
        """{run name: newest mtime of its files}: what the live updates compare between polls."""
        out = {}
        for name in self.names():
            folder = os.path.join(self.root, *name.split("/"))
            out[name] = self._newest(folder)
        return out

    def _history(self, folder: str) -> dict[str, Any]:
        """The epoch records: history.json once the run is finished, else the checkpoint's (newer) copy."""
        ckpt = os.path.join(folder, "checkpoint.safetensors")
        if (self._mtime(folder, "checkpoint.safetensors") > self._mtime(folder, "history.json")
                or not os.path.isfile(os.path.join(folder, "config.toml"))):
            state = checkpoint_state(ckpt)
            if state is not None:
                return state
        history = _json(os.path.join(folder, "history.json"))
        epochs = history.get("epochs") if isinstance(history, dict) else None
        return {"history": [e for e in epochs if isinstance(e, dict)] if isinstance(epochs, list) else [],
                "stop_reason": history.get("stop_reason") if isinstance(history, dict) else None}

    @staticmethod
    def _mtime(folder: str, filename: str) -> float:
        try:
            return os.stat(os.path.join(folder, filename)).st_mtime
        except OSError:
            return 0.0

    def _newest(self, folder: str) -> float:
        return max([self._mtime(folder, f) for f in (*SERVED, "checkpoint.safetensors")] or [0.0])

    def _age(self, folder: str) -> float:
        import time
        return time.time() - self._newest(folder)
