"""``chainrule.backends.openmp``: chainrule itself runs no OpenMP pool (NumPy's BLAS may have its own threads)."""

from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """Always False: chainrule's own code has no OpenMP parallelism."""
    return False
