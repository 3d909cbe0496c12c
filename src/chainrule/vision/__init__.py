"""``chainrule.vision``: torchvision's API — transforms, datasets, utils, io and classic models.

``import chainrule.vision as torchvision`` lets an image program written for torchvision run on chainrule.
Images are handled with Pillow (the ``vision`` extra), imported only when an image is read or made.
"""

from . import transforms

__all__ = ["transforms"]
