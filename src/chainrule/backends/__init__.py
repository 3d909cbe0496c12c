"""``chainrule.backends``: truthful CPU answers for the backend switches scripts set.

``backends.cudnn`` (``deterministic``, ``benchmark``, ``allow_tf32``, ``enabled`` are plain assignable
flags; cuDNN itself is not available), ``backends.mps`` (not available), ``backends.cuda``
(``matmul.allow_tf32`` & co.; CUDA is not built). chainrule computes on the CPU with NumPy, so no
flag changes a result; they are kept so that scripts which set or read them run unchanged.
"""

from __future__ import annotations

from . import cpu, cuda, cudnn, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkldnn", "mps", "openmp"]
