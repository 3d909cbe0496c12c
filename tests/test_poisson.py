"""``chainrule.poisson`` against ``torch.poisson``: dtype, shape, the zero gradient, the errors, and the sample
moments (mean = variance = rate) for both libraries on the same rates."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

RATES = np.array([0.0, 0.5, 3.0, 40.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_shape_dtype_and_zero_gradient_match_torch(dtype: str) -> None:
    ro = chainrule.tensor(RATES.reshape(2, 2), dtype=getattr(chainrule, dtype), requires_grad=True)
    rt = torch.tensor(RATES.reshape(2, 2), dtype=getattr(torch, dtype), requires_grad=True)
    yo, yt = chainrule.poisson(ro), torch.poisson(rt)
    assert tuple(yo.shape) == tuple(yt.shape) and str(yo.dtype)[-7:] == str(yt.dtype)[-7:]
    assert yo.requires_grad == yt.requires_grad
    w = np.arange(1.0, 5.0).reshape(2, 2)
    (yo * chainrule.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(ro.grad.numpy(), rt.grad.numpy())
    assert yo.detach().numpy()[0, 0] == 0  # rate 0 gives 0


def test_sample_moments_agree_with_torch_and_the_rates() -> None:
    n = 20000
    ours = chainrule.poisson(chainrule.tensor(np.tile(RATES, (n, 1)))).numpy()
    theirs = torch.poisson(torch.tensor(np.tile(RATES, (n, 1)))).numpy()
    assert np.all(ours == np.round(ours)) and ours.min() >= 0
    for sample in (ours, theirs):
        np.testing.assert_allclose(sample.mean(0), RATES, atol=0.15, rtol=0.03)
        np.testing.assert_allclose(sample.var(0), RATES, atol=0.15, rtol=0.06)


def test_generator_makes_draws_repeatable() -> None:
    rates = chainrule.full((50,), 4.0)
    a = chainrule.poisson(rates, generator=chainrule.Generator().manual_seed(5))
    b = chainrule.poisson(rates, generator=chainrule.Generator().manual_seed(5))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize(
    "rates,error", [([1, 2], NotImplementedError), ([-1.0], RuntimeError), ([float("nan")], RuntimeError)]
)
def test_bad_rates_raise_torchs_exception_class(rates: list, error: type) -> None:
    with pytest.raises(error):
        torch.poisson(torch.tensor(rates))
    with pytest.raises(error, match="poisson"):
        chainrule.poisson(chainrule.tensor(rates))
