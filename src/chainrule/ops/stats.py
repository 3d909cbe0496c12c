"""Statistics and integration composed from differentiable ops: cov, corrcoef, trapezoid/trapz,
cumulative_trapezoid; and histogram (counts, no gradient)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ._util import check_tensor, make, norm_dim, tensor_cls
from .elementwise import add, clamp, div, mul, sub
from .linalg import matmul
from .reduce import cumsum, mean
from .reduce import sum as _sum
from .shape import diagonal, narrow, reshape, t, unsqueeze
from .unary import sqrt

__all__ = ["cov", "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid", "histogram"]


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:  # noqa: A002
    """Covariance of the rows (variables) of ``input`` over its columns (observations), with
    optional integer frequency and float observation weights."""
    x = check_tensor(input, "cov")
    if x._data.ndim > 2:
        raise RuntimeError(f"cov: expected input to have two or fewer dimensions but got an input with {x._data.ndim} dimensions")
    if x._data.dtype.kind != "f":
        from .unary import _float

        x = _float(x, "cov")
    m = reshape(x, 1, -1) if x._data.ndim < 2 else x
    n = m._data.shape[1]
    w = None
    if fweights is not None:
        fw = check_tensor(fweights, "cov", "fweights")
        if fw._data.dtype.kind not in "iu":
            raise RuntimeError(f"cov: expected fweights to have integral dtype but got fweights with {fw.dtype} dtype")
        if fw._data.ndim > 1 or fw._data.size != n:
            raise RuntimeError(f"cov: expected fweights to have one dimension with {n} elements")
        if (fw._data < 0).any():
            raise RuntimeError("cov: fweights cannot be negative")
        w = fw._data.astype(m._data.dtype)
    aw = None
    if aweights is not None:
        awt = check_tensor(aweights, "cov", "aweights")
        if awt._data.dtype.kind != "f":
            raise RuntimeError(f"cov: expected aweights to have floating point dtype but got aweights with {awt.dtype} dtype")
        if awt._data.ndim > 1 or awt._data.size != n:
            raise RuntimeError(f"cov: expected aweights to have one dimension with {n} elements")
        if (awt._data < 0).any():
            raise RuntimeError("cov: aweights cannot be negative")
        aw = awt
    if w is None and aw is None:
        avg = mean(m, 1, keepdim=True)
        fact = n - correction
        xm = sub(m, avg)
        c = div(matmul(xm, t(xm)), float(max(fact, 0)))
    else:
        wt = make(w) if w is not None else None
        if aw is not None:
            aw = reshape(aw, -1).to(m.dtype) if aw._data.dtype != m._data.dtype else reshape(aw, -1)
            wt = aw if wt is None else mul(wt, aw)
        w_sum = _sum(wt)
        avg = div(_sum(mul(m, wt), 1, keepdim=True), w_sum)
        if aw is None:
            fact = sub(w_sum, correction)
        else:
            fact = sub(w_sum, div(mul(_sum(mul(wt, aw)), correction), w_sum))
        fact = clamp(fact, min=0)
        xm = sub(m, avg)
        c = div(matmul(mul(xm, wt), t(xm)), fact)
    return reshape(c, ()) if x._data.ndim < 2 else c


def corrcoef(input: Any) -> Any:  # noqa: A002
    """Pearson correlation coefficients of the rows of ``input`` (clipped to [−1, 1])."""
    c = cov(input)
    if c._data.ndim == 0:
        return div(c, c)
    d = sqrt(diagonal(c))
    return clamp(div(div(c, unsqueeze(d, 1)), unsqueeze(d, 0)), -1.0, 1.0)


def _pairs(y: Any, d: int) -> tuple[Any, Any]:
    n = y._data.shape[d]
    return narrow(y, d, 1, max(n - 1, 0)), narrow(y, d, 0, max(n - 1, 0))


def _spacing(x: Any, y: Any, d: int, op: str) -> Any:
    """Δx along d, shaped to broadcast against the pieces of y."""
    if x._data.ndim == 1:
        if x._data.shape[0] != y._data.shape[d]:
            raise RuntimeError(
                f"{op}: There must be one `x` value for each sample point; got x of length {x._data.shape[0]} "
                f"for {y._data.shape[d]} samples"
            )
        hi, lo = _pairs(x, 0)
        dx = sub(hi, lo)
        return reshape(dx, (-1,) + (1,) * (y._data.ndim - d - 1))
    hi, lo = _pairs(x, d if x._data.ndim == y._data.ndim else d - (y._data.ndim - x._data.ndim))
    return sub(hi, lo)


def _trapz_terms(y: Any, x: Any, dx: Any, dim: int, op: str) -> tuple[Any, int]:
    yt = check_tensor(y, op, "y")
    if yt._data.dtype.kind != "f":
        from .unary import _float

        yt = _float(yt, op)
    if not yt._data.ndim:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
    d = norm_dim(dim, yt._data.ndim, op)
    hi, lo = _pairs(yt, d)
    avg = mul(add(hi, lo), 0.5)
    if x is not None:
        if isinstance(x, tensor_cls()):
            return mul(avg, _spacing(x, yt, d, op)), d
        dx = x
    return (avg if dx is None or dx == 1 else mul(avg, dx)), d


def trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """∫ y along ``dim`` by the trapezoid rule, with sample points ``x`` (a tensor) or spacing ``dx`` (default 1)."""
    terms, d = _trapz_terms(y, x, dx, dim, "trapezoid")
    return _sum(terms, d)


def trapz(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """Alias of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The running trapezoid-rule integral of y along ``dim`` (one element shorter than y)."""
    terms, d = _trapz_terms(y, x, dx, dim, "cumulative_trapezoid")
    return cumsum(terms, d)


def histogram(
    input: Any, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False  # noqa: A002
) -> Any:
    """``(hist, bin_edges)``: counts (or summed weights / a density) in ``bins`` equal bins over
    ``range`` (the data's range by default) or between given edges; the last bin includes its right edge."""
    x = check_tensor(input, "histogram")._data
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f'histogram: "histogram_cpu" not implemented for {_dtype.from_numpy_dtype(x.dtype)}; expected a floating-point tensor'
        )
    T = tensor_cls()
    edges = bins._data if isinstance(bins, T) else int(bins)
    w = check_tensor(weight, "histogram", "weight")._data if weight is not None else None
    if isinstance(edges, int) and edges <= 0:
        raise RuntimeError(f"histogram: bins must be > 0, but got {edges}")
    lo_hi = None if range is None else (float(range[0]), float(range[1]))
    if lo_hi is not None and lo_hi[0] > lo_hi[1]:
        raise RuntimeError(f"histogram: min should not exceed max, but got min {lo_hi[0]} max {lo_hi[1]}")
    with np.errstate(all="ignore"):
        hist, e = np.histogram(x.reshape(-1), bins=edges, range=lo_hi, weights=None if w is None else w.reshape(-1), density=density)
    return _HistogramResult(make(hist.astype(x.dtype)), make(np.asarray(e, x.dtype)))


class _HistogramResult(tuple):
    """``(hist, bin_edges)`` returned by ``histogram``, like ``torch.return_types.histogram``."""

    __slots__ = ()

    def __new__(cls, hist: Any, bin_edges: Any) -> Any:
        return super().__new__(cls, (hist, bin_edges))

    @property
    def hist(self) -> Any:
        """The counts (or weights, or density) per bin."""
        return self[0]

    @property
    def bin_edges(self) -> Any:
        """The bins + 1 edges."""
        return self[1]
