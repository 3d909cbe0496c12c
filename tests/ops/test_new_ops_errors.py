"""Bad input to the newer ops (special, combine, index_write, windows, sets, order_stats, bits,
distance) raises the exception class PyTorch raises for the same call, with a message naming the op."""

from __future__ import annotations

import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

F = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
I = [[1, 2, 3], [4, 5, 6]]

# (name the message must mention, call written once against the PyTorch API)
BAD = [
    ("polygamma", lambda m: m.polygamma(-1, m.tensor(F))),
    ("igamma", lambda m: m.igamma(m.tensor([2.0], requires_grad=True), m.tensor([1.0])).sum().backward()),
    ("meshgrid", lambda m: m.meshgrid(m.tensor(F), m.tensor([1.0]), indexing="ij")),
    ("meshgrid", lambda m: m.meshgrid(m.tensor([1.0]), indexing="ji")),
    ("meshgrid", lambda m: m.meshgrid(m.tensor([1.0]), m.tensor([1]), indexing="ij")),
    ("block_diag", lambda m: m.block_diag(m.zeros(2, 2, 2))),
    ("tensordot", lambda m: m.tensordot(m.tensor(F), m.tensor(F), dims=1)),
    ("tensordot", lambda m: m.tensordot(m.tensor(F), m.tensor(F), dims=3)),
    ("mm", lambda m: m.addmm(m.zeros(2, 2), m.tensor(F), m.tensor(F))),
    ("trace", lambda m: m.trace(m.zeros(2, 2, 2))),
    ("cross", lambda m: m.cross(m.tensor(F), m.tensor(F), dim=0)),
    ("cross", lambda m: m.cross(m.zeros(2, 2), m.zeros(2, 2))),
    ("rot90", lambda m: m.rot90(m.tensor(F), 1, [0, 0])),
    ("rot90", lambda m: m.rot90(m.tensor([1.0]))),
    ("diff", lambda m: m.diff(m.tensor(1.0))),
    ("diag_embed", lambda m: m.diag_embed(m.tensor(F), 0, 1, 1)),
    ("scatter_reduce", lambda m: m.scatter_reduce(m.tensor(F), 0, m.tensor([[0]]), m.tensor([[1.0]]), "maximum")),
    ("scatter_reduce", lambda m: m.scatter_reduce(m.tensor(F), 0, m.tensor([[2]]), m.tensor([[1.0]]), "sum")),
    ("scatter_reduce", lambda m: m.scatter_reduce(m.tensor(F), 0, m.tensor([[0]]), m.tensor([[1]]), "sum")),
    ("index_copy", lambda m: m.index_copy(m.tensor(F), 0, m.tensor([0]), m.tensor(I))),
    ("index_copy", lambda m: m.index_copy(m.tensor(F), 0, m.tensor([0, 1]), m.zeros(1, 3))),
    ("index_copy", lambda m: m.index_copy(m.tensor(F), 0, m.tensor([5]), m.zeros(1, 3))),
    ("index_fill", lambda m: m.index_fill(m.tensor(F), 1, m.tensor([3]), 0.0)),
    ("index_fill", lambda m: m.index_fill(m.tensor(F), 1, m.tensor([1]), m.tensor([1.0, 2.0]))),
    ("masked_scatter", lambda m: m.masked_scatter(m.tensor(F), m.tensor(F) > 0, m.tensor([1.0]))),
    ("masked_scatter", lambda m: m.masked_scatter(m.tensor(F), m.tensor(I), m.tensor(F))),
    ("take", lambda m: m.take(m.tensor(F), m.tensor([6]))),
    ("repeat_interleave", lambda m: m.repeat_interleave(m.tensor(F), m.tensor([1, 2, 3]), dim=0)),
    ("repeat_interleave", lambda m: m.repeat_interleave(m.tensor(F), -1)),
    ("unfold", lambda m: m.tensor(F).unfold(1, 4, 1)),
    ("unfold", lambda m: m.tensor(F).unfold(1, 2, 0)),
    ("logcumsumexp", lambda m: m.logcumsumexp(m.tensor(I), 0)),
    ("cummax", lambda m: m.cummax(m.tensor(F), 2)),
    ("bincount", lambda m: m.bincount(m.tensor([-1, 2]))),
    ("bincount", lambda m: m.bincount(m.tensor(I))),
    ("bincount", lambda m: m.bincount(m.tensor([1.0]))),
    ("histc", lambda m: m.histc(m.tensor([1, 2]))),
    ("histc", lambda m: m.histc(m.tensor([1.0]), bins=0)),
    ("bucketize", lambda m: m.bucketize(m.tensor([1.0]), m.tensor(F))),
    ("searchsorted", lambda m: m.searchsorted(m.tensor(F), m.tensor([[1.0], [2.0], [3.0]]))),
    ("searchsorted", lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([1.0]), side="middle")),
    ("quantile", lambda m: m.quantile(m.tensor(F), 1.5)),
    ("quantile", lambda m: m.quantile(m.tensor(I), 0.5)),
    ("quantile", lambda m: m.quantile(m.zeros(0), 0.5)),
    ("quantile", lambda m: m.quantile(m.tensor(F), 0.5, interpolation="cubic")),
    ("nanquantile", lambda m: m.nanquantile(m.tensor(F), m.tensor([0.5], dtype=m.float64))),
    ("mode", lambda m: m.mode(m.zeros(2, 0), 1)),
    ("shift", lambda m: m.tensor(F) << 1),
    ("view", lambda m: m.tensor([1.0, 2.0, 3.0]).view(m.float64)),
    ("view", lambda m: m.tensor(1.0).view(m.int16)),
    ("resize_", lambda m: m.tensor(F, requires_grad=True).resize_(2)),
    ("cdist", lambda m: m.cdist(m.tensor([1.0]), m.tensor(F))),
    ("cdist", lambda m: m.cdist(m.tensor(F), m.zeros(2, 4))),
    ("cdist", lambda m: m.cdist(m.tensor(F), m.tensor(F), p=-1.0)),
    ("64 bits", lambda m: m.tensor([5]) << 2**64),
]


@pytest.mark.parametrize(("name", "call"), BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_same_exception_class_as_torch(name: str, call) -> None:
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(chainrule)
    assert type(ours.value) is type(theirs.value), f"{name}: we raise {type(ours.value).__name__}: {ours.value}; torch raises {type(theirs.value).__name__}"
    assert name in str(ours.value), f"message should name {name!r}: {ours.value}"
