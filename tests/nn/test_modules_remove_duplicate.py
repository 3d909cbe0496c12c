"""``Module.modules(remove_duplicate=False)`` lists a shared submodule at each place it occurs, as PyTorch."""

from __future__ import annotations

import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


@pytest.mark.parametrize("remove_duplicate", [True, False])
def test_shared_submodule_listing_matches_torch(remove_duplicate: bool) -> None:
    def build(lib):
        shared = lib.nn.Linear(2, 2)
        return lib.nn.Sequential(shared, lib.nn.ReLU(), shared, lib.nn.Sequential(shared))

    ours = [type(m).__name__ for m in build(chainrule).modules(remove_duplicate=remove_duplicate)]
    theirs = [type(m).__name__ for m in build(torch).modules(remove_duplicate=remove_duplicate)]
    assert ours == theirs
