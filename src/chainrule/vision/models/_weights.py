"""The ``weights=`` / ``pretrained=`` arguments of the model builders.

chainrule does not download torchvision's pretrained checkpoints (they are PyTorch pickles). A user who
has them converts them once, in PyTorch, to safetensors and loads the file into the chainrule model:

    # in PyTorch:   safetensors.torch.save_file(torchvision.models.resnet18(weights="DEFAULT").state_dict(), "r18.safetensors")
    # in chainrule: model = chainrule.vision.models.resnet18(); chainrule.io.load_torch_weights(model, "r18.safetensors")

The module names and ``state_dict`` keys are torchvision's, so the file fits without renaming.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_weights"]


def check_weights(builder: str, weights: Any, pretrained: Any = False) -> None:
    """Raise a RuntimeError explaining how to load pretrained weights when any are asked for."""
    if weights is None and not pretrained:
        return
    asked = f"weights={weights!r}" if weights is not None else "pretrained=True"
    raise RuntimeError(
        f"{builder}({asked}): chainrule does not download torchvision's pretrained weights. Build the model "
        f"untrained with {builder}(weights=None), then load converted weights: in PyTorch (with a network) run "
        f"safetensors.torch.save_file(torchvision.models.{builder}(weights='DEFAULT').state_dict(), "
        f"'{builder}.safetensors'), and in chainrule chainrule.io.load_torch_weights(model, '{builder}.safetensors')."
    )
