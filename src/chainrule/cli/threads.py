"""How many BLAS threads a run uses, chosen for the work.

NumPy's BLAS (OpenBLAS in the wheels) starts one thread per core and uses them for every matrix
product. For the small products of a small model a second thread saves little, and when the cores
are busy (another training run, a build, MPI ranks) the threads spin and wait on each other: the
same small run was measured 3-20x slower. So a run uses one thread unless its largest matrix product
per training step is big enough to gain from more (about 2^25 multiply-adds per extra thread), and
never more than the cores available to this process (divided among MPI ranks). ``--threads N``
or a thread variable in the environment (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS``) overrides the choice; the run report says what was used and why.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["ENV_VARS", "MACS_PER_THREAD", "choose_threads", "largest_product", "available_cores", "plan_threads"]

ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
MACS_PER_THREAD = 2**25  # multiply-adds of one product below which another thread does not pay


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def choose_threads(macs: int, cores: int) -> int:
    """Threads for a largest matrix product of ``macs`` multiply-adds on ``cores`` cores: one per
    ``MACS_PER_THREAD``, at least 1, at most ``cores``."""
    return max(1, min(cores, int(macs // MACS_PER_THREAD)))


def largest_product(model: Any, input_shape: tuple[int, ...], batch_size: int) -> int:
    """Multiply-adds of the largest matrix product (Linear, or a convolution as im2col) in one forward
    pass on a batch of ``batch_size``: found by running the model once on one sample of zeros."""
    from .. import autograd, nn, zeros

    sizes: list[int] = [0]

    def hook(m: Any, args: Any, out: Any) -> None:
        x = args[0] if args else None
        if isinstance(m, nn.Linear):
            rows = int(x.numel() // x.shape[-1]) if x is not None and x.ndim else 1
            sizes.append(rows * m.in_features * m.out_features)
        elif hasattr(m, "kernel_size") and hasattr(m, "in_channels") and hasattr(out, "shape"):
            k = 1
            for d in (m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,)):
                k *= int(d)
            positions = int(out.numel() // out.shape[1]) if out.ndim > 1 else 1
            sizes.append(positions * (m.in_channels // m.groups) * k * m.out_channels)

    leaves = [m for m in model.modules() if isinstance(m, nn.Linear) or hasattr(m, "in_channels")]
    handles = [m.register_forward_hook(hook) for m in leaves]
    was = model.training
    model.eval()
    try:
        with autograd.no_grad():
            model(zeros((1, *input_shape)))
    finally:
        for h in handles:
            h.remove()
        model.train(was)
    return max(sizes) * batch_size


def plan_threads(model: Any, input_shape: tuple[int, ...], batch_size: int, requested: int | None,
                 world: int = 1) -> tuple[int | None, str]:
    """(threads to set, or None to leave the BLAS as the environment set it; why), for the run report."""
    if requested is not None:
        return requested, "set with --threads"
    for var in ENV_VARS:
        if os.environ.get(var):
            return None, f"from {var}={os.environ[var]}"
    cores = max(1, available_cores() // max(1, world))
    macs = largest_product(model, input_shape, batch_size)
    n = choose_threads(macs, cores)
    share = f"{cores} core{'s' if cores != 1 else ''}" + (" per MPI process" if world > 1 else "")
    return n, (f"chosen for the work: the largest matrix product of a step has {macs:,} multiply-adds, one "
               f"thread per {MACS_PER_THREAD:,}; {share} available")
