"""InverseGamma and OneHotCategoricalStraightThrough against torch.distributions: densities and their
gradients, moments, entropy, support/validation, and the straight-through gradient of rsample."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.distributions as cd

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
TD = torch.distributions

CONC, RATE = np.array([3.5, 0.7, 2.0, 1.5]), np.array([2.0, 1.0, 0.5, 3.0])


def _pair(values):
    return ([chainrule.tensor(v, requires_grad=True) for v in values], [torch.tensor(v, requires_grad=True) for v in values])


def test_inverse_gamma_log_prob_and_gradients_match_torch() -> None:
    (ac, rc), (at, rt) = _pair([CONC, RATE])
    y = np.array([0.3, 1.2, 4.0, 0.9])
    lo = cd.InverseGamma(ac, rc).log_prob(chainrule.tensor(y))
    lt = TD.InverseGamma(at, rt).log_prob(torch.tensor(y))
    np.testing.assert_allclose(lo.detach().numpy(), lt.detach().numpy(), rtol=1e-10)
    lo.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(ac.grad.numpy(), at.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(rc.grad.numpy(), rt.grad.numpy(), rtol=1e-9)


@pytest.mark.parametrize("stat", ["mean", "mode", "variance"])
def test_inverse_gamma_moments_match_torch_including_infinite_ones(stat: str) -> None:
    ours = getattr(cd.InverseGamma(chainrule.tensor(CONC), chainrule.tensor(RATE)), stat)
    theirs = getattr(TD.InverseGamma(torch.tensor(CONC), torch.tensor(RATE)), stat)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_inverse_gamma_entropy_and_sample_shape_match_torch() -> None:
    ours, theirs = cd.InverseGamma(chainrule.tensor(CONC), chainrule.tensor(RATE)), TD.InverseGamma(torch.tensor(CONC), torch.tensor(RATE))
    np.testing.assert_allclose(ours.entropy().numpy(), theirs.entropy().numpy(), rtol=1e-10)
    assert tuple(ours.rsample((5,)).shape) == tuple(theirs.rsample((5,)).shape) == (5, 4)
    assert ours.has_rsample and (ours.sample((100,)).numpy() > 0).all()
    assert tuple(ours.expand((3, 4)).batch_shape) == tuple(theirs.expand((3, 4)).batch_shape)


def test_inverse_gamma_sample_median_agrees_with_torch() -> None:
    ours = cd.InverseGamma(chainrule.tensor([4.0]), chainrule.tensor([2.0])).sample((40000,)).numpy()
    theirs = TD.InverseGamma(torch.tensor([4.0]), torch.tensor([2.0])).sample((40000,)).numpy()
    np.testing.assert_allclose(np.median(ours), np.median(theirs), rtol=0.03)


def test_inverse_gamma_rejects_non_positive_parameters_like_torch() -> None:
    with pytest.raises(ValueError):
        TD.InverseGamma(torch.tensor([-1.0]), torch.tensor([1.0]), validate_args=True)
    with pytest.raises(ValueError):
        cd.InverseGamma(chainrule.tensor([-1.0]), chainrule.tensor([1.0]), validate_args=True)


def test_straight_through_rsample_is_one_hot_with_the_probabilities_gradient() -> None:
    logits = np.array([[0.2, -1.0, 0.5], [1.5, 0.0, -0.3]])
    (lo,), (lt,) = _pair([logits])
    w = np.array([1.0, -2.0, 0.5])
    ours, theirs = cd.OneHotCategoricalStraightThrough(logits=lo), TD.OneHotCategoricalStraightThrough(logits=lt)
    so, st = ours.rsample((3,)), theirs.rsample((3,))
    assert tuple(so.shape) == tuple(st.shape) == (3, 2, 3)
    hot = so.detach().numpy()
    np.testing.assert_allclose(hot.sum(-1), 1.0)
    np.testing.assert_allclose(np.sort(hot, -1)[..., :2], 0.0, atol=1e-12)
    (so * chainrule.tensor(w)).sum().backward()
    (st * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(lo.grad.numpy(), lt.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert ours.has_rsample and theirs.has_rsample
    np.testing.assert_allclose(ours.log_prob(so.detach()).detach().numpy(),
                               theirs.log_prob(torch.tensor(hot)).detach().numpy(), rtol=1e-10)  # fmt: skip
