"""``chainrule.nn.functional`` (imported as ``F``): stateless layers and losses, PyTorch's names.

Each family file holds its differentiable primitives (``Function`` subclasses with the formula and
its VJP) next to the public functions that use them.
"""

from ...ops.index import one_hot
from .activation import *  # noqa: F403
from .activation import __all__ as _activation
from .attention import *  # noqa: F403
from .attention import __all__ as _attention
from .conv import *  # noqa: F403
from .conv import __all__ as _conv
from .conv3d import *  # noqa: F403
from .conv3d import __all__ as _conv3d
from .ctc import *  # noqa: F403
from .ctc import __all__ as _ctc
from .embedding_bag import *  # noqa: F403
from .embedding_bag import __all__ as _embedding_bag
from .grid_sample import *  # noqa: F403
from .grid_sample import __all__ as _grid_sample
from .linear import *  # noqa: F403
from .linear import __all__ as _linear
from .local_response import *  # noqa: F403
from .local_response import __all__ as _local_response
from .loss import *  # noqa: F403
from .loss import __all__ as _loss
from .loss_class import *  # noqa: F403
from .loss_class import __all__ as _loss_class
from .loss_embedding import *  # noqa: F403
from .loss_embedding import __all__ as _loss_embedding
from .loss_margin import *  # noqa: F403
from .loss_margin import __all__ as _loss_margin
from .norm import *  # noqa: F403
from .norm import __all__ as _norm
from .patches import *  # noqa: F403
from .patches import __all__ as _patches
from .pooling import *  # noqa: F403
from .pooling import __all__ as _pooling
from .pooling3d import *  # noqa: F403
from .pooling3d import __all__ as _pooling3d
from .resample import *  # noqa: F403
from .resample import __all__ as _resample
from .sampling import *  # noqa: F403
from .sampling import __all__ as _sampling

__all__ = ["one_hot", *_activation, *_attention, *_conv, *_linear, *_loss, *_loss_class, *_norm, *_pooling]
__all__ += _conv3d
__all__ += _patches
__all__ += _resample
__all__ += _pooling3d
__all__ += _embedding_bag
__all__ += _local_response
__all__ += _grid_sample
__all__ += _ctc
__all__ += _loss_embedding
__all__ += _loss_margin
__all__ += _sampling
