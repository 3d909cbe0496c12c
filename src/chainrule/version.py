"""``chainrule.version``: the version, and None for the GPU toolkits chainrule is not built with."""

from __future__ import annotations

__all__ = ["__version__", "cuda", "hip", "git_version", "debug"]

__version__ = "0.1.0"
cuda: None = None
hip: None = None
git_version: str = "unknown"
debug: bool = False
