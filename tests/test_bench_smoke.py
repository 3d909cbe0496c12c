"""Smoke tests of ``python -m bench``: no timing assertions, only that it runs and compares like with like.

- Every workload, built in this process with chainrule and with PyTorch at a small batch, computes
  the same first losses (the check the runner makes before it reports any timing).
- The quick run of a few workloads prints the report table with a ratio and ``ok`` losses.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip(
    "torch", reason="the benchmark compares against PyTorch (test extra torch==2.13.0)"
)

import chainrule  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.workloads import WORKLOADS  # noqa: E402

ISSUE_TABLE = ["tiny_mlp", "mlp_adam_b32", "mlp_adam_b128", "mlp_adam_b1024", "cnn", "transformer"]


def test_the_issue_workloads_are_registered() -> None:
    assert set(ISSUE_TABLE) <= set(WORKLOADS)
    assert [WORKLOADS[n].batch for n in ISSUE_TABLE] == [32, 32, 128, 1024, 64, 32]


@pytest.mark.torch
@pytest.mark.parametrize("name", list(WORKLOADS))
def test_workload_same_losses_in_both_libraries(name: str) -> None:
    wl = WORKLOADS[name]
    losses = {}
    for lib in (chainrule, torch):
        step = wl.make(lib, 4)  # a small batch: the same code path, a fraction of the time
        losses[lib.__name__] = [float(step().item()) for _ in range(3)]
    for a, b in zip(losses["chainrule"], losses["torch"]):
        assert a == pytest.approx(b, rel=wl.rtol, abs=wl.rtol), losses


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(__import__("bench.workloads_jax").workloads_jax.JAX_MAKERS))
def test_jax_variant_same_losses_as_torch(name: str) -> None:
    pytest.importorskip("jax", reason="the JAX column needs jax (bench/requirements.txt)")
    from bench.workloads_jax import JAX_MAKERS

    step = JAX_MAKERS[name](4)
    ours = [float(step().item()) for _ in range(3)]
    ref = WORKLOADS[name].make(torch, 4)
    theirs = [float(ref().item()) for _ in range(3)]
    assert ours == pytest.approx(theirs, rel=WORKLOADS[name].rtol, abs=WORKLOADS[name].rtol)


def test_every_family_has_several_shapes() -> None:
    families: dict[str, list[str]] = {}
    for w in WORKLOADS.values():
        if w.family:
            families.setdefault(w.family, []).append(w.name)
    assert {"mlp", "cnn", "transformer", "recurrent"} <= set(families)
    for fam in ("mlp", "cnn", "transformer", "recurrent"):
        assert len(families[fam]) >= 2, families
    batches = {WORKLOADS[n].batch for n in families["mlp"]}
    assert min(batches) == 1 and max(batches) == 1024


@pytest.mark.parametrize("name", [n for n in WORKLOADS if n.endswith("_compiled")])
def test_compiled_workloads_replay_without_falling_back(name: str) -> None:
    import warnings

    step = WORKLOADS[name].make(chainrule, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fallback to eager would warn
        for _ in range(4):
            step()


def table_rows(stdout: str) -> list[dict[str, str]]:
    """The rows of the report's workload table(s), as {column header: cell}."""
    lines = stdout.splitlines()
    header = next(ln for ln in lines if ln.startswith("| workload |"))
    keys = [c.strip() for c in header.strip("|").split("|")]
    rows = [ln for ln in lines if ln.startswith("| ") and not ln.startswith("| workload |")]
    out = []
    for ln in rows:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if cells[0] in WORKLOADS:
            out.append(dict(zip(keys, cells)))
    return out


@pytest.mark.torch
def test_quick_bench_prints_table(tmp_path: Path) -> None:
    only = "tiny_mlp"
    raw = tmp_path / "raw.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", only, "--json", str(raw)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, f"bench failed:\n{proc.stdout}\n{proc.stderr}"
    rows = table_rows(proc.stdout)
    assert [r["workload"] for r in rows] == only.split(",")
    for row in rows:
        assert float(row["ratio cr/torch"].split()[0]) > 0, row  # both libraries ran
        assert row["same loss"].startswith("ok"), row  # and computed the same loss
        assert row["target"].startswith("≥"), row
        assert float(row["chainrule samples/s"].replace(",", "")) > 0, row
        assert row["chainrule peak RSS MB"].split()[0].isdigit(), row
    assert "## threads: 1 (every process pinned to CPU" in proc.stdout
    assert "### worst ratio per family (threads: 1)" in proc.stdout
    assert any(ln.startswith("| `import` time") for ln in proc.stdout.splitlines())
    assert "total bench time" in proc.stdout
    import json
    import os

    if hasattr(os, "sched_getaffinity"):  # the 1-core table: every run pinned to one CPU
        runs = json.loads(raw.read_text())["results"]["1"][only]
        assert all(len(r["cpus"]) == 1 for rs in runs.values() for r in rs), runs


def test_unknown_workload_is_rejected() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "no_such_workload"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "unknown workload" in proc.stderr


def test_bad_threads_is_rejected() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--threads", "two", "--only", "tiny_mlp"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--threads" in proc.stderr


def test_import_time_is_measured_with_the_bytecode_cache(tmp_path: Path) -> None:
    """An installed package has its .pyc files; the import timing must not time the compiler, even when the
    shell sets PYTHONDONTWRITEBYTECODE, and must not write caches into the source tree."""
    from bench.runner import bytecode_env, import_time

    env = bytecode_env({"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin"}, str(tmp_path))
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["PYTHONPYCACHEPREFIX"] == str(tmp_path)
    assert import_time("json", env) > 0
    assert list(tmp_path.rglob("json/__init__*.pyc")), "the child wrote no bytecode to the cache folder"
