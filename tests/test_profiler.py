"""chainrule.profiler and chainrule.autograd.profiler against torch.profiler: which steps a schedule
records and hands over, what a profile contains (ops, backward nodes, ranges, their nesting and call
counts), the table's columns, and the files it writes."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule.autograd.function import Function
from chainrule.profiler import ProfilerAction, ProfilerActivity, profile, record_function, schedule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


@pytest.mark.parametrize(
    "kw",
    [dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=2, active=1, repeat=2),
     dict(wait=2, warmup=1, active=3, repeat=1, skip_first=3), dict(wait=5, warmup=1, active=1, skip_first=2,
                                                                  skip_first_wait=1)],
)  # fmt: skip
def test_schedule_gives_torchs_actions(kw: dict) -> None:
    ours, theirs = schedule(**kw), torch.profiler.schedule(**kw)
    assert [ours(s).name for s in range(40)] == [theirs(s).name for s in range(40)]


def test_schedule_rejects_bad_arguments_and_warns_without_warmup() -> None:
    with pytest.raises(AssertionError, match="active=0"):
        schedule(wait=1, warmup=1, active=0)
    with pytest.warns(UserWarning, match="warmup"):
        schedule(wait=1, warmup=0, active=1)


def _step_names(events: list) -> list[str]:
    assert all(e.name == "ProfilerStep*" for e in events if e.trace_name.startswith("ProfilerStep#"))
    return sorted({e.trace_name for e in events if e.trace_name.startswith("ProfilerStep#")})


def _train(lib, prof, steps: int) -> None:
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 2)
    for _ in range(steps):
        model(lib.ones(4, 3)).sum().backward()
        prof.step()


def test_scheduled_cycles_record_and_hand_over_the_same_steps_as_torch() -> None:
    kw = dict(wait=1, warmup=1, active=2, repeat=2)
    seen: dict[str, list[list[str]]] = {"cr": [], "torch": []}
    with profile(schedule=schedule(**kw), on_trace_ready=lambda p: seen["cr"].append(_step_names(p.events()))) as p:
        _train(chainrule, p, 10)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], schedule=torch.profiler.schedule(**kw),
                                on_trace_ready=lambda p: seen["torch"].append(_step_names(p.events()))) as q:
        _train(torch, q, 10)  # fmt: skip
    assert seen["cr"] == seen["torch"] == [["ProfilerStep#2", "ProfilerStep#3"], ["ProfilerStep#6", "ProfilerStep#7"]]


def test_profile_counts_forward_ops_backward_nodes_and_ranges() -> None:
    model = chainrule.nn.Linear(4, 3)
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], record_shapes=True) as prof:
        for _ in range(3):
            with record_function("forward_pass"):
                y = model(chainrule.ones(2, 4)).relu().sum()
            y.backward()
    avg = {e.key: e for e in prof.key_averages()}
    assert avg["forward_pass"].count == 3 and avg["chainrule::linear"].count == 3
    assert avg["ReluBackward"].count == 3 and avg["LinearBackward"].count == 3
    ranges = [e for e in prof.events() if e.name == "forward_pass"]
    for r in ranges:  # the range holds the forward ops, not the backward
        assert {c.name for c in r.cpu_children} == {"chainrule::linear", "chainrule::relu", "chainrule::sum"}
        assert r.self_cpu_time_total >= 0 and r.cpu_time_total >= sum(c.cpu_time_total for c in r.cpu_children)
        assert all(c.cpu_parent is r for c in r.cpu_children)
    shapes = prof.key_averages(group_by_input_shape=True)
    assert [e.input_shapes for e in shapes if e.key == "chainrule::linear"] == [[[2, 4], [3, 4], [3]]]
    total = sum(e.self_cpu_time_total for e in prof.events())
    assert prof.events().self_cpu_time_total == pytest.approx(total)
    assert max(r.cpu_time_total for r in ranges) <= total


def test_nested_ops_are_children_and_custom_functions_keep_their_name() -> None:
    class Square(Function):
        """x² as a custom Function."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = chainrule.ones(3, requires_grad=True)
    with profile() as prof:
        Square.apply(x).sum().backward()
    square = [e for e in prof.events() if e.name == "Square"]
    assert len(square) == 1 and [c.name for c in square[0].cpu_children] == ["chainrule::mul"]
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_table_has_torchs_columns_and_sorts() -> None:
    x = chainrule.ones(8, 8, requires_grad=True)
    with profile(profile_memory=True) as prof:
        for _ in range(2):
            (x @ x).tanh().sum().backward()
    text = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=3)
    with torch.profiler.profile(profile_memory=True) as tp:
        torch.ones(2, 2).sum()
    theirs = tp.key_averages().table(row_limit=1)
    header = [h.strip() for h in text.splitlines()[1].split("  ") if h.strip()]
    assert header == [h.strip() for h in theirs.splitlines()[1].split("  ") if h.strip()]
    rows = text.splitlines()[3:6]
    assert len(rows) == 3 and text.rstrip().splitlines()[-1].startswith("Self CPU time total:")
    by_key = {e.key: e.self_cpu_time_total for e in prof.key_averages()}
    listed = [by_key[r.split()[0]] for r in rows]  # the rows, in the table's order
    assert listed == sorted(by_key.values(), reverse=True)[:3]
    mm = next(e for e in prof.key_averages() if e.key == "chainrule::mat_mul")
    assert mm.count == 2 and mm.self_cpu_memory_usage == 2 * 8 * 8 * 4  # two (8, 8) float32 results
    with pytest.raises(AttributeError, match="cannot sort by 'wall_time'"):
        prof.key_averages().table(sort_by="wall_time")


