"""``chainrule.testing.assert_close`` against ``torch.testing.assert_close`` on the same inputs: the same
outcome (pass / exception class) and, where the text holds no library name, the same message."""

from __future__ import annotations

import re

import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

NAN, INF = float("nan"), float("inf")
# (id, make(lib) -> (actual, expected), keyword arguments)
CASES = [
    ("close.float32", lambda T: (T.tensor([1.0, 2.0, 3.0]), T.tensor([1.0, 2.0, 3.0]) + 1e-6), {}),
    ("far.float32", lambda T: (T.tensor([1.0, 2.0, 3.0]), T.tensor([1.0, 2.1, 3.0])), {}),
    ("far.float64", lambda T: (T.tensor([1.0, 2.0], dtype=T.float64), T.tensor([1.0, 2.0 + 1e-6], dtype=T.float64)), {}),
    ("shape", lambda T: (T.ones(2), T.ones(3)), {}),
    ("dtype", lambda T: (T.ones(2), T.ones(2, dtype=T.float64)), {}),
    ("dtype.unchecked", lambda T: (T.ones(2), T.ones(2, dtype=T.float64)), {"check_dtype": False}),
    ("tensor.vs.float", lambda T: (T.ones(2), 1.0), {}),
    ("scalars.far", lambda T: (1.0, 1.1), {}),
    ("scalars.close", lambda T: (1.0, 1.0 + 1e-9), {}),
    ("ints.exact", lambda T: (T.tensor([1, 2]), T.tensor([1, 3])), {}),
    ("nan", lambda T: (T.tensor([NAN]), T.tensor([NAN])), {}),
    ("nan.equal", lambda T: (T.tensor([NAN, 1.0]), T.tensor([NAN, 1.0])), {"equal_nan": True}),
    ("inf", lambda T: (T.tensor([INF, -INF]), T.tensor([INF, -INF])), {}),
    ("rtol.only", lambda T: (T.ones(2), T.ones(2)), {"rtol": 0.1}),
    ("given.tolerances", lambda T: (T.ones(2), T.ones(2) * 1.1), {"rtol": 0.2, "atol": 0.0}),
    ("msg", lambda T: (T.ones(2), T.zeros(2)), {"msg": "custom"}),
    ("sequence.length", lambda T: ([T.ones(2)], [T.ones(2), T.ones(1)]), {}),
    ("sequence.item", lambda T: ((T.ones(2), 3), (T.ones(2), 3)), {}),
    ("mapping.item", lambda T: ({"a": T.ones(2)}, {"a": T.zeros(2)}), {}),
    ("requires_grad", lambda T: (T.ones(2, requires_grad=True) * 2, T.full((2,), 2.0)), {}),
]


def _outcome(lib, make, kwargs) -> tuple[type | None, str]:
    actual, expected = make(lib)
    try:
        lib.testing.assert_close(actual, expected, **kwargs)
    except Exception as e:  # noqa: BLE001 - the class is what we compare
        return type(e), str(e)
    return None, ""


@pytest.mark.parametrize("name,make,kwargs", CASES, ids=[c[0] for c in CASES])
def test_assert_close_agrees_with_torch(name: str, make, kwargs) -> None:
    ours, theirs = _outcome(chainrule, make, kwargs), _outcome(torch, make, kwargs)
    assert ours[0] is theirs[0], (ours, theirs)
    if theirs[0] is not None and "torch" not in theirs[1] and name != "ints.exact":
        assert ours[1] == theirs[1]
    if name == "ints.exact":  # the same text up to the relative difference's float width
        assert re.sub(r"0\.333\d+", "R", ours[1]) == re.sub(r"0\.333\d+", "R", theirs[1])
