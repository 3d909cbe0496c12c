"""In-place fills and reshapes of a Tensor: the random distributions (``random_``,
``exponential_``, ``geometric_``, ``log_normal_``, ``cauchy_``), ``fill_diagonal_``, and the
in-place view ops (``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``, ``swapaxes_``,
``resize_as_``) that give the tensor a new shape.

Random fills draw from chainrule's NumPy generators: reproducible under ``manual_seed``, not the
same numbers as PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["TensorFillMethods"]


class TensorFillMethods:
    """Mixin for ``Tensor``: in-place random fills, ``fill_diagonal_`` and in-place reshapes."""

    __slots__ = ()
    _data: np.ndarray

    # --- random fills --------------------------------------------------------------------------
    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Any:
        """Fill ``self`` in place with 1 with probability ``p`` (a number, or a tensor of probabilities
        broadcastable to ``self``), else 0."""
        is_tensor = hasattr(p, "_data")
        prob = p._data if is_tensor else p
        if is_tensor:
            if p._data.dtype.kind != "f":
                raise RuntimeError(f"bernoulli_: expected a floating-point tensor of probabilities, got {p.dtype}")
            try:
                np.broadcast_to(prob, self._data.shape)
            except ValueError:
                raise RuntimeError(
                    f"bernoulli_: probabilities of shape {list(p.shape)} do not broadcast to the tensor's shape "
                    f"{list(self.shape)}"
                ) from None
            bad = (prob < 0) | (prob > 1) | np.isnan(prob)
        else:
            bad = not 0 <= float(prob) <= 1
        if np.any(bad):
            raise RuntimeError(f"bernoulli_: expected every probability p to be in [0, 1], got p={p}")
        u = _rng(generator).uniform(0.0, 1.0, size=self._data.shape)
        return _fill(self, "bernoulli_", u < prob)

    def random_(self, *args: int, generator: Any = None, **kwargs: Any) -> Any:
        """Fill with integers uniform on [from, to − 1]: ``random_(from, to)``, ``random_(to)`` (from 0)
        or ``random_()`` (up to the largest integer the dtype holds exactly: 2^24 for float32, 2^53 for float64)."""
        if kwargs:
            bad = set(kwargs) - {"from", "to"}
            if bad or args:
                raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(bad or kwargs))}'")
            from_, to = kwargs.get("from", 0), kwargs.get("to")
        elif len(args) > 2:
            raise TypeError(f"random_() takes at most 2 positional arguments ({len(args)} given)")
        else:
            from_, to = (0, None) if not args else (0, args[0]) if len(args) == 1 else args
        dt = self._data.dtype
        if to is None:
            to = {"f": {2: 2**11, 4: 2**24, 8: 2**53}.get(dt.itemsize, 2**24) + 1}.get(dt.kind)
            if to is None:
                to = 2 if dt.kind == "b" else int(np.iinfo(dt).max) + (1 if dt.kind == "u" else 0)
        if from_ >= to:
            raise RuntimeError(f"random_: expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        return _fill(self, "random_", _rng(generator).integers(from_, to, size=self._data.shape, endpoint=False))

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with draws from the exponential distribution of rate ``lambd``."""
        if lambd <= 0:
            raise RuntimeError(f"exponential_: expects lambda > 0.0, but found lambda={lambd}")
        return _fill(self, "exponential_", _rng(generator).exponential(1.0 / lambd, size=self._data.shape))

    def geometric_(self, p: float, *, generator: Any = None) -> Any:
        """Fill with the number of Bernoulli(p) trials up to the first success (≥ 1)."""
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_: expects p to be in (0, 1), but got p={p}")
        return _fill(self, "geometric_", _rng(generator).geometric(p, size=self._data.shape))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Any:
        """Fill with e^N(mean, std²)."""
        if std <= 0:
            raise RuntimeError(f"log_normal_: expects std > 0.0, but found std={std}")
        return _fill(self, "log_normal_", _rng(generator).lognormal(mean, std, size=self._data.shape))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with draws from the Cauchy distribution median + sigma·tan(π(U − ½))."""
        return _fill(self, "cauchy_", median + sigma * _rng(generator).standard_cauchy(size=self._data.shape))

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Any:
        """``chainrule.bernoulli(self)``: 1 with probability ``self`` (or ``p``), else 0."""
        from . import _creation

        if p is None:
            return _creation.bernoulli(self, generator=generator)
        return _creation.bernoulli(self, p, generator=generator)

    # --- the diagonal --------------------------------------------------------------------------
    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Any:
        """Write ``fill_value`` on the main diagonal (all dims equal beyond 2-D); ``wrap`` restarts
        the diagonal every ncols + 1 rows of a tall matrix. The gradient there is 0."""
        from . import ops

        a = self._data
        if a.ndim < 2:
            raise RuntimeError(f"fill_diagonal_: dimensions must larger than 1; got a {a.ndim}-d tensor")
        if a.ndim > 2 and len(set(a.shape)) != 1:
            raise RuntimeError(f"fill_diagonal_: all dimensions of input must be of equal length; got {list(a.shape)}")
        if a.ndim == 2:  # flat positions 0, cols + 1, 2(cols + 1), … (past the square part only with wrap)
            rows, cols = a.shape
            end = rows * cols if wrap else min(rows, cols) * cols
            flat = np.arange(0, end, cols + 1)
            idx = (flat // cols, flat % cols)
        else:
            idx = (np.arange(a.shape[0]),) * a.ndim
        index = tuple(ops._util.make(i) for i in idx)
        return _inplace(self, "fill_diagonal_", ops.index_put, index, fill_value)

    # --- in-place reshapes ---------------------------------------------------------------------
    def unsqueeze_(self, dim: int) -> Any:
        """In-place ``unsqueeze``: ``self`` takes the new shape."""
        from . import ops

        return _reshape_inplace(self, "unsqueeze_", ops.unsqueeze, dim)

    def squeeze_(self, dim: Any = None) -> Any:
        """In-place ``squeeze``."""
        from . import ops

        return _reshape_inplace(self, "squeeze_", ops.squeeze, dim)

    def t_(self) -> Any:
        """In-place ``t``."""
        from . import ops

        return _reshape_inplace(self, "t_", ops.t)

    def transpose_(self, dim0: int, dim1: int) -> Any:
        """In-place ``transpose``."""
        from . import ops

        return _reshape_inplace(self, "transpose_", ops.transpose, dim0, dim1)

    swapaxes_ = swapdims_ = transpose_

    def resize_as_(self, other: Any, memory_format: Any = None) -> Any:
        """``resize_`` to ``other``'s shape."""
        from .ops.bits import resize_

        return resize_(self, *other.shape)


def _rng(generator: Any) -> np.random.Generator:
    from ._random import rng

    return rng(generator)


def _fill(t: Any, name: str, values: np.ndarray) -> Any:
    from ._tensor_methods import _fill as run

    return run(t, name, np.asarray(values).astype(t._data.dtype, copy=False))


def _inplace(t: Any, name: str, op: Any, *args: Any) -> Any:
    from ._tensor_methods import _inplace as run

    return run(t, name, op, *args)


def _reshape_inplace(t: Any, name: str, op: Any, *args: Any) -> Any:
    """Give ``t`` the shape (and, with a graph, the history) of ``op(t, ...)``, a view of its data."""
    from ._tensor import Tensor
    from .autograd.grad_mode import state

    if state.enabled and t._requires_grad and t._grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place operation. "
            "Use the out-of-place form, or wrap it in `with chainrule.no_grad():`."
        )
    shadow = Tensor._make(t._data, t._requires_grad)
    shadow._grad_fn, shadow._output_nr = t._grad_fn, t._output_nr
    out = op(shadow, *args)
    t._data = out._data
    if t._grad_fn is not None:
        t._grad_fn, t._output_nr, t._requires_grad = out._grad_fn, out._output_nr, out._requires_grad
    t._bump_version()
    return t
