"""The small Tensor methods of ``_tensor_compat_methods`` against PyTorch on the same inputs: the legacy ``new``,
predicates, metadata (``get_device``, ``output_nr``, ``storage_offset``, ``layout``), conjugation no-ops,
dtype shorthands, pinned memory, and the op aliases with their gradients."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

X = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)


def _both(x: np.ndarray = X, requires_grad: bool = False) -> tuple[Any, Any]:
    return chainrule.tensor(x, requires_grad=requires_grad), torch.tensor(x, requires_grad=requires_grad)


def _same(c: Any, t: Any) -> None:
    assert str(c.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), rtol=1e-6)


def test_new_legacy_constructor() -> None:
    c, t = _both()
    for args in [(2, 3), (4,), (chainrule.Size([2, 2]),)]:
        targs = tuple(torch.Size(a) if isinstance(a, chainrule.Size) else a for a in args)
        assert tuple(c.new(*args).shape) == tuple(t.new(*targs).shape)
        assert c.new(*args).dtype == chainrule.float32
    assert tuple(c.new().shape) == tuple(t.new().shape) == (0,)
    ci, ti = chainrule.tensor([1, 2]), torch.tensor([1, 2])
    _same(ci.new([1.5, 2.0]), ti.new([1.5, 2.0]))  # data is cast to self's dtype
    _same(ci.new((2, 2)), ti.new((2, 2)))  # a tuple is data, a Size is a shape
    _same(c.new([[1, 2]]), t.new([[1, 2]]))
    src = chainrule.tensor([1.0, 2.0], requires_grad=True)
    alias = c.new(src)  # shares memory, no grad
    alias[0] = 5.0
    assert src[0].item() == 5.0 and not alias.requires_grad
    assert c.new(3, device="cpu").shape == (3,)
    _same(c.new(np.array([1.0, 2.0])), t.new(np.array([1.0, 2.0])))
    _same(c.new([]), t.new([]))
    for bad in (5.0, chainrule.tensor([1, 2])):  # a scalar is no sequence; a tensor must have self's dtype
        with pytest.raises(TypeError):
            c.new(bad)
    for bad in (5.0, torch.tensor([1, 2])):
        with pytest.raises(TypeError):
            t.new(bad)
    with pytest.raises(TypeError, match="new"):
        c.new(2, dtype=chainrule.float64)
    with pytest.raises(TypeError):
        t.new(2, dtype=torch.float64)


def test_predicates_and_metadata() -> None:
    c, t = _both()
    assert c.get_device() == t.get_device() == -1
    for dtype in ("float32", "float64", "int64", "int8", "uint8", "bool"):
        a, b = chainrule.zeros(2, dtype=getattr(chainrule, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
        assert a.is_signed() == b.is_signed(), dtype
    assert c.is_same_size(chainrule.zeros(2, 3)) and not c.is_same_size(chainrule.zeros(3, 2))
    for v in ([0.0], 2, [[3]], 0.0):
        assert chainrule.tensor(v).is_nonzero() == torch.tensor(v).is_nonzero()
    for v, msg in (([], "no values"), ([1, 2], "more than one value")):
        with pytest.raises(RuntimeError, match=msg):
            chainrule.tensor(v).is_nonzero()
    assert c.is_inference() is t.is_inference() is False
    assert c.is_complex() is t.is_complex() is False
    assert c.is_pinned() is t.is_pinned() is False
    with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
        c.pin_memory()
    with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
        t.pin_memory()


def test_output_nr_storage_offset_layout() -> None:
    c, t = _both(requires_grad=True)
    assert c.output_nr == t.output_nr == 0
    assert [p.output_nr for p in c.chunk(2, 1)] == [p.output_nr for p in t.chunk(2, 1)]
    assert [p.output_nr for p in c.unbind(1)] == [p.output_nr for p in t.unbind(1)] == [0, 1, 2]
    c, t = _both()
    for view in (lambda a: a, lambda a: a[1:], lambda a: a[:, 1], lambda a: a[1, 2:], lambda a: a.t()):
        assert view(c).storage_offset() == view(t).storage_offset()
    assert c.layout is chainrule.strided and repr(chainrule.strided) == "chainrule.strided"
    assert isinstance(chainrule.strided, chainrule.layout)
    assert pickle.loads(pickle.dumps(chainrule.strided)) is chainrule.strided


def test_conjugation_of_real_tensors() -> None:
    c, t = _both()
    for name in ("conj", "resolve_conj", "resolve_neg"):
        assert getattr(c, name)() is c and getattr(t, name)() is t
    assert c.is_conj() is t.is_conj() is False and c.is_neg() is t.is_neg() is False
    p = c.conj_physical()
    assert p is not c
    _same(p, t.conj_physical())
    _same(c.isreal(), t.isreal())
    _same(chainrule.tensor([1, 2]).isreal(), torch.tensor([1, 2]).isreal())


def test_dtype_shorthands() -> None:
    c, t = _both(X * 10)
    _same(c.char(), t.char())
    assert c.bfloat16().dtype == chainrule.bfloat16  # stored as float32: the values stay float32's
    np.testing.assert_allclose(c.bfloat16().numpy(), t.bfloat16().float().numpy(), rtol=1e-2)


@pytest.mark.parametrize("lambd", [0.5, 0.8])
def test_hardshrink_and_prelu_with_gradients(lambd: float) -> None:
    c, t = _both(requires_grad=True)
    yc, yt = c.hardshrink(lambd), t.hardshrink(lambd)
    _same(yc, yt)
    (yc * yc).sum().backward()
    (yt * yt).sum().backward()
    _same(c.grad, t.grad)
    c, t = _both(requires_grad=True)
    wc, wt = chainrule.tensor([0.25, -0.5, 2.0], requires_grad=True), torch.tensor([0.25, -0.5, 2.0], requires_grad=True)
    yc, yt = c.prelu(wc), t.prelu(wt)
    _same(yc, yt)
    yc.sum().backward()
    yt.sum().backward()
    _same(c.grad, t.grad)
    _same(wc.grad, wt.grad)


def test_i0_method_and_in_place() -> None:
    c, t = _both(X * 3)
    _same(c.i0(), t.i0())
    c.i0_()
    t.i0_()
    _same(c, t)


def test_unsafe_chunk_and_split() -> None:
    c, t = _both(np.arange(12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    for cs, ts in ((c.unsafe_chunk(3, 1), t.unsafe_chunk(3, 1)), (c.unsafe_split(2, 0), t.unsafe_split(2, 0)),
                   (c.unsafe_split_with_sizes([1, 3], 1), t.unsafe_split_with_sizes([1, 3], 1))):  # fmt: skip
        assert len(cs) == len(ts)
        for a, b in zip(cs, ts):
            _same(a, b)
    sum(p.sum() * (i + 1) for i, p in enumerate(c.unsafe_split(2, 0))).backward()
    sum(p.sum() * (i + 1) for i, p in enumerate(t.unsafe_split(2, 0))).backward()
    _same(c.grad, t.grad)
    with pytest.raises(TypeError, match="must be int, not list"):
        c.unsafe_split([1, 2], 0)
    with pytest.raises(TypeError, match="must be int, not list"):
        t.unsafe_split([1, 2], 0)


def test_real_imag_angle() -> None:
    x = np.array([1.5, -2.0, 0.0, np.nan, np.inf, -np.inf], dtype=np.float32)
    c, t = _both(x, requires_grad=True)
    assert c.real is c and t.real is t
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"):
        c.imag  # noqa: B018
    ac, at = c.angle(), t.angle()
    _same(ac, at)
    assert ac.requires_grad
    ac.sum().backward()
    at.sum().backward()
    _same(c.grad, t.grad)  # zero
    _same(chainrule.tensor([1, -2]).angle(), torch.tensor([1, -2]).angle())


def test_set_dim_order_new_empty_strided() -> None:
    c, t = _both()
    assert c.dim_order() == t.dim_order() == (0, 1)
    assert c.t().dim_order() == t.t().dim_order() == (1, 0)
    assert chainrule.zeros(2, 3, 4).permute(2, 0, 1).dim_order() == torch.zeros(2, 3, 4).permute(2, 0, 1).dim_order()
    e = c.new_empty_strided((2, 5), (5, 1))
    assert e.shape == t.new_empty_strided((2, 5), (5, 1)).shape and e.dtype == c.dtype
    z, src = chainrule.zeros(3), chainrule.ones(2, 2)
    assert z.set_(src) is z and z.shape == (2, 2) and z.is_set_to(src) and not z.is_set_to(chainrule.ones(2, 2))
    src[0, 0] = 7.0  # shared memory, as in PyTorch
    assert z[0, 0].item() == 7.0
    assert z.set_().shape == torch.zeros(3).set_().shape == (0,)
    with pytest.raises(RuntimeError, match="could not set a tensor of dtype chainrule.float64"):
        chainrule.zeros(3, dtype=chainrule.float64).set_(chainrule.ones(2))
    leaf = chainrule.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.set_(chainrule.ones(2))
    with chainrule.no_grad():
        leaf.set_(chainrule.ones(2))
    assert leaf.shape == (2,) and leaf.requires_grad


def test_top_level_functions() -> None:
    c, t = _both(X, requires_grad=True)
    for name in ("conj", "conj_physical", "resolve_conj", "resolve_neg", "isreal", "angle", "real"):
        _same(getattr(chainrule, name)(c), getattr(torch, name)(t))
    for name in ("is_conj", "is_neg", "is_inference", "is_signed", "get_device"):
        assert getattr(chainrule, name)(c) == getattr(torch, name)(t), name
    _same(chainrule.hardshrink(c, 0.3), torch.hardshrink(t, 0.3))
    _same(chainrule.prelu(c, chainrule.tensor([0.1])), torch.prelu(t, torch.tensor([0.1])))
    for a, b in zip(chainrule.unsafe_chunk(c, 2, 1), torch.unsafe_chunk(t, 2, 1)):
        _same(a, b)
    for a, b in zip(chainrule.unsafe_split(c, 1), torch.unsafe_split(t, 1)):
        _same(a, b)
    for a, b in zip(chainrule.unsafe_split_with_sizes(c, [2, 1], 1), torch.unsafe_split_with_sizes(t, [2, 1], 1)):
        _same(a, b)
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        chainrule.imag(c)
    with pytest.raises(TypeError, match="conj\\(\\): argument 'input' \\(position 1\\) must be Tensor, not int"):
        chainrule.conj(3)
    with pytest.raises(TypeError):
        torch.conj(3)
