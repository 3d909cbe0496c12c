"""The seeded toy generators: shapes, dtypes, determinism and geometry."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import datasets
from chainrule.errors import UserError

CLASSIFIERS = {
    "moons": (datasets.make_moons, 2),
    "circles": (datasets.make_circles, 2),
    "spirals": (datasets.make_spirals, 3),
    "xor": (datasets.make_xor, 2),
}


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_shapes_dtypes_and_balance(name):
    gen, k = CLASSIFIERS[name]
    x, y = gen(n_samples=301, noise=0.1, seed=3)
    assert x.shape == (301, 2) and x.dtype == np.float32 and x.flags.c_contiguous
    assert y.shape == (301,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(k))
    counts = np.bincount(y)
    assert counts.min() >= (0.35 if name == "xor" else 0.99) * 301 / k - 1


@pytest.mark.parametrize("name", [*CLASSIFIERS, "regression"])
def test_deterministic_in_seed(name):
    gen = CLASSIFIERS[name][0] if name in CLASSIFIERS else datasets.make_regression
    a, b, c = gen(n_samples=50, seed=1), gen(n_samples=50, seed=1), gen(n_samples=50, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_moons_geometry_without_noise():
    x, y = datasets.make_moons(n_samples=200, noise=0.0, seed=0)
    upper, lower = x[y == 0].astype(np.float64), x[y == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all() and (lower[:, 1] <= 0.5 + 1e-6).all()


def test_circles_radii():
    x, y = datasets.make_circles(n_samples=100, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-6)


def test_spirals_classes_and_radius():
    x, y = datasets.make_spirals(n_samples=100, n_classes=4, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [25, 25, 25, 25]
    r = np.hypot(x[:, 0], x[:, 1])
    assert 0.09 < r.min() and r.max() <= 1.0 + 1e-6


def test_xor_labels_match_quadrants_without_noise():
    x, y = datasets.make_xor(n_samples=400, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] < 0).astype(np.int64))


def test_regression_is_linear_plus_noise():
    x, y = datasets.make_regression(n_samples=500, n_features=5, noise=0.1, seed=0)
    assert x.shape == (500, 5) and x.dtype == np.float32
    assert y.shape == (500, 1) and y.dtype == np.float32
    a = np.hstack([x, np.ones((500, 1), np.float32)]).astype(np.float64)
    coef, *_ = np.linalg.lstsq(a, y.astype(np.float64), rcond=None)
    residual = y[:, 0] - (a @ coef)[:, 0]
    assert 0.07 < residual.std() < 0.13
    x0, y0 = datasets.make_regression(n_samples=50, n_features=2, noise=0.0, seed=0)
    a0 = np.hstack([x0, np.ones((50, 1), np.float32)]).astype(np.float64)
    coef0, *_ = np.linalg.lstsq(a0, y0.astype(np.float64), rcond=None)
    np.testing.assert_allclose(a0 @ coef0, y0, atol=1e-5)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: datasets.make_moons(n_samples=1), "n_samples"),
        (lambda: datasets.make_moons(n_samples=10.5), "n_samples"),
        (lambda: datasets.make_xor(noise=-1.0), "noise"),
        (lambda: datasets.make_circles(noise=float("nan")), "noise"),
        (lambda: datasets.make_circles(factor=1.5), "factor"),
        (lambda: datasets.make_spirals(n_classes=1), "n_classes"),
        (lambda: datasets.make_regression(n_features=0), "n_features"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(UserError, match=match):
        call()
