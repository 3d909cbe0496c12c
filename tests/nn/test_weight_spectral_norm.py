"""The hook-based nn.utils.weight_norm / spectral_norm against PyTorch: state_dict keys and values, forward
and gradients of g, v and <name>_orig on the same weights (spectral norm: the same u, v start vectors, so the
power iteration agrees, in train and eval mode), loading state dicts both ways, removal, errors, and a float64
gradcheck of the weight-norm map."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
from chainrule.nn.utils import remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm
from chainrule.nn.utils.weight_norm import weight_norm_map

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

LAYERS = {
    "linear": (lambda lib: lib.nn.Linear(5, 4), (3, 5)),
    "conv1d": (lambda lib: lib.nn.Conv1d(3, 4, 3), (2, 3, 7)),
    "conv2d": (lambda lib: lib.nn.Conv2d(3, 4, 3), (2, 3, 6, 6)),
    "convT2d": (lambda lib: lib.nn.ConvTranspose2d(3, 5, 3), (2, 3, 4, 4)),
}


def _pair(kind: str, seed: int = 0) -> tuple[Any, Any, np.ndarray]:
    make, shape = LAYERS[kind]
    torch.manual_seed(seed)
    th = make(torch)
    cr = make(chainrule)
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return cr, th, x


def _load_from_torch(cr: Any, th: Any) -> None:
    state = {k: v.detach().numpy().copy() for k, v in th.state_dict().items()}
    assert list(cr.state_dict()) == list(state)
    cr.load_state_dict(state)


def _same_state(cr: Any, th: Any, rtol: float = 1e-6) -> None:
    cs, ts = cr.state_dict(), th.state_dict()
    assert list(cs) == list(ts)
    for k in ts:
        np.testing.assert_allclose(cs[k].numpy(), ts[k].numpy(), rtol=rtol, atol=1e-6, err_msg=k)


def _step(cr: Any, th: Any, x: np.ndarray, names: list[str]) -> None:
    """Forward both on x, backward the same weighted sum, compare outputs and the named parameter grads."""
    xc, xt = chainrule.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yc, yt = cr(xc), th(xt)
    np.testing.assert_allclose(yc.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    e = np.random.default_rng(1).standard_normal(yt.shape).astype(np.float32)
    (yc * chainrule.tensor(e)).sum().backward()
    (yt * torch.tensor(e)).sum().backward()
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for n in names:
        np.testing.assert_allclose(getattr(cr, n).grad.numpy(), getattr(th, n).grad.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=n)  # fmt: skip


def _torch_weight_norm(module: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torch.nn.utils.weight_norm(module, **kw)


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("dim", [0, 1, None, -2])
def test_weight_norm_matches_torch(kind: str, dim: int | None) -> None:
    cr, th, x = _pair(kind)
    with pytest.warns(FutureWarning) as rec:
        weight_norm(cr, dim=dim)
    _torch_weight_norm(th, dim=dim)
    assert list(cr._parameters) == list(th._parameters) == ["bias", "weight_g", "weight_v"]
    _same_state(cr, th)
    assert tuple(cr.weight_g.shape) == tuple(th.weight_g.shape)
    _step(cr, th, x, ["weight_g", "weight_v", "bias"])
    with chainrule.no_grad():  # the weight is recomputed from g and v before each forward
        cr.weight_g.mul_(2.0)
        cr.weight_v.add_(0.5)
    with torch.no_grad():
        th.weight_g.mul_(2.0)
        th.weight_v.add_(0.5)
    cr.zero_grad()
    th.zero_grad()
    _step(cr, th, x, ["weight_g", "weight_v"])
    assert "deprecated in favor of `torch.nn.utils.parametrizations.weight_norm`" in str(rec[0].message)


def test_weight_norm_warning_text_is_pytorchs() -> None:
    with pytest.warns(FutureWarning) as ours:
        weight_norm(nn.Linear(2, 2))
    with pytest.warns(FutureWarning) as theirs:
        torch.nn.utils.weight_norm(torch.nn.Linear(2, 2))
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__  # points at the caller


def test_weight_norm_state_dict_both_ways_and_remove() -> None:
    cr, th, x = _pair("conv2d", seed=3)
    with pytest.warns(FutureWarning):
        weight_norm(cr)
    _torch_weight_norm(th)
    torch.manual_seed(7)
    th2 = _torch_weight_norm(torch.nn.Conv2d(3, 4, 3))
    _load_from_torch(cr, th2)  # torch -> chainrule: the next forward uses the loaded g and v
    _step(cr, th2, x, ["weight_g", "weight_v"])
    with chainrule.no_grad():
        cr.weight_g.mul_(0.5)
    th.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in cr.state_dict().items()})
    _same_state(cr, th)
    remove_weight_norm(cr)
    torch.nn.utils.remove_weight_norm(th)
    assert list(cr.state_dict()) == list(th.state_dict()) == ["bias", "weight"]
    assert isinstance(cr.weight, nn.Parameter) and cr.weight.grad_fn is None
    _same_state(cr, th, rtol=1e-5)
    assert not cr._forward_pre_hooks


def test_weight_norm_errors() -> None:
    with pytest.warns(FutureWarning):
        with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
            weight_norm(nn.Linear(3, 4), name="nope")
        m = weight_norm(nn.Linear(3, 4))
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
            weight_norm(m)
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
            weight_norm(nn.Linear(3, 4), dim=2)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        remove_weight_norm(nn.Linear(3, 4))
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):  # the same in PyTorch
        torch.nn.utils.remove_weight_norm(torch.nn.Linear(3, 4))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_weight_norm_map_gradcheck(dim: int) -> None:
    rng = np.random.default_rng(0)
    v = chainrule.tensor(rng.standard_normal((3, 4)), dtype=chainrule.float64, requires_grad=True)
    gshape = {0: (3, 1), 1: (1, 4), -1: ()}[dim]
    g = chainrule.tensor(rng.standard_normal(gshape), dtype=chainrule.float64, requires_grad=True)
    assert chainrule.autograd.gradcheck(lambda v, g: weight_norm_map(v, g, dim), (v, g))
    ref = torch._weight_norm(torch.tensor(v.detach().numpy()), torch.tensor(g.detach().numpy()), dim)
    np.testing.assert_allclose(weight_norm_map(v, g, dim).detach().numpy(), ref.numpy(), rtol=1e-12)


# --- spectral norm -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_matches_torch(kind: str, n_iter: int) -> None:
    cr, th, x = _pair(kind, seed=2)
    spectral_norm(cr, n_power_iterations=n_iter)
    torch.nn.utils.spectral_norm(th, n_power_iterations=n_iter)
    assert list(cr._parameters) == list(th._parameters)
    assert list(cr._buffers) == list(th._buffers) == ["weight_u", "weight_v"]
    assert cr.weight_u.shape == th.weight_u.shape and cr.weight_v.shape == th.weight_v.shape  # convT: dim=1
    _load_from_torch(cr, th)  # the same u, v start vectors
    for _ in range(2):  # training mode: the power iteration runs, u and v change in place
        cr.zero_grad()
        th.zero_grad()
        _step(cr, th, x, ["weight_orig", "bias"])
        _same_state(cr, th, rtol=1e-4)
    cr.eval()
    th.eval()
    u_before = cr.weight_u.numpy().copy()
    cr.zero_grad()
    th.zero_grad()
    _step(cr, th, x, ["weight_orig"])
    np.testing.assert_array_equal(cr.weight_u.numpy(), u_before)  # no power iteration in eval mode
    assert cr.weight_u.grad is None and not cr.weight_u.requires_grad


def test_spectral_norm_state_dict_both_ways_and_remove() -> None:
    cr, th, x = _pair("linear", seed=4)
    spectral_norm(cr)
    torch.nn.utils.spectral_norm(th)
    assert list(cr.state_dict()) == list(th.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    _load_from_torch(cr, th)
    _step(cr, th, x, ["weight_orig"])
    th2 = torch.nn.utils.spectral_norm(torch.nn.Linear(5, 4))
    th2.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in cr.state_dict().items()})
    _same_state(cr, th2)
    remove_spectral_norm(cr)
    torch.nn.utils.remove_spectral_norm(th)
    assert list(cr.state_dict()) == list(th.state_dict()) == ["bias", "weight"]
    assert isinstance(cr.weight, nn.Parameter)
    _same_state(cr, th, rtol=1e-5)
    assert not cr._forward_pre_hooks and not cr._buffers


def test_spectral_norm_sigma_is_largest_singular_value() -> None:
    m = spectral_norm(nn.Linear(6, 4), n_power_iterations=30)
    m(chainrule.zeros(1, 6))
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False)[0], 1.0, rtol=1e-4)


def test_spectral_norm_errors() -> None:
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got n_power_iterations=0"):
        spectral_norm(nn.Linear(3, 4), n_power_iterations=0)
    with pytest.raises(KeyError, match="nope"):
        spectral_norm(nn.Linear(3, 4), name="nope")
    with pytest.raises(ValueError, match="`SpectralNorm` cannot be applied as parameter `bias` is None"):
        spectral_norm(nn.Linear(3, 4, bias=False), name="bias")
    m = spectral_norm(nn.Linear(3, 4))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on the same parameter weight"):
        spectral_norm(m)
    lin = nn.Linear(3, 4)
    with pytest.raises(RuntimeError, match=r"spectral_norm: dim 3 is out of range .* shape \[4, 3\]"):
        spectral_norm(lin, dim=3)
    assert list(lin._parameters) == ["weight", "bias"]  # unchanged
    with pytest.raises(RuntimeError):  # the same class in PyTorch
        torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4), dim=3)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
        remove_spectral_norm(nn.Linear(3, 4))
