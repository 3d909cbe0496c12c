"""Export a model, check it with onnx.checker, run it in onnxruntime at two batch sizes, compare."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

RTOL, ATOL = 1e-4, 1e-5


class Fn(cr.nn.Module):
    """A module whose forward is ``fn(*inputs)`` (to export functionals and Tensor expressions)."""

    def __init__(self, fn: Callable[..., Any], *params: Any) -> None:
        super().__init__()
        self.fn = fn
        self.params = cr.nn.ParameterList([cr.nn.Parameter(p) for p in params])

    def forward(self, *xs: Any) -> Any:
        return self.fn(*xs, *self.params)


def _tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _flat(out: Any) -> list[np.ndarray]:
    if isinstance(out, cr.Tensor):
        return [out.detach().numpy()]
    return [a for o in out if o is not None for a in _flat(o)]


def session(model: Any, args: Any, **kw: Any) -> tuple[Any, Any]:
    buf = io.BytesIO()
    proto = cr.onnx.export(model, args, buf, **kw)
    onnx.checker.check_model(proto, full_check=True)
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    return proto, sess


def check_export(
    model: Any, make_args: Callable[[int], Any], batches: tuple[int, ...] = (2, 5), **kw: Any
) -> Any:
    """Export at ``batches[0]``; onnxruntime must match chainrule (eval mode) at every batch size."""
    proto, sess = session(model, make_args(batches[0]), **kw)
    model.eval()
    for b in batches:
        args = _tuple(make_args(b))
        feeds = {
            i.name: a.numpy()
            for i, a in zip(sess.get_inputs(), [a for a in args if isinstance(a, cr.Tensor)])
        }
        got = sess.run(None, feeds)
        with cr.no_grad():
            want = _flat(model(*args))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape, f"batch {b}: shape {g.shape} != {w.shape}"
            np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=f"batch size {b}")
    return proto


def randn(*shape: int) -> Callable[[int], Any]:
    return lambda b: cr.randn(b, *shape)
