"""Hypothesis properties of the newer ops with PyTorch as the oracle: broadcasting binary special
functions, scatter_reduce/index_add over random indices, the set and bucketing ops over random
integers, and quantile/cummax over random shapes (0-d, size-1 and zero-size included)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr

from .test_properties import CI, check, dtypes, run, values

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

BINARY = {
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "logaddexp2": lambda lib, a, b: lib.logaddexp2(a, b),
    "copysign": lambda lib, a, b: lib.copysign(a, b),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b.abs() + 0.5),
    "atan2_alias": lambda lib, a, b: lib.arctan2(a, b.abs() + 0.5),
}
shape_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=4)


@CI
@given(op=st.sampled_from(sorted(BINARY)), shapes=shape_pairs, dtype=dtypes, data=st.data())
def test_broadcast_binary_special(op: str, shapes: Any, dtype: str, data: st.DataObject) -> None:
    sa, sb = shapes.input_shapes
    a = data.draw(values(sa, dtype), label="a")
    b = data.draw(values(sb, dtype), label="b")
    if op in ("hypot", "copysign"):  # kinks at 0 (a = b = 0, a = 0): keep away
        assume(not np.any(a == 0))
    w = data.draw(values(shapes.result_shape, dtype), label="w")
    check(run(BINARY[op], [a, b], w), dtype, f"{op}{sa}x{sb}")


@CI
@given(
    reduce=st.sampled_from(["sum", "mean", "amax", "amin", "prod"]),
    include_self=st.booleans(),
    n=st.integers(1, 4), m=st.integers(0, 6), cols=st.integers(0, 3),
    dtype=dtypes, data=st.data(),
)  # fmt: skip
def test_scatter_reduce_random_index(reduce: str, include_self: bool, n: int, m: int, cols: int, dtype: str, data: st.DataObject) -> None:
    x = data.draw(values((n, cols), dtype, 0.5, 2.0), label="x")  # positive: prod's gradient has no zero branch here
    src = data.draw(values((m, cols), dtype, 0.5, 2.0), label="src")
    idx = data.draw(hnp.arrays(np.int64, (m, cols), elements=st.integers(0, n - 1)), label="index")
    if reduce in ("amax", "amin"):  # ties split the gradient; keep values distinct
        assume(len(np.unique(np.concatenate([x.ravel(), src.ravel()]))) == x.size + src.size)
    w = data.draw(values((n, cols), dtype), label="w")
    res = run(lambda lib, a, s, i: lib.scatter_reduce(a, 0, i, s, reduce, include_self=include_self), [x, src, idx], w)
    check(res, dtype, f"scatter_reduce {reduce} include_self={include_self}")


@CI
@given(n=st.integers(1, 5), m=st.integers(0, 6), dtype=dtypes, data=st.data())
def test_index_add_copy_random(n: int, m: int, dtype: str, data: st.DataObject) -> None:
    x = data.draw(values((n, 3), dtype), label="x")
    src = data.draw(values((m, 3), dtype), label="src")
    idx = data.draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, n - 1)), label="index")
    w = data.draw(values((n, 3), dtype), label="w")
    check(run(lambda lib, a, s, i: lib.index_add(a, 0, i, s, alpha=0.5), [x, src, idx], w), dtype, "index_add")
    distinct = np.unique(idx)
    s2 = src[: distinct.size]
    check(run(lambda lib, a, s, i: lib.index_copy(a, 0, i, s), [x, s2, distinct], w), dtype, "index_copy")


ints = hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5), elements=st.integers(-3, 3))


@CI
@given(a=ints, dim=st.integers(-1, 0))
def test_unique_and_runs_match_torch(a: np.ndarray, dim: int) -> None:
    for kw in ({}, {"return_inverse": True, "return_counts": True}):
        for fn in ("unique", "unique_consecutive"):
            ours = getattr(cr, fn)(cr.tensor(a), **kw)
            theirs = getattr(torch, fn)(torch.tensor(a), **kw)
            for o, t in zip(ours if isinstance(ours, tuple) else (ours,), theirs if isinstance(theirs, tuple) else (theirs,)):
                assert o.tolist() == t.tolist(), f"{fn}{kw}"
    d = dim % a.ndim
    if any(n == 0 for i, n in enumerate(a.shape) if i != d):
        for lib in (cr, torch):
            with pytest.raises(RuntimeError, match="unique cannot be applied"):
                lib.unique(lib.tensor(a), dim=dim)
    elif a.shape[d]:
        o = cr.unique(cr.tensor(a), dim=dim, return_inverse=True, return_counts=True)
        t = torch.unique(torch.tensor(a), dim=dim, return_inverse=True, return_counts=True)
        assert [x.tolist() for x in o] == [x.tolist() for x in t]


@CI
@given(
    seq=hnp.arrays(np.int64, st.integers(0, 8), elements=st.integers(-5, 5)),
    vals=hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4), elements=st.integers(-6, 6)),
    right=st.booleans(),
)
def test_searchsorted_bucketize_bincount(seq: np.ndarray, vals: np.ndarray, right: bool) -> None:
    s = np.sort(seq)
    assert cr.searchsorted(cr.tensor(s), cr.tensor(vals), right=right).tolist() == torch.searchsorted(torch.tensor(s), torch.tensor(vals), right=right).tolist()
    assert cr.bucketize(cr.tensor(vals), cr.tensor(s), right=right).tolist() == torch.bucketize(torch.tensor(vals), torch.tensor(s), right=right).tolist()
    nonneg = np.abs(seq)
    assert cr.bincount(cr.tensor(nonneg), minlength=3).tolist() == torch.bincount(torch.tensor(nonneg), minlength=3).tolist()


@CI
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
    q=st.lists(st.floats(0.0, 1.0, width=32), min_size=1, max_size=3),
    interpolation=st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]),
    dtype=dtypes, data=st.data(),
)  # fmt: skip
def test_quantile_random(shape: tuple[int, ...], q: list[float], interpolation: str, dtype: str, data: st.DataObject) -> None:
    a = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-3, 3, width=32), unique=True), label="a")
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    qs = np.asarray(q, dtype)
    out_shape = (len(q),) + tuple(s for i, s in enumerate(shape) if i != dim % len(shape))
    w = data.draw(values(out_shape, dtype), label="w")
    res = run(lambda lib, x: lib.quantile(x, lib.tensor(qs), dim=dim, interpolation=interpolation), [a], w)
    check(res, dtype, f"quantile {interpolation}")


@CI
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), dtype=dtypes, data=st.data())
def test_cummax_cummin_logcumsumexp_random(shape: tuple[int, ...], dtype: str, data: st.DataObject) -> None:
    a = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-3, 3, width=32), unique=True), label="a")
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1), label="dim")
    w = data.draw(values(shape, dtype), label="w")
    check(run(lambda lib, x: lib.cummax(x, dim).values, [a], w), dtype, "cummax")
    check(run(lambda lib, x: lib.cummin(x, dim).values, [a], w), dtype, "cummin")
    check(run(lambda lib, x: lib.logcumsumexp(x, dim), [a], w), dtype, "logcumsumexp")
