"""SGD-momentum and RMSprop updates by fused kernels: the same bits as their NumPy passes, on one
thread and in chunks over several (Adam's kernel is covered in test_adam_multitensor/chunks)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chainrule as cr
from chainrule import _fused, _parallel

pytestmark = pytest.mark.skipif(_fused._find_numba() is None, reason="numba (the 'fast' extra) is not installed")

SHAPES = [(33, 17), (17,), (4, 5, 6), (1,), ()]


def _trajectory(fused: bool, cls, dtype: str, threads: int, monkeypatch: pytest.MonkeyPatch, **kw) -> list:
    rng = np.random.default_rng(0)
    ps = [cr.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in SHAPES]
    with monkeypatch.context() as m, _fused.override(fused):
        m.setattr(_parallel, "PARALLEL_MIN", 1)  # chunk even these small parameters
        m.setattr(_parallel, "_threads", threads)
        opt = cls(ps, **kw)
        grng = np.random.default_rng(1)
        for _ in range(6):
            for p in ps:
                p.grad = cr.tensor(grng.standard_normal(p.shape).astype(dtype))
            opt.step()
    state = [s[k]._data.copy() for s in opt.state.values() for k in sorted(s)]
    return [p.detach().numpy().copy() for p in ps] + state


SGD_OPTIONS = [
    dict(momentum=0.9, dampening=d, nesterov=n, weight_decay=w, maximize=mx)
    for d, n, w, mx in itertools.product((0.0, 0.3), (False, True), (0.0, 0.01), (False, True))
    if not (n and d)
]
RMSPROP_OPTIONS = [
    dict(momentum=mu, centered=c, weight_decay=w, maximize=mx)
    for mu, c, w, mx in itertools.product((0.0, 0.8), (False, True), (0.0, 0.01), (False, True))
]


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("cls", "options"),
    [(cr.optim.SGD, o) for o in SGD_OPTIONS] + [(cr.optim.RMSprop, o) for o in RMSPROP_OPTIONS],
    ids=[f"SGD-{sorted(o.items())}" for o in SGD_OPTIONS] + [f"RMSprop-{sorted(o.items())}" for o in RMSPROP_OPTIONS],
)
def test_fused_update_is_bit_identical_to_numpy(cls, options, dtype, threads, monkeypatch) -> None:
    fused = _trajectory(True, cls, dtype, threads, monkeypatch, lr=0.05, **options)
    numpy = _trajectory(False, cls, dtype, threads, monkeypatch, lr=0.05, **options)
    assert len(fused) == len(numpy) > len(SHAPES)
    for a, b in zip(fused, numpy):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    start = np.random.default_rng(0).standard_normal(SHAPES[0]).astype(dtype)
    assert not np.array_equal(fused[0], start)  # the parameters did move


def test_the_kernel_runs(monkeypatch) -> None:
    """The fused path is taken (not silently the NumPy one): a spy on the compiled kernel counts calls."""
    from chainrule.optim import _fused_updates

    calls = []
    real = _fused_updates.run

    def spy(fn, arrays, scalars):
        done = real(fn, arrays, scalars)
        calls.append((fn.__name__, done))
        return done

    monkeypatch.setattr(cr.optim.sgd, "run", spy)
    monkeypatch.setattr(cr.optim.rmsprop, "run", spy)
    _trajectory(True, cr.optim.SGD, "float32", 1, monkeypatch, lr=0.1, momentum=0.9)
    _trajectory(True, cr.optim.RMSprop, "float32", 1, monkeypatch, lr=0.1)
    assert ("sgd_momentum_update", True) in calls and ("rmsprop_update", True) in calls
    assert all(done for _, done in calls)
