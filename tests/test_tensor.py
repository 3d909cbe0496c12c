"""Tensor attributes, conversions, devices and printing, against PyTorch."""

from __future__ import annotations

import copy
import pickle
import re
import warnings

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")


def _norm(s: str) -> str:
    """torch's repr with chainrule's names (grad_fn classes carry no '0' suffix in chainrule)."""
    return re.sub(r"Backward\d+", "Backward", s.replace("torch.", "chainrule."))


# --- attributes -----------------------------------------------------------------------------------
def test_shape_size_ndim_numel():
    data = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    c, t = cr.tensor(data), torch.tensor(data)
    assert c.shape == t.shape == (2, 3, 4)
    assert c.size() == (2, 3, 4) and isinstance(c.size(), tuple)
    assert repr(c.size()) == _norm(repr(t.size()))
    for d in (0, 1, 2, -1, -3):
        assert c.size(d) == t.size(d)
    assert c.ndim == c.dim() == 3
    assert c.numel() == t.numel() == 24
    assert c.shape.numel() == 24
    assert len(c) == 2
    assert c.element_size() == 4 and c.nbytes == 96 and c.itemsize == 4
    assert c.stride() == t.stride() and c.stride(1) == t.stride(1)
    assert c.is_contiguous()
    with pytest.raises(IndexError, match="out of range"):
        c.size(3)
    with pytest.raises(TypeError, match="0-d"):
        len(cr.tensor(1.0))


def test_T_and_mT():
    data = np.arange(6.0).reshape(2, 3)
    c, t = cr.tensor(data), torch.tensor(data)
    np.testing.assert_array_equal(c.T.numpy(), t.T.numpy())
    b = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(cr.tensor(b).mT.numpy(), torch.tensor(b).mT.numpy())
    assert cr.tensor(b).mT.shape == (2, 4, 3)
    assert not c.T.is_contiguous()


def test_grad_attributes_of_leaves_and_results():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert x.is_leaf and x.requires_grad and x.grad is None and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
    assert y.grad_fn.name() == "MulBackward"
    z = cr.tensor([1.0, 2.0])
    assert z.is_leaf and not z.requires_grad
    assert not (z * 2).requires_grad and (z * 2).is_leaf
    assert z.requires_grad_() is z and z.requires_grad
    z.requires_grad = False
    assert not z.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="floating point"):
        cr.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        cr.tensor([1, 2]).requires_grad = True


def test_grad_setter():
    x = cr.zeros(2, requires_grad=True)
    x.grad = cr.ones(2)
    assert x.grad.tolist() == [1.0, 1.0]
    x.grad = None
    assert x.grad is None
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = cr.ones(3)
    with pytest.raises(TypeError):
        x.grad = [1.0, 2.0]


def test_retain_grad_and_non_leaf_warning():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    z = y * y
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z.backward(cr.ones(2))
        np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])
    w = x * 2
    (w * 1).backward(cr.ones(2))
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert w.grad is None
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        cr.ones(2).retain_grad()
    x.retain_grad()  # no-op on a leaf


# --- conversions -----------------------------------------------------------------------------------
def test_numpy_item_tolist():
    c = cr.tensor([[1.5, 2.0], [3.0, 4.0]])
    a = c.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    a[0, 0] = 9.0
    assert c[0, 0].item() == 9.0  # shares memory
    assert c.tolist() == [[9.0, 2.0], [3.0, 4.0]]
    assert cr.tensor(3).item() == 3 and isinstance(cr.tensor(3).item(), int)
    assert isinstance(cr.tensor(2.5).item(), float) and isinstance(cr.tensor(True).item(), bool)
    assert cr.tensor([[7.0]]).item() == 7.0
    assert cr.tensor(2.5).tolist() == 2.5
    with pytest.raises(RuntimeError, match="2 elements cannot be converted to Scalar"):
        cr.tensor([1, 2]).item()
    with pytest.raises(RuntimeError, match="requires grad.*detach"):
        cr.ones(2, requires_grad=True).numpy()
    assert cr.ones(2, requires_grad=True).detach().numpy().tolist() == [1.0, 1.0]
    assert np.asarray(cr.ones(2)).dtype == np.float32
    assert float(cr.tensor(2.5)) == 2.5 and int(cr.tensor(3)) == 3
    assert [10, 20, 30][cr.tensor(1)] == 20


