"""Hypothesis properties of broadcasting, reductions and indexing, with PyTorch as the oracle.

Each property draws shapes (including 0-d, size-1 and zero-size dims), values and arguments,
runs the same expression in chainrule and torch, and compares the forward value, dtype, shape and
the gradient of ``out.backward(w)`` for a random ``w``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

# CI: a small, derandomized (reproducible) budget. Hunt locally with a big random one:
#   CHAINRULE_PROPERTY_EXAMPLES=2000 pytest tests/ops/test_properties.py
_HUNT = os.environ.get("CHAINRULE_PROPERTY_EXAMPLES")
CI = settings(
    max_examples=int(_HUNT or 40), derandomize=_HUNT is None, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
TOL = {"float32": (1e-5, 1e-5), "float64": (1e-10, 1e-10)}
dtypes = st.sampled_from(["float32", "float64"])


def values(shape: tuple[int, ...], dtype: str = "float64", lo: float = -3.0, hi: float = 3.0) -> Any:
    """Arrays of ``shape`` with finite values (repeats and ties included, as Hypothesis likes them)."""
    return hnp.arrays(dtype, shape, elements=st.floats(lo, hi, width=32, allow_subnormal=False))


def nonzero(shape: tuple[int, ...], dtype: str = "float64") -> Any:
    mag = st.floats(0.25, 3.0, width=32)
    return hnp.arrays(dtype, shape, elements=st.one_of(mag, mag.map(lambda v: -v)))


def run(
    fn: Callable[..., Any], arrays: list[np.ndarray], w: np.ndarray | None, args: tuple = ()
) -> dict[str, Any]:
    """``fn(lib, *tensors, *args)`` in both libraries; float arrays are leaves requiring grad."""
    res: dict[str, Any] = {}
    for name, lib in (("cr", cr), ("th", torch)):
        leaves = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch's "degrees of freedom <= 0" for var
            out = fn(lib, *leaves, *args)
            if w is not None and out.requires_grad:
                out.backward(lib.tensor(w.reshape(tuple(out.shape)).astype(arrays[0].dtype)))
        res[name] = (out, leaves)
    return res


def check(res: dict[str, Any], dtype: str, what: str) -> None:
    rtol, atol = TOL[dtype]
    (co, cl), (to, tl) = res["cr"], res["th"]
    assert str(co.dtype).split(".")[-1] == str(to.dtype).split(".")[-1], (
        f"{what}: dtype {co.dtype} vs torch {to.dtype}"
    )
    assert tuple(co.shape) == tuple(to.shape), f"{what}: shape {tuple(co.shape)} vs torch {tuple(to.shape)}"
    np.testing.assert_allclose(
        co.detach().numpy(), to.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"{what}: forward"
    )
    for i, (c, t) in enumerate(zip(cl, tl)):
        if t.grad is None:
            assert c.grad is None or not np.any(c.grad.numpy()), f"{what}: input {i} got an unexpected grad"
            continue
        assert c.grad is not None, f"{what}: input {i} got no gradient"
        assert c.grad.dtype == c.dtype and tuple(c.grad.shape) == tuple(c.shape), (
            f"{what}: grad {i} dtype/shape"
        )
        np.testing.assert_allclose(
            c.grad.numpy(),
            t.grad.numpy(),
            rtol=rtol * 10,
            atol=atol * 10,
            err_msg=f"{what}: grad of input {i}",
        )


def unbroadcast_np(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Reference adjoint of broadcasting, written independently of the engine."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


# --- broadcasting -------------------------------------------------------------------------------------
BINARY = {
    "add": (lambda lib, a, b: lib.add(a, b), np.add),
    "sub": (lambda lib, a, b: a - b, np.subtract),
    "mul": (lambda lib, a, b: a * b, np.multiply),
    "div": (lambda lib, a, b: a / b, np.divide),
    "maximum": (lambda lib, a, b: lib.maximum(a, b), np.maximum),
}
shape_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=4)


@CI
@given(op=st.sampled_from(sorted(BINARY)), shapes=shape_pairs, dtype=dtypes, data=st.data())
def test_broadcast_binary(op: str, shapes: Any, dtype: str, data: st.DataObject) -> None:
    sa, sb = shapes.input_shapes
    a = data.draw(values(sa, dtype), label="a")
    b = data.draw((nonzero if op == "div" else values)(sb, dtype), label="b")
    w = data.draw(values(shapes.result_shape, dtype), label="w")
    fn, ref = BINARY[op]
    res = run(fn, [a, b], w)
    with np.errstate(all="ignore"):
        expected = ref(a, b)
    np.testing.assert_allclose(
        res["cr"][0].detach().numpy(), expected, rtol=TOL[dtype][0], atol=TOL[dtype][1]
    )
    check(res, dtype, f"{op}{sa}x{sb}")
    if op in ("add", "sub"):  # the gradient is the unbroadcast sum of w, exactly
        sign = 1.0 if op == "add" else -1.0
        rtol, atol = TOL[dtype]
        ga, gb = (t.grad.numpy() for t in res["cr"][1])
        np.testing.assert_allclose(ga, unbroadcast_np(w, sa), rtol=rtol, atol=atol * 10)
        np.testing.assert_allclose(gb, sign * unbroadcast_np(w, sb), rtol=rtol, atol=atol * 10)


@CI
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=0, max_side=3),
       dtype=dtypes, data=st.data())  # fmt: skip
def test_broadcast_where(shapes: Any, dtype: str, data: st.DataObject) -> None:
    sc, sa, sb = shapes.input_shapes
    cond = data.draw(hnp.arrays(np.bool_, sc), label="cond")
    a, b = data.draw(values(sa, dtype), label="a"), data.draw(values(sb, dtype), label="b")
    w = data.draw(values(shapes.result_shape, dtype), label="w")
    res = run(lambda lib, a, b, c: lib.where(c, a, b), [a, b, cond], w)
    np.testing.assert_array_equal(res["cr"][0].detach().numpy(), np.where(cond, a, b))
    check(res, dtype, f"where{sc},{sa},{sb}")


# --- reductions ----------------------------------------------------------------------------------------
@st.composite
def shape_and_dim(draw: Any, min_side: int = 0) -> tuple[tuple[int, ...], Any]:
    """A shape and a ``dim`` argument for it: None, an int or a tuple of distinct dims (any sign)."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=min_side, max_side=4))
    nd = max(len(shape), 1)  # a 0-d tensor accepts dim 0 / -1, as in PyTorch
    axes = draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=1, max_size=nd))
    dims = tuple(d - nd if draw(st.booleans()) else d for d in axes)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    return shape, None if kind == "none" else dims[0] if kind == "int" else dims


