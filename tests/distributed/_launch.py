"""Launching ``mpiexec -n N python script.py`` from the tests (skipped without mpi4py or an mpiexec)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent / "scripts"


def mpiexec() -> str:
    """The mpiexec beside this Python (the ``mpich`` wheel in a venv), else the one on PATH."""
    pytest.importorskip("mpi4py")
    local = Path(sys.executable).parent / "mpiexec"
    if local.exists():
        return str(local)
    found = shutil.which("mpiexec")
    if found is None:
        pytest.skip("mpiexec (an MPI launcher, e.g. from the mpich wheel) is not installed")
    return found


@dataclass
class Job:
    code: int
    out: str
    err: str
    seconds: float

    def __repr__(self) -> str:
        return f"Job(code={self.code}, seconds={self.seconds:.1f}, out={self.out[-3000:]!r}, err={self.err[-3000:]!r})"

    def results(self) -> dict[int, dict]:
        """Each rank's results, from the one ``RESULT [json, ...]`` line rank 0 printed."""
        return results(self.out)


def results(out: str) -> dict[int, dict]:
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, out[-3000:]
    return {r["rank"]: r for r in json.loads(lines[0][7:])}


def run(args: list[str], n: int = 2, timeout: float = 120, cwd: str | None = None, env: dict | None = None) -> Job:
    """``mpiexec -n n <args>``; ``args[0]`` of ``"python"`` means this interpreter."""
    argv = [sys.executable if a == "python" else a for a in args]
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "PYTHONPATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PYTHONPATH", "")]), **(env or {})}
    t0 = time.perf_counter()
    p = subprocess.run([mpiexec(), "-n", str(n), *argv], capture_output=True, text=True, timeout=timeout,
                       cwd=cwd, env=full_env)
    return Job(p.returncode, p.stdout, p.stderr, time.perf_counter() - t0)


def run_script(name: str, *args: object, n: int = 2, timeout: float = 120, cwd: str | None = None) -> Job:
    return run(["python", str(SCRIPTS / name), *map(str, args)], n=n, timeout=timeout, cwd=cwd)