def test_chrome_trace_and_tensorboard_handler_write_json(tmp_path: Path) -> None:
    with profile(schedule=schedule(wait=0, warmup=1, active=1, repeat=2),
                 on_trace_ready=chainrule.profiler.tensorboard_trace_handler(str(tmp_path / "tb"), "w0")) as p:
        _train(chainrule, p, 6)  # fmt: skip
    files = sorted((tmp_path / "tb").glob("w0.*.pt.trace.json"))
    assert len(files) == 2
    doc = json.loads(files[0].read_text())
    names = {e["name"] for e in doc["traceEvents"]}
    assert "chainrule::linear" in names and all(e["ph"] == "X" and e["dur"] >= 0 for e in doc["traceEvents"])
    p.export_chrome_trace(str(tmp_path / "t.json"))
    assert json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    handler = chainrule.profiler.tensorboard_trace_handler(str(tmp_path / "gz"), use_gzip=True)
    handler(p)
    (gz,) = (tmp_path / "gz").glob("*.pt.trace.json.gz")
    assert json.loads(gzip.decompress(gz.read_bytes()))["traceEvents"]


def test_legacy_autograd_profiler() -> None:
    x = chainrule.ones(4, 4, requires_grad=True)
    with chainrule.autograd.profiler.profile(record_shapes=True) as prof:
        with chainrule.autograd.profiler.record_function("step"):
            (x * 2).sum().backward()
    keys = {e.key: e.count for e in prof.key_averages()}
    assert keys["step"] == 1 and keys["chainrule::mul"] == 1 and keys["MulBackward"] == 1
    assert "Self CPU time total" in prof.table() and prof.self_cpu_time_total > 0
    with chainrule.autograd.profiler.profile(enabled=False) as off:
        x.sum()
    with pytest.raises(RuntimeError, match="didn't finish"):
        off.key_averages()


def test_profiling_stops_cleanly() -> None:
    apply_before = Function.__dict__["apply"]
    with pytest.raises(ValueError, match="boom"):
        with profile():
            chainrule.ones(2).sum()
            raise ValueError("boom")
    assert Function.__dict__["apply"] is apply_before
    with profile():
        with pytest.raises(RuntimeError, match="already running"):
            profile().start()
    assert Function.__dict__["apply"] is apply_before
    with record_function("nothing records this"):  # no profile on: a no-op
        chainrule.ones(2).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with profile(schedule=lambda s: ProfilerAction.RECORD_AND_SAVE) as p:
            chainrule.ones(1).sum()
            p.step()
        assert len(p.events()) >= 1
