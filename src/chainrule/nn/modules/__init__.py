"""Layers (``chainrule.nn.Linear`` ...), one file per family."""

from .activation import *  # noqa: F403
from .activation import __all__ as _activation
from .attention import *  # noqa: F403
from .attention import __all__ as _attention
from .container import *  # noqa: F403
from .container import __all__ as _container
from .conv import *  # noqa: F403
from .conv import __all__ as _conv
from .dropout import *  # noqa: F403
from .dropout import __all__ as _dropout
from .flatten import *  # noqa: F403
from .flatten import __all__ as _flatten
from .linear import *  # noqa: F403
from .linear import __all__ as _linear
from .loss import *  # noqa: F403
from .loss import __all__ as _loss
from .normalization import *  # noqa: F403
from .normalization import __all__ as _normalization
from .pooling import *  # noqa: F403
from .pooling import __all__ as _pooling
from .rnn import *  # noqa: F403
from .rnn import __all__ as _rnn
from .rnn_cell import *  # noqa: F403
from .rnn_cell import __all__ as _rnn_cell
from .sparse import *  # noqa: F403
from .sparse import __all__ as _sparse
from .transformer import *  # noqa: F403
from .transformer import __all__ as _transformer

__all__ = [
    *_activation, *_attention, *_container, *_conv, *_dropout, *_flatten, *_linear, *_loss,
    *_normalization, *_pooling, *_sparse, *_transformer,
]  # fmt: skip
__all__ += [*_rnn, *_rnn_cell]
