"""What a profile holds: one ``FunctionEvent`` per timed call (an op, a backward node, a ``record_function``
range), their per-name averages, and the table PyTorch prints.

Times are in microseconds, as in PyTorch. An event's *total* time runs from its start to its end; its
*self* time is the total minus the totals of the events nested directly inside it, so the self times of
all events add up to the time the profile covered once. Memory is the bytes of the arrays an op returned
(its *self* memory) plus those of the ops nested in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg"]

_SORT_KEYS = (
    "cpu_time_total", "self_cpu_time_total", "cpu_time", "count", "cpu_memory_usage", "self_cpu_memory_usage",
    "cuda_time_total", "self_cuda_time_total", "device_time_total", "self_device_time_total",
    "cuda_memory_usage", "self_cuda_memory_usage", "device_memory_usage", "self_device_memory_usage",
)  # fmt: skip


class _Interval:
    """``start`` and ``end`` of an event, µs since the profile began; ``elapsed_us()`` is their difference."""

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end

    def elapsed_us(self) -> float:
        """end − start, in microseconds."""
        return self.end - self.start


class FunctionEvent:
    """One timed call: an op's forward (``chainrule::matmul``), a backward node (``MmBackward``) or a
    ``record_function`` range, with its nested events (``cpu_children``) and the one it is nested in."""

    def __init__(self, id: int, name: str, thread: int, start_us: float, end_us: float = 0.0,
                 input_shapes: list[list[int]] | None = None, self_memory: int = 0,
                 is_user_annotation: bool = False) -> None:  # fmt: skip
        self.id, self.thread = id, thread
        self.trace_name = name  # the step ranges are named ProfilerStep#N in the trace, grouped in tables:
        self.name = "ProfilerStep*" if name.startswith("ProfilerStep#") else name
        self.time_range = _Interval(start_us, end_us)
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.self_cpu_memory_usage = self_memory
        self.is_user_annotation = is_user_annotation
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.count = 1
        self.flops = 0
        self.device_type = "CPU"
        self.stack: list[str] = []

    @property
    def key(self) -> str:
        """The name events are grouped by in :meth:`EventList.key_averages`."""
        return self.name

    @property
    def cpu_time_total(self) -> float:
        """µs from the event's start to its end, nested events included."""
        return self.time_range.elapsed_us()

    @property
    def cpu_time(self) -> float:
        """µs per call (one call: the total)."""
        return self.cpu_time_total

    @property
    def self_cpu_time_total(self) -> float:
        """µs spent in this event and not in the events nested in it."""
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_memory_usage(self) -> int:
        """Bytes returned by this op and by the ops nested in it."""
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    # no accelerator: every device column is zero, as PyTorch prints for a CPU-only profile
    cuda_time_total = self_cuda_time_total = device_time_total = self_device_time_total = 0.0
    cuda_memory_usage = self_cuda_memory_usage = device_memory_usage = self_device_memory_usage = 0

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time={_format_time(self.cpu_time_total)} "
                f"self_cpu_time={_format_time(self.self_cpu_time_total)} input_shapes={self.input_shapes} "
                f"thread={self.thread}>")  # fmt: skip


class FunctionEventAvg:
    """The events of one name (and input shapes, when grouped by them), summed: ``count`` calls taking
    ``cpu_time_total`` µs in all, ``cpu_time`` µs per call."""

    def __init__(self, key: str, input_shapes: list[list[int]] | None = None) -> None:
        self.key = self.name = key
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.is_user_annotation = False
        self.flops = 0
        self.stack: list[str] = []

    def add(self, event: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        """Add one event's (or another average's) calls, times and memory to this one."""
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.cpu_memory_usage += event.cpu_memory_usage
        self.self_cpu_memory_usage += event.self_cpu_memory_usage
        self.is_user_annotation = event.is_user_annotation
        return self

    @property
    def cpu_time(self) -> float:
        """µs per call: cpu_time_total / count."""
        return self.cpu_time_total / self.count if self.count else 0.0

    cuda_time_total = self_cuda_time_total = device_time_total = self_device_time_total = 0.0
    cuda_memory_usage = self_cuda_memory_usage = device_memory_usage = self_device_memory_usage = 0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_format_time(self.self_cpu_time_total)} "
                f"cpu_time={_format_time(self.cpu_time)} input_shapes={self.input_shapes} count={self.count}>")


