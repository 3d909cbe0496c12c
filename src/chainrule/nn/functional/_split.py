"""Convolution and pooling kernels run on disjoint slices of one axis, over chainrule's threads.

NumPy releases the GIL inside its copies and ufuncs, so the element-wise parts of a convolution or
pooling layer (building the patch matrix, the output copy, col2im, the pooling passes) can be cut
into slices — of the batch, or of the flat positions — that the threads of ``chainrule._parallel``
process at the same time. Each output element is written by exactly one slice, with the same float
operations in the same order as without the split, so the results are bit for bit the same. With
one thread (``set_num_threads(1)`` or ``OMP_NUM_THREADS=1``), or below ``SPLIT_MIN`` elements,
everything runs on the calling thread as one slice.

The matrix products of a convolution are cut the same way (``matmul``): into blocks of output columns
(or rows), each one single-threaded BLAS call on its block of operands. BLAS computes every output
element from the same operands in the same order whichever block it is in, so the result is the
one of the whole product; the blocks are claimed by whichever thread is free (``run_chunks``), which
on a machine whose cores are also busy with other processes does not stall the way a product
split up front over BLAS's own threads does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..._parallel import elementwise_threads, run_chunks, single_threaded_blas

__all__ = ["SPLIT_MIN", "KERNEL_FACTOR", "GEMM_MIN", "split", "split_blas", "matmul"]

# elements of the largest array a kernel touches: below this one thread beats handing out slices
# (a hand-off costs tens of µs; 128k floats take ~50-100 µs per pass on the 2-core machine)
SPLIT_MIN = 1 << 17

# slices per thread: they are claimed by whichever thread is free, so a thread that starts late
# (its core busy with another process) leaves less for the others to wait on
_SLICES_PER_THREAD = 2


# a compiled kernel (``chainrule._fused``) does a pass 3-10x faster than NumPy's ufuncs, so it is
# split from KERNEL_FACTOR·SPLIT_MIN elements: 2x2 max pooling of 2^19 floats takes ~0.1 ms, about
# what handing out the slices costs when the cores are busy
KERNEL_FACTOR = 4


def split(fn: Callable[[slice], None], n: int, elements: int, kernel: bool = False) -> None:
    """``fn(s)`` for consecutive slices ``s`` covering range(n), ``_SLICES_PER_THREAD`` per thread when
    there are several threads and ``elements`` is large (``SPLIT_MIN``, ``KERNEL_FACTOR`` times that when
    ``fn`` runs a compiled kernel); else one call."""
    threads = elementwise_threads()
    least = SPLIT_MIN * KERNEL_FACTOR if kernel else SPLIT_MIN
    k = min(threads * _SLICES_PER_THREAD if threads > 1 else 1, n) if elements >= least else 1
    if k <= 1:
        fn(slice(0, n))
        return
    run_chunks(fn, [slice(i * n // k, (i + 1) * n // k) for i in range(k)])


# multiply-adds of a matrix product: below this (~30-60 µs on one core here) it runs as one call
GEMM_MIN = 1 << 21

# blocks per thread of a split product: a thread that starts late leaves less for the others to wait on
_BLOCKS_PER_THREAD = 2

# rows/columns of a block at least: a block of one row or column would be a matrix-vector product,
# which NumPy hands to another BLAS routine (summing in another order)
_MIN_BLOCK = 8


def split_blas(fn: Callable[[slice], None], n: int, work: int, min_block: int = _MIN_BLOCK) -> None:
    """``fn(s)`` for consecutive slices ``s`` covering range(n), with BLAS on one thread inside each,
    spread over chainrule's threads when ``work`` (multiply-adds) is at least ``GEMM_MIN``, each slice
    ``min_block`` long at least; else one call (with one thread configured, BLAS is left as it is)."""
    threads = elementwise_threads()
    if threads <= 1:
        fn(slice(0, n))
        return
    # a small product runs on one thread too: BLAS's threads, once woken, spin for a while after
    # each call, taking the core from the threads running the element-wise slices
    k = min(threads * _BLOCKS_PER_THREAD, n // min_block) if work >= GEMM_MIN else 1
    k = max(k, 1)
    with single_threaded_blas():
        run_chunks(fn, [slice(i * n // k, (i + 1) * n // k) for i in range(k)])


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray, by_rows: bool = False) -> np.ndarray:
    """``out = a @ b`` (2-D), in blocks of output columns (or rows, ``by_rows``) over the threads."""
    m, k = a.shape
    n = b.shape[1]
    if by_rows:
        split_blas(lambda r: np.matmul(a[r], b, out=out[r]), m, m * k * n)
    else:
        split_blas(lambda c: np.matmul(a, b[:, c], out=out[:, c]), n, m * k * n)
    return out
