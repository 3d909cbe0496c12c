"""The base of the transforms torchvision makes ``nn.Module``s (``Resize``, ``RandomCrop``, ``Normalize``...):
they go inside ``nn.Sequential`` / ``nn.ModuleList``, show up in ``named_modules()`` and can run on batches
inside a model, as torchvision's do; ``forward`` is the transform. ``Compose``, ``ToTensor``, ``Lambda``...
stay plain callables, as in torchvision."""

from __future__ import annotations

from typing import Any

from ...nn.module import Module

__all__ = ["TransformModule"]


class TransformModule(Module):
    """A transform that is also an ``nn.Module`` (its ``Module`` state is set up before its own
    ``__init__`` runs, so the transforms need not call ``super().__init__()``)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> TransformModule:
        self = super().__new__(cls)
        Module.__init__(self)
        return self

    def forward(self, *args: Any) -> Any:
        """Apply the transform (what calling it does)."""
        return type(self).__call__(self, *args)
