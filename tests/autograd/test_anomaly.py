"""detect_anomaly names the backward op that first produced NaN and the forward line that made it."""

from __future__ import annotations

import inspect

import pytest

import chainrule as cr
from chainrule.autograd import Function


class NanGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


def _line_of(marker: str) -> int:
    src = inspect.getsource(inspect.getmodule(_line_of)).splitlines()
    return next(i for i, line in enumerate(src, 1) if marker in line and "_line_of" not in line)


def test_names_custom_op_and_forward_line():
    x = cr.ones(3, requires_grad=True)
    with cr.autograd.detect_anomaly():
        y = NanGrad.apply(x)  # FORWARD-LINE-1
        z = (y * 3).sum()
        with pytest.raises(RuntimeError) as info:
            z.backward()
    msg = str(info.value)
    assert "NanGradBackward" in msg and "nan" in msg
    assert f"test_anomaly.py\", line {_line_of('FORWARD-LINE-1')}" in msg
    assert not cr.autograd.anomaly.is_anomaly_enabled()


def test_names_builtin_op_sqrt():
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        y = x.sqrt()  # FORWARD-LINE-2
        z = (y * 0).sum()
        with pytest.raises(RuntimeError, match="SqrtBackward") as info:
            z.backward()
    msg = str(info.value)
    assert f"test_anomaly.py\", line {_line_of('FORWARD-LINE-2')}" in msg
    assert msg.rstrip().endswith("y = x.sqrt()  # FORWARD-LINE-2")  # the user's line comes last


def test_first_nan_producer_is_named_not_later_ones():
    x = cr.ones(2, requires_grad=True)
    with cr.autograd.detect_anomaly():
        a = NanGrad.apply(x * 1)  # NaN appears here first (in backward order) ...
        b = a * 5  # ... and Mul only passes a finite gradient
        with pytest.raises(RuntimeError, match="NanGradBackward"):
            b.sum().backward()


def test_no_error_without_anomaly_mode_and_without_nan():
    x = cr.ones(2, requires_grad=True)
    NanGrad.apply(x).sum().backward()  # silently NaN, as in torch
    assert all(v != v for v in x.grad.tolist())
    w = cr.ones(2, requires_grad=True)
    with cr.autograd.detect_anomaly():
        (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_set_detect_anomaly():
    cr.autograd.set_detect_anomaly(True)
    try:
        assert cr.autograd.anomaly.is_anomaly_enabled()
        x = cr.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="NanGradBackward"):
            NanGrad.apply(x).sum().backward()
    finally:
        cr.autograd.set_detect_anomaly(False)
    assert not cr.autograd.anomaly.is_anomaly_enabled()
    with cr.autograd.set_detect_anomaly(True):
        assert cr.autograd.anomaly.is_anomaly_enabled()
    assert not cr.autograd.anomaly.is_anomaly_enabled()


def test_trace_only_recorded_in_anomaly_mode():
    x = cr.ones(2, requires_grad=True)
    assert (x * 2).grad_fn._trace is None
    with cr.autograd.detect_anomaly():
        assert (x * 2).grad_fn._trace
