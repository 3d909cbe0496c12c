"""``chainrule.nn.utils``: gradient clipping, parameter/vector conversion, weight and spectral normalization,
parametrizations (PyTorch's names); ``nn.utils.prune`` is imported by name, as in PyTorch."""

from . import rnn
from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = [
    "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
    "parameters_to_vector", "vector_to_parameters",
]  # fmt: skip
__all__ += ["rnn"]
from . import parametrizations, parametrize
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ += ["parametrizations", "parametrize", "weight_norm", "remove_weight_norm", "spectral_norm"]
__all__ += ["remove_spectral_norm"]
