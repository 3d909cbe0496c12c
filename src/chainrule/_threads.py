"""Thread settings, with PyTorch's names: the threads chainrule computes with are NumPy's BLAS's.

NumPy's element-wise ufuncs run on one thread; matrix products (and so ``Linear``, convolution,
attention) run on the BLAS NumPy was built with, OpenBLAS in the PyPI wheels, which starts one
thread per core. ``set_num_threads(n)`` limits that pool at run time through ``threadpoolctl``.
When several processes share a machine (MPI ranks, a benchmark beside a build, parallel test
workers), give each ``cores // processes`` threads, or 1: oversubscribed BLAS threads spin and
wait on each other and a small model can run several times slower. ``OPENBLAS_NUM_THREADS=1`` (or
``OMP_NUM_THREADS``) set before the process starts does the same from outside.
"""

from __future__ import annotations

import builtins
from typing import Any

__all__ = ["set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads"]

_limiter: Any = None  # the threadpoolctl limiter of the last set_num_threads call
_interop_threads = 1


def _check_positive(name: str, n: Any) -> int:
    if type(n) is builtins.bool or not isinstance(n, builtins.int):
        raise RuntimeError(f"{name} expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError(f"{name} expects a positive integer, got {n}")
    return builtins.int(n)


def set_num_threads(n: int) -> None:
    """Use at most ``n`` BLAS threads for matrix products from now on (``torch.set_num_threads``)."""
    global _limiter
    n = _check_positive("set_num_threads", n)
    from threadpoolctl import threadpool_limits

    _limiter = threadpool_limits(limits=n, user_api="blas")
    from . import _parallel

    _parallel.set_elementwise_threads(n)


def get_num_threads() -> int:
    """The number of BLAS threads matrix products use (``torch.get_num_threads``).

    That is NumPy's BLAS: the libraries loaded when chainrule first looked (another BLAS loaded later,
    as numba loads SciPy's for its own linear algebra, never runs chainrule's products)."""
    import numpy  # noqa: F401  (loads the BLAS, so threadpoolctl can see it)

    from . import _parallel

    counts = [c.get_num_threads() for c in _parallel._blas_controllers()]
    return max(counts) if counts else 1


def set_num_interop_threads(n: int) -> None:
    """Accepted for PyTorch compatibility: chainrule runs ops one after another, on the calling thread."""
    global _interop_threads
    _interop_threads = _check_positive("set_num_interop_threads", n)


def get_num_interop_threads() -> int:
    """What ``set_num_interop_threads`` last set (1 by default): chainrule has no inter-op pool."""
    return _interop_threads