def test_detach_and_clone():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.numpy(), x.detach().numpy())
    c = x.clone()
    assert c.requires_grad and c.grad_fn is not None and c.grad_fn.name() == "CloneBackward"
    assert not np.shares_memory(c.detach().numpy(), x.detach().numpy())
    c.backward(cr.tensor([1.0, 3.0]))
    assert x.grad.tolist() == [1.0, 3.0]
    y = x * 2
    y.detach_()
    assert y.is_leaf and not y.requires_grad


def test_contiguous():
    x = cr.tensor(np.arange(6.0).reshape(2, 3))
    assert x.contiguous() is x
    xt = x.T
    xc = xt.contiguous()
    assert xc.is_contiguous() and np.array_equal(xc.numpy(), xt.numpy())


@pytest.mark.parametrize(
    "method,expected",
    [("float", "float32"), ("double", "float64"), ("half", "float16"), ("long", "int64"),
     ("int", "int32"), ("bool", "bool"), ("short", "int16"), ("byte", "uint8")],
)  # fmt: skip
def test_conversion_methods(method, expected):
    data = [1.7, -2.2, 0.0]
    c = getattr(cr.tensor(data), method)()
    t = getattr(torch.tensor(data), method)()
    assert c.dtype.name == expected == str(t.dtype).replace("torch.", "")
    assert c.tolist() == t.tolist()


def test_to_variants():
    x = cr.tensor([1.0, 2.0])
    assert x.to(cr.float32) is x and x.float() is x
    assert x.to(cr.float64).dtype is cr.float64
    assert x.to(dtype=cr.int64).dtype is cr.int64
    assert x.to("cpu") is x and x.cpu() is x
    assert x.to(cr.device("cpu")) is x
    assert x.to("cpu", cr.float16).dtype is cr.float16
    assert x.to(cr.tensor([1], dtype=cr.int32)).dtype is cr.int32
    assert x.to(float).dtype is cr.float64  # Python float is float64, as torch
    assert x.to(cr.float32, copy=True) is not x
    assert x.type_as(cr.tensor([1])).dtype is cr.int64
    assert x.type() == "chainrule.FloatTensor" and cr.tensor([1]).type() == "chainrule.LongTensor"
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(foo=1)


def test_to_keeps_graph():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.requires_grad and y.dtype is cr.float64
    (y * y).backward(cr.ones(2, dtype=cr.float64))
    assert x.grad.dtype is cr.float32 and x.grad.tolist() == [2.0, 4.0]
    assert not x.long().requires_grad


# --- devices -----------------------------------------------------------------------------------------
def test_devices():
    x = cr.ones(2)
    assert x.device == cr.device("cpu") == "cpu"
    assert str(x.device) == "cpu" and repr(x.device) == "device(type='cpu')"
    assert not x.is_cuda and cr.cuda.is_available() is False and cr.cuda.device_count() == 0
    assert cr.device("cpu", 0).index == 0 and cr.device("cpu:0") == cr.device("cpu", 0)
    for bad in (lambda: x.to("cuda"), lambda: x.cuda(), lambda: cr.ones(2, device="cuda:0"),
                lambda: x.to(cr.device("cuda")), lambda: cr.tensor([1.0], device="cuda")):  # fmt: skip
        with pytest.raises(RuntimeError, match="chainrule computes on the CPU"):
            bad()


