"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (context managers and decorators)."""

from __future__ import annotations

import threading

import pytest

import chainrule as cr


def _records() -> bool:
    x = cr.ones(2, requires_grad=True)
    return (x * 2).requires_grad


def test_no_grad_context():
    x = cr.ones(2, requires_grad=True)
    with cr.no_grad():
        assert not cr.is_grad_enabled()
        y = x * 2
        assert not y.requires_grad and y.grad_fn is None and y.is_leaf
        with cr.enable_grad():
            assert cr.is_grad_enabled() and (x * 2).requires_grad
        assert not cr.is_grad_enabled()
    assert cr.is_grad_enabled() and _records()


def test_no_grad_restores_after_exception():
    with pytest.raises(ValueError):
        with cr.no_grad():
            raise ValueError
    assert cr.is_grad_enabled()


@pytest.mark.parametrize("mode", ["bare", "called"])
@pytest.mark.parametrize("name", ["no_grad", "inference_mode"])
def test_disabling_decorators(name, mode):
    ctx = getattr(cr, name)

    def f(a, b=1):
        """doc"""
        return _records(), a + b

    g = ctx(f) if mode == "bare" else ctx()(f)
    assert g(1, b=2) == (False, 3)
    assert g.__doc__ == "doc" and g.__name__ == "f"
    assert cr.is_grad_enabled()


@pytest.mark.parametrize("mode", ["bare", "called"])
def test_enable_grad_decorator(mode):
    g = cr.enable_grad(_records) if mode == "bare" else cr.enable_grad()(_records)
    with cr.no_grad():
        assert g() is True
        assert not cr.is_grad_enabled()


def test_set_grad_enabled_function_context_decorator():
    cr.set_grad_enabled(False)
    try:
        assert not cr.is_grad_enabled() and not _records()
    finally:
        cr.set_grad_enabled(True)
    assert cr.is_grad_enabled()
    with cr.set_grad_enabled(False):
        assert not _records()
    assert _records()
    with cr.no_grad():
        with cr.set_grad_enabled(True):
            assert _records()
        assert not cr.is_grad_enabled()

    @cr.set_grad_enabled(False)
    def f():
        return _records()

    assert f() is False and cr.is_grad_enabled()


def test_inference_mode_false_is_noop():
    with cr.inference_mode(False):
        assert _records()
    with cr.inference_mode():
        assert not _records()
    with cr.inference_mode(mode=True):
        assert not _records()


def test_autograd_namespace_aliases():
    assert cr.autograd.no_grad is cr.no_grad
    assert cr.autograd.enable_grad is cr.enable_grad
    assert cr.autograd.set_grad_enabled is cr.set_grad_enabled
    assert cr.autograd.inference_mode is cr.inference_mode
    assert cr.autograd.is_grad_enabled is cr.is_grad_enabled


def test_no_grad_in_place_update_of_leaf_is_allowed():
    w = cr.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    with cr.no_grad():
        w -= 0.5 * w.grad
        w.add_(1)
    assert w.requires_grad and w.is_leaf and w.tolist() == [0.5, 0.5]


def test_grad_mode_is_thread_local():
    seen = []
    with cr.no_grad():
        t = threading.Thread(target=lambda: seen.append(cr.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_ops_under_no_grad_record_nothing_even_with_grad_inputs():
    x = cr.ones(3, requires_grad=True)
    with cr.no_grad():
        y = (x * 2 + 1).exp().sum()
    assert y.grad_fn is None and not y.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_variable_is_a_detached_tensor_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch")
    from chainrule.autograd import Variable

    for lib, V in ((cr, Variable), (torch, torch.autograd.Variable)):
        base = lib.ones(2, requires_grad=True)
        v = V(base * 2)
        assert isinstance(v, lib.Tensor) and isinstance(base, V)
        assert not v.requires_grad and v.grad_fn is None
        w = V(base * 2, requires_grad=True)
        assert w.requires_grad and w.is_leaf
        x = lib.zeros(2)
        V(x)[0] = 5.0  # shares the values
        assert x.tolist() == [5.0, 0.0]
        with pytest.raises(TypeError, match="Variable data has to be a tensor"):
            V([1, 2])
    assert not isinstance(3.0, Variable)
