"""``chainrule.backends.cpu``: the CPU's vector capability as PyTorch names it."""

from __future__ import annotations

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """'DEFAULT': chainrule dispatches no CPU-specific kernels itself (NumPy picks its own SIMD paths)."""
    return "DEFAULT"