def _reduce(name: str, dim: Any, keepdim: bool, **kw: Any) -> Callable[..., Any]:
    def fn(lib: Any, x: Any) -> Any:
        f = getattr(lib, name)
        if dim is None:
            return f(x, **kw) if name != "logsumexp" else f(x, tuple(range(x.ndim)) or 0, keepdim=keepdim)
        return f(x, dim, keepdim=keepdim, **kw)

    return fn


@CI
@given(op=st.sampled_from(["sum", "mean"]), sd=shape_and_dim(min_side=0), keepdim=st.booleans(),
       dtype=dtypes, data=st.data())  # fmt: skip
def test_reduce_sum_mean(op: str, sd: Any, keepdim: bool, dtype: str, data: st.DataObject) -> None:
    shape, dim = sd
    x = data.draw(values(shape, dtype), label="x")
    res = run(_reduce(op, dim, keepdim), [x], None)
    w = data.draw(values(tuple(res["th"][0].shape), dtype), label="w")
    check(run(_reduce(op, dim, keepdim), [x], w), dtype, f"{op}{shape} dim={dim} keepdim={keepdim}")


@CI
@given(op=st.sampled_from(["amax", "logsumexp"]), sd=shape_and_dim(min_side=1), keepdim=st.booleans(),
       ties=st.booleans(), dtype=dtypes, data=st.data())  # fmt: skip
