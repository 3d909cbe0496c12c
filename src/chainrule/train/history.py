"""``History``: one record per completed epoch, readable by key, saved as CSV or JSON, plotted."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["History"]


def _write(path: str | Path, text: str) -> None:
    try:
        from ..io import atomic_write
    except ImportError:  # pragma: no cover - io is part of the package
        Path(path).write_text(text, encoding="utf-8")
        return
    atomic_write(path, text.encode("utf-8"))


def _jsonable(v: Any) -> Any:
    """Non-finite floats become null (strict JSON); numpy scalars become Python numbers."""
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


class History:
    """Per-epoch records: ``history.epochs[i]`` is a dict such as ``{"epoch": 1, "train_loss": 0.41,
    "train_accuracy": 0.88, "val_loss": 0.37, "val_accuracy": 0.9, "lr": 0.001, "time": 0.8}``.

    ``history["val_loss"]`` lists one value per epoch (nan where an epoch lacks the key).
    ``stop_reason`` says why training stopped early (EarlyStopping, NaNGuard), else None.
    Only completed epochs are recorded.
    """

    def __init__(self, epochs: list[dict[str, Any]] | None = None, stop_reason: str | None = None) -> None:
        self.epochs: list[dict[str, Any]] = [dict(e) for e in epochs] if epochs else []
        self.stop_reason = stop_reason

    def append(self, record: dict[str, Any]) -> None:
        """Add one epoch's record (a dict of floats such as ``train_loss``, ``val_accuracy``, ``lr``)."""
        self.epochs.append(record)

    def keys(self) -> list[str]:
        """Every key in order of first appearance."""
        seen: dict[str, None] = {}
        for e in self.epochs:
            seen.update(dict.fromkeys(e))
        return list(seen)

    def __getitem__(self, key: str) -> list[float]:
        if not any(key in e for e in self.epochs):
            raise KeyError(f"History has no {key!r}; available: {', '.join(self.keys()) or 'nothing yet'}")
        return [e.get(key, float("nan")) for e in self.epochs]

    def __contains__(self, key: object) -> bool:
        return any(key in e for e in self.epochs)

    def __len__(self) -> int:
        return len(self.epochs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.epochs)

    @property
    def last(self) -> dict[str, Any]:
        """The latest epoch's record ({} before the first epoch)."""
        return self.epochs[-1] if self.epochs else {}

    def best(self, key: str = "val_loss", mode: str = "min") -> dict[str, Any]:
        """The record of the epoch with the lowest (``mode="max"``: highest) finite ``key``."""
        if mode not in ("min", "max"):
            raise ValueError(f"History.best: mode must be 'min' or 'max', got {mode!r}")
        rows = [e for e in self.epochs if isinstance(e.get(key), (int, float)) and math.isfinite(e[key])]
        if not rows:
            raise KeyError(f"History has no finite {key!r}")
        return (min if mode == "min" else max)(rows, key=lambda e: e[key])

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.last.items())
        return f"History({len(self)} epochs{'; last: ' + last if last else ''})"

    # --- persistence ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The records and the stop reason (part of the trainer's checkpoint)."""
        return {"epochs": [dict(e) for e in self.epochs], "stop_reason": self.stop_reason}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the records and the stop reason from ``state_dict``."""
        self.epochs = [dict(e) for e in state.get("epochs", [])]
        self.stop_reason = state.get("stop_reason")

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON-able form (non-finite numbers as null)."""
        return {"epochs": [{k: _jsonable(v) for k, v in e.items()} for e in self.epochs],
                "stop_reason": self.stop_reason}

    def to_json(self, path: str | Path) -> None:
        """Write ``{"epochs": [...], "stop_reason": ...}`` (atomically)."""
        _write(path, json.dumps(self.to_dict(), indent=1) + "\n")

    @classmethod
    def from_json(cls, path: str | Path) -> History:
        """Read what ``to_json`` wrote (nulls come back as nan)."""
        from ..errors import UserError

        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            epochs = [{k: (float("nan") if v is None else v) for k, v in e.items()} for e in data["epochs"]]
        except FileNotFoundError as e:
            raise UserError(f"History.from_json: no file at {str(path)!r}; pass the history.json of a run.") from e
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise UserError(f"History.from_json: {str(path)!r} is not a history written by History.to_json "
                            f"({type(e).__name__}: {e}); pass the history.json of a run.") from e
        return cls(epochs, data.get("stop_reason"))

    def to_csv(self, path: str | Path) -> None:
        """One row per epoch, one column per key (empty cells where an epoch lacks a key)."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=self.keys(), lineterminator="\n")
        writer.writeheader()
        for e in self.epochs:
            writer.writerow({k: _jsonable(v) for k, v in e.items()})
        _write(path, buf.getvalue())

    def plot(self, path: str | Path | None = None, **kwargs: Any) -> Any:
        """Training curves (loss and metrics per epoch, train vs validation): ``chainrule.viz.plot_history``."""
        from ..viz import plot_history

        return plot_history(self, path, **kwargs)
