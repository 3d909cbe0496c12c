"""Time one workload in one library, in this (fresh) process; print one JSON line.

Run by ``bench.runner`` as ``python -m bench.child --lib chainrule --workload mlp_step ...`` with
the thread variables already in the environment (they must be set before NumPy/PyTorch load) and,
for the 1-core table, the process already pinned to one CPU (the affinity is inherited from the
runner's ``preexec_fn``). ``--lib jax`` times the workload's JAX variant (``workloads_jax.py``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from .workloads import WORKLOADS

N_CHECK = 3  # steps whose losses are reported for the cross-library check (they also warm up)


def run_for(step: Callable[[], Any], seconds: float, min_steps: int) -> tuple[int, float]:
    """Call ``step`` until ``seconds`` have passed and at least ``min_steps`` ran; (steps, time)."""
    clock = time.perf_counter
    n = 0
    t0 = clock()
    end = t0 + seconds
    while True:
        step()
        n += 1
        now = clock()
        if now >= end and n >= min_steps:
            return n, now - t0


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.child")
    ap.add_argument("--lib", required=True, choices=["chainrule", "torch", "jax"])
    ap.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--budget", type=float, default=1.5, help="seconds of timed steps")
    ap.add_argument("--warmup", type=float, default=0.3, help="seconds of untimed steps first")
    ap.add_argument("--threads", type=int, default=1, help="0 = library default")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    lib = importlib.import_module(args.lib)
    import_s = time.perf_counter() - t0
    if args.lib == "torch" and args.threads > 0:
        lib.set_num_threads(args.threads)
        try:
            lib.set_num_interop_threads(args.threads)
        except RuntimeError:  # pragma: no cover - only settable before any parallel work
            pass
    rss_import = peak_rss_mb()

    wl = WORKLOADS[args.workload]
    batch = args.batch or wl.batch
    if args.lib == "jax":  # the whole step jit-compiled; compile time falls in the loss-check steps
        from .workloads_jax import JAX_MAKERS

        step = JAX_MAKERS[args.workload](batch)
    else:
        step = wl.make(lib, batch)
    losses = [float(step().item()) for _ in range(N_CHECK)]
    run_for(step, args.warmup, 2)
    n, elapsed = run_for(step, args.budget, 3)
    threads = lib.get_num_threads() if args.lib == "torch" else args.threads
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    print(json.dumps({
        "lib": args.lib, "workload": wl.name, "batch": batch, "steps": n, "seconds": elapsed,
        "steps_per_s": n / elapsed, "losses": losses, "peak_rss_mb": peak_rss_mb(),
        "rss_after_import_mb": rss_import, "import_s": import_s, "threads": threads, "cpus": cpus,
        "version": getattr(lib, "__version__", "?"),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
