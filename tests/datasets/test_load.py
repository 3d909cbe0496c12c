"""load(name) -> Split for every bundled and synthetic dataset; the digits data itself."""

from __future__ import annotations

import json

import numpy as np
import pytest

import chainrule
from chainrule import datasets, nn
from chainrule.errors import UserError

SYNTHETIC = {"moons": 2, "circles": 2, "spirals": 3, "xor": 2}


def _check_split(s, n_total, input_shape):
    assert s.x_train.dtype == s.x_val.dtype == s.x_test.dtype == chainrule.float32
    assert len(s.x_train) + len(s.x_val) + len(s.x_test) == n_total
    assert s.input_shape == input_shape
    for x, y in ((s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)):
        assert tuple(x.shape[1:]) == input_shape and len(x) == len(y)
    if s.task == "classification":
        assert s.y_train.dtype == chainrule.int64 and s.y_train.dim() == 1
        assert s.num_classes == len(s.class_names)
        assert int(s.y_train.max()) < s.num_classes
    else:
        assert s.y_train.dtype == chainrule.float32 and tuple(s.y_train.shape[1:]) == (1,)
        assert s.num_classes is None and s.class_names is None
    assert s.meta["sizes"] == {"train": len(s.x_train), "val": len(s.x_val), "test": len(s.x_test)}
    json.dumps(s.meta)  # JSON-able, for the run directory


def test_datasets_tuple():
    expected = {"digits", "moons", "circles", "spirals", "xor", "regression", "mnist", "fashion-mnist", "cifar10",
                "csv", "text"}
    assert set(datasets.DATASETS) == expected


def test_text_windows_split():
    s = datasets.load("text", n_samples=200)
    assert s.input_shape == (64,) and s.num_classes == 62 and len(s.class_names) == 62
    assert s.y_train.dtype == chainrule.int64 and tuple(s.y_train.shape[1:]) == (64,)
    x, y = s.x_train.numpy(), s.y_train.numpy()
    assert (x == x.round()).all() and x.min() >= 0 and x.max() < 62  # character ids, not standardized
    assert (x[:, 1:] == y[:, :-1]).all()  # the target is the input shifted by one character
    assert s.meta["standardize"] is None


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_classification(name):
    s = datasets.load(name, n_samples=200, noise=0.05, seed=4)
    _check_split(s, 200, (2,))
    assert s.task == "classification" and s.num_classes == SYNTHETIC[name]
    assert s.feature_names == ["x1", "x2"] and s.meta["noise"] == 0.05 and s.meta["n_samples"] == 200
    assert (len(s.x_train), len(s.x_val), len(s.x_test)) == (140, 30, 30)


def test_regression_dataset():
    s = datasets.load("regression", n_samples=300, val=0.1, test=0.2)
    _check_split(s, 300, (8,))
    assert s.task == "regression" and (len(s.x_val), len(s.x_test)) == (30, 60)


@pytest.mark.parametrize("name", [*SYNTHETIC, "regression", "digits"])
def test_deterministic_in_seed(name):
    a, b = datasets.load(name, seed=7), datasets.load(name, seed=7)
    c = datasets.load(name, seed=8)
    for attr in ("x_train", "y_train", "x_val", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, attr).numpy(), getattr(b, attr).numpy())
    assert not np.array_equal(a.x_test.numpy(), c.x_test.numpy())
    assert a.meta == b.meta


def test_digits_split_flat_and_images():
    s = datasets.load("digits")
    _check_split(s, 1797, (64,))
    assert s.num_classes == 10 and s.class_names == [str(i) for i in range(10)]
    assert s.feature_names[:2] == ["pixel_0_0", "pixel_0_1"] and len(s.feature_names) == 64
    img = datasets.load("digits", flatten=False, standardize=False)
    _check_split(img, 1797, (1, 8, 8))
    assert img.feature_names is None and img.meta["flatten"] is False
    flat = datasets.load("digits", standardize=False)
    flat_train_mean = float(flat.x_train.numpy().astype(np.float64).mean())
    np.testing.assert_array_equal(img.x_train.numpy().reshape(-1, 64), flat.x_train.numpy())
    # grey-level images get one mean/std (flat or not), taken from the training pixels
    for flat, shape in ((True, [1]), (False, [1, 1, 1])):
        s = datasets.load("digits", flatten=flat)
        stats = s.meta["standardize"]
        assert stats["shape"] == shape and stats["mean"] == [pytest.approx(flat_train_mean)]
        assert abs(float(s.x_train.mean())) < 1e-5 and abs(float(s.x_train.std()) - 1) < 1e-3


def test_digits_stratified_and_subsampled():
    s = datasets.load("digits", val=0.2, test=0.2)
    for y in (s.y_train, s.y_val, s.y_test):
        counts = np.bincount(y.numpy(), minlength=10)
        assert counts.max() - counts.min() <= 0.05 * len(y) + 2
    small = datasets.load("digits", n_samples=300)
    assert len(small.x_train) + len(small.x_val) + len(small.x_test) == 300


def test_load_digits_values_and_class_balance():
    x, y = datasets.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.unique(np.round(x * 16)), np.arange(17))  # the 17 grey levels
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    first = np.round(x[0] * 16).astype(int).reshape(8, 8)
    assert first[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0] and y[0] == 0
    x[0, 0] = 5.0  # callers get their own copy
    assert datasets.load_digits()[0][0, 0] == 0.0


def test_logistic_regression_on_digits_beats_90_percent():
    s = datasets.load("digits")
    chainrule.manual_seed(0)
    model = nn.Linear(64, 10)
    opt = chainrule.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        opt.zero_grad()
        nn.functional.cross_entropy(model(s.x_train), s.y_train).backward()
        opt.step()
    with chainrule.no_grad():
        acc = (model(s.x_test).argmax(1) == s.y_test).float().mean().item()
    assert acc > 0.90


def test_repr_is_short():
    r = repr(datasets.load("xor", n_samples=100))
    assert r.startswith("Split(name='xor'") and "train=70" in r and len(r) < 200


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "cifar"}, "unknown dataset 'cifar'.*digits, moons"),
        ({"name": "moons", "val": 0.6, "test": 0.5}, "no training samples"),
        ({"name": "digits", "n_samples": 0}, "n_samples"),
        ({"name": "moons", "n_samples": 1}, "n_samples"),
        ({"name": "csv"}, "path of the CSV file"),
        ({"name": "csv", "root": "x.csv"}, "target column"),
    ],
)
def test_bad_requests(kwargs, match):
    with pytest.raises(UserError, match=match):
        datasets.load(kwargs.pop("name"), **kwargs)