def test_reduce_amax_logsumexp(
    op: str, sd: Any, keepdim: bool, ties: bool, dtype: str, data: st.DataObject
) -> None:
    shape, dim = sd
    elems = st.sampled_from([-1.0, 0.0, 2.0]) if ties else st.floats(-3, 3, width=32, allow_subnormal=False)
    x = data.draw(hnp.arrays(dtype, shape, elements=elems), label="x")
    res = run(_reduce(op, dim, keepdim), [x], None)
    w = data.draw(values(tuple(res["th"][0].shape), dtype), label="w")
    check(run(_reduce(op, dim, keepdim), [x], w), dtype, f"{op}{shape} dim={dim} keepdim={keepdim}")


@CI
@given(sd=shape_and_dim(min_side=1), keepdim=st.booleans(), correction=st.sampled_from([0, 1]),
       dtype=dtypes, data=st.data())  # fmt: skip
def test_reduce_var(sd: Any, keepdim: bool, correction: int, dtype: str, data: st.DataObject) -> None:
    shape, dim = sd
    x = data.draw(values(shape, dtype), label="x")
    fn = _reduce("var", dim, keepdim, correction=correction) if dim is not None else (
        lambda lib, x: lib.var(x, correction=correction))  # fmt: skip
    res = run(fn, [x], None)
    w = data.draw(values(tuple(res["th"][0].shape), dtype), label="w")
    check(run(fn, [x], w), dtype, f"var{shape} dim={dim} keepdim={keepdim} correction={correction}")


# --- indexing ------------------------------------------------------------------------------------------
def _positive_steps(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)


@CI
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5), data=st.data())
def test_basic_indexing(shape: tuple[int, ...], data: st.DataObject) -> None:
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True), label="index")
    assume(_positive_steps(index))  # PyTorch rejects negative steps (see the next property)
    x = data.draw(values(shape), label="x")
    w = data.draw(values(x[index].shape), label="w")
    res = run(lambda lib, t: t[index], [x], w)
    np.testing.assert_array_equal(res["cr"][0].detach().numpy(), x[index])
    check(res, "float64", f"x{shape}[{index!r}]")


@CI
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), data=st.data())
def test_negative_step_is_rejected_like_torch(shape: tuple[int, ...], data: st.DataObject) -> None:
    step = data.draw(st.integers(-3, -1), label="step")
    x = cr.tensor(data.draw(values(shape), label="x"))
    with pytest.raises(ValueError, match="step"):
        x[::step]


@CI
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
       index_shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=6), data=st.data())  # fmt: skip
def test_integer_array_index_dim0_with_repeats(shape: Any, index_shape: Any, data: st.DataObject) -> None:
    n = shape[0]
    idx = data.draw(hnp.arrays(np.int64, index_shape, elements=st.integers(-n, n - 1)), label="idx")
    x = data.draw(values(shape), label="x")
    w = data.draw(values(x[idx].shape), label="w")
    res = run(lambda lib, t, i: t[i], [x, idx], w)
    np.testing.assert_array_equal(res["cr"][0].detach().numpy(), x[idx])
    check(res, "float64", f"x{shape}[idx{index_shape}]")


