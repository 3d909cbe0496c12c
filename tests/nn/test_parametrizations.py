"""nn.utils.parametrizations.weight_norm / spectral_norm / orthogonal against PyTorch on the same weights:
state_dict keys and values, forward and gradients of the originals, the power iteration (same u, v), old
weight_norm checkpoints, removal, the orthogonal maps on square, tall and wide matrices, errors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
from chainrule.nn.utils import parametrizations as PZ
from chainrule.nn.utils import parametrize as P

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
TPZ = torch.nn.utils.parametrizations

LAYERS = {
    "linear": (lambda lib: lib.nn.Linear(5, 4), (3, 5)),
    "conv2d": (lambda lib: lib.nn.Conv2d(3, 4, 3), (2, 3, 6, 6)),
    "convT2d": (lambda lib: lib.nn.ConvTranspose2d(3, 5, 3), (2, 3, 4, 4)),
}


def _pair(kind: str, seed: int = 0) -> tuple[Any, Any, np.ndarray]:
    make, shape = LAYERS[kind]
    torch.manual_seed(seed)
    th = make(torch)
    cr = make(chainrule)
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    return cr, th, np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _load_from_torch(cr: Any, th: Any) -> None:
    state = {k: v.detach().numpy().copy() for k, v in th.state_dict().items()}
    assert list(cr.state_dict()) == list(state)
    cr.load_state_dict(state)


def _same_state(cr: Any, th: Any, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    cs, ts = cr.state_dict(), th.state_dict()
    assert list(cs) == list(ts)
    for k in ts:
        np.testing.assert_allclose(cs[k].numpy(), ts[k].numpy(), rtol=rtol, atol=atol, err_msg=k)


def _step(cr: Any, th: Any, x: np.ndarray, names: list[str], rtol: float = 1e-4) -> None:
    xc, xt = chainrule.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yc, yt = cr(xc), th(xt)
    np.testing.assert_allclose(yc.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    e = np.random.default_rng(1).standard_normal(yt.shape).astype(np.float32)
    (yc * chainrule.tensor(e)).sum().backward()
    (yt * torch.tensor(e)).sum().backward()
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=1e-5)
    for n in names:
        np.testing.assert_allclose(cr.get_parameter(n).grad.numpy(), th.get_parameter(n).grad.numpy(), rtol=rtol,
                                   atol=1e-5, err_msg=n)  # fmt: skip


# --- weight_norm ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(kind: str, dim: int | None) -> None:
    cr, th, x = _pair(kind)
    PZ.weight_norm(cr, dim=dim)
    TPZ.weight_norm(th, dim=dim)
    assert list(cr.state_dict())[-2:] == ["parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert repr(cr) == repr(th)
    _same_state(cr, th)
    names = ["parametrizations.weight.original0", "parametrizations.weight.original1", "bias"]
    _step(cr, th, x, names)
    P.remove_parametrizations(cr, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(th, "weight")
    assert type(cr).__name__ == type(th).__name__ == type(cr).__name__.removeprefix("Parametrized")
    assert not P.is_parametrized(cr)
    assert isinstance(cr.weight, nn.Parameter)
    _same_state(cr, th, rtol=1e-5)


def test_weight_norm_loads_old_checkpoints_and_both_ways() -> None:
    cr, th, x = _pair("conv2d", seed=5)
    PZ.weight_norm(cr)
    TPZ.weight_norm(th)
    torch.manual_seed(9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Conv2d(3, 4, 3))
    old_state = {k: v.detach().numpy().copy() for k, v in old.state_dict().items()}
    assert "weight_g" in old_state
    cr.load_state_dict(old_state)  # weight_g / weight_v are renamed to original0 / original1
    th.load_state_dict({k: torch.from_numpy(v) for k, v in old_state.items()})
    _same_state(cr, th)
    _step(cr, th, x, ["parametrizations.weight.original0", "parametrizations.weight.original1"])
    with chainrule.no_grad():
        cr.parametrizations.weight.original0.mul_(1.5)
    th.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in cr.state_dict().items()})
    _same_state(cr, th)


def test_weight_norm_gradcheck_through_the_parametrization() -> None:
    m = PZ.weight_norm(nn.Linear(3, 2).double(), dim=0)
    g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
    x = chainrule.randn(4, 3, dtype=chainrule.float64)

    def f(g_: Any, v_: Any) -> Any:
        return nn.functional.linear(x, m.parametrizations.weight[0](g_, v_), m.bias)

    assert chainrule.autograd.gradcheck(f, (g.detach().requires_grad_(), v.detach().requires_grad_()))


# --- spectral_norm -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("n_iter", [1, 2])
def test_spectral_norm_matches_torch(kind: str, n_iter: int) -> None:
    cr, th, x = _pair(kind, seed=2)
    PZ.spectral_norm(cr, n_power_iterations=n_iter)
    TPZ.spectral_norm(th, n_power_iterations=n_iter)
    keys = ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u", "parametrizations.weight.0._v"]
    assert list(cr.state_dict()) == list(th.state_dict()) == keys
    assert repr(cr) == repr(th)
    _load_from_torch(cr, th)  # the same u, v
    names = ["parametrizations.weight.original", "bias"]
    for _ in range(2):  # training: each access iterates
        cr.zero_grad()
        th.zero_grad()
        _step(cr, th, x, names)
        _same_state(cr, th, rtol=1e-4, atol=1e-5)
    cr.eval()
    th.eval()
    u = cr.parametrizations.weight[0]._u.numpy().copy()
    cr.zero_grad()
    th.zero_grad()
    _step(cr, th, x, names)
    np.testing.assert_array_equal(cr.parametrizations.weight[0]._u.numpy(), u)
    P.remove_parametrizations(cr, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(th, "weight")
    _same_state(cr, th, rtol=1e-5)


def test_spectral_norm_initial_power_iterations() -> None:
    th = TPZ.spectral_norm(torch.nn.Linear(6, 4))
    cr = PZ.spectral_norm(nn.Linear(6, 4))
    _load_from_torch(cr, th)
    w = th.parametrizations.weight.original.detach()
    th.parametrizations.weight[0]._power_method(w, 15)
    cr.parametrizations.weight[0]._power_method(chainrule.tensor(w.numpy()), 15)
    _same_state(cr, th, rtol=1e-4, atol=1e-5)
    fresh = PZ.spectral_norm(nn.Linear(6, 4))  # 15 iterations at registration: σ is close already
    np.testing.assert_allclose(np.linalg.svd(fresh.weight.detach().numpy(), compute_uv=False)[0], 1.0, rtol=1e-2)


def test_spectral_norm_of_a_vector_normalizes() -> None:
    m = PZ.spectral_norm(nn.Linear(3, 4), name="bias")
    b = m.parametrizations.bias.original.detach().numpy()
    np.testing.assert_allclose(m.bias.detach().numpy(), b / np.linalg.norm(b), rtol=1e-6)


def test_spectral_norm_errors() -> None:
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'nope'"):
        PZ.spectral_norm(nn.Linear(3, 4), name="nope")
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\] but got 2\)"):
        PZ.spectral_norm(nn.Linear(3, 4), dim=2)
    with pytest.raises(IndexError):
        TPZ.spectral_norm(torch.nn.Linear(3, 4), dim=2)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        PZ.spectral_norm(nn.Linear(3, 4), n_power_iterations=0)


# --- orthogonal ---------------------------------------------------------------------------------------------
SHAPES = [(4, 4), (5, 3), (3, 5)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("orth_map", [None, "matrix_exp", "cayley", "householder"])
def test_orthogonal_matches_torch(shape: tuple[int, int], orth_map: str | None) -> None:
    out_f, in_f = shape
    torch.manual_seed(0)
    th = torch.nn.Linear(in_f, out_f)
    cr = nn.Linear(in_f, out_f)
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    TPZ.orthogonal(th, orthogonal_map=orth_map)
    PZ.orthogonal(cr, orthogonal_map=orth_map)
    assert list(cr.state_dict()) == list(th.state_dict())
    assert cr.parametrizations.weight[0].orthogonal_map.name == th.parametrizations.weight[0].orthogonal_map.name
    if shape[0] == shape[1]:  # the QR start is deterministic: it agrees without copying anything
        _same_state(cr, th, rtol=1e-5, atol=1e-5)
    _load_from_torch(cr, th)  # tall / wide: torch completed the basis at random
    w = cr.weight.detach().numpy()
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)
    # move away from the start, where the maps are trivial (off the diagonal: householder reads its signs there)
    step = np.where(np.eye(*shape, dtype=bool), 0.0, 0.1 * (np.arange(out_f * in_f).reshape(shape) % 3 + 1))
    with chainrule.no_grad():
        cr.parametrizations.weight.original.add_(chainrule.tensor(step.astype(np.float32)))
    with torch.no_grad():
        th.parametrizations.weight.original.add_(torch.tensor(step.astype(np.float32)))
    moved = cr.weight.detach().numpy()
    assert np.abs(moved - w).max() > 0.05  # a real change, and still orthogonal
    np.testing.assert_allclose(moved.T @ moved if shape[0] >= shape[1] else moved @ moved.T, np.eye(min(shape)), atol=1e-5)
    x = np.random.default_rng(0).standard_normal((2, in_f)).astype(np.float32)
    _step(cr, th, x, ["parametrizations.weight.original", "bias"], rtol=1e-3)


@pytest.mark.parametrize("shape", SHAPES)
def test_orthogonal_householder_without_trivialization(shape: tuple[int, int]) -> None:
    torch.manual_seed(1)
    th = torch.nn.Linear(shape[1], shape[0])
    cr = nn.Linear(shape[1], shape[0])
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    TPZ.orthogonal(th, orthogonal_map="householder", use_trivialization=False)
    PZ.orthogonal(cr, orthogonal_map="householder", use_trivialization=False)
    assert "base" not in cr.parametrizations.weight[0]._buffers
    _same_state(cr, th, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(cr.weight.detach().numpy(), th.weight.detach().numpy(), rtol=1e-5, atol=1e-5)
    for lib, m in ((chainrule, cr), (torch, th)):  # matrix_exp / cayley cannot be assigned to without a base
        with pytest.raises(NotImplementedError, match="not possible to assign to the matrix exponential"):
            lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3), use_trivialization=False).weight = m.weight[:3, :3]


def test_orthogonal_gradcheck_float64() -> None:
    for orth_map in ("matrix_exp", "cayley", "householder"):
        m = PZ.orthogonal(nn.Linear(3, 4).double(), orthogonal_map=orth_map)
        orth = m.parametrizations.weight[0]
        x = m.parametrizations.weight.original.detach() + 0.1 * chainrule.randn(4, 3, dtype=chainrule.float64)
        assert chainrule.autograd.gradcheck(orth, (x.requires_grad_(),)), orth_map


def test_orthogonal_errors() -> None:
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
        PZ.orthogonal(nn.Linear(3, 4), name="bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder"'):
        PZ.orthogonal(nn.Linear(3, 4), orthogonal_map="qr")
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'nope'"):
        PZ.orthogonal(nn.Linear(3, 4), name="nope")
    m = PZ.orthogonal(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
        m.parametrizations.weight[0].right_inverse(chainrule.zeros(2, 2))


def test_weight_norm_on_a_recurrent_weight() -> None:
    """The LSTM reads its weights by name at each call, so a parametrized weight_hh_l0 is used (as in PyTorch)."""
    torch.manual_seed(0)
    th, cr = torch.nn.LSTM(3, 4), nn.LSTM(3, 4)
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    TPZ.weight_norm(th, "weight_hh_l0")
    PZ.weight_norm(cr, "weight_hh_l0")
    with torch.no_grad():
        th.parametrizations.weight_hh_l0.original0.mul_(2.0)
    with chainrule.no_grad():
        cr.parametrizations.weight_hh_l0.original0.mul_(2.0)
    assert list(cr.state_dict()) == list(th.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    yt, yc = th(torch.tensor(x))[0], cr(chainrule.tensor(x))[0]
    np.testing.assert_allclose(yc.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    yt.sum().backward()
    yc.sum().backward()
    for n in ("parametrizations.weight_hh_l0.original0", "parametrizations.weight_hh_l0.original1", "weight_ih_l0"):
        np.testing.assert_allclose(cr.get_parameter(n).grad.numpy(), th.get_parameter(n).grad.numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=n)  # fmt: skip
