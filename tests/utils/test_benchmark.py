"""``utils.benchmark`` against ``torch.utils.benchmark``: Measurement statistics and printout from the same raw
times, and Timer's contract (globals, setup, run counts, the methods PyTorch does not offer). No timing asserts."""

from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule
from chainrule.utils import benchmark

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
import torch.utils.benchmark as tbench  # noqa: E402
from torch.utils.benchmark.utils.common import TaskSpec as TorchTaskSpec  # noqa: E402


def _strip_address(text: str) -> str:
    return re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>", "<Measurement>", text)


@pytest.mark.parametrize("raw", [[2.5e-3], [1e-6, 2e-6, 1.5e-6, 9e-6, 1.1e-6], [0.4, 0.41, 0.39, 0.4]])
@pytest.mark.parametrize("spec", [dict(stmt="f(x)", setup="pass"),
                                  dict(stmt="a = 1\nb = a + 1", setup="import math", label="L", sub_label="s",
                                       description="d", num_threads=2)])
def test_measurement_statistics_and_repr_match_torch(raw, spec) -> None:
    ours = benchmark.Measurement(10, list(raw), benchmark.TaskSpec(**spec))
    theirs = tbench.Measurement(10, list(raw), TorchTaskSpec(**spec))
    np.testing.assert_allclose(ours.times, theirs.times)
    for name in ("mean", "median", "iqr"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-12, atol=1e-18)
    assert ours.title == theirs.title
    assert ours.has_warnings == theirs.has_warnings
    assert ours.stmt == theirs.stmt and ours.num_threads == theirs.num_threads
    assert _strip_address(repr(ours)) == _strip_address(repr(theirs))


def test_timer_runs_stmt_with_globals_and_setup() -> None:
    calls = []
    x = chainrule.ones(3)
    m = benchmark.Timer("calls.append(float((x + y).sum()))", setup="y = torch.ones(3)",
                        globals={"calls": calls, "x": x}).timeit(7)
    assert m.number_per_run == 7 and len(m.raw_times) == 1
    assert len(calls) == 7 + 2 and set(calls) == {6.0}  # a warm-up of max(7 // 100, 2) runs first
    assert m.times[0] > 0
    b = benchmark.Timer("sum(range(10))").blocked_autorange(min_run_time=0.01)
    assert b.number_per_run >= 1 and sum(b.raw_times) >= 0.01
    a = benchmark.Timer("sum(range(10))").adaptive_autorange(max_run_time=0.05)
    assert len(a.raw_times) >= 1


def test_timer_refuses_what_torch_refuses() -> None:
    t = benchmark.Timer("pass")
    for lib_timer in (t, tbench.Timer("pass")):
        with pytest.raises(NotImplementedError):
            lib_timer.repeat()
        with pytest.raises(NotImplementedError):
            lib_timer.autorange()
    for bad in (dict(stmt=lambda: None), dict(stmt="pass", global_setup="int x;")):
        with pytest.raises(ValueError):
            benchmark.Timer(**bad)
        with pytest.raises(ValueError):
            tbench.Timer(**bad)
