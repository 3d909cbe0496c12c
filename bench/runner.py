"""Run every workload in chainrule and PyTorch, alternating fresh subprocesses; print a markdown report.

Each (library, workload) run is its own process (``bench.child``), launched A B A B ... so that
slow drifts of the machine hit both libraries alike; both get the same thread settings. The
report gives the median steps/s of each library, their ratio (chainrule / torch: > 1 means
chainrule is faster), the peak RSS of the run, ``import`` time and installed size.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from .workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
LIBS = ("chainrule", "torch")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def child_env(threads: int) -> dict[str, str]:
    """This environment with the same thread limits for NumPy's BLAS and PyTorch (0 = defaults)."""
    env = dict(os.environ)
    for var in THREAD_VARS:
        if threads > 0:
            env[var] = str(threads)
        else:
            env.pop(var, None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_child(lib: str, name: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """One timed run in a fresh interpreter; ``{"error": ...}`` if it failed."""
    cmd = [
        sys.executable, "-m", "bench.child", "--lib", lib, "--workload", name,
        "--budget", str(args.budget), "--warmup", str(args.warmup), "--threads", str(args.threads),
    ]  # fmt: skip
    if args.batch:
        cmd += ["--batch", str(args.batch)]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120 + 10 * args.budget
        )
    except subprocess.TimeoutExpired:
        return {"error": "timed out"}
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {"error": lines[-1] if lines else f"exit code {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def import_time(lib: str, env: dict[str, str]) -> float:
    """Seconds ``import lib`` takes in a fresh interpreter (interpreter start-up excluded)."""
    code = f"import time; t = time.perf_counter(); import {lib}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return float("nan")
    return float(out.stdout.strip().splitlines()[-1])


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def package_dir(lib: str) -> Path | None:
    """The directory ``import lib`` loads from, found without importing it."""
    spec = importlib.util.find_spec(lib)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def dependency_size(dist_name: str) -> tuple[int, list[str]]:
    """Bytes installed by the (non-extra) dependencies of ``dist_name``, recursively, per their RECORD."""
    from importlib import metadata

    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover - packaging ships with pip/setuptools nearly always
        return 0, []
    seen: set[str] = set()
    todo = [dist_name]
    total = 0
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for spec in dist.requires or ():
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            key = req.name.lower().replace("_", "-")
            if key not in seen:
                seen.add(key)
                todo.append(req.name)
                try:
                    total += sum(f.size or 0 for f in metadata.distribution(req.name).files or ())
                except metadata.PackageNotFoundError:
                    pass
    return total, sorted(seen)


def median(xs: list[float]) -> float:
    """Median of the finite values (a failed import is NaN); NaN if there are none."""
    ok = [x for x in xs if x == x]
    return statistics.median(ok) if ok else float("nan")


def fmt_rate(runs: list[dict[str, Any]]) -> str:
    ok = [r["steps_per_s"] for r in runs if "error" not in r]
    if not ok:
        return "error: " + next((r["error"] for r in runs if "error" in r), "no runs")[:60]
    spread = f" ({min(ok):,.0f}–{max(ok):,.0f})" if len(ok) > 1 else ""
    return f"{median(ok):,.1f}{spread}"


def loss_check(name: str, runs: dict[str, list[dict[str, Any]]]) -> str:
    """Compare the first losses of both libraries (same weights, same data, same math)."""
    first = {lib: next((r["losses"] for r in rs if "losses" in r), None) for lib, rs in runs.items()}
    if any(v is None for v in first.values()) or len(first) < 2:
        return "n/a"
    a, b = first["chainrule"], first["torch"]
    tol = WORKLOADS[name].rtol
    ok = all(abs(x - y) <= tol * max(1.0, abs(y)) for x, y in zip(a, b))
    return f"ok ({a[0]:.5g})" if ok else f"MISMATCH {a} vs {b}"


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny budgets, one round (CI smoke test)")
    ap.add_argument("--only", action="append", metavar="NAME", help="run only this workload (repeatable)")
    ap.add_argument("--threads", type=int, default=1, help="threads for both libraries; 0 = defaults")
    ap.add_argument("--rounds", type=int, default=None, help="runs per library (default 3, quick 1)")
    ap.add_argument("--budget", type=float, default=None, help="timed seconds per run (default 1.5)")
    ap.add_argument("--warmup", type=float, default=None, help="untimed seconds per run (default 0.3)")
    ap.add_argument("--batch", type=int, default=None, help="override every workload's batch size")
    ap.add_argument("--json", metavar="PATH", help="also write all raw results to PATH")
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = ap.parse_args(argv)
    quick = args.quick
    args.rounds = args.rounds or (1 if quick else 3)
    args.budget = args.budget if args.budget is not None else (0.1 if quick else 1.5)
    args.warmup = args.warmup if args.warmup is not None else (0.02 if quick else 0.3)
    args.import_reps = 1 if quick else 5
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.list:
        for w in WORKLOADS.values():
            print(f"{w.name:20s} batch {w.batch:<5d} {w.about}")
        return 0
    names = [n for part in args.only or list(WORKLOADS) for n in part.split(",") if n]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        print(f"bench: unknown workload(s) {unknown}; expected one of {sorted(WORKLOADS)}", file=sys.stderr)
        return 2
    libs = [lib for lib in LIBS if importlib.util.find_spec(lib) is not None]
    env = child_env(args.threads)
    load0 = os.getloadavg()[0]

    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in names:
        results[name] = {lib: [] for lib in libs}
        for _ in range(args.rounds):
            for lib in libs:  # A B A B ...: drift of the machine hits both alike
                results[name][lib].append(run_child(lib, name, args, env))
    imports = {lib: [] for lib in libs}
    for _ in range(args.import_reps):
        for lib in libs:
            imports[lib].append(import_time(lib, env))
    load1 = os.getloadavg()[0]

    failed = report(args, names, libs, results, imports, (load0, load1))
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "import_s": imports}, indent=1))
    return 1 if failed else 0


