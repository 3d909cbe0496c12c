"""split (stratified, seeded) and standardization from the training split only."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule import datasets
from chainrule.errors import UserError


def _labelled(n=1000, weights=(0.6, 0.3, 0.1), seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(weights), size=n, p=weights).astype(np.int64)
    x = np.arange(n, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)  # row i holds i: traceable
    return x, y


def test_sizes_partition_and_determinism():
    x, y = _labelled()
    parts = datasets.split(x, y, val=0.2, test=0.1, seed=5)
    xtr, ytr, xva, yva, xte, yte = parts
    assert (len(xtr), len(xva), len(xte)) == (700, 200, 100)
    ids = np.concatenate([xtr[:, 0], xva[:, 0], xte[:, 0]]).astype(int)
    assert sorted(ids.tolist()) == list(range(1000))  # disjoint and complete
    np.testing.assert_array_equal(y[xte[:, 0].astype(int)], yte)  # rows stay with their labels
    again = datasets.split(x, y, val=0.2, test=0.1, seed=5)
    for a, b in zip(parts, again):
        np.testing.assert_array_equal(a, b)
    other = datasets.split(x, y, val=0.2, test=0.1, seed=6)
    assert not np.array_equal(other[4], xte)


def test_stratified_proportions():
    x, y = _labelled(weights=(0.7, 0.2, 0.07, 0.03))
    whole = np.bincount(y, minlength=4) / len(y)
    _, ytr, _, yva, _, yte = datasets.split(x, y, val=0.15, test=0.15, seed=0)
    for part in (ytr, yva, yte):
        frac = np.bincount(part, minlength=4) / len(part)
        np.testing.assert_allclose(frac, whole, atol=1.5 / len(part) + 1e-9)


def test_unstratified_is_a_plain_shuffle_and_handles_regression_targets():
    x = np.arange(100, dtype=np.float32)[:, None]
    y = x * 2
    xtr, ytr, xva, yva, xte, yte = datasets.split(x, y, val=0.1, test=0.2, seed=0, stratify=False)
    assert (len(xtr), len(xva), len(xte)) == (70, 10, 20)
    np.testing.assert_array_equal(ytr, xtr * 2)


def test_zero_val_and_tensors_accepted():
    x, y = chainrule.randn(20, 2), chainrule.arange(20) % 2
    xtr, ytr, xva, yva, xte, yte = datasets.split(x, y, val=0.0, test=0.25)
    assert xva.shape == (0, 2) and len(xte) == 5 and isinstance(xtr, np.ndarray)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"val": 1.0}, "val fraction"),
        ({"test": -0.1}, "test fraction"),
        ({"val": 0.5, "test": 0.5}, "no training"),
    ],
)
def test_bad_fractions(kwargs, match):
    with pytest.raises(UserError, match=match):
        datasets.split(np.zeros((10, 1)), np.zeros(10, np.int64), **kwargs)


def test_length_mismatch():
    with pytest.raises(UserError, match="10 samples but y has 9"):
        datasets.split(np.zeros((10, 1)), np.zeros(9))


def test_standardization_uses_training_split_only():
    raw = datasets.load("regression", standardize=False, seed=2)
    std = datasets.load("regression", standardize=True, seed=2)
    xtr = raw.x_train.numpy().astype(np.float64)
    stats = std.meta["standardize"]
    np.testing.assert_allclose(stats["mean"], xtr.mean(0), rtol=1e-6)
    np.testing.assert_allclose(stats["std"], xtr.std(0), rtol=1e-6)
    np.testing.assert_allclose(std.x_train.numpy().mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(std.x_train.numpy().std(0), 1, atol=1e-4)
    expected_test = (raw.x_test.numpy() - xtr.mean(0)) / xtr.std(0)
    np.testing.assert_allclose(std.x_test.numpy(), expected_test, atol=1e-5)
    assert abs(std.x_test.numpy().mean()) > 1e-4  # not re-centred on its own statistics
    np.testing.assert_array_equal(std.y_train.numpy(), raw.y_train.numpy())  # targets untouched


def test_standardize_with_for_predict_inputs():
    data = datasets.load("moons", n_samples=100)
    raw = datasets.load("moons", n_samples=100, standardize=False)
    np.testing.assert_allclose(
        datasets.standardize_with(raw.x_test.numpy(), data.meta), data.x_test.numpy(), atol=1e-6
    )
    out = datasets.standardize_with(raw.x_val, data.meta["standardize"])  # the entry itself, Tensor in
    assert isinstance(out, chainrule.Tensor) and out.dtype == chainrule.float32
    np.testing.assert_allclose(out.numpy(), data.x_val.numpy(), atol=1e-6)
    ints = datasets.standardize_with(np.array([[1, 2]]), None)  # no statistics: only cast
    assert ints.dtype == np.float32 and ints.tolist() == [[1.0, 2.0]]
    assert datasets.standardize_with(np.ones((3, 2)), {"standardize": None}).dtype == np.float32
    with pytest.raises(UserError, match="per-sample shape 3 .* shape 2"):
        datasets.standardize_with(np.ones((4, 3)), data.meta)


def test_constant_feature_keeps_unit_std():
    stats = datasets.fit_standardization(np.array([[1.0, 5.0], [3.0, 5.0]]))
    assert stats == {"mean": [2.0, 5.0], "std": [1.0, 1.0], "shape": [2]}
    np.testing.assert_array_equal(datasets.standardize_with(np.array([[3.0, 5.0]]), stats), [[1.0, 0.0]])


def test_per_channel_statistics_for_images():
    x = np.random.default_rng(0).normal(size=(10, 2, 4, 4)) * np.array([1.0, 3.0])[:, None, None] + 7
    stats = datasets.fit_standardization(x, per="channel")
    assert stats["shape"] == [2, 1, 1] and len(stats["mean"]) == 2
    out = datasets.standardize_with(x, stats)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, atol=1e-4)
    single = datasets.fit_standardization(x, per="all")
    assert single["shape"] == [1, 1, 1] and single["mean"] == [pytest.approx(x.mean())]
    with pytest.raises(UserError, match="needs a non-empty batch"):
        datasets.fit_standardization(np.zeros((0, 3)))
    with pytest.raises(UserError, match="per must be"):
        datasets.fit_standardization(np.zeros((4, 3)), per="channel")
