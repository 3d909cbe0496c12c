"""The user's own CSV table: classification, regression, and every bad input."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

import chainrule
from chainrule import datasets
from chainrule.errors import UserError


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _iris_like(n=60):
    rng = np.random.default_rng(0)
    species = ["setosa", "versicolor", "virginica"]
    rows = ["sepal_length,sepal_width,species"]
    for i in range(n):
        k = i % 3
        rows.append(f"{4 + k + rng.normal(0, 0.2):.3f},{3 - 0.5 * k + rng.normal(0, 0.2):.3f},{species[k]}")
    return "\n".join(rows) + "\n"


def test_string_labels_become_class_indices(tmp_path):
    t = datasets.load_csv(_write(tmp_path, _iris_like()), "species")
    assert t.task == "classification" and t.class_names == ["setosa", "versicolor", "virginica"]
    assert t.feature_names == ["sepal_length", "sepal_width"]
    assert t.x.shape == (60, 2) and t.x.dtype == np.float32 and t.y.dtype == np.int64
    assert t.y[:4].tolist() == [0, 1, 2, 0]


def test_load_csv_split(tmp_path):
    path = _write(tmp_path, _iris_like(90))
    s = datasets.load("csv", root=str(path), target="species", val=0.2, test=0.2)
    assert s.task == "classification" and s.num_classes == 3 and s.input_shape == (2,)
    assert (len(s.x_train), len(s.x_val), len(s.x_test)) == (54, 18, 18)
    assert np.bincount(s.y_test.numpy()).tolist() == [6, 6, 6]  # stratified
    np.testing.assert_allclose(s.x_train.numpy().mean(0), 0, atol=1e-5)
    assert s.meta["target"] == "species" and len(s.meta["standardize"]["mean"]) == 2


def test_integer_labels_are_classes_and_keep_their_names(tmp_path):
    text = "a,b,label\n" + "".join(f"{i},{i * 2},{(i % 3) + 1}\n" for i in range(12))
    t = datasets.load_csv(_write(tmp_path, text), "label")
    assert t.task == "classification" and t.class_names == ["1", "2", "3"]
    assert t.y.tolist() == [i % 3 for i in range(12)]


def test_regression_target(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 3))
    y = x @ [1.0, -2.0, 0.5] + 0.25
    text = "f1,price,f2,f3\n" + "".join(f"{a},{t},{b},{c}\n" for (a, b, c), t in zip(x, y))
    t = datasets.load_csv(_write(tmp_path, text), "price")
    assert t.task == "regression" and t.class_names is None and t.feature_names == ["f1", "f2", "f3"]
    assert t.y.shape == (40, 1) and t.y.dtype == np.float32
    np.testing.assert_allclose(t.y[:, 0], y, rtol=1e-6)
    s = datasets.load("csv", root=str(tmp_path / "data.csv"), target="price")
    assert s.task == "regression" and s.y_train.dtype == chainrule.float32 and s.num_classes is None


def test_many_distinct_integers_are_regression_and_task_overrides(tmp_path):
    text = "x,age\n" + "".join(f"{i},{18 + i}\n" for i in range(40))
    path = _write(tmp_path, text)
    assert datasets.load_csv(path, "age").task == "regression"
    forced = datasets.load_csv(path, "age", task="classification")
    assert forced.task == "classification" and len(forced.class_names) == 40
    small = _write(tmp_path, "x,y\n1,0\n2,1\n3,1\n", "small.csv")
    assert datasets.load_csv(small, "y", task="regression").y.tolist() == [[0.0], [1.0], [1.0]]


def test_semicolon_tab_quotes_whitespace_bom_blank_lines_and_gzip(tmp_path):
    t = datasets.load_csv(_write(tmp_path, "\ufeffx;y;cls\n1.5; 2 ;a\n\n3;4;b\n"), "cls")
    assert t.x.tolist() == [[1.5, 2.0], [3.0, 4.0]] and t.class_names == ["a", "b"]
    t = datasets.load_csv(_write(tmp_path, 'x\t"name, quoted"\n1\tp q\n2\tr\n', "t.tsv"), "name, quoted")
    assert t.class_names == ["p q", "r"]
    gz = tmp_path / "d.csv.gz"
    gz.write_bytes(gzip.compress(b"x,y\n1,0\n2,1\n"))
    assert datasets.load_csv(gz, "y").y.tolist() == [0, 1]


def _error(tmp_path, text, target="y", **kw):
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as err:
        datasets.load_csv(path, target, **kw)
    return str(err.value)


def test_missing_target_column_lists_the_columns(tmp_path):
    msg = _error(tmp_path, "a,b,label\n1,2,3\n", target="target")
    assert "no column named 'target'" in msg and "'a', 'b', 'label'" in msg and "--target" in msg
    assert "did you mean 'Label'" in _error(tmp_path, "a,Label\n1,2\n", target="label")


@pytest.mark.parametrize(
    "text, match",
    [
        ("x,y\n1,0\n2,abc\n3,1\n", None),  # non-numeric labels are fine for classification
        ("x,y\n1,0\nfoo,1\n", r"line 3, column 'x': the cell holds 'foo', which is not a finite number"),
        ("x,z,y\n1,2,0\n3,,1\n", r"line 3, column 'z': the cell is empty \(a missing value\)"),
        ("x,y\n1,0\n\n2,1\nnan,0\n", r"line 5, column 'x'.*'nan'"),
        ("x,y\n1,0\ninf,1\n", r"column 'x'.*'inf'"),
        ("x,y\n1,0\n2,\n", r"line 3, column 'y': the cell is empty"),
        ("x,y\n1,0\n2,1,7\n", r"line 3: 3 fields, but the header has 2 columns"),
        ("x,y\n1\n", r"line 2: 1 fields"),
        ("", r"is empty"),
        ("\n\n", r"is empty"),
        ("x,y\n", r"no data rows"),
        ("1,2\n3,4\n", r"looks like data, not a header"),
        ("x,,y\n1,2,3\n", r"column 2 has no name"),
        ("x,x,y\n1,2,3\n", r"names the column 'x' twice"),
        ("y\n1\n2\n", r"only the target column"),
        ("x,y\n1,a\n2,a\n", r"single value \('a'\)"),
        ('x,y\n1,"a\n', r"line \d+: malformed CSV"),
    ],
)
def test_bad_tables(tmp_path, text, match):
    if match is None:
        assert datasets.load_csv(_write(tmp_path, text), "y").class_names == ["0", "1", "abc"]
        return
    msg = _error(tmp_path, text)
    assert pytest.importorskip("re").search(match, msg), msg


def test_regression_needs_numeric_targets(tmp_path):
    msg = _error(tmp_path, "x,y\n1,0.5\n2,big\n", task="regression")
    assert "line 3, column 'y'" in msg and "regression targets must be numbers" in msg
    assert "unknown task 'clustering'" in _error(tmp_path, "x,y\n1,2\n", task="clustering")


def test_unreadable_paths(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        datasets.load_csv(tmp_path / "missing.csv", "y")
    with pytest.raises(UserError, match="is a folder"):
        datasets.load_csv(tmp_path, "y")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("x,caf\xe9\n1,2\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        datasets.load_csv(bad, "y")
    with pytest.raises(UserError, match="does not exist"):
        datasets.load("csv", root=str(tmp_path / "nope.csv"), target="y")
