"""Differentiable primitives, grouped by family. Each family's public functions are re-exported here.

``chainrule.ops.<name>`` is what ``chainrule.<name>`` and ``Tensor.<name>`` call.
"""

from .activation import *  # noqa: F403
from .activation import __all__ as _activation
from .bessel import *  # noqa: F403
from .bessel import __all__ as _bessel
from .bits import *  # noqa: F403
from .bits import __all__ as _bits
from .combine import *  # noqa: F403
from .combine import __all__ as _combine
from .compare import *  # noqa: F403
from .compare import __all__ as _compare
from .copy import *  # noqa: F403
from .copy import __all__ as _copy
from .distance import *  # noqa: F403
from .distance import __all__ as _distance
from .elementwise import *  # noqa: F403
from .elementwise import __all__ as _elementwise
from .gamma import *  # noqa: F403
from .gamma import __all__ as _gamma
from .index import *  # noqa: F403
from .index import __all__ as _index
from .index_write import *  # noqa: F403
from .index_write import __all__ as _index_write
from .linalg import *  # noqa: F403
from .linalg import __all__ as _linalg
from .more_math import *  # noqa: F403
from .more_math import __all__ as _more_math
from .order_stats import *  # noqa: F403
from .order_stats import __all__ as _order_stats
from .reduce import *  # noqa: F403
from .reduce import __all__ as _reduce
from .rounding import *  # noqa: F403
from .rounding import __all__ as _rounding
from .sets import *  # noqa: F403
from .sets import __all__ as _sets
from .shape import *  # noqa: F403
from .shape import __all__ as _shape
from .sorting import *  # noqa: F403
from .sorting import __all__ as _sorting
from .special import *  # noqa: F403
from .special import __all__ as _special
from .split_join import *  # noqa: F403
from .split_join import __all__ as _split_join
from .stats import *  # noqa: F403
from .stats import __all__ as _stats
from .unary import *  # noqa: F403
from .unary import __all__ as _unary
from .windows import *  # noqa: F403
from .windows import __all__ as _windows

__all__ = [
    *_activation, *_compare, *_copy, *_elementwise, *_index, *_linalg, *_reduce, *_rounding, *_shape, *_sorting, *_unary,
    *_special, *_combine, *_index_write, *_windows, *_sets, *_order_stats, *_bits, *_distance,
    *_more_math, *_split_join, *_stats, *_gamma,
]  # fmt: skip
__all__ += _bessel
