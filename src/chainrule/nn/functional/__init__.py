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
from .ctc import *  # noqa: F403
from .ctc import __all__ as _ctc
from .linear import *  # noqa: F403
from .linear import __all__ as _linear
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
from .pooling import *  # noqa: F403
from .pooling import __all__ as _pooling
from .sampling import *  # noqa: F403
from .sampling import __all__ as _sampling

__all__ = ["one_hot", *_activation, *_attention, *_conv, *_linear, *_loss, *_loss_class, *_norm, *_pooling]
__all__ += _ctc
__all__ += _loss_embedding
__all__ += _loss_margin
__all__ += _sampling
