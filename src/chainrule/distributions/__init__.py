"""``chainrule.distributions``: PyTorch's ``torch.distributions`` — probability distributions with
reparameterised sampling, log densities, entropies, moments, KL divergences, constraints and transforms.
"""

from . import constraints, transforms
from . import kl_continuous_bernoulli as _kl_cb  # ContinuousBernoulli pairs
from . import kl_cross as _kl_cross  # registers the cross-family KL pairs
from . import kl_lowrank as _kl_lowrank  # low-rank Gaussians
from . import kl_pareto as _kl_pareto  # and those involving Pareto
from .bernoulli import Bernoulli, Binomial, Geometric, Poisson
from .categorical import Categorical, OneHotCategorical
from .constraint_registry import biject_to, transform_to
from .continuous_bernoulli import ContinuousBernoulli
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .fisher_snedecor import FisherSnedecor
from .gamma import Beta, Chi2, Dirichlet, Gamma
from .half_cauchy import HalfCauchy
from .independent import Independent
from .inverse_gamma import InverseGamma, OneHotCategoricalStraightThrough
from .kl import kl_divergence, register_kl
from .kumaraswamy import Kumaraswamy
from .location_scale import Cauchy, Laplace, Normal
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .pareto_weibull import Pareto, Weibull
from .relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from .student_t import StudentT
from .transformed_distribution import Gumbel, HalfNormal, LogNormal, TransformedDistribution
from .transforms import *  # noqa: F403  (torch.distributions re-exports every transform at its top level)
from .transforms import __all__ as _transforms_all
from .uniform import Exponential, Uniform

# PyTorch's module paths (``from torch.distributions.normal import Normal``) name the module that holds each
# family here; our files group families by concern, so those paths are aliases of the grouping modules.
_MODULE_ALIASES = {
    "normal": "location_scale", "laplace": "location_scale", "cauchy": "location_scale",
    "beta": "gamma", "chi2": "gamma", "dirichlet": "gamma", "exponential": "uniform",
    "binomial": "bernoulli", "geometric": "bernoulli", "poisson": "bernoulli",
    "one_hot_categorical": "categorical", "relaxed_bernoulli": "relaxed", "relaxed_categorical": "relaxed",
    "studentT": "student_t", "log_normal": "transformed_distribution", "half_normal": "transformed_distribution",
    "gumbel": "transformed_distribution", "mixture_same_family": "mixture",
    "pareto": "pareto_weibull", "weibull": "pareto_weibull",
}  # fmt: skip


def _install_aliases() -> None:
    import importlib
    import sys

    for alias, target in _MODULE_ALIASES.items():
        module = importlib.import_module(f"{__name__}.{target}")
        sys.modules.setdefault(f"{__name__}.{alias}", module)
        globals().setdefault(alias, module)


_install_aliases()

__all__ = [
    "constraints", "Distribution", "Beta", "Chi2", "Dirichlet", "Gamma", "Cauchy", "Laplace", "Normal",
    "Exponential", "Uniform", "Bernoulli", "Binomial", "Geometric", "Poisson", "Categorical", "OneHotCategorical",
    "Independent", "MultivariateNormal", "transforms", "biject_to", "transform_to", "TransformedDistribution",
    "Gumbel", "HalfNormal", "LogNormal", "StudentT", "RelaxedBernoulli", "RelaxedOneHotCategorical", "kl_divergence", "register_kl",
    "MixtureSameFamily", "Multinomial", "NegativeBinomial", "Pareto", "Weibull", "LogisticNormal", "HalfCauchy",
    "LowRankMultivariateNormal", "ExponentialFamily", "ContinuousBernoulli", "FisherSnedecor", "Kumaraswamy",
]  # fmt: skip
__all__ += list(_transforms_all)
__all__ += ["InverseGamma", "OneHotCategoricalStraightThrough"]
