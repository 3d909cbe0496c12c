"""``torch.profiler`` for chainrule: where the time of a training step goes, op by op.

    with chainrule.profiler.profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with chainrule.profiler.record_function("model_inference"):
            model(x)
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))

Every op's forward is one event (``chainrule::matmul``, ``chainrule::conv2d`` ...; a custom ``Function``
under its class name), every backward node another (``MmBackward`` ...), and ``record_function`` opens a
named range around what it contains. An event's *self* time excludes the events nested in it. With a
``schedule`` the profile records only the steps it says (``prof.step()`` ends each), each cycle handed to
``on_trace_ready`` (e.g. :func:`tensorboard_trace_handler`, which writes a Chrome trace). Only the CPU is
profiled: device activities are accepted and have nothing to record.
"""

from __future__ import annotations

import enum
import functools
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from . import _record
from ._events import EventList, FunctionEvent, FunctionEventAvg

__all__ = [
    "EventList", "FunctionEvent", "FunctionEventAvg", "ProfilerAction", "ProfilerActivity", "profile",
    "record_function", "schedule", "supported_activities", "tensorboard_trace_handler",
]  # fmt: skip


class ProfilerActivity(enum.Enum):
    """What a profile may record. chainrule runs on the CPU, so only ``CPU`` has events."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What the profiler does at a step, as a ``schedule`` returns it."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set[ProfilerActivity]:
    """The activities this build can record: the CPU."""
    return {ProfilerActivity.CPU}


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:  # fmt: skip
    """The step → action function of a cyclic profile: skip ``skip_first`` steps, then cycles of ``wait``
    idle steps, ``warmup`` steps and ``active`` recorded steps (the last one saves), ``repeat`` times
    (0: until the profile ends). ``skip_first_wait`` drops the first cycle's wait."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} (need >= 0), "
            f"active={active} (need > 0), repeat={repeat} (need >= 0), skip_first={skip_first} (need >= 0)."
        )
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results", stacklevel=2)
    cycle = wait + warmup + active

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:
            step += wait
        if repeat > 0 and step / cycle >= repeat:
            return ProfilerAction.NONE
        k = step % cycle
        if k < wait:
            return ProfilerAction.NONE
        if k < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if k < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def _always_record(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


class record_function:
    """A named range in the profile (``with record_function("forward"): ...`` or as a decorator); it
    does nothing while no profile records."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name, self.args = name, args
        self._event: FunctionEvent | None = None
        self._recorder: _record.Recorder | None = None

    def __enter__(self) -> record_function:
        self._recorder = _record.current()
        if self._recorder is not None:
            self._event = self._recorder.begin(self.name, user=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._recorder is not None and self._event is not None:
            self._recorder.end(self._event)
        self._event = self._recorder = None

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapper


class profile:
    """Record the ops, backward nodes and ``record_function`` ranges run inside it (PyTorch's
    ``torch.profiler.profile``): use it as a context manager, or call ``start()``/``stop()``.

    ``record_shapes`` keeps each op's input shapes (``key_averages(group_by_input_shape=True)``);
    ``profile_memory`` counts the bytes each op returned. With ``schedule`` (see :func:`schedule`) only
    the scheduled steps are recorded: call ``step()`` at the end of every step; each finished cycle is
    passed to ``on_trace_ready(prof)``. Without one, everything is recorded and ``on_trace_ready`` runs
    once at the end. ``with_stack``, ``with_flops`` and ``with_modules`` are accepted (no stacks, FLOPs or
    module scopes are collected).
    """

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[[profile], Any] | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config: Any = None,
                 execution_trace_observer: Any = None, acc_events: bool = False,
                 custom_trace_id_callback: Callable[[], str] | None = None,
                 use_cuda: bool | None = None) -> None:  # fmt: skip
        self.activities = set(activities) if activities is not None else supported_activities()
        for a in self.activities:
            if not isinstance(a, ProfilerActivity):
                raise TypeError(f"profile: activities must be ProfilerActivity members, got {a!r}")
        self.schedule = schedule if schedule is not None else _always_record
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.with_stack, self.with_flops, self.with_modules = with_stack, with_flops, with_modules
        self.acc_events = acc_events
        self.step_num = 0
        self.current_action = self.schedule(0)
        self._events = EventList()
        self._step_range: record_function | None = None
        self._running = False

    # -- recording ---------------------------------------------------------------------------------
    def _start_trace(self) -> None:
        if not self._running:
            _record.install(_record.Recorder(self.record_shapes, self.profile_memory))
            self._running = True

    def _stop_trace(self) -> None:
        if self._running:
            events = _record.uninstall()
            self._running = False
            if self.acc_events:
                events = EventList(list(self._events) + list(events))
                events._with_memory = self.profile_memory  # type: ignore[attr-defined]
            self._events = events

    def _trace_ready(self) -> None:
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def _transit(self, prev: ProfilerAction | None, now: ProfilerAction | None) -> None:
        recording = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
        if prev == ProfilerAction.RECORD_AND_SAVE or (now is None and prev == ProfilerAction.RECORD):
            self._stop_trace()
            self._trace_ready()
        elif prev in recording and now not in recording:
            warnings.warn(f"Incorrect schedule: {prev.name} followed by {now.name if now else None}",
                          stacklevel=3)  # fmt: skip
            self._stop_trace()
        if now in recording:
            self._start_trace()

    def start(self) -> None:
        """Begin profiling (``__enter__`` calls it)."""
        self._transit(ProfilerAction.NONE, self.current_action)
        self._open_step_range()

    def stop(self) -> None:
        """End profiling (``__exit__`` calls it); a recording still open is finished and handed over."""
        self._close_step_range()
        self._transit(self.current_action, None)

    def step(self) -> None:
        """Mark the end of a step: the schedule decides whether the next one is recorded."""
        self._close_step_range()
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit(prev, self.current_action)
        self._open_step_range()

    def _open_step_range(self) -> None:
        if self.record_steps and self._running:
            self._step_range = record_function(f"ProfilerStep#{self.step_num}")
            self._step_range.__enter__()

    def _close_step_range(self) -> None:
        if self._step_range is not None:
            self._step_range.__exit__(None, None, None)
            self._step_range = None

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- results -----------------------------------------------------------------------------------
    def events(self) -> EventList:
        """The events of the last finished recording."""
        return self._events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:  # fmt: skip
        """The events averaged per name (and per input shapes with ``group_by_input_shape``)."""
        if group_by_input_shape and not self.record_shapes:
            raise RuntimeError(
                "profile.key_averages(group_by_input_shape=True) needs the profile made with record_shapes=True"
            )
        averages = self._events.key_averages(group_by_input_shape, group_by_stack_n)
        averages._with_memory = self.profile_memory  # type: ignore[attr-defined]
        return averages

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace JSON file (chrome://tracing, Perfetto), atomically."""
        self._events.export_chrome_trace(path)

    def __repr__(self) -> str:
        return f"<chainrule.profiler.profile step={self.step_num} events={len(self._events)}>"


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable[[profile], None]:  # fmt: skip
    """An ``on_trace_ready`` handler that writes each recorded cycle into ``dir_name`` as
    ``<worker_name>.<time in ms>.pt.trace.json`` (``.gz`` with ``use_gzip``), the file TensorBoard's
    profiler plugin reads; ``worker_name`` defaults to ``<hostname>_<pid>``."""
    import gzip
    import json

    from ..io._atomic import atomic_write
    from ._events import chrome_trace

    def handler(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json"
        data = json.dumps(chrome_trace(prof.events())).encode()
        if use_gzip:
            name, data = name + ".gz", gzip.compress(data)
        atomic_write(os.path.join(dir_name, name), data)

    return handler
