"""Creation functions and random generators, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")


def _same(c, t, exact: bool = True) -> None:
    assert str(t.dtype).replace("torch.", "") == c.dtype.name
    assert tuple(c.shape) == tuple(t.shape)
    if exact:
        np.testing.assert_array_equal(c.numpy(), t.numpy())
    else:
        np.testing.assert_allclose(c.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)


CREATION = [
    "L.tensor(3.0)", "L.tensor(3)", "L.tensor(True)", "L.tensor([1, 2.5])", "L.tensor([])",
    "L.tensor([[]])", "L.tensor([[1, 2], [3, 4]])", "L.tensor([True, False])", "L.tensor([True, 1])",
    "L.tensor(np.float64(1.5))", "L.tensor(np.int32(3))", "L.tensor(np.array([1.0, 2.0]))",
    "L.tensor(np.array([1, 2], dtype=np.int32))", "L.tensor(np.array([1.0], dtype=np.float16))",
    "L.tensor(np.array(2.5))", "L.tensor([1, 2], dtype=L.float64)", "L.tensor([1.7, -2.7], dtype=L.int32)",
    "L.as_tensor([1, 2])", "L.as_tensor(np.array([1.0, 2.0]))", "L.as_tensor([1.0, 2.0], dtype=L.float16)",
    "L.zeros(2, 3)", "L.zeros((2, 3))", "L.zeros([2, 3], dtype=L.int32)", "L.zeros(())", "L.zeros(0, 3)",
    "L.ones(2)", "L.ones(2, 1, dtype=L.bool)", "L.full((2,), 3)", "L.full((2,), 3.5)", "L.full((2,), True)",
    "L.full([2, 2], 1, dtype=L.float64)", "L.full((), 2.0)", "L.full((2,), L.tensor(1.5))",
    "L.zeros_like(L.tensor([1, 2]))", "L.ones_like(L.tensor([1.0, 2.0]), dtype=L.float64)",
    "L.full_like(L.tensor([1, 2]), 2.7)", "L.full_like(L.tensor([1.0, 2.0]), 7)",
    "L.arange(5)", "L.arange(1, 4)", "L.arange(0, 1, 0.1)", "L.arange(1.0, 4)", "L.arange(5, dtype=L.float32)",
    "L.arange(0, 10, 3)", "L.arange(10, 0, -3)", "L.arange(-1.0, 1.0, 0.25)", "L.arange(L.tensor(3))",
    "L.arange(0, 0)", "L.arange(2, dtype=L.float64)",
    "L.eye(3)", "L.eye(2, 3)", "L.eye(3, dtype=L.int64)", "L.eye(0)",
    "L.scalar_tensor(3)", "L.Tensor([1, 2])", "L.tensor([1.0, 2.0]).new_zeros(2)",
    "L.tensor([1, 2]).new_tensor([1.5])", "L.tensor([1.0, 2.0]).new_full((2,), 3)",
    "L.tensor([1.0, 2.0]).new_ones((2,))", "L.tensor([1.0], dtype=L.float64).new_empty(0)",
]  # fmt: skip


@pytest.mark.parametrize("expr", CREATION)
def test_creation_matches_torch(expr):
    _same(eval(expr, {"L": cr, "np": np}), eval(expr, {"L": torch, "np": np}))


LINSPACE = [
    "L.linspace(0, 1, 5)", "L.linspace(-3, 7, 11)", "L.linspace(0, 1, 1)", "L.linspace(0, 1, 0)",
    "L.linspace(0, 10, 5, dtype=L.int64)", "L.linspace(0.1, 0.9, 7)", "L.linspace(1, -1, 100)",
    "L.linspace(0, 1, 5, dtype=L.float64)", "L.logspace(0, 2, 3)",
]  # fmt: skip


@pytest.mark.parametrize("expr", LINSPACE)
def test_linspace_matches_torch(expr):
    _same(eval(expr, {"L": cr}), eval(expr, {"L": torch}), exact=False)


def test_empty_and_empty_like_shapes_and_dtypes():
    assert cr.empty(2, 3).shape == (2, 3) and cr.empty(2, 3).dtype is cr.float32
    e = cr.empty_like(cr.tensor([1, 2]))
    assert e.shape == (2,) and e.dtype is cr.int64
    assert cr.empty((4,), dtype=cr.float16).dtype is cr.float16


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.zeros(3)
    t = cr.from_numpy(a)
    assert t.dtype is cr.float64
    a[0] = 5.0
    assert t[0].item() == 5.0
    t.add_(1.0)
    assert a.tolist() == [6.0, 1.0, 1.0]
    assert np.shares_memory(t.numpy(), a)
    with pytest.raises(TypeError, match="np.ndarray"):
        cr.from_numpy([1.0, 2.0])


def test_as_tensor_shares_memory_tensor_copies():
    a = np.ones(3, dtype=np.float32)
    assert np.shares_memory(cr.as_tensor(a).numpy(), a)
    assert not np.shares_memory(cr.tensor(a).numpy(), a)
    t = cr.ones(2)
    assert cr.as_tensor(t) is t
    assert not np.shares_memory(cr.as_tensor(a, dtype=cr.float64).numpy(), a)


def test_requires_grad_and_device_keywords():
    for t in (
        cr.zeros(2, requires_grad=True), cr.ones(2, requires_grad=True), cr.rand(2, requires_grad=True),
        cr.randn(2, requires_grad=True), cr.tensor([1.0], requires_grad=True),
        cr.full((2,), 1.0, requires_grad=True), cr.arange(3.0, requires_grad=True),
        cr.linspace(0, 1, 3, requires_grad=True), cr.eye(2, requires_grad=True),
    ):  # fmt: skip
        assert t.requires_grad and t.is_leaf
    dev = cr.device("cpu")
    assert cr.zeros(2, device="cpu").device == dev
    assert cr.ones(2, device=dev).device.type == "cpu"
    assert cr.tensor([1], device="cpu").device == "cpu"


def test_bad_creation_arguments():
    with pytest.raises(RuntimeError, match="non-negative"):
        cr.zeros(-1)
    with pytest.raises(TypeError, match="size"):
        cr.zeros(2.5)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        cr.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        cr.arange(0, -1, 0.3)
    with pytest.raises(TypeError, match="str"):
        cr.tensor("a")
    with pytest.raises(ValueError):
        cr.tensor([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="floating point"):
        cr.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="CPU"):
        cr.zeros(2, device="cuda")


# --- random -------------------------------------------------------------------------------------------
RANDOM = [
    ("rand", lambda L, **kw: L.rand(2, 3, **kw)),
    ("randn", lambda L, **kw: L.randn(4, **kw)),
    ("randint", lambda L, **kw: L.randint(0, 10, (5,), **kw)),
    ("randint_high", lambda L, **kw: L.randint(7, (2, 2), **kw)),
    ("normal", lambda L, **kw: L.normal(2.0, 3.0, size=(3,), **kw)),
    ("normal_t", lambda L, **kw: L.normal(L.zeros(3), L.ones(3), **kw)),
    ("randperm", lambda L, **kw: L.randperm(6, **kw)),
]


@pytest.mark.parametrize("name,fn", RANDOM, ids=[r[0] for r in RANDOM])
def test_random_shapes_dtypes_like_torch(name, fn):
    c, t = fn(cr), fn(torch)
    assert tuple(c.shape) == tuple(t.shape)
    assert c.dtype.name == str(t.dtype).replace("torch.", "")


@pytest.mark.parametrize("name,fn", RANDOM, ids=[r[0] for r in RANDOM])
def test_manual_seed_reproduces(name, fn):
    cr.manual_seed(123)
    a = fn(cr)
    cr.manual_seed(123)
    b = fn(cr)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    c = fn(cr)  # the stream moved on
    if name != "randint_high" or a.numel() > 3:
        assert not np.array_equal(a.numpy(), c.numpy())


@pytest.mark.parametrize("name,fn", RANDOM, ids=[r[0] for r in RANDOM])
def test_explicit_generators(name, fn):
    g1 = cr.Generator().manual_seed(7)
    g2 = cr.Generator().manual_seed(7)
    cr.manual_seed(0)
    a = fn(cr, generator=g1)
    cr.randn(100)  # drawing from the default generator does not disturb g2
    b = fn(cr, generator=g2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    # ... nor does drawing from g1 disturb the default generator
    cr.manual_seed(5)
    x = cr.rand(4)
    cr.manual_seed(5)
    fn(cr, generator=g1)
    np.testing.assert_array_equal(cr.rand(4).numpy(), x.numpy())


def test_generator_state_round_trip():
    g = cr.Generator().manual_seed(3)
    state = g.get_state()
    assert state.dtype is cr.uint8
    a = cr.randn(5, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(cr.randn(5, generator=g).numpy(), a.numpy())
    assert g.initial_seed() == 3
    # the default generator through get_rng_state / set_rng_state
    s = cr.get_rng_state()
    u = cr.rand(3)
    cr.set_rng_state(s)
    np.testing.assert_array_equal(cr.rand(3).numpy(), u.numpy())
    with pytest.raises(RuntimeError, match="generator state"):
        g.set_state(cr.tensor([1, 2, 3], dtype=cr.uint8))


def test_manual_seed_returns_generator_and_initial_seed():
    g = cr.manual_seed(42)
    assert isinstance(g, cr.Generator)
    assert cr.initial_seed() == 42
    assert cr.Generator().device == cr.device("cpu")


def test_random_value_ranges():
    u = cr.rand(10000)
    assert 0.0 <= u.numpy().min() and u.numpy().max() < 1.0
    n = cr.randn(20000, dtype=cr.float64).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    r = cr.randint(3, 6, (1000,)).numpy()
    assert set(np.unique(r).tolist()) == {3, 4, 5}
    m = cr.normal(10.0, 0.1, size=(5000,)).numpy()
    assert abs(m.mean() - 10) < 0.01
    assert sorted(cr.randperm(8).tolist()) == list(range(8))
    assert cr.rand(3, dtype=cr.float16).dtype is cr.float16
    with pytest.raises(RuntimeError, match="floating"):
        cr.rand(2, dtype=cr.int64)
    with pytest.raises(RuntimeError, match="std"):
        cr.normal(cr.zeros(2), -1.0)


def test_in_place_random_fills():
    g = cr.Generator().manual_seed(1)
    t = cr.empty(4).uniform_(2.0, 3.0, generator=g)
    assert t.dtype is cr.float32 and ((t.numpy() >= 2) & (t.numpy() < 3)).all()
    g.manual_seed(1)
    assert np.array_equal(cr.empty(4).uniform_(2.0, 3.0, generator=g).numpy(), t.numpy())
    assert cr.zeros(3).normal_(0, 1).dtype is cr.float32
    assert cr.zeros(3).fill_(2.5).tolist() == [2.5, 2.5, 2.5]


def test_randint_like_with_one_bound_draws_below_it() -> None:
    """``randint_like(x, high)`` draws from [0, high) with x's shape and dtype, as in PyTorch."""
    x = cr.zeros(50, 4)
    r = cr.randint_like(x, 3)
    assert r.shape == (50, 4) and r.dtype is cr.float32
    assert set(np.unique(r.numpy())) == {0.0, 1.0, 2.0}
    assert ((cr.randint_like(x, 5, 7).numpy() >= 5) & (cr.randint_like(x, 5, 7).numpy() < 7)).all()


@pytest.mark.torch
def test_randint_high_and_size_keyword_as_pytorch():
    torch = pytest.importorskip("torch")
    for args, kw in [((5,), {"size": (3,)}), ((5, (3,)), {}), ((2, 5, (4,)), {}), ((2,), {"high": 5, "size": (2, 2)})]:
        ours, theirs = cr.randint(*args, **kw), torch.randint(*args, **kw)
        assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == cr.int64
        lo = args[0] if len(args) == 3 or "high" in kw else 0
        hi = args[1] if len(args) == 3 else kw.get("high", args[0])
        assert ((ours >= lo) & (ours < hi)).all()
