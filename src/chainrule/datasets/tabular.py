"""Tables: the bundled 8x8 digits and the user's own CSV files."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import re
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import UserError

__all__ = ["load_digits", "load_csv", "Table", "MAX_AUTO_CLASSES"]

# ``task="auto"`` treats an integer-valued numeric target with at most this many distinct values as
# class labels; anything else numeric is a regression target.
MAX_AUTO_CLASSES = 20


@functools.lru_cache(maxsize=1)
def _digits_raw() -> np.ndarray:
    with resources.files("chainrule.datasets").joinpath("data/digits.csv.gz").open("rb") as f:
        table = np.loadtxt(gzip.GzipFile(fileobj=f), delimiter=",", dtype=np.float64)
    table.setflags(write=False)
    return table


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The bundled UCI digits: x float32 (1797, 64) — 8x8 images row by row, scaled from 0..16 to [0, 1] —
    and y int64 (1797,) with labels 0..9. No network access needed."""
    table = _digits_raw()
    x = (table[:, :64] / 16.0).astype(np.float32)
    y = table[:, 64].astype(np.int64)
    return x, y


class Table(NamedTuple):
    """What ``load_csv`` returns: features, targets and how to interpret them."""

    x: np.ndarray  # float32 (N, F)
    y: np.ndarray  # int64 (N,) class indices, or float32 (N, 1) for regression
    task: str  # "classification" | "regression"
    feature_names: list[str]
    class_names: list[str] | None  # the label of each class index (None for regression)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise UserError(
            f"the CSV file {path} does not exist. Check the path (--data-root FILE for the csv dataset)."
        )
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a CSV file. Give the path of the .csv file itself.")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UserError(
            f"{path} is not UTF-8 text (byte {e.start} cannot be decoded). Save the table as a UTF-8 CSV file."
        ) from None
    except (OSError, EOFError) as e:
        raise UserError(
            f"cannot read {path}: {getattr(e, 'strerror', None) or e}. Check that it is a readable CSV file."
        ) from None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _bad_cell(path: Path, cells: np.ndarray, lines: list[int], col: int, name: str, what: str) -> UserError:
    """The error for the first cell of column ``col`` that is not a finite number."""
    for i, cell in enumerate(cells[:, col].tolist()):
        if not _is_number(cell) or not np.isfinite(float(cell)):
            problem = (
                "is empty (a missing value)"
                if cell == ""
                else f"holds {cell!r}, which is not a finite number"
            )
            return UserError(
                f"{path}, line {lines[i]}, column {name!r}: the cell {problem}. All {what} must be numbers; "
                "fill in or remove that row, or drop the column."
            )
    raise AssertionError("no bad cell found")  # pragma: no cover - callers check first


def _parse(cells: np.ndarray) -> np.ndarray | None:
    """Columns of strings as float64, or None if some cell is not a finite number."""
    try:
        values = cells.astype(np.float64)
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None


def load_csv(path: str | os.PathLike, target: str, task: str = "auto") -> Table:
    """Read a CSV table with a header row; ``target`` names the column to predict.

    All other columns are float32 features and must be numeric. ``task="auto"`` makes it a
    classification problem when the target is non-numeric (labels are sorted and mapped to class
    indices 0..K-1, their names kept in ``class_names``) or integer-valued with at most
    ``MAX_AUTO_CLASSES`` distinct values; otherwise a regression problem (float32 targets (N, 1)).
    The delimiter (comma, semicolon or tab) is taken from the header line; .gz files are read too.
    """
    path = Path(path).expanduser()
    if task not in ("auto", "classification", "regression"):
        raise UserError(f"unknown task {task!r}; use 'auto', 'classification' or 'regression'.")
    text = _read_text(path)
    first = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])  # the header line without quoted names
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows, lines = [], []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append([cell.strip() for cell in row])
                lines.append(reader.line_num)
    except csv.Error as e:
        raise UserError(
            f"{path}, line {reader.line_num}: malformed CSV ({e}). Fix the quoting on that line."
        ) from None
    if not rows:
        raise UserError(
            f"{path} is empty. A CSV dataset needs a header row naming the columns, then one row per sample."
        )
    header, rows, header_line, lines = rows[0], rows[1:], lines[0], lines[1:]
    if all(_is_number(c) for c in header):
        raise UserError(
            f"{path}: the first line ({', '.join(header[:5])}{', ...' if len(header) > 5 else ''}) looks like data, "
            "not a header. Add a first line naming the columns, e.g. 'x1,x2,label'."
        )
    for i, name in enumerate(header):
        if not name:
            raise UserError(f"{path}: column {i + 1} has no name in the header row. Name every column.")
        if name in header[:i]:
            raise UserError(
                f"{path}: the header names the column {name!r} twice. Give every column a distinct name."
            )
    if target not in header:
        close = [h for h in header if h.lower() == str(target).lower()]
        hint = f" (did you mean {close[0]!r}? names are case-sensitive)" if close else ""
        raise UserError(
            f"{path} has no column named {target!r}{hint}. The available columns are: "
            f"{', '.join(repr(h) for h in header)}. Choose the target column with --target NAME."
        )
    if len(header) < 2:
        raise UserError(f"{path} has only the target column {target!r}; add at least one feature column.")
    if not rows:
        raise UserError(f"{path} has a header (line {header_line}) but no data rows. Add one row per sample.")
    for row, line in zip(rows, lines):
        if len(row) != len(header):
            raise UserError(
                f"{path}, line {line}: {len(row)} fields, but the header has {len(header)} columns. "
                "Every row needs one value per column (check for missing or extra delimiters)."
            )
    cells = np.array(rows, dtype=str)
    t = header.index(target)
    feat = [i for i in range(len(header)) if i != t]
    x = _parse(cells[:, feat])
    if x is None:
        for i in feat:
            if _parse(cells[:, i : i + 1]) is None:
                raise _bad_cell(path, cells, lines, i, header[i], "feature values")
    labels = cells[:, t]
    if (labels == "").any():
        raise _bad_cell(path, cells, lines, t, target, "target values")
    values = _parse(labels)
    if task == "regression" and values is None:
        raise _bad_cell(path, cells, lines, t, target, "regression targets")
    if task == "auto":
        integral = values is not None and bool((values == np.round(values)).all())
        few = values is None or (integral and len(np.unique(values)) <= MAX_AUTO_CLASSES)
        task = "classification" if few else "regression"
    feature_names = [header[i] for i in feat]
    x = x.astype(np.float32)
    if task == "regression":
        return Table(x, values.astype(np.float32).reshape(-1, 1), task, feature_names, None)
    uniques, y = np.unique(values if values is not None else labels, return_inverse=True)
    if len(uniques) < 2:
        raise UserError(
            f"{path}: the target column {target!r} has a single value ({str(labels[0])!r}); a classifier needs "
            "at least two classes. Check the --target column."
        )
    if values is None:
        names = [str(u) for u in uniques]
    else:
        names = [str(int(u)) if u == int(u) else f"{u:g}" for u in uniques]
    return Table(x, y.astype(np.int64).reshape(-1), task, feature_names, names)
