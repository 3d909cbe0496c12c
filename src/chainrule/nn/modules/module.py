"""``chainrule.nn.modules.module``: where PyTorch keeps ``Module`` and the global module hooks."""

from __future__ import annotations

from .._module_hooks import (
    RemovableHandle,
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
)
from ..module import Module

__all__ = [
    "Module", "RemovableHandle", "register_module_forward_pre_hook", "register_module_forward_hook",
    "register_module_full_backward_pre_hook", "register_module_full_backward_hook",
]  # fmt: skip
