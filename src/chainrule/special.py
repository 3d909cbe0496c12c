"""``chainrule.special``: PyTorch's ``torch.special`` namespace for the functions chainrule computes.

Most names are the top-level ops under SciPy-style names (``expit`` is ``sigmoid``, ``gammaln`` is
``lgamma``, ``psi`` is ``digamma``); the rest are short compositions with their gradients from
the ops they are built on.
"""

from __future__ import annotations

import math
from typing import Any

from . import ops as _ops

__all__ = [
    "expit", "logit", "erf", "erfc", "erfinv", "gammaln", "digamma", "psi", "polygamma",
    "multigammaln", "xlogy", "xlog1py", "ndtr", "ndtri", "log_ndtr", "logsumexp", "softmax",
    "log_softmax", "sinc", "round", "exp2", "expm1", "log1p", "entr", "gammainc", "gammaincc",
]  # fmt: skip
__all__ += ["i0", "i0e", "i1", "i1e"]

expit = _ops.sigmoid
logit = _ops.logit
erf = _ops.erf
erfc = _ops.erfc
erfinv = _ops.erfinv
gammaln = _ops.lgamma
digamma = psi = _ops.digamma
polygamma = _ops.polygamma
xlogy = _ops.xlogy
logsumexp = _ops.logsumexp
sinc = _ops.sinc
round = _ops.round  # noqa: A001  (PyTorch's name)
exp2 = _ops.exp2
expm1 = _ops.expm1
log1p = _ops.log1p
multigammaln = _ops.mvlgamma
gammainc = _ops.igamma
gammaincc = _ops.igammac
i0 = _ops.i0
i0e = _ops.bessel.i0e
i1 = _ops.bessel.i1
i1e = _ops.bessel.i1e

_SQRT1_2 = 1.0 / math.sqrt(2.0)


def softmax(input: Any, dim: int, *, dtype: Any = None) -> Any:  # noqa: A002
    """``softmax`` along ``dim`` (``dim`` is required here, as in ``torch.special``)."""
    return _ops.softmax(input, dim, dtype=dtype)


def log_softmax(input: Any, dim: int, *, dtype: Any = None) -> Any:  # noqa: A002
    """``log_softmax`` along ``dim``."""
    return _ops.log_softmax(input, dim, dtype=dtype)


def xlog1py(input: Any, other: Any) -> Any:  # noqa: A002
    """input·ln(1 + other), with 0 where input is 0."""
    one_plus = _ops.add(other, 1.0) if hasattr(other, "_data") else 1.0 + other
    return _ops.xlogy(input, one_plus)


def ndtr(input: Any) -> Any:  # noqa: A002
    """The standard normal CDF Φ(x) = ½ erfc(−x/√2)."""
    x = _ops.unary._float(input, "ndtr")
    return _ops.mul(_ops.erfc(_ops.mul(x, -_SQRT1_2)), 0.5)


def ndtri(input: Any) -> Any:  # noqa: A002
    """The inverse of ``ndtr``: √2·erfinv(2p − 1)."""
    p = _ops.unary._float(input, "ndtri")
    return _ops.mul(_ops.erfinv(_ops.sub(_ops.mul(p, 2.0), 1.0)), math.sqrt(2.0))


log_ndtr = _ops.special.log_ndtr


def entr(input: Any) -> Any:  # noqa: A002
    """Elementwise entropy term −x·ln x (0 at 0, −inf for x < 0)."""
    x = _ops.unary._float(input, "entr")
    neg = _ops.lt(x, 0)
    out = _ops.neg(_ops.xlogy(x, x))
    return _ops.where(neg, float("-inf"), out)
