"""Ragged nested sequences: PyTorch's error class and wording ("expected sequence of length 2 at dim 1 (got 1)"),
not NumPy's "inhomogeneous shape" message."""

from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

RAGGED = [
    [[1, 2], [3]],
    [[1], [2, 3]],
    [(1, 2), [3]],
    [[1, 2], []],
    [[[1, 2], [3, 4]], [[1, 2], [3]]],
    [[[1]], [[2], [3]]],
    [[1.5, 2.5], [3.5]],
    [np.array([1, 2]), [3]],
]


@pytest.mark.parametrize("data", RAGGED, ids=repr)
@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_ragged_lists_raise_like_pytorch(data):
    with pytest.raises(ValueError) as theirs:
        torch.tensor(data)
    with pytest.raises(ValueError) as ours:
        chainrule.tensor(data)
    assert str(theirs.value) in str(ours.value), (theirs.value, ours.value)
    assert "inhomogeneous" not in str(ours.value)
    assert re.match(r"tensor: expected sequence of length \d+ at dim \d+ \(got \d+\)", str(ours.value))


@pytest.mark.parametrize("data", [[[1, 2], 3], [1, [2, 3]]], ids=repr)
def test_mixed_depths_are_type_errors_like_pytorch(data):
    with pytest.raises(TypeError):
        torch.tensor(data)
    with pytest.raises(TypeError, match=r"^tensor: .*(not a sequence|expected a number at dim 1)"):
        chainrule.tensor(data)


def test_lists_of_tensors_of_different_lengths():
    with pytest.raises(ValueError):
        torch.tensor([torch.ones(2), torch.ones(3)])
    with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 3\)"):
        chainrule.tensor([chainrule.ones(2), chainrule.ones(3)])


def test_rectangular_data_still_builds():
    for data in ([[1, 2], [3, 4]], [], [[]], [[[1.0]]], [(1, 2), [3, 4]]):
        np.testing.assert_array_equal(chainrule.tensor(data).numpy(), torch.tensor(data).numpy())
