"""nn.utils against PyTorch: clip_grad_norm_ (every norm type, returned total norm, in-place scaling),
clip_grad_value_, get_total_norm / clip_grads_with_norm_, parameters_to_vector / vector_to_parameters."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
from chainrule.nn import utils

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

SHAPES = [(3, 4), (5,), (2, 2, 2), (1,)]


def _params(lib: Any, dtype: str = "float32", seed: int = 0, scale: float = 1.0, skip: int | None = None) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for i, s in enumerate(SHAPES):
        p = lib.zeros(*s, dtype=getattr(lib, dtype), requires_grad=True)
        if i != skip:
            p.grad = lib.tensor((scale * rng.standard_normal(s)).astype(dtype))
        out.append(p)
    return out


def _same_grads(cr: list, th: list, rtol: float = 1e-6) -> None:
    for c, t in zip(cr, th):
        if t.grad is None:
            assert c.grad is None
        else:
            np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, math.inf, "inf", -math.inf])
@pytest.mark.parametrize("max_norm", [0.1, 1e3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_matches_torch(norm_type: Any, max_norm: float, dtype: str) -> None:
    cr, th = _params(chainrule, dtype), _params(torch, dtype)
    got = utils.clip_grad_norm_(cr, max_norm, norm_type)
    want = torch.nn.utils.clip_grad_norm_(th, max_norm, norm_type)
    assert isinstance(got, chainrule.Tensor) and got.shape == () and str(got.dtype).endswith(dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    _same_grads(cr, th)


def test_clip_grad_norm_scales_to_max_norm() -> None:
    cr = _params(chainrule, "float64", scale=10.0)
    total = utils.clip_grad_norm_(cr, 1.0)
    assert total.item() > 1.0
    after = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in cr))
    np.testing.assert_allclose(after, 1.0 * total.item() / (total.item() + 1e-6), rtol=1e-12)


def test_clip_grad_norm_single_tensor_generator_and_missing_grads() -> None:
    cr, th = _params(chainrule, skip=1), _params(torch, skip=1)
    np.testing.assert_allclose(
        utils.clip_grad_norm_((p for p in cr), 0.5).numpy(), torch.nn.utils.clip_grad_norm_((p for p in th), 0.5).numpy(), rtol=1e-6
    )
    _same_grads(cr, th)
    one_cr, one_th = _params(chainrule)[0], _params(torch)[0]
    np.testing.assert_allclose(utils.clip_grad_norm_(one_cr, 0.3).numpy(), torch.nn.utils.clip_grad_norm_(one_th, 0.3).numpy(), rtol=1e-6)
    _same_grads([one_cr], [one_th])
    assert utils.clip_grad_norm_([], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_of_a_model() -> None:
    model = nn.Linear(4, 3)
    model(chainrule.randn(8, 4)).pow(2).sum().backward()
    w, b = model.weight.grad.numpy().copy(), model.bias.grad.numpy().copy()
    total = utils.clip_grad_norm_(model.parameters(), max_norm=0.01)
    np.testing.assert_allclose(total.item(), np.sqrt((w**2).sum() + (b**2).sum()), rtol=1e-5)
    coef = 0.01 / (total.item() + 1e-6)
    np.testing.assert_allclose(model.weight.grad.numpy(), w * coef, rtol=1e-5)


def test_clip_grad_norm_nonfinite() -> None:
    cr, th = _params(chainrule), _params(torch)
    cr[0].grad.numpy()[0, 0] = np.inf
    th[0].grad[0, 0] = math.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        utils.clip_grad_norm_(cr, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_(th, 1.0, error_if_nonfinite=True)
    got = utils.clip_grad_norm_(cr, 1.0)
    want = torch.nn.utils.clip_grad_norm_(th, 1.0)
    assert np.isinf(got.item()) and np.isinf(want.item())
    np.testing.assert_array_equal(np.isnan(cr[1].grad.numpy()), np.isnan(th[1].grad.numpy()))


def test_get_total_norm_and_clip_grads_with_norm() -> None:
    cr, th = _params(chainrule), _params(torch)
    grads_cr = [p.grad for p in cr]
    grads_th = [p.grad for p in th]
    t_cr = utils.get_total_norm(grads_cr, 3.0)
    t_th = torch.nn.utils.get_total_norm(grads_th, 3.0)
    np.testing.assert_allclose(t_cr.numpy(), t_th.numpy(), rtol=1e-6)
    utils.clip_grads_with_norm_(cr, 0.2, t_cr)
    torch.nn.utils.clip_grads_with_norm_(th, 0.2, t_th)
    _same_grads(cr, th)


def test_clip_grad_norm_deprecated_alias() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        cr, th = _params(chainrule), _params(torch)
        np.testing.assert_allclose(utils.clip_grad_norm(cr, 0.5).numpy(), torch.nn.utils.clip_grad_norm(th, 0.5).numpy(), rtol=1e-6)


@pytest.mark.parametrize("clip", [0.1, 0.5, 10.0])
def test_clip_grad_value_matches_torch(clip: float) -> None:
    cr, th = _params(chainrule, skip=2), _params(torch, skip=2)
    assert utils.clip_grad_value_(cr, clip) is None
    torch.nn.utils.clip_grad_value_(th, clip)
    _same_grads(cr, th, rtol=0)
    one_cr, one_th = _params(chainrule)[0], _params(torch)[0]
    utils.clip_grad_value_(one_cr, clip)
    torch.nn.utils.clip_grad_value_(one_th, clip)
    _same_grads([one_cr], [one_th], rtol=0)


def test_parameters_to_vector_and_back() -> None:
    torch.manual_seed(0)
    th = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    cr = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    v_cr = utils.parameters_to_vector(cr.parameters())
    v_th = torch.nn.utils.parameters_to_vector(th.parameters())
    assert v_cr.shape == (26,) and v_cr.dtype == chainrule.float32
    np.testing.assert_array_equal(v_cr.detach().numpy(), v_th.detach().numpy())
    (v_cr * chainrule.arange(26.0)).sum().backward()  # differentiable, as in PyTorch
    np.testing.assert_array_equal(cr[0].bias.grad.numpy(), np.arange(12.0, 16.0))

    new = np.arange(26, dtype=np.float32)
    vec = chainrule.tensor(new)
    utils.vector_to_parameters(vec, cr.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), th.parameters())
    for (name, p), (_, q) in zip(cr.named_parameters(), th.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
    vec.numpy()[0] = -1.0  # the parameters are views of the vector, as in PyTorch
    assert cr[0].weight.detach().numpy()[0, 0] == -1.0


def test_vector_to_parameters_errors() -> None:
    params = list(nn.Linear(2, 2).parameters())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: numpy.ndarray"):
        utils.vector_to_parameters(np.zeros(6), params)
    with pytest.raises(TypeError):
        torch.nn.utils.vector_to_parameters(np.zeros(6), [torch.zeros(2, 2)])
    with pytest.raises(RuntimeError, match="too short; expected at least 6 elements, got 5"):
        utils.vector_to_parameters(chainrule.zeros(5), params)
