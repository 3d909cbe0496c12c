"""glibc malloc tuning: keep large freed blocks in the heap instead of returning them to the OS.

By default glibc serves every allocation above a dynamic threshold (128 KiB at start, raised up to
32 MiB as large blocks are freed) with a fresh ``mmap`` and unmaps it on ``free``, so the big NumPy
temporaries of a training step (activations, gradients, GEMM outputs) are page-faulted anew at
every step. Raising ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` makes freed blocks reusable from
the heap, which is what ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` do from the
environment. Only glibc on Linux is touched; elsewhere this is a no-op.
"""

from __future__ import annotations

import sys

__all__ = ["tune_malloc"]

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
_DEFAULT_BYTES = 256 << 20
_OLD_MAX_BYTES = 32 << 20
_done: bool | None = None


def tune_malloc(threshold: int = _DEFAULT_BYTES) -> bool:
    """Raise glibc's mmap and trim thresholds to ``threshold`` bytes; True if applied.

    Safe to call more than once (only the first call acts) and a no-op (False) off glibc Linux, or
    when the user already set ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_``.
    """
    global _done
    if _done is not None:
        return _done
    _done = False
    if not sys.platform.startswith("linux"):
        return False
    import os

    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 - raises AttributeError on musl and other libcs
        mallopt = libc.mallopt
        mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
        if mallopt(M_MMAP_THRESHOLD, int(threshold)) != 1:  # glibc < 2.35 refuses more than 32 MiB
            threshold = min(int(threshold), _OLD_MAX_BYTES)
            if mallopt(M_MMAP_THRESHOLD, threshold) != 1:
                return False
        ok = mallopt(M_TRIM_THRESHOLD, int(threshold)) == 1
    except (OSError, AttributeError):
        return False
    _done = ok
    return ok
