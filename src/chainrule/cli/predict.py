"""`chainrule predict`: read raw features (CSV or .npy), apply the run's preprocessing, write predictions."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy as np

from ..errors import UserError

__all__ = ["read_features", "predict_file"]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _read_csv(path: str, feature_names: list[str] | None, n_features: int) -> np.ndarray:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    except UnicodeDecodeError:
        raise UserError(f"The input {path!r} is not a UTF-8 text CSV file. Give a CSV file of numbers "
                        "(one row per sample) or a .npy array.") from None
    except csv.Error as e:
        raise UserError(f"The input {path!r} is not a readable CSV file ({e}).") from None
    if not rows:
        raise UserError(f"The input {path!r} is empty. Give one row of {n_features} features per sample.")
    header = None
    if not all(_is_number(c) for c in rows[0]):
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    if header is not None and feature_names:
        missing = [n for n in feature_names if n not in header]
        if missing:
            shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
            raise UserError(f"The input {path!r} has a header but lacks the feature column(s) {shown} that the model "
                            f"was trained on. Give the columns {', '.join(feature_names[:8])}"
                            f"{' ...' if len(feature_names) > 8 else ''} (extra columns such as the target are "
                            "ignored), or leave out the header and give the features in training order.")
        cols = [header.index(n) for n in feature_names]
    else:
        cols = list(range(len(header) if header is not None else len(rows[0]) if rows else 0))
    if not rows:
        raise UserError(f"The input {path!r} has a header but no data rows.")
    out = np.empty((len(rows), len(cols)), dtype=np.float32)
    first = 2 if header is not None else 1
    for i, r in enumerate(rows):
        if max(cols) >= len(r) or (header is None and len(r) != len(cols)):
            raise UserError(f"Line {i + first} of {path!r} has {len(r)} cells but the first row has "
                            f"{len(cols) if header is None else len(header)}. Give every row the same columns.")
        for j, c in enumerate(cols):
            try:
                out[i, j] = float(r[c])
            except ValueError:
                name = f" (column {header[c]!r})" if header is not None else f" (column {c + 1})"
                raise UserError(f"Line {i + first} of {path!r} has the non-numeric cell {r[c]!r}{name}. Every "
                                "feature must be a number; fix or remove that row.") from None
    return out


def read_features(path: str, data: dict[str, Any]) -> np.ndarray:
    """Raw feature rows (N, F) — or (N, *input_shape) for .npy images — from a CSV or .npy file."""
    if not os.path.isfile(path):
        raise UserError(f"The input file {path!r} does not exist. Give --input a CSV or .npy file of features.")
    n_features = int(np.prod(data["input_shape"]))
    if path.endswith(".npy"):
        try:
            x = np.load(path, allow_pickle=False)
        except ValueError as e:
            raise UserError(f"The input {path!r} is not a plain .npy array ({e}). Save features with "
                            "numpy.save(path, array) from a numeric array.") from None
        except OSError as e:
            raise UserError(f"The input {path!r} cannot be read as .npy ({e}).") from None
        if not np.issubdtype(x.dtype, np.number) and x.dtype != np.bool_:
            raise UserError(f"The input {path!r} holds {x.dtype} values; features must be numbers.")
        return x.astype(np.float32)
    return _read_csv(path, data.get("feature_names"), n_features)


def predict_file(sess: Any, data: dict[str, Any], path: str) -> tuple[str, int]:
    """CSV text of the predictions (and class probabilities) for the features in ``path``; and the row count."""
    from .. import tensor
    from ..datasets import standardize_with

    if data.get("name") == "text":  # a language model: sample a continuation of the prompt in the file
        from .text_models import sample_file
        return sample_file(sess, data, path)

    x = read_features(path, data)
    shape = tuple(data["input_shape"])
    n_features = int(np.prod(shape))
    if x.ndim < 1 or x.size == 0:
        raise UserError(f"The input {path!r} holds no samples.")
    if x.ndim == 1:
        x = x[None]
    if int(np.prod(x.shape[1:])) != n_features:
        raise UserError(f"The input {path!r} has {int(np.prod(x.shape[1:]))} features per sample but the model was "
                        f"trained on {n_features} ({'x'.join(map(str, shape))}). Give one row per sample with the "
                        "same features, in the same order, as the training data.")
    if not np.isfinite(x).all():
        raise UserError(f"The input {path!r} contains nan or inf values; every feature must be a finite number.")
    x = x.reshape(len(x), *shape) / np.float32(data.get("input_scale", 1.0))
    x = standardize_with(x, data["meta"])
    out = sess.trainer.predict(tensor(np.ascontiguousarray(x, dtype=np.float32)), batch_size=1024)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if data["task"] == "classification":
        from .. import softmax
        probs = softmax(out, dim=1).numpy()
        names = data.get("class_names") or [str(i) for i in range(probs.shape[1])]
        w.writerow(["prediction", *[f"p_{n}" for n in names]])
        for p in probs:
            w.writerow([names[int(p.argmax())], *[f"{v:.6f}" for v in p]])
    else:
        from .target import unstandardize
        y = unstandardize(out.numpy(), data.get("target_standardize"))
        w.writerow(["prediction"] if y.shape[1] == 1 else [f"prediction_{i}" for i in range(y.shape[1])])
        for row in y:
            w.writerow([f"{v:.6g}" for v in row])
    return buf.getvalue(), len(x)
