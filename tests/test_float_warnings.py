"""Overflow, 0/0 and x/0 give PyTorch's inf/nan without NumPy's RuntimeWarnings; the user's own NumPy
code still warns. Run in a fresh interpreter where every RuntimeWarning is an error (pytest's own
warning filters would otherwise take precedence over the library's)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

CASES = {
    "mul": "lib.tensor([3e38]) * 10",
    "add": "lib.tensor([3e38]) + lib.tensor([3e38])",
    "div_zero": "lib.tensor([1.0, 0.0, -1.0]) / 0",
    "matmul": "lib.tensor([[3e38, 3e38]]) @ lib.tensor([[1.0], [1.0]])",
    "sum": "lib.tensor([3e38, 3e38]).sum()",
    "log": "lib.log(lib.tensor([0.0, -1.0]))",
    "linear_backward": "lib.nn.functional.linear(lib.tensor([[3e38]], requires_grad=True), lib.tensor([[10.0]])).sum().backward()",
}  # fmt: skip

SCRIPT = """
import json, sys, warnings
import {mod} as lib
out = {{}}
for name, expr in json.loads(sys.argv[1]).items():
    r = eval(expr)
    out[name] = None if r is None else r.tolist()
try:
    import numpy as np
    np.float32(3e38) * np.float32(10)
    out["user_numpy_warned"] = False
except RuntimeWarning:
    out["user_numpy_warned"] = True
print(json.dumps(out))
"""


def _run(mod: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c", SCRIPT.format(mod=mod), json.dumps(CASES)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1].replace("Infinity", "1e999").replace("NaN", '"nan"'))


def test_inf_and_nan_results_as_torch_without_warnings() -> None:
    ours, theirs = _run("chainrule"), _run("torch")
    assert ours == theirs
    assert ours["user_numpy_warned"] is True  # the user's NumPy keeps its warnings
