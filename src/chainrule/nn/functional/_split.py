"""Convolution and pooling kernels run on disjoint slices of one axis, over chainrule's threads.

NumPy releases the GIL inside its copies and ufuncs, so the element-wise parts of a convolution or
pooling layer (building the patch matrix, the output copy, col2im, the pooling passes) can be cut
into slices — of the batch, or of the flat positions — that the threads of ``chainrule._parallel``
process at the same time. Each output element is written by exactly one slice, with the same float
operations in the same order as without the split, so the results are bit for bit the same. With
one thread (``set_num_threads(1)`` or ``OMP_NUM_THREADS=1``), or below ``SPLIT_MIN`` elements,
everything runs on the calling thread as one slice.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._parallel import elementwise_threads, run_chunks

__all__ = ["SPLIT_MIN", "split"]

# elements of the largest array a kernel touches: below this one thread beats handing out slices
# (a hand-off costs tens of µs; 128k floats take ~50-100 µs per pass on the 2-core machine)
SPLIT_MIN = 1 << 17


def split(fn: Callable[[slice], None], n: int, elements: int) -> None:
    """``fn(s)`` for consecutive slices ``s`` covering range(n), one per thread when ``elements`` is large."""
    k = min(elementwise_threads(), n) if elements >= SPLIT_MIN else 1
    if k <= 1:
        fn(slice(0, n))
        return
    run_chunks(fn, [slice(i * n // k, (i + 1) * n // k) for i in range(k)])
