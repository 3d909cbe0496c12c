"""``chainrule.nn``: modules, layers, losses, initialization — PyTorch's ``torch.nn`` API."""

from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F403
from .modules import __all__ as _modules
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["Module", "Parameter", "Buffer", "functional", "init", "utils", *_modules]
__all__ += ["UninitializedParameter", "UninitializedBuffer"]


def __getattr__(name: str) -> object:
    """``chainrule.nn.parallel`` is imported on first use (it is only needed for distributed training)."""
    if name == "parallel":
        import importlib

        return importlib.import_module(f"{__name__}.parallel")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
