"""Transforms y = f(x) with their log |det J| — the building blocks of TransformedDistribution
(``torch.distributions.transforms``).

Each transform states ``domain``/``codomain`` constraints, ``bijective``, ``sign`` (of the derivative, for
monotone maps), ``_call`` (forward), ``_inverse`` and ``log_abs_det_jacobian(x, y)``. ``cache_size=1``
remembers the last (x, y) pair so that ``t.inv(t(x))`` returns ``x`` itself. The protocol and composition
live in ``_transform_base``, elementwise maps in ``_transform_maps``, vector/matrix maps in
``_transform_vector``.
"""

from ._transform_base import ComposeTransform, IndependentTransform, Transform, identity_transform
from ._transform_cdf import CumulativeDistributionTransform
from ._transform_maps import (
    AbsTransform,
    AffineTransform,
    ExpTransform,
    PowerTransform,
    SigmoidTransform,
    SoftplusTransform,
    TanhTransform,
)
from ._transform_vector import (
    LowerCholeskyTransform,
    ReshapeTransform,
    SoftmaxTransform,
    StickBreakingTransform,
)

__all__ = [
    "Transform", "AbsTransform", "AffineTransform", "ComposeTransform", "ExpTransform", "IndependentTransform",
    "LowerCholeskyTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
    "SoftplusTransform", "StickBreakingTransform", "TanhTransform", "identity_transform",
    "CumulativeDistributionTransform",
]  # fmt: skip
