"""RMSprop and SGD-with-momentum write their temporaries into scratch buffers: the same bits as the
plain array expressions (the composite) over many steps, for every variant."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.optim import rmsprop, sgd


def _params(seed: int) -> list[cr.Tensor]:
    rng = np.random.default_rng(seed)
    shapes = [(37, 21), (21,), (5, 3, 4), ()]
    return [cr.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes]


def _run(make, composite: bool, monkeypatch: pytest.MonkeyPatch, steps: int = 40, ps=None) -> list[np.ndarray]:
    """Parameters and state after ``steps`` steps; ``composite``: every update by plain expressions."""
    ps = _params(0) if ps is None else ps
    opt = make(ps)
    with monkeypatch.context() as m:
        if composite:  # no hyperparameter type qualifies for the scratch form
            m.setattr(rmsprop, "_PY", ())
            m.setattr(sgd, "_PY", ())
        return _steps(opt, ps, steps)


def _steps(opt, ps, steps):
    rng = np.random.default_rng(1)
    for _ in range(steps):
        for p in ps:
            p.grad = cr.tensor(rng.standard_normal(p.shape).astype(p.detach().numpy().dtype))
        opt.step()
    state = [s[k]._data.copy() for s in opt.state.values() for k in sorted(s)] if opt.state else []
    return [p.detach().numpy().copy() for p in ps] + state


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_rmsprop_scratch_form_equals_composite_bit_for_bit(
    centered: bool, momentum: float, weight_decay: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    def make(ps):
        return cr.optim.RMSprop(ps, lr=1e-2, alpha=0.9, momentum=momentum, centered=centered,
                                weight_decay=weight_decay)  # fmt: skip

    fast, ref = _run(make, False, monkeypatch), _run(make, True, monkeypatch)
    assert len(fast) == len(ref)
    for a, b in zip(fast, ref):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("dampening", "nesterov"), [(0.0, False), (0.3, False), (0.0, True)])
def test_sgd_momentum_scratch_form_equals_composite_bit_for_bit(
    dampening: float, nesterov: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def make(ps):
        return cr.optim.SGD(ps, lr=1e-2, momentum=0.9, dampening=dampening, nesterov=nesterov)

    fast, ref = _run(make, False, monkeypatch), _run(make, True, monkeypatch)
    for a, b in zip(fast, ref):
        np.testing.assert_array_equal(a, b)


def test_float64_parameters_take_the_scratch_form_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def make(ps):
        return cr.optim.RMSprop(ps, lr=0.1, momentum=0.5, centered=True)

    out = []
    for composite in (False, True):
        p = cr.tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
        out.append(_run(make, composite, monkeypatch, steps=7, ps=[p]))
    assert out[0][0].dtype == np.float64 and not np.array_equal(out[0][0], np.linspace(-1, 1, 12).reshape(3, 4))
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


def test_numpy_scalar_hyperparameters_keep_their_promotion() -> None:
    # a NumPy float64 alpha promotes (1 − α)·g² to float64 before the add: the composite path keeps that
    p = cr.tensor(np.ones(5, np.float32), requires_grad=True)
    opt = cr.optim.RMSprop([p], lr=0.1, alpha=np.float64(0.9))
    p.grad = cr.tensor(np.full(5, 0.3, np.float32))
    opt.step()
    s = np.float32(0) * np.float64(0.9) + (1 - np.float64(0.9)) * (np.float32(0.3) * np.float32(0.3))
    assert opt.state[p]["square_avg"].numpy()[0] == np.float32(s)
