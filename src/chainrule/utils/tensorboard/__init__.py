"""``chainrule.utils.tensorboard``: ``SummaryWriter``, PyTorch's TensorBoard logger.

``from chainrule.utils.tensorboard import SummaryWriter`` writes TensorBoard event files itself (the
TFRecord framing and the few protocol-buffer messages are encoded in ``_records.py``), so logging
needs neither TensorFlow nor the ``tensorboard`` package; viewing the files does:
``pip install tensorboard`` then ``tensorboard --logdir runs``.
"""

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
