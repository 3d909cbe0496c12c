"""Shared fixtures: deterministic seeds for every test."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule


@pytest.fixture(autouse=True)
def _seed() -> None:
    chainrule.manual_seed(0)
    np.random.seed(0)
