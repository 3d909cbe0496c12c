"""Layers (``chainrule.nn.Linear`` ...), one file per family."""

from . import module  # PyTorch's path to the global module hooks: nn.modules.module
from .activation import *  # noqa: F403
from .activation import __all__ as _activation
from .attention import *  # noqa: F403
from .attention import __all__ as _attention
from .container import *  # noqa: F403
from .container import __all__ as _container
from .conv import *  # noqa: F403
from .conv import __all__ as _conv
from .distance import *  # noqa: F403
from .distance import __all__ as _distance
from .dropout import *  # noqa: F403
from .dropout import __all__ as _dropout
from .embedding_bag import *  # noqa: F403
from .embedding_bag import __all__ as _embedding_bag
from .flatten import *  # noqa: F403
from .flatten import __all__ as _flatten
from .lazy import *  # noqa: F403
from .lazy import __all__ as _lazy
from .linear import *  # noqa: F403
from .linear import __all__ as _linear
from .loss import *  # noqa: F403
from .loss import __all__ as _loss
from .loss_extra import *  # noqa: F403
from .loss_extra import __all__ as _loss_extra
from .normalization import *  # noqa: F403
from .normalization import __all__ as _normalization
from .normalization3d import *  # noqa: F403
from .normalization3d import __all__ as _normalization3d
from .padding import *  # noqa: F403
from .padding import __all__ as _padding
from .patches import *  # noqa: F403
from .patches import __all__ as _patches
from .pooling import *  # noqa: F403
from .pooling import __all__ as _pooling
from .pooling3d import *  # noqa: F403
from .pooling3d import __all__ as _pooling3d
from .rnn import *  # noqa: F403
from .rnn import __all__ as _rnn
from .rnn_cell import *  # noqa: F403
from .rnn_cell import __all__ as _rnn_cell
from .sparse import *  # noqa: F403
from .sparse import __all__ as _sparse
from .transformer import *  # noqa: F403
from .transformer import __all__ as _transformer
from .transformer_decoder import *  # noqa: F403
from .transformer_decoder import __all__ as _transformer_decoder
from .transformer_model import *  # noqa: F403
from .transformer_model import __all__ as _transformer_model
from .upsampling import *  # noqa: F403
from .upsampling import __all__ as _upsampling

__all__ = [
    *_activation, *_attention, *_container, *_conv, *_dropout, *_flatten, *_linear, *_loss,
    *_normalization, *_pooling, *_sparse, *_transformer,
    *_transformer_decoder,
    *_transformer_model,
    *_distance,
    *_loss_extra,
    *_normalization3d,
    *_lazy,
]  # fmt: skip
__all__ += _padding
__all__ += _patches
__all__ += _upsampling
__all__ += _pooling3d
__all__ += _embedding_bag
__all__ += [*_rnn, *_rnn_cell]
