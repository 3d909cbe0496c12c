"""``chainrule.backends.cuda``: CUDA's matmul and attention switches, as plain flags (CUDA is not built).

``matmul.allow_tf32`` follows ``chainrule.set_float32_matmul_precision`` as in PyTorch; nothing here
changes a result, since chainrule's float32 matmuls are IEEE float32 on the CPU.
"""

from __future__ import annotations

__all__ = ["matmul", "is_built", "flash_sdp_enabled", "enable_flash_sdp", "mem_efficient_sdp_enabled",
           "enable_mem_efficient_sdp", "math_sdp_enabled", "enable_math_sdp", "preferred_linalg_library"]


class _Matmul:
    """``backends.cuda.matmul``: ``allow_tf32`` (False), ``allow_fp16_reduced_precision_reduction`` and
    ``allow_bf16_reduced_precision_reduction`` (True), PyTorch's defaults; assignable."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    def __repr__(self) -> str:
        return f"<chainrule.backends.cuda.matmul allow_tf32={self.allow_tf32}>"


matmul = _Matmul()
_sdp = {"flash": True, "mem_efficient": True, "math": True}


def is_built() -> bool:
    """Always False: chainrule is not built with CUDA."""
    return False


def flash_sdp_enabled() -> bool:
    """Whether the flash attention kernel may be chosen (a flag only; chainrule has one CPU kernel)."""
    return _sdp["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """Set the flash attention flag (no effect on results)."""
    _sdp["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    """Whether the memory-efficient attention kernel may be chosen (a flag only)."""
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Set the memory-efficient attention flag (no effect on results)."""
    _sdp["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    """Whether the math attention kernel may be chosen (a flag only)."""
    return _sdp["math"]


def enable_math_sdp(enabled: bool) -> None:
    """Set the math attention flag (no effect on results)."""
    _sdp["math"] = bool(enabled)


def preferred_linalg_library(backend: object = None) -> str:
    """'default': chainrule's linear algebra is NumPy's (LAPACK) whatever is asked."""
    return "default"