@st.composite
def mixed_index(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """Per dim a slice, an int or an int array (all arrays broadcast together), as torch accepts them."""
    ishape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    parts: list[Any] = []
    for n in shape:
        kind = draw(st.sampled_from(["slice", "int", "array"]))
        if kind == "slice":
            start, stop = draw(st.integers(-n, n)), draw(st.integers(-n, n))
            parts.append(slice(start, stop, draw(st.integers(1, 3))))
        elif kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            parts.append(draw(hnp.arrays(np.int64, ishape, elements=st.integers(-n, n - 1))))
    return tuple(parts)


@CI
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), data=st.data())
def test_mixed_advanced_indexing(shape: tuple[int, ...], data: st.DataObject) -> None:
    index = data.draw(mixed_index(shape), label="index")
    x = data.draw(values(shape), label="x")
    th_out = torch.tensor(x)[tuple(torch.tensor(p) if isinstance(p, np.ndarray) else p for p in index)]
    w = data.draw(values(tuple(th_out.shape)), label="w")

    def fn(lib: Any, t: Any) -> Any:
        return t[tuple(lib.tensor(p) if isinstance(p, np.ndarray) else p for p in index)]

    check(run(fn, [x], w), "float64", f"x{shape}[{index!r}]")


@CI
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4), lead=st.integers(1, 3),
       data=st.data())  # fmt: skip
def test_boolean_mask_indexing(shape: tuple[int, ...], lead: int, data: st.DataObject) -> None:
    lead = min(lead, len(shape))
    mask = data.draw(hnp.arrays(np.bool_, shape[:lead]), label="mask")
    x = data.draw(values(shape), label="x")
    w = data.draw(values(x[mask].shape), label="w")
    res = run(lambda lib, t, m: t[m], [x, mask], w)
    np.testing.assert_array_equal(res["cr"][0].detach().numpy(), x[mask])
    check(res, "float64", f"x{shape}[mask{mask.shape}]")


@CI
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), kind=st.sampled_from(["basic", "array"]),
       data=st.data())  # fmt: skip
def test_setitem_matches_torch(shape: tuple[int, ...], kind: str, data: st.DataObject) -> None:
    """y = x.clone(); y[index] = v: value and gradients of x (0 where overwritten) and v."""
    if kind == "basic":
        index = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True), label="index")
        assume(_positive_steps(index))
    else:  # unique positions: with repeats, which write wins is unspecified in PyTorch too
        n = shape[0]
        index = data.draw(
            st.lists(st.integers(-n, n - 1), unique_by=lambda i: i % n, max_size=n).map(np.array)
        )
        index = index.astype(np.int64)
    x = data.draw(values(shape), label="x")
    vshape = np.empty(shape)[index].shape
    vshape = vshape[data.draw(st.integers(0, len(vshape)), label="broadcast v from") :]  # v may broadcast
    v = data.draw(values(vshape), label="v")
    w = data.draw(values(shape), label="w")

    def fn(lib: Any, t: Any, u: Any) -> Any:
        y = t.clone()
        y[lib.tensor(index) if isinstance(index, np.ndarray) else index] = u
        return y

    check(run(fn, [x, v], w), "float64", f"x{shape}[{index!r}] = v{vshape}")


@pytest.mark.parametrize(
    ("shape", "make_index"),
    [
        ((2, 3, 4), lambda lib: (0, slice(None), lib.tensor([0, 2]))),  # torch (3, 2), NumPy (2, 3)
        ((2, 3, 4), lambda lib: (lib.tensor(1), slice(None), lib.tensor([0, 2]))),  # 0-d tensor = int
        ((2, 3, 4, 5), lambda lib: (slice(None), 0, slice(0, 0), lib.tensor([[1]]))),
    ],
    ids=["int-slice-tensor", "0d-tensor-slice-tensor", "slice-int-empty-tensor"],
)
def test_int_and_tensor_indices_follow_torch_order(
    shape: tuple[int, ...], make_index: Callable[[Any], Any]
) -> None:
    """PyTorch applies int indices (and 0-d index tensors) first, as selections, then the index
    tensors; NumPy broadcasts ints with the arrays, which moves dims elsewhere (x[0, :, idx])."""
    x = np.arange(float(np.prod(shape))).reshape(shape)
    th_out = torch.tensor(x)[make_index(torch)]
    w = np.linspace(-1, 1, th_out.numel()).reshape(tuple(th_out.shape))
    check(run(lambda lib, t: t[make_index(lib)], [x], w), "float64", "mixed int/tensor index")
