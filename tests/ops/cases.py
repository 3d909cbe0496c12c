"""The one table of op cases: each family contributes its list from ``cases_<family>.py``."""

from __future__ import annotations

from .cases_activation import CASES as ACTIVATION
from .cases_bessel import CASES as BESSEL
from .cases_bits import CASES as BITS
from .cases_combine import CASES as COMBINE
from .cases_compare import CASES as COMPARE
from .cases_double_a import CASES as DOUBLE_A
from .cases_double_linalg import CASES as DOUBLE_LINALG
from .cases_elementwise import CASES as ELEMENTWISE
from .cases_higher_order import CASES as HIGHER_ORDER
from .cases_index import CASES as INDEX
from .cases_index_write import CASES as INDEX_WRITE
from .cases_linalg import CASES as LINALG
from .cases_linalg_pkg import CASES as LINALG_PKG
from .cases_more import CASES as MORE
from .cases_nn_activation import CASES as NN_ACTIVATION
from .cases_nn_attention import CASES as NN_ATTENTION
from .cases_nn_conv import CASES as NN_CONV
from .cases_nn_linear import CASES as NN_LINEAR
from .cases_nn_loss import CASES as NN_LOSS
from .cases_nn_loss_extra import CASES as NN_LOSS_EXTRA
from .cases_nn_norm import CASES as NN_NORM
from .cases_nn_pool3d import CASES as NN_POOL3D
from .cases_nn_pooling import CASES as NN_POOLING
from .cases_nn_resample import CASES as NN_RESAMPLE
from .cases_nn_rnn import CASES as NN_RNN
from .cases_nn_spatial import CASES as NN_SPATIAL
from .cases_reduce import CASES as REDUCE
from .cases_sets import CASES as SETS
from .cases_shape import CASES as SHAPE
from .cases_sorting import CASES as SORTING
from .cases_special import CASES as SPECIAL
from .cases_unary import CASES as UNARY
from .cases_windows import CASES as WINDOWS
from .harness import OpCase

CASES: list[OpCase] = [
    *ELEMENTWISE, *UNARY, *COMPARE, *REDUCE, *LINALG, *SHAPE, *INDEX, *SORTING, *ACTIVATION,
    *NN_NORM, *NN_CONV, *NN_POOLING, *NN_LINEAR, *NN_ACTIVATION, *NN_LOSS, *NN_ATTENTION,
    *LINALG_PKG,
    *NN_LOSS_EXTRA,
    *SPECIAL, *COMBINE, *INDEX_WRITE, *WINDOWS, *SETS, *BITS,
    *MORE,
    *NN_RNN,
]  # fmt: skip
CASES += NN_SPATIAL
CASES += NN_RESAMPLE
CASES += NN_POOL3D
CASES += HIGHER_ORDER
CASES += DOUBLE_A
CASES += DOUBLE_LINALG
CASES += BESSEL

_names = [c.name for c in CASES]
_dups = {n for n in _names if _names.count(n) > 1}
if _dups:
    raise ValueError(f"duplicate op case names: {sorted(_dups)}")
