"""Smoke test of ``python -m bench``: the quick run of one workload prints the report table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the benchmark compares against PyTorch (test extra torch==2.13.0)")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.torch
def test_quick_bench_prints_table() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "elementwise_chain"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, f"bench failed:\n{proc.stdout}\n{proc.stderr}"
    lines = proc.stdout.splitlines()
    header = next(ln for ln in lines if ln.startswith("| workload |"))
    assert "ratio cr/torch" in header
    row = next(ln for ln in lines if ln.startswith("| elementwise_chain |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert float(cells[4]) > 0, row  # the ratio: both libraries ran
    assert cells[7].startswith("ok"), row  # both computed the same loss
    assert any(ln.startswith("| `import` time") for ln in lines)


def test_unknown_workload_is_rejected() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "no_such_workload"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "unknown workload" in proc.stderr
