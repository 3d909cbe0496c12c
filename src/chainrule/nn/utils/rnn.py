"""Packed sequences: batches of sequences of unequal lengths, PyTorch's ``torch.nn.utils.rnn``.

A ``PackedSequence`` stores only the valid steps: sequences sorted by decreasing length, the rows of
step 0 of every sequence, then step 1 of those still running, ... (``batch_sizes[t]`` rows at
step t). Recurrent layers run on it without computing past each sequence's end. Packing and
padding are differentiable index maps (gather rows; their gradient scatters back).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..._tensor import Tensor
from ...ops.arrange import cat, stack
from ..functional.rnn import _padded_index

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence",
    "pad_sequence", "unpad_sequence", "unpack_sequence",
]  # fmt: skip


def _tensor(a: Any) -> Tensor:
    return Tensor._make(np.ascontiguousarray(a, np.int64))


class PackedSequence(NamedTuple):
    """(data, batch_sizes, sorted_indices, unsorted_indices): the valid steps of a batch of sequences.

    ``data`` (sum of lengths, *): step-major rows; ``batch_sizes`` (int64, one per step): how many
    sequences are still running at each step; ``sorted_indices`` maps the sorted order to the
    original batch (None if it was already sorted) and ``unsorted_indices`` is its inverse.
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same packing with ``data.to(*args, **kwargs)`` (dtype or device); indices unchanged."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    def cpu(self) -> PackedSequence:
        """Itself: chainrule tensors live on the CPU."""
        return self

    def double(self) -> PackedSequence:
        """The data cast to float64."""
        return self._replace(data=self.data.double())

    def float(self) -> PackedSequence:
        """The data cast to float32."""
        return self._replace(data=self.data.float())

    @property
    def is_cuda(self) -> bool:
        """False: chainrule runs on the CPU."""
        return False

    def is_pinned(self) -> bool:
        """False: no pinned memory on a CPU-only library."""
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation (``inv[perm[i]] = i``), or None for None."""
    if permutation is None:
        return None
    p = permutation._data
    inv = np.empty_like(p)
    inv[p] = np.arange(len(p))
    return _tensor(inv)


def _lengths_array(lengths: Any) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray(lengths, np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) given each sequence's length.

    With ``enforce_sorted=True`` the lengths must be decreasing; otherwise the batch is sorted here
    and ``sorted_indices``/``unsorted_indices`` record the permutation.
    """
    n = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(n[1:] > n[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` "
                "is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                "sidestep this requirement if you do not need ONNX exportability.")
        sorted_idx = None
    else:
        order = np.argsort(-n, kind="stable")
        n = n[order]
        sorted_idx = _tensor(order)
    if batch_first:
        input = input.transpose(0, 1)  # noqa: A001
    if sorted_idx is not None:
        input = input.index_select(1, sorted_idx)  # noqa: A001
    T, B = input.shape[0], input.shape[1]
    if len(n) != B:
        raise ValueError(f"pack_padded_sequence: expected {B} lengths (one per sequence), got {len(n)}")
    if len(n) and n.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if len(n) and n.max() > T:
        raise RuntimeError(f"pack_padded_sequence: a length of {n.max()} exceeds the padded length {T}")
    batch_sizes = (n[None, :] > np.arange(int(n.max()) if len(n) else 0)[:, None]).sum(1)
    _, to_packed = _padded_index(batch_sizes.tolist())
    data = input.reshape((T * B,) + tuple(input.shape[2:]))[_tensor(to_packed)]
    return PackedSequence(data, _tensor(batch_sizes), sorted_idx, invert_permutation(sorted_idx))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: (padded (T, B, *) or (B, T, *), lengths int64 (B,)) in the original order.

    ``total_length`` pads to that many steps (at least the longest sequence).
    """
    data, batch_sizes, _, unsorted = sequence
    sizes = [int(b) for b in batch_sizes._data]
    T = len(sizes)
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {T}")
    to_grid, _ = _padded_index(sizes)
    if total_length is not None and total_length > T:
        pad = np.full((total_length - T, to_grid.shape[1]), len(data), np.int64)
        to_grid = np.concatenate([to_grid, pad])
    fill = data.new_full((1,) + tuple(data.shape[1:]), padding_value)
    padded = cat([data, fill], 0)[_tensor(to_grid)]
    lengths = (np.asarray(sizes)[None, :] > np.arange(sizes[0] if sizes else 0)[:, None]).sum(1)
    if unsorted is not None:
        padded = padded.index_select(1, unsorted)
        lengths = lengths[unsorted._data]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _tensor(lengths)


def pad_sequence(sequences: Sequence[Tensor] | Tensor, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences (L_i, *) into (T, B, *) (or (B, T, *)), padding with ``padding_value`` on ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    seqs = list(sequences.unbind(0)) if isinstance(sequences, Tensor) else list(sequences)
    if not seqs:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    T = max(s.shape[0] for s in seqs)
    rows = []
    for s in seqs:
        extra = T - s.shape[0]
        if extra:
            fill = s.new_full((extra,) + tuple(s.shape[1:]), padding_value)
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        rows.append(s)
    return stack(rows, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its sequences (each ``padded[:length, b]``)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[b, :int(n)] for b, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) directly: ``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a ``PackedSequence`` holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
