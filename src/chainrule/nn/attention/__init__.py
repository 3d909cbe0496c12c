"""``torch.nn.attention``: choosing the kernel of ``F.scaled_dot_product_attention``.

chainrule has one attention kernel, the math one (softmax(q kᵀ·scale + mask) v, with its gradient), and
on a CPU PyTorch can also use its flash kernel, which computes the same function. So inside
``sdpa_kernel([...])`` attention runs when MATH or FLASH_ATTENTION is allowed, and otherwise raises
PyTorch's "No viable backend" error, as PyTorch does on a CPU.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator

__all__ = ["SDPBackend", "WARN_FOR_UNFUSED_KERNELS", "sdpa_kernel"]

WARN_FOR_UNFUSED_KERNELS = False  # PyTorch's flag for warnings about fused kernels it could not use


class SDPBackend(enum.Enum):
    """The kernels of scaled dot-product attention PyTorch knows."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_CPU_KERNELS = frozenset({SDPBackend.MATH, SDPBackend.FLASH_ATTENTION})  # what a CPU can run
_allowed: list[frozenset[SDPBackend]] = [frozenset(SDPBackend)]


@contextlib.contextmanager
def sdpa_kernel(backends: list[SDPBackend] | SDPBackend, set_priority: bool = False) -> Iterator[None]:
    """Allow only ``backends`` for ``scaled_dot_product_attention`` inside the ``with`` block (a CPU runs
    MATH or FLASH_ATTENTION; with neither allowed, attention raises). ``set_priority`` is accepted: with
    one kernel there is no order to choose."""
    chosen = backends if isinstance(backends, list) else [backends]
    for b in chosen:
        if not isinstance(b, SDPBackend):
            raise AssertionError(
                "Backend must be an instance of SDPBackend or a list of SDPBackend instances, "
                f"got {type(b).__name__}"
            )
    previous = _allowed[0]
    _allowed[0] = frozenset(chosen)
    try:
        yield
    finally:
        _allowed[0] = previous


def check_kernel_allowed() -> None:
    """Raise PyTorch's error when ``sdpa_kernel`` allows no kernel a CPU can run."""
    if not _allowed[0] & _CPU_KERNELS:
        raise RuntimeError(
            "No viable backend for scaled_dot_product_attention was found. This is likely due to turning off "
            "both the math kernel and the fused kernels. (chainrule runs the MATH kernel; sdpa_kernel allows "
            f"only {sorted(b.name for b in _allowed[0])})"
        )