def report(args: argparse.Namespace, names: list[str], libs: list[str], results: Any, imports: Any,
           load: tuple[float, float]) -> bool:  # fmt: skip
    """Print the markdown report; True if a run failed or the libraries disagreed."""
    threads = "library defaults" if args.threads <= 0 else str(args.threads)
    print(f"# chainrule vs PyTorch ({'quick' if args.quick else 'full'} run)\n")
    print(f"- {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; threads per library: {threads}")  # fmt: skip
    print(f"- {args.rounds} fresh process(es) per library and workload, alternating; "
          f"{args.warmup:g} s warm-up + {args.budget:g} s timed each")  # fmt: skip
    ncpu = os.cpu_count() or 1
    print(
        f"- load average before/after: {load[0]:.2f} / {load[1]:.2f}"
        + ("  **(machine not quiet: numbers are unreliable)**" if max(load) > 0.5 * ncpu else "")
    )
    if "torch" not in libs:
        print("- PyTorch is not installed: no ratios")
    print()
    print("| workload | batch | chainrule steps/s | torch steps/s | ratio cr/torch | "
          "chainrule peak RSS MB | torch peak RSS MB | same loss |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    failed = False
    for name in names:
        runs = results[name]
        ok = {lib: [r for r in runs[lib] if "error" not in r] for lib in libs}
        failed |= any(len(ok[lib]) < len(runs[lib]) for lib in libs)
        rate = {lib: median([r["steps_per_s"] for r in ok[lib]]) for lib in libs}
        rss = {lib: f"{max(r['peak_rss_mb'] for r in ok[lib]):.0f}" if ok[lib] else "-" for lib in libs}
        ratio = f"{rate['chainrule'] / rate['torch']:.2f}" if len(libs) == 2 and all(ok.values()) else "-"
        check = loss_check(name, runs)
        failed |= check.startswith("MISMATCH")
        batch = args.batch or WORKLOADS[name].batch
        print(f"| {name} | {batch} | {fmt_rate(runs['chainrule'])} | "
              f"{fmt_rate(runs['torch']) if 'torch' in libs else '-'} | {ratio} | "
              f"{rss['chainrule']} | {rss.get('torch', '-')} | {check} |")  # fmt: skip
    print("\nsteps/s: median over runs (min–max in parentheses); ratio > 1 means chainrule is faster.\n")

    print("| | chainrule | torch | torch / chainrule |")
    print("|---|---:|---:|---:|")
    imp = {lib: median(imports[lib]) * 1e3 for lib in libs}
    failed |= any(v != v for v in imp.values())  # an import failed every time
    size = {lib: dir_size(p) / 1e6 if (p := package_dir(lib)) else float("nan") for lib in libs}
    deps = {lib: dependency_size(lib) for lib in libs}
    row = [(f"`import` time, ms (median of {args.import_reps})", imp, "{:.0f}"),
           ("package directory, MB", size, "{:.1f}"),
           ("+ installed dependencies, MB", {lib: size[lib] + deps[lib][0] / 1e6 for lib in libs}, "{:.1f}")]  # fmt: skip

    def cell(f: str, v: float) -> str:
        return "error" if v != v else f.format(v)

    for label, vals, f in row:
        th = cell(f, vals["torch"]) if "torch" in vals else "-"
        ratio = cell("{:.1f}", vals["torch"] / vals["chainrule"]) if "torch" in vals else "-"
        print(f"| {label} | {cell(f, vals['chainrule'])} | {th} | {ratio} |")
    for lib in libs:
        print(f"\n{lib} dependencies: {', '.join(deps[lib][1]) or 'none'}", end="")
    print("\n\nimport/size: torch / chainrule > 1 means chainrule imports faster / is smaller.")
    return failed
