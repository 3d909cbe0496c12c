"""``chainrule.distributions``: PyTorch's ``torch.distributions`` — probability distributions with
reparameterised sampling, log densities, entropies, moments, KL divergences, constraints and transforms.
"""

from . import constraints, transforms
from . import kl_cross as _kl_cross  # registers the cross-family KL pairs
from .bernoulli import Bernoulli, Binomial, Geometric, Poisson
from .categorical import Categorical, OneHotCategorical
from .constraint_registry import biject_to, transform_to
from .distribution import Distribution
from .gamma import Beta, Chi2, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .location_scale import Cauchy, Laplace, Normal
from .multivariate_normal import MultivariateNormal
from .relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from .student_t import StudentT
from .transformed_distribution import Gumbel, HalfNormal, LogNormal, TransformedDistribution
from .uniform import Exponential, Uniform

__all__ = [
    "constraints", "Distribution", "Beta", "Chi2", "Dirichlet", "Gamma", "Cauchy", "Laplace", "Normal",
    "Exponential", "Uniform", "Bernoulli", "Binomial", "Geometric", "Poisson", "Categorical", "OneHotCategorical",
    "Independent", "MultivariateNormal", "transforms", "biject_to", "transform_to", "TransformedDistribution",
    "Gumbel", "HalfNormal", "LogNormal", "StudentT", "RelaxedBernoulli", "RelaxedOneHotCategorical", "kl_divergence", "register_kl",
]  # fmt: skip
