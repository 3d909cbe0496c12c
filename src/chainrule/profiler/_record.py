"""How a profile is recorded: while one is on, ``Function.apply`` (every op's forward) is wrapped with a
timer, the autograd engine times each backward node, and ``record_function`` ranges are timed too.

Nothing is wrapped while no profile is on, so ops pay nothing for the profiler's existence; the engine
reads one slot (``function._profiler``) per backward call.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import numpy as np

from ..autograd import function as _function
from ..autograd.function import Function
from ._events import EventList, FunctionEvent

_names: dict[type, str] = {}


def op_name(cls: type) -> str:
    """The event name of an op: ``chainrule::`` and its class name in snake case (``LSTMLayer`` ->
    ``chainrule::lstm_layer``); a custom ``Function`` subclass keeps its class name, as in PyTorch."""
    name = _names.get(cls)
    if name is None:
        if cls.__module__.startswith("chainrule."):
            snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", cls.__name__).lower()
            name = f"chainrule::{snake.lstrip('_')}"
        else:
            name = cls.__name__
        _names[cls] = name
    return name


def _shapes(args: tuple[Any, ...]) -> list[list[int]]:
    """PyTorch's ``input_shapes``: each argument's shape, ``[]`` for a non-tensor."""
    out = []
    for a in args:
        data = getattr(a, "_data", a)
        out.append(list(data.shape) if isinstance(data, np.ndarray) else [])
    return out


def _nbytes(out: Any) -> int:
    """Bytes of the arrays an op returned."""
    outs = out if type(out) is tuple else (out,)
    return sum(int(getattr(o, "_data", o).nbytes) for o in outs if isinstance(getattr(o, "_data", o), np.ndarray))


class Recorder:
    """The events of one recording: each thread keeps a stack of the events open on it, so an event
    started inside another becomes its child."""

    def __init__(self, record_shapes: bool, profile_memory: bool) -> None:
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.t0 = time.perf_counter_ns()
        self.events = EventList()
        self._stacks: dict[int, list[FunctionEvent]] = {}

    def begin(self, name: str, shapes: list[list[int]] | None = None, user: bool = False) -> FunctionEvent:
        """Open an event named ``name`` now, nested in the event open on this thread, if any."""
        tid = threading.get_native_id()
        stack = self._stacks.setdefault(tid, [])
        event = FunctionEvent(len(self.events), name, tid, (time.perf_counter_ns() - self.t0) / 1e3,
                              input_shapes=shapes, is_user_annotation=user)  # fmt: skip
        if stack:
            event.cpu_parent = stack[-1]
            stack[-1].cpu_children.append(event)
        stack.append(event)
        self.events.append(event)
        return event

    def end(self, event: FunctionEvent) -> None:
        """Close ``event`` now (and any event left open inside it)."""
        event.time_range.end = (time.perf_counter_ns() - self.t0) / 1e3
        stack = self._stacks.get(event.thread, [])
        while stack:
            top = stack.pop()
            if top is event:
                break
            top.time_range.end = event.time_range.end

    def finish(self) -> EventList:
        """Close what is still open and return the events, flagged for the table's memory columns."""
        end = (time.perf_counter_ns() - self.t0) / 1e3
        for stack in self._stacks.values():
            for e in stack:
                e.time_range.end = end
            stack.clear()
        self.events._with_memory = self.profile_memory  # type: ignore[attr-defined]
        return self.events


_active: list[Recorder | None] = [None]
_saved_apply: list[Any] = [None]


def current() -> Recorder | None:
    """The recording that is on, if any."""
    return _active[0]


def install(rec: Recorder) -> None:
    """Start timing every op, backward node and ``record_function`` into ``rec``."""
    if _active[0] is not None:
        raise RuntimeError("profiler: a profile is already running; nested profiles are not supported")
    original = Function.__dict__["apply"]
    apply_fn = original.__func__

    def apply(cls: type, *args: Any) -> Any:
        event = rec.begin(op_name(cls), _shapes(args) if rec.record_shapes else None)
        try:
            out = apply_fn(cls, *args)
        finally:
            rec.end(event)
        if rec.profile_memory:
            event.self_cpu_memory_usage = _nbytes(out)
        return out

    apply.__doc__ = apply_fn.__doc__
    _saved_apply[0] = original
    _active[0] = rec
    Function.apply = classmethod(apply)  # type: ignore[method-assign,assignment]
    _function._profiler[0] = rec


def uninstall() -> EventList:
    """Stop timing; return the recorded events."""
    rec = _active[0]
    if rec is None:
        return EventList()
    Function.apply = _saved_apply[0]  # type: ignore[method-assign]
    _function._profiler[0] = None
    _active[0] = _saved_apply[0] = None
    return rec.finish()
