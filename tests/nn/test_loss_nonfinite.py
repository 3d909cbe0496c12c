"""Losses on non-finite logits and on targets of the wrong dtype, against PyTorch: the same values (nan where
PyTorch gives nan, 0 for ignored targets), the same exception class, and no NumPy warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

INF, NAN = float("inf"), float("nan")
LOGITS = [
    [[1.0, INF, 0.0], [0.0, 1.0, 2.0]],
    [[1.0, INF, INF], [0.0, 1.0, 2.0]],
    [[-INF, -INF, -INF], [0.0, 1.0, 2.0]],
    [[-INF, 0.0, 1.0], [0.0, 1.0, 2.0]],
    [[NAN, 0.0, 1.0], [0.0, 1.0, 2.0]],
]
OPTIONS = [{}, {"reduction": "none"}, {"reduction": "sum"}, {"label_smoothing": 0.1}, {"weight": [1.0, 2.0, 3.0]},
           {"ignore_index": 0, "reduction": "none"}, {"ignore_index": 1}]


def _run(lib, x, target, dtype, opts):
    opts = dict(opts)
    if "weight" in opts:
        opts["weight"] = lib.tensor(opts["weight"], dtype=dtype)
    xt = lib.tensor(x, dtype=dtype, requires_grad=True)
    tt = lib.tensor(target, dtype=dtype if isinstance(target[0], list) else None)
    loss = lib.nn.functional.cross_entropy(xt, tt, **opts)
    loss.sum().backward()
    return loss.detach().numpy(), xt.grad.numpy()


TARGETS = [[1, 0], [0, 2], [[0.2, 0.3, 0.5], [0.0, 0.0, 1.0]]]
CASES = [(t, o) for t in TARGETS for o in OPTIONS
         if not (isinstance(t[0], list) and "ignore_index" in o)]  # ignore_index is for class-index targets only


@pytest.mark.parametrize("target, opts", CASES, ids=str)
@pytest.mark.parametrize("x", LOGITS, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_with_infinite_logits(x, target, opts, dtype):
    expected = _run(torch, x, target, getattr(torch, dtype), opts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning may leak
        got = _run(chainrule, x, target, getattr(chainrule, dtype), opts)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_bce_with_logits_refuses_non_float_targets(dtype):
    F = chainrule.nn.functional
    target = [1, 0, 1]
    with pytest.raises(RuntimeError):
        torch.nn.functional.binary_cross_entropy_with_logits(torch.zeros(3), torch.tensor(target, dtype=getattr(torch, dtype)))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy_with_logits: result type Float can't be cast to the "
                                           r"desired output type \w+; .*target\.float\(\)"):
        F.binary_cross_entropy_with_logits(chainrule.zeros(3), chainrule.tensor(target, dtype=getattr(chainrule, dtype)))
    with pytest.raises(RuntimeError, match="can't be cast"):
        chainrule.nn.BCEWithLogitsLoss()(chainrule.zeros(3), chainrule.tensor(target, dtype=getattr(chainrule, dtype)))


def test_bce_with_logits_float_targets_still_match():
    x = np.array([-2.0, 0.5, 3.0])
    y = np.array([0.0, 1.0, 0.25])
    for tdt in ("float32", "float64"):
        ours = chainrule.nn.functional.binary_cross_entropy_with_logits(
            chainrule.tensor(x, dtype=chainrule.float32), chainrule.tensor(y, dtype=getattr(chainrule, tdt)))
        theirs = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=getattr(torch, tdt)))
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)
