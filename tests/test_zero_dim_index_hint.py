"""Indexing a 0-dim tensor (old code's ``loss.data[0]``) raises IndexError as PyTorch does, with its hint to
use ``tensor.item()``; indices that are valid on a 0-dim tensor still work."""

from __future__ import annotations

import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


@pytest.mark.parametrize("index", [0, -1, [0]])
def test_integer_index_of_a_zero_dim_tensor_is_index_error_with_item_hint(index) -> None:
    with pytest.raises(IndexError):
        torch.tensor(2.5)[index]
    with pytest.raises(IndexError, match=r"0-dim tensor.*tensor\.item\(\)"):
        chainrule.tensor(2.5)[index]


@pytest.mark.parametrize("index", [None, Ellipsis, True, ()])
def test_valid_indices_of_a_zero_dim_tensor_match_torch(index) -> None:
    ours, theirs = chainrule.tensor(2.5)[index], torch.tensor(2.5)[index]
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.numpy().tolist() == theirs.numpy().tolist()


def test_other_index_errors_keep_their_message() -> None:
    with pytest.raises(IndexError, match="1-dimensional, but 2 were indexed"):
        chainrule.ones(2)[0, 1]