# --- Python protocol ------------------------------------------------------------------------------------
def test_bool_iter_hash_pickle_deepcopy():
    assert bool(cr.tensor([1.0])) and not bool(cr.tensor(0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(cr.tensor([1, 2]))
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert {x: 1}[x] == 1
    y = pickle.loads(pickle.dumps(x))
    assert y.requires_grad and y.tolist() == [1.0, 2.0]
    z = copy.deepcopy(x)
    assert z.requires_grad and z is not x and not np.shares_memory(z.detach().numpy(), x.detach().numpy())
    with pytest.raises(RuntimeError, match="leaves"):
        copy.deepcopy(x * 2)
    assert cr.is_tensor(x) and not cr.is_tensor(1.0)
    assert cr.is_floating_point(x) and cr.numel(x) == 2


def test_numpy_operands_defer_to_tensor():
    x = cr.tensor([1.0, 2.0])
    y = np.float32(2.0) * x
    assert isinstance(y, cr.Tensor) and y.dtype is cr.float32
    assert isinstance(np.ones(2, dtype=np.float32) + x, cr.Tensor)


# --- printing -----------------------------------------------------------------------------------------
REPRS = [
    "L.tensor([1.0, 2.0, 3.0])", "L.tensor([1.5, -2.25, 3.0])", "L.tensor(3.0)", "L.tensor(-0.5)",
    "L.tensor([[1.0, 2.0], [3.0, 4.0]])", "L.tensor([1e-5, 1.0])", "L.tensor([1e9, 1.0])",
    "L.tensor([0.0, 0.0])", "L.tensor([float('nan'), 1.0, float('inf')])",
    "L.tensor([float('nan'), 1.5, -float('inf')])", "L.tensor([1, 2, 3])", "L.tensor([-1, 100])",
    "L.tensor([True, False])", "L.tensor(5)", "L.tensor(True)", "L.tensor([123456.789, 0.001])",
    "L.tensor([[1e-10, 2.0], [3.0, -4e3]])", "L.tensor([0.1, 0.2])", "L.tensor([1.0, 2.0], dtype=L.float64)",
    "L.tensor([1.5, 2.0], dtype=L.float16)", "L.tensor([1, 2], dtype=L.int32)", "L.tensor([1, 2], dtype=L.uint8)",
    "L.tensor(2.5, dtype=L.float64)", "L.zeros(0)", "L.zeros(0, 3)", "L.zeros(2, 0, dtype=L.int64)",
    "L.zeros(0, dtype=L.float64)", "L.tensor([1.0, 2.0], requires_grad=True)",
    "L.tensor(1.0, requires_grad=True)", "L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)",
    "L.tensor([1.0, 2.0], requires_grad=True) * 2", "L.tensor([1.0, 2.0], requires_grad=True) + 1",
    "L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True) * 2", "L.arange(1001)",
    "L.arange(2000.0).reshape(40, 50) / 7", "L.arange(24).reshape(2, 3, 4)",
    "L.linspace(-1000, 1000, 30)", "L.arange(100.0) * 1e-6", "L.arange(12.0).reshape(3, 4) * 1e10",
    "L.tensor(np.random.RandomState(0).randn(100, 100))",
    "L.tensor(np.random.RandomState(1).randn(7, 7, 7, 7).astype(np.float32))",
    "L.tensor(np.random.RandomState(0).randn(3, 4, 5))",
    "L.tensor(np.random.RandomState(0).randn(3, 4, 5)).float()",
    "L.tensor(np.random.RandomState(0).randn(30) * 1e3)",
    "L.tensor(np.random.RandomState(0).randn(40) * 1e3, requires_grad=True)",
    "L.tensor(np.random.RandomState(0).randn(3, 14), dtype=L.float64, requires_grad=True)",
]  # fmt: skip


@pytest.mark.parametrize("expr", REPRS)
def test_repr_matches_torch(expr):
    c = eval(expr, {"L": cr, "np": np})
    t = eval(expr, {"L": torch, "np": np})
    assert repr(c) == _norm(repr(t))
    assert str(c) == _norm(str(t))


def test_repr_of_default_float64():
    try:
        cr.set_default_dtype(cr.float64)
        torch.set_default_dtype(torch.float64)
        for expr in ("L.tensor([1.5, 2.0])", "L.tensor([1.5], dtype=L.float32)", "L.zeros(0)"):
            c, t = eval(expr, {"L": cr}), eval(expr, {"L": torch})
            assert repr(c) == _norm(repr(t))
    finally:
        cr.set_default_dtype(cr.float32)
        torch.set_default_dtype(torch.float32)


def test_set_printoptions():
    try:
        cr.set_printoptions(precision=2)
        torch.set_printoptions(precision=2)
        assert repr(cr.tensor([1.12345, 2.0])) == _norm(repr(torch.tensor([1.12345, 2.0])))
        cr.set_printoptions(threshold=5)
        torch.set_printoptions(threshold=5)
        assert repr(cr.arange(10)) == _norm(repr(torch.arange(10)))
    finally:
        cr.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(cr.arange(10)) == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (1, 1, 1)])
def test_index_protocol_of_any_single_element_integer_tensor(shape):
    """A one-element integer tensor of any rank indexes a list (graykode Seq2Seq iterates a (6, 1, 1) argmax)."""
    import operator

    items = [10, 20, 30, 40]
    value = np.array(2).reshape(shape)
    assert items[cr.tensor(value)] == items[torch.tensor(value)] == 30
    assert operator.index(cr.tensor(value)) == operator.index(torch.tensor(value))
    assert list(range(cr.tensor(value))) == list(range(torch.tensor(value)))
    assert [items[i] for i in cr.tensor(value).reshape(-1, 1, 1)] == [30]
    for bad in (np.array([1, 2]), np.array([1.0])):
        with pytest.raises(TypeError, match="single element"):
            operator.index(torch.tensor(bad))
        with pytest.raises(TypeError, match="single element"):
            operator.index(cr.tensor(bad))
