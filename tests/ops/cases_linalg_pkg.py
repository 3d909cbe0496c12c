"""Op cases for the chainrule.linalg package (torch.linalg), gathered from its per-concern case files."""

from __future__ import annotations

from .cases_linalg_decomp import CASES as _DECOMP
from .cases_linalg_funcs import CASES as _FUNCS
from .cases_linalg_householder import CASES as _HOUSEHOLDER
from .cases_linalg_lu import CASES as _LU
from .cases_linalg_solvers import CASES as _SOLVERS

CASES = [*_SOLVERS, *_DECOMP, *_FUNCS, *_LU, *_HOUSEHOLDER]