class EventList(list):
    """The events of a profile (a list), with PyTorch's summaries: :meth:`key_averages`, :meth:`table`,
    :meth:`total_average`, :meth:`export_chrome_trace` and ``self_cpu_time_total``."""

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0) -> EventList:
        """One :class:`FunctionEventAvg` per event name (per name and input shapes when
        ``group_by_input_shape``), in order of first appearance."""
        groups: dict[Any, FunctionEventAvg] = {}
        for e in self:
            shapes = e.input_shapes if group_by_input_shape else None
            k = (e.key, str(shapes)) if group_by_input_shape else e.key
            if k not in groups:
                groups[k] = FunctionEventAvg(e.key, shapes)
            groups[k].add(e)
        out = EventList(groups.values())
        out._grouped_by_shape = group_by_input_shape  # type: ignore[attr-defined]
        return out

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one average named ``"Total"``."""
        total = FunctionEventAvg("Total")
        for e in self:
            total.add(e)
        return total

    @property
    def self_cpu_time_total(self) -> float:
        """µs: the sum of the events' self times (the time the profile covered, counted once)."""
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_src_column_width: int = 75,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False) -> str:  # fmt: skip
        """The events as PyTorch's text table, sorted by ``sort_by`` (descending; e.g. ``"cpu_time_total"``,
        ``"self_cpu_time_total"``, ``"count"``), at most ``row_limit`` rows."""
        rows = list(self)
        if top_level_events_only:
            rows = [e for e in rows if getattr(e, "cpu_parent", None) is None]
        if sort_by is not None:
            if sort_by not in _SORT_KEYS:
                raise AttributeError(
                    f"EventList.table: cannot sort by {sort_by!r}; expected one of {', '.join(_SORT_KEYS)}"
                )
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        return _table(rows, self.self_cpu_time_total, header, max_name_column_width,
                      getattr(self, "_grouped_by_shape", False), getattr(self, "_with_memory", False))  # fmt: skip

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace (JSON; open it in chrome://tracing or Perfetto), atomically."""
        from ..io._atomic import atomic_write

        atomic_write(path, json.dumps(chrome_trace(self)).encode())

    def __str__(self) -> str:
        return self.table()


def chrome_trace(events: Iterable[FunctionEvent]) -> dict[str, Any]:
    """The Chrome trace-event document of ``events``: one complete ("X") event each, times in µs."""
    import os

    trace = [
        {"ph": "X", "cat": "user_annotation" if e.is_user_annotation else "cpu_op", "name": e.trace_name,
         "pid": os.getpid(), "tid": e.thread, "ts": e.time_range.start, "dur": e.cpu_time_total,
         "args": {"Input Dims": e.input_shapes} if e.input_shapes else {}}
        for e in events
    ]  # fmt: skip
    return {"traceEvents": trace, "displayTimeUnit": "ms"}


def _format_time(us: float) -> str:
    """µs as PyTorch prints them: ``12.345us``, ``1.234ms``, ``2.000s``."""
    if abs(us) >= 1e6:
        return f"{us / 1e6:.3f}s"
    if abs(us) >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _format_memory(nbytes: float) -> str:
    """Bytes as PyTorch prints them: ``512 B``, ``1.50 KB``, ``3.00 MB``, ``1.00 GB``."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{int(nbytes)} B"


def _percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "0.00%"


def _table(rows: list[Any], total: float, header: str | None, name_width: int, shapes: bool,
           memory: bool) -> str:  # fmt: skip
    """PyTorch's profiler table: name, self and total CPU time (with % of the profile), average per call,
    memory (when profiled), calls, and input shapes (when grouped by them); then the total self time."""
    cols = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if memory:
        cols += ["CPU Mem", "Self CPU Mem"]
    cols.append("# of Calls")
    if shapes:
        cols.append("Input Shapes")
    cells = []
    for e in rows:
        name = e.key if len(e.key) <= name_width else e.key[: name_width - 3] + "..."
        row = [name, _percent(e.self_cpu_time_total, total), _format_time(e.self_cpu_time_total),
               _percent(e.cpu_time_total, total), _format_time(e.cpu_time_total), _format_time(e.cpu_time)]
        if memory:
            row += [_format_memory(e.cpu_memory_usage), _format_memory(e.self_cpu_memory_usage)]
        row.append(str(e.count))
        if shapes:
            row.append(str(e.input_shapes))
        cells.append(row)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) + 2 for i, c in enumerate(cols)]
    line = "  ".join("-" * w for w in widths)

    def fmt(row: list[str]) -> str:
        return "  ".join(c.rjust(w) for c, w in zip(row, widths))

    out = ([header] if header else []) + [line, fmt(cols), line] + [fmt(r) for r in cells] + [line]
    out.append(f"Self CPU time total: {_format_time(total)}")
    return "\n".join(out) + "\n"
