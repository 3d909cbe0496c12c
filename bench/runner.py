"""Run every workload in chainrule, PyTorch and JAX, alternating fresh subprocesses; print a markdown report.

Each (library, workload) run is its own process (``bench.child``), launched A B C A B C ... so that
slow drifts of the machine hit the libraries alike; all get the same thread settings, and the whole
set is run once per thread setting (default: 1 core — each process pinned to one CPU and 1 thread —
then each library's default). The report gives the median steps/s of each library, the medians of
the chainrule/torch, jax/torch and chainrule/jax ratios of the runs of one round (> 1 means the first
is faster), the worst ratio of each workload family, the peak RSS of the runs, ``import`` time and
installed size. JAX (``bench/requirements.txt``) is optional: without it its columns show ``-``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .workloads import WORKLOADS
from .workloads_jax import JAX_MAKERS

ROOT = Path(__file__).resolve().parent.parent
LIBS = ("chainrule", "torch", "jax")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def child_env(threads: int) -> dict[str, str]:
    """This environment with the same thread limits for NumPy's BLAS, PyTorch and XLA (0 = defaults)."""
    env = dict(os.environ)
    for var in THREAD_VARS:
        if threads > 0:
            env[var] = str(threads)
        else:
            env.pop(var, None)
    if threads == 1:  # XLA's CPU runtime ignores the variables above; the pinning binds it anyway
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_child(
    lib: str, name: str, args: argparse.Namespace, threads: int, env: dict[str, str]
) -> dict[str, Any]:
    """One timed run in a fresh interpreter; ``{"error": ...}`` if it failed."""
    cmd = [
        sys.executable, "-m", "bench.child", "--lib", lib, "--workload", name,
        "--budget", str(args.budget), "--warmup", str(args.warmup), "--threads", str(threads),
    ]  # fmt: skip
    if args.batch:
        cmd += ["--batch", str(args.batch)]
    cpus = pinned_cpus(threads)
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180 + 10 * args.budget,
            preexec_fn=pin,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": "timed out"}
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {"error": lines[-1] if lines else f"exit code {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pinned_cpus(threads: int) -> set[int] | None:
    """The CPUs a run with ``threads`` > 0 is pinned to (the first ones this process may use); None for 0
    or where affinity cannot be set. Pinning is what makes "1 core" true for every library (JAX's
    runtime and PyTorch's inter-op pool start threads of their own)."""
    if threads <= 0 or not hasattr(os, "sched_getaffinity"):
        return None
    return set(sorted(os.sched_getaffinity(0))[:threads])


def bytecode_env(env: dict[str, str], cache_dir: str) -> dict[str, str]:
    """``env`` with Python's bytecode cache on, kept in ``cache_dir``: an installed package has its ``.pyc``
    files (pip compiles them), so the import a user waits for is the cached one. A shell that sets
    PYTHONDONTWRITEBYTECODE would otherwise time the compiler (~130 ms of chainrule's import here)."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def import_time(lib: str, env: dict[str, str]) -> float:
    """Seconds ``import lib`` takes in a fresh interpreter (interpreter start-up excluded), bytecode cached
    (see :func:`bytecode_env`; the first, compiling import of each library is run and not counted)."""
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


class OtherLoad:
    """CPU time other processes used while the bench ran, in cores (Linux ``/proc/stat``).

    The load average cannot tell: the bench's own runs keep it near their thread count. Here the
    machine's busy time minus this process's and its children's CPU time, divided by wall time.
    """

    def __init__(self) -> None:
        self.t0, self.busy0, self.own0 = time.perf_counter(), self.busy(), self.own()

    @staticmethod
    def busy() -> float | None:
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user..steal, no guest

    @staticmethod
    def own() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def cores(self) -> float | None:
        """Average number of cores busy with other processes since construction (None: unknown)."""
        busy = self.busy()
        if busy is None or self.busy0 is None:
            return None
        return max(0.0, (busy - self.busy0) - (self.own() - self.own0)) / (time.perf_counter() - self.t0)


def median(xs: list[float]) -> float:
    """Median of the finite values (a failed import is NaN); NaN if there are none."""
    ok = [x for x in xs if x == x]
    return statistics.median(ok) if ok else float("nan")


def spread(xs: list[float], f: str) -> str:
    """``median (min–max)`` of ``xs`` formatted with ``f``; just the median for one value."""
    return f.format(median(xs)) + (f" ({f.format(min(xs))}–{f.format(max(xs))})" if len(xs) > 1 else "")


def fmt_rate(runs: list[dict[str, Any]], batch: int = 0) -> str:
    """Median steps/s over the runs with the spread (or, given ``batch``, median samples/s alone)."""
    ok = [r["steps_per_s"] * (batch or 1) for r in runs if "error" not in r]
    if not ok:
        return "error: " + next((r["error"] for r in runs if "error" in r), "no runs")[:60]
    f = "{:,.0f}" if median(ok) >= 100 else "{:,.1f}"
    return f.format(median(ok)) if batch else spread(ok, f)


def pair_ratios(runs: dict[str, list[dict[str, Any]]], num: str = "chainrule", den: str = "torch") -> list[float]:
    """``num``/``den`` steps/s of each round's pair of runs (both must have succeeded)."""
    return [
        a["steps_per_s"] / b["steps_per_s"]
        for a, b in zip(runs.get(num, []), runs.get(den, []))
        if "error" not in a and "error" not in b
    ]


def fmt_rss(runs: list[dict[str, Any]]) -> str:
    """Largest peak RSS over the runs, and (in parentheses) what the workload added after import."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return "-"
    peak = max(r["peak_rss_mb"] for r in ok)
    extra = max(r["peak_rss_mb"] - r["rss_after_import_mb"] for r in ok)
    return f"{peak:.0f} (+{extra:.0f})"


def loss_check(name: str, runs: dict[str, list[dict[str, Any]]]) -> str:
    """Compare the first losses of chainrule (and JAX) with PyTorch's (same weights, same data, same math)."""
    first = {lib: next((r["losses"] for r in rs if "losses" in r), None) for lib, rs in runs.items() if rs}
    if first.get("chainrule") is None or first.get("torch") is None:
        return "n/a"
    b, tol = first["torch"], WORKLOADS[name].rtol
    bad = [
        f"MISMATCH {lib} {first[lib]} vs torch {b}"
        for lib in ("chainrule", "jax")
        if first.get(lib) is not None
        and not all(abs(x - y) <= tol * max(1.0, abs(y)) for x, y in zip(first[lib], b))
    ]
    return bad[0] if bad else f"ok ({first['chainrule'][0]:.5g})"


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny budgets, one round, 1 thread (CI smoke test)")
    ap.add_argument("--only", action="append", metavar="NAME", help="run only this workload (repeatable)")
    ap.add_argument("--all", action="store_true",
                    help="every workload (default: the family rows, without the *_compiled and micro rows)")
    ap.add_argument("--no-jax", action="store_true", help="leave the JAX column out even if jax is installed")
    ap.add_argument("--no-fused", action="store_true",
                    help="chainrule without its fused kernels (CHAINRULE_FUSED=0: NumPy passes, as without numba)")
    ap.add_argument("--threads", default=None, metavar="N[,N...]",
                    help="threads for both libraries, one table each; 0 = library defaults "
                         "(default 1,0; quick 1)")  # fmt: skip
    ap.add_argument("--rounds", type=int, default=None, help="runs per library (default 3, quick 1)")
    ap.add_argument("--budget", type=float, default=None, help="timed seconds per run (default 1.0)")
    ap.add_argument("--warmup", type=float, default=None, help="untimed seconds per run (default 0.3)")
    ap.add_argument("--batch", type=int, default=None, help="override every workload's batch size")
    ap.add_argument("--json", metavar="PATH", help="also write all raw results to PATH")
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = ap.parse_args(argv)
    quick = args.quick
    try:
        args.threads = [int(t) for t in (args.threads or ("1" if quick else "1,0")).split(",") if t]
    except ValueError:
        ap.error(f"--threads: expected integers like 1 or 1,0; got {args.threads!r}")
    if not args.threads or min(args.threads) < 0:
        ap.error(f"--threads: expected integers >= 0 (0 = library default); got {args.threads}")
    args.rounds = args.rounds or (1 if quick else 3)
    args.budget = args.budget if args.budget is not None else (0.1 if quick else 0.5)
    args.warmup = args.warmup if args.warmup is not None else (0.02 if quick else 0.2)
    args.import_reps = 1 if quick else 5
    return args


def family_order(w: Any) -> tuple[int, int]:
    """Sort key: families in the order of their first registration, then the registration order."""
    order = list(WORKLOADS)
    first = {}
    for n in order:
        first.setdefault(WORKLOADS[n].family, order.index(n))
    return first[w.family], order.index(w.name)


def main(argv: list[str] | None = None) -> int:
    t_start = time.perf_counter()
    args = parse(argv)
    if args.list:
        for w in WORKLOADS.values():
            print(f"{w.name:24s} {w.family or '-':12s} batch {w.batch:<5d} {w.about}")
        return 0
    default = sorted((w for w in WORKLOADS.values() if w.family or args.all), key=family_order)
    names = [n for part in args.only or [w.name for w in default] for n in part.split(",") if n]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        print(f"bench: unknown workload(s) {unknown}; expected one of {sorted(WORKLOADS)}", file=sys.stderr)
        return 2
    if args.no_fused:
        os.environ["CHAINRULE_FUSED"] = "0"  # the children inherit it
    libs = [lib for lib in LIBS if importlib.util.find_spec(lib) is not None and not (lib == "jax" and args.no_jax)]
    load0, other = os.getloadavg()[0], OtherLoad()

    results: dict[int, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    for threads in args.threads:
        env = child_env(threads)
        per = results[threads] = {}
        for name in names:
            per[name] = {lib: [] for lib in libs}
            for _ in range(args.rounds):
                for lib in libs:  # A B C A B C ...: drift of the machine hits all alike
                    if lib != "jax" or name in JAX_MAKERS:
                        per[name][lib].append(run_child(lib, name, args, threads, env))
    imports: dict[str, list[float]] = {lib: [] for lib in libs if lib != "jax"}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache_dir:
        env = bytecode_env(child_env(args.threads[0]), cache_dir)
        for lib in imports:
            import_time(lib, env)  # writes the bytecode cache
        for _ in range(args.import_reps):
            for lib in imports:
                imports[lib].append(import_time(lib, env))
    failed = report(args, names, libs, results, imports, (load0, other.cores()))
    print(f"\ntotal bench time: {time.perf_counter() - t_start:.0f} s")
    if args.json:
        raw = {"results": {str(t): r for t, r in results.items()}, "import_s": imports}
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return 1 if failed else 0


def fused_kernels() -> str:
    """Whether the chainrule runs use fused kernels (numba, the ``fast`` extra), as the children see it."""
    if os.environ.get("CHAINRULE_FUSED", "1") == "0":
        return "off (CHAINRULE_FUSED=0)"
    version = metadata_version("numba")
    if version == "not installed":
        return "off (numba is not installed: `pip install -e \".[fast]\"` or bench/requirements.txt)"
    return f"on (numba {version})"


def report(args: argparse.Namespace, names: list[str], libs: list[str], results: Any, imports: Any,
           load: tuple[float, float | None]) -> bool:  # fmt: skip
    """Print the markdown report; True if a run failed or the libraries disagreed."""
    print(f"# chainrule vs PyTorch ({'quick' if args.quick else 'full'} run)\n")
    print(f"- {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, NumPy {metadata_version('numpy')}, "
          f"PyTorch {metadata_version('torch')}, JAX {metadata_version('jax')}")  # fmt: skip
    print(f"- chainrule's fused kernels: {fused_kernels()}")
    print(f"- {args.rounds} fresh process(es) per library, workload and thread setting, alternating; "
          f"{args.warmup:g} s warm-up + {args.budget:g} s timed each")  # fmt: skip
    ncpu = os.cpu_count() or 1
    busy = load[0] > 0.5 * ncpu or (load[1] or 0.0) > 0.2 * ncpu
    other = "unknown" if load[1] is None else f"{load[1]:.2f} cores on average"
    print(
        f"- other processes: load average {load[0]:.2f} before the run; CPU used during it: {other}"
        + ("  **(machine not quiet: numbers are unreliable)**" if busy else "")
    )
    if "torch" not in libs:
        print("- PyTorch is not installed: no ratios")
    if "jax" not in libs:
        print("- JAX column skipped: jax is not installed (or --no-jax); `pip install -r bench/requirements.txt`")
    failed = False
    for threads, per in results.items():
        failed |= table(args, names, libs, threads, per)
    print("\nsteps/s: median over runs (min–max); samples/s: median steps/s × batch; ratio a/b: median (min–max) "
          "of a's steps/s ÷ b's over the runs of one round, > 1 means a is faster; jax: the whole step "
          "(forward, backward, hand-written update) in one jax.jit; target: issue 6's goal for cr/torch; "
          "peak RSS: largest over runs (what the workload added after `import`); worst per family: the "
          "lowest median ratio over the family's shapes, and which shape.\n")  # fmt: skip

    libs = [lib for lib in libs if lib != "jax"]
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
    print("\n\nimport/size: torch / chainrule > 1 means chainrule imports faster / is smaller "
          "(import target: chainrule under 150 ms).")  # fmt: skip
    return failed


def table(args: argparse.Namespace, names: list[str], libs: list[str], threads: int, per: Any) -> bool:
    """One markdown table (one thread setting) and its worst-per-family summary; True on a failure."""
    if threads == 0:
        label = "each library's default (OpenBLAS: all cores; torch: get_num_threads(); JAX: all cores)"
    elif pinned_cpus(threads):
        label = f"{threads} (every process pinned to CPU {sorted(pinned_cpus(threads) or ())})"
    else:
        label = str(threads)
    print(f"\n## threads: {label}\n")
    print(
        "| workload | batch | chainrule steps/s | torch steps/s | jax steps/s | ratio cr/torch | ratio jax/torch | "
        "ratio cr/jax | target | chainrule samples/s | chainrule peak RSS MB | torch peak RSS MB | same loss |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    failed = False
    fams: dict[str, list[tuple[str, dict[str, float]]]] = {}
    for name in names:
        runs = per[name]
        failed |= any("error" in r for rs in runs.values() for r in rs)
        pairs = {k: pair_ratios(runs, *k.split("/")) for k in ("chainrule/torch", "jax/torch", "chainrule/jax")}
        ratio = {k: spread(v, "{:.2f}") if v else "-" for k, v in pairs.items()}
        target = WORKLOADS[name].target
        goal = "-" if target is None else f"≥ {target:g}"
        if target is not None and pairs["chainrule/torch"]:
            goal += " ✓" if median(pairs["chainrule/torch"]) >= target else " ✗"
        check = loss_check(name, runs)
        failed |= check.startswith("MISMATCH")
        batch = args.batch or WORKLOADS[name].batch
        rate = {lib: fmt_rate(runs[lib]) if runs.get(lib) else "-" for lib in LIBS}
        rss = {lib: fmt_rss(runs[lib]) if runs.get(lib) else "-" for lib in LIBS}
        samples = fmt_rate(runs["chainrule"], batch) if runs.get("chainrule") else "-"
        print(f"| {name} | {batch} | {rate['chainrule']} | {rate['torch']} | {rate['jax']} | "
              f"{ratio['chainrule/torch']} | {ratio['jax/torch']} | {ratio['chainrule/jax']} | {goal} | "
              f"{samples} | {rss['chainrule']} | {rss['torch']} | {check} |")  # fmt: skip
        fam = WORKLOADS[name].family or name
        fams.setdefault(fam, []).append((name, {k: median(v) for k, v in pairs.items() if v}))
    print(f"\n### worst ratio per family (threads: {threads or 'default'})\n")
    print("| family | shapes | worst cr/torch | best cr/torch | worst jax/torch | worst cr/jax |")
    print("|---|---:|---:|---:|---:|---:|")
    for fam, rows in fams.items():
        print(f"| {fam} | {len(rows)} | {pick(rows, 'chainrule/torch')} | {pick(rows, 'chainrule/torch', False)} | "
              f"{pick(rows, 'jax/torch')} | {pick(rows, 'chainrule/jax')} |")  # fmt: skip
    return failed


def pick(rows: list[tuple[str, dict[str, float]]], key: str, worst: bool = True) -> str:
    """``value (workload)`` of the lowest (or highest) median ``key`` ratio over a family's rows."""
    have = [(r[key], n) for n, r in rows if key in r]
    if not have:
        return "-"
    v, n = min(have) if worst else max(have)
    return f"{v:.2f} ({n})"


def metadata_version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"
