"""Build the same distribution in chainrule and PyTorch and compare what they compute."""

from __future__ import annotations

from typing import Any

import numpy as np

import chainrule
import chainrule.distributions as cd

TOL = {
    np.float32: dict(rtol=2e-5, atol=2e-5),
    np.float64: dict(rtol=1e-9, atol=1e-10),
    np.int64: dict(rtol=0),
}


def ours_theirs(name: str, params: dict[str, Any], dtype: Any, torch: Any) -> tuple[Any, Any]:
    """``name(**params)`` in both libraries; arrays become tensors of ``dtype``, numbers stay numbers."""

    def conv(lib: Any, v: Any) -> Any:
        if isinstance(v, np.ndarray):
            if lib is chainrule:
                return chainrule.tensor(v.astype(dtype))
            return torch.tensor(v.astype(dtype))
        return v

    ours = getattr(cd, name)(**{k: conv(chainrule, v) for k, v in params.items()})
    theirs = getattr(torch.distributions, name)(**{k: conv(torch, v) for k, v in params.items()})
    return ours, theirs


def close(a: Any, b: Any, dtype: Any, **tol: float) -> None:
    """``a`` (chainrule) equals ``b`` (torch) in shape, dtype and values, nan where nan."""
    an = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    bn = b.detach().numpy()
    assert tuple(an.shape) == tuple(bn.shape), (an.shape, bn.shape)
    assert an.dtype == bn.dtype, (an.dtype, bn.dtype)
    np.testing.assert_allclose(an, bn, equal_nan=True, **(tol or TOL[dtype]))


def to_pair(value: np.ndarray, dtype: Any, torch: Any) -> tuple[Any, Any]:
    """The same array as a chainrule and a torch tensor of ``dtype``."""
    v = np.asarray(value).astype(dtype)
    return chainrule.tensor(v), torch.tensor(v)


def check_moments(ours: Any, theirs: Any, dtype: Any, names: tuple[str, ...] = ("mean", "variance", "stddev", "mode"),
                  **tol: float) -> None:  # fmt: skip
    """Each named property agrees, plus entropy when both define it."""
    for n in names:
        close(getattr(ours, n), getattr(theirs, n), dtype, **tol)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)


def sample_stats(dist: Any, n: int = 40000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance over ``n`` draws (float64), the sample dimension first."""
    chainrule.manual_seed(seed)
    x = dist.sample((n,)).numpy().astype(np.float64)
    return x.mean(0), x.var(0)


def assert_stats(dist: Any, n: int = 40000, seed: int = 0, k: float = 5.0, check_var: bool = True) -> None:
    """The sample mean is within k standard errors of ``dist.mean`` and the sample variance near ``dist.variance``."""
    m, v = sample_stats(dist, n, seed)
    mean = dist.mean.detach().numpy().astype(np.float64)
    var = dist.variance.detach().numpy().astype(np.float64)
    assert np.all(np.abs(m - mean) <= k * np.sqrt(var / n) + 1e-12), (m, mean)
    if check_var:
        np.testing.assert_allclose(v, var, rtol=0.1)
