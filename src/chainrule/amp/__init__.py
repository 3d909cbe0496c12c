"""``chainrule.amp``: automatic mixed precision as PyTorch spells it, computing in full precision.

chainrule has no reduced-precision compute path: NumPy's float16 is slower than float32 on a CPU and
there is no bfloat16. So ``autocast`` regions are entered and left like PyTorch's (context manager or
decorator) but cast nothing — results keep the tensors' own dtypes, float32 stays float32 — and
``GradScaler`` is a pass-through, exactly as PyTorch's disabled scaler: ``scale`` returns its input,
``step`` calls ``optimizer.step()``, ``update``/``unscale_`` do nothing, ``get_scale()`` is 1.0.
"""

from __future__ import annotations

from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_available", "custom_fwd", "custom_bwd"]
