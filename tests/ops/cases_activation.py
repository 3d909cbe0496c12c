"""Op cases for ops/activation.py (to be written)."""

from __future__ import annotations

from .harness import OpCase

CASES: list[OpCase] = []
