"""Op cases that give the second-order check (``test_gradgradcheck.py``) inputs it can use: away
from kinks, and without the configurations where PyTorch itself refuses a second derivative."""

from __future__ import annotations

import numpy as np

from .harness import OpCase


def _one_zero(rng):  # products with at most one zero per group (two zeros: no second derivative for src)
    a = np.array([[1.5, 0.0, 2.0, -1.0], [0.5, 3.0, 0.5, 2.0]])
    s = np.array([[0.0, 2.0, 1.5, 1.5], [2.0, -1.0, 0.0, 0.5], [3.0, 1.0, 2.0, 1.25]])
    return [a, np.array([[0, 1, 0, 1], [1, 0, 0, 1], [1, 0, 1, 1]]), s]


CASES = [
    OpCase("scatter_reduce_prod_one_zero", lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "prod"), make=_one_zero),
    OpCase("scatter_reduce_prod_one_zero_noself",
           lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "prod", include_self=False), make=_one_zero),
]  # fmt: skip
