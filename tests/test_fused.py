"""chainrule._fused: kernels compile with numba when it is installed, and switch off cleanly."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from chainrule import _fused
from chainrule.optim._fused_updates import adam_update

numba_missing = pytest.mark.skipif(_fused._find_numba() is None, reason="numba (the 'fast' extra) is not installed")


def test_override_off_gives_no_kernel() -> None:
    with _fused.override(False):
        assert not _fused.enabled()
        assert adam_update.compiled is None


@numba_missing
def test_override_on_compiles_a_kernel_that_runs() -> None:
    with _fused.override(True):
        k = adam_update.compiled
        assert k is not None
        p, g = np.ones(5, np.float32), np.full(5, 0.5, np.float32)
        m, v = np.zeros(5, np.float32), np.zeros(5, np.float32)
        f = np.float32
        k(p, g, m, v, m[:0], 0, f(0), f(1), f(0.1), f(0.999), f(0.001), f(np.sqrt(0.001)), f(1e-8), f(0.01 / 0.1))
        # one Adam step from zero state moves every θ by −η·sign(g)
        np.testing.assert_allclose(p, 1 - 0.01, rtol=1e-5)
        np.testing.assert_allclose(m, 0.05, rtol=1e-6)
        np.testing.assert_allclose(v, 0.00025, rtol=1e-6)


@numba_missing
@pytest.mark.parametrize(("value", "expected"), [("0", False), ("1", True)])
def test_environment_variable_switches_kernels(value: str, expected: bool) -> None:
    env = dict(os.environ, CHAINRULE_FUSED=value)
    code = "from chainrule import _fused; print(_fused.enabled())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(expected)


def test_importing_chainrule_does_not_import_numba() -> None:
    code = "import sys, chainrule, chainrule.optim; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_kernel_keeps_its_docstring() -> None:
    assert "m ← m + c₁·(g − m)" in adam_update.__doc__
    assert repr(adam_update) == "<fused kernel adam_update>"
