"""Op cases for ops/compare.py (to be written)."""

from __future__ import annotations

from .harness import OpCase

CASES: list[OpCase] = []
