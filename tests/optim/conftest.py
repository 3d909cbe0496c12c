"""Fixtures of the optimizer tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["fused", "numpy"])
def update_path(request: pytest.FixtureRequest):
    """The test twice: updates by the fused kernels (numba) and by NumPy passes."""
    from chainrule import _fused

    if request.param == "fused" and not _fused.enabled():
        pytest.skip("numba (the 'fast' extra) is not installed")
    with _fused.override(request.param == "fused"):
        yield request.param
