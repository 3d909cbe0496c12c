"""Random in-place fills (random_, exponential_, geometric_, log_normal_, cauchy_, bernoulli):
PyTorch's ranges, dtypes and errors, moments within sampling error, reproducibility under
manual_seed; resize_/resize_as_ and in-place reshapes without a graph."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

N = 20000


@pytest.mark.parametrize(
    ("dtype", "args", "lo", "hi"),
    [("float32", (3, 7), 3, 6), ("int64", (5,), 0, 4), ("int32", (-4, 4), -4, 3), ("uint8", (), 0, 255), ("bool", (), 0, 1)],
)
def test_random_range_and_dtype(dtype: str, args: tuple, lo: int, hi: int) -> None:
    x = cr.zeros(N, dtype=getattr(cr, dtype)).random_(*args)
    t = torch.zeros(N, dtype=getattr(torch, dtype)).random_(*args)
    assert str(x.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    for v in (x, t):
        a = np.asarray(v.numpy(), dtype=np.int64)
        assert a.min() == lo and a.max() == hi


def test_random_default_float_bound_and_keywords() -> None:
    x = cr.zeros(N).random_()
    assert x.min().item() >= 0 and x.max().item() <= 2**24 and x.max().item() > 2**20
    y = cr.zeros(N).random_(**{"from": 2, "to": 4})
    assert set(np.unique(y.numpy())) == {2.0, 3.0}
    with pytest.raises(RuntimeError, match="random_"):
        cr.zeros(3).random_(5, 5)


@pytest.mark.parametrize(
    ("name", "args", "mean", "var"),
    [
        ("exponential_", (2.0,), 0.5, 0.25),
        ("geometric_", (0.25,), 4.0, 12.0),
        ("log_normal_", (0.5, 0.4), np.exp(0.5 + 0.08), (np.exp(0.16) - 1) * np.exp(1.0 + 0.16)),
    ],
)
def test_distribution_moments(name: str, args: tuple, mean: float, var: float) -> None:
    cr.manual_seed(0)
    a = getattr(cr.zeros(N, dtype=cr.float64), name)(*args).numpy()
    assert abs(a.mean() - mean) < 5 * np.sqrt(var / N)
    assert abs(a.var() - var) < 0.1 * var
    t = getattr(torch.zeros(N, dtype=torch.float64), name)(*args).numpy()  # the oracle agrees on the law
    assert abs(t.mean() - mean) < 5 * np.sqrt(var / N)


def test_cauchy_median_and_quartiles() -> None:
    a = cr.zeros(N, dtype=cr.float64).cauchy_(1.0, 2.0).numpy()
    q1, q2, q3 = np.quantile(a, [0.25, 0.5, 0.75])
    assert abs(q2 - 1.0) < 0.1 and abs((q3 - q1) / 2 - 2.0) < 0.15


def test_geometric_support_and_errors() -> None:
    assert cr.zeros(1000).geometric_(0.9).min().item() >= 1
    for bad in (lambda: cr.zeros(2).geometric_(1.5), lambda: cr.zeros(2).exponential_(0.0), lambda: cr.zeros(2).log_normal_(0.0, -1.0)):
        with pytest.raises(RuntimeError):
            bad()


def test_reproducible_under_manual_seed() -> None:
    cr.manual_seed(7)
    a = cr.zeros(5).exponential_().numpy().copy()
    cr.manual_seed(7)
    assert np.array_equal(a, cr.zeros(5).exponential_().numpy())
    g = cr.Generator().manual_seed(3)
    b = cr.zeros(5).random_(10, generator=g).numpy().copy()
    g.manual_seed(3)
    assert np.array_equal(b, cr.zeros(5).random_(10, generator=g).numpy())


def test_bernoulli_method() -> None:
    p = cr.full((N,), 0.3, dtype=cr.float64)
    assert abs(p.bernoulli().mean().item() - 0.3) < 0.02
    assert set(np.unique(p.bernoulli(0.5).numpy())) <= {0.0, 1.0}


def test_leaf_requiring_grad_refuses_fills() -> None:
    w = cr.zeros(3, requires_grad=True)
    m = cr.zeros(2, 2, requires_grad=True)
    for call in (lambda: w.random_(3), lambda: w.exponential_(), lambda: w.unsqueeze_(0), lambda: m.fill_diagonal_(1.0)):
        with pytest.raises(RuntimeError, match="leaf"):
            call()
    with cr.no_grad():
        w.exponential_()
        w.unsqueeze_(0)
    assert tuple(w.shape) == (1, 3) and w.requires_grad


def test_resize_matches_torch_on_kept_elements() -> None:
    for lib in (cr, torch):
        x = lib.arange(12).reshape(3, 4)
        assert x.resize_(2, 5).tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
        assert lib.arange(6.0).resize_as_(lib.zeros(2, 2)).tolist() == [[0.0, 1.0], [2.0, 3.0]]
    grown = cr.arange(3).resize_(2, 3)
    assert grown.tolist() == [[0, 1, 2], [0, 0, 0]]
