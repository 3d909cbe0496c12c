"""``chainrule.nn``: modules, layers, losses, initialization — PyTorch's ``torch.nn`` API."""

from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F403
from .modules import __all__ as _modules
from .parameter import Buffer, Parameter

__all__ = ["Module", "Parameter", "Buffer", "functional", "init", "utils", *_modules]
