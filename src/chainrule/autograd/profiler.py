"""``torch.autograd.profiler``: the older profiler interface, on the same recording as
:mod:`chainrule.profiler`.

    with chainrule.autograd.profiler.profile(record_shapes=True) as prof:
        loss = model(x).sum(); loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))
"""

from __future__ import annotations

from typing import Any

from ..profiler import _record
from ..profiler import record_function as record_function
from ..profiler._events import EventList, FunctionEvent, FunctionEventAvg

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "profile", "record_function"]


class profile:
    """Record every op, backward node and ``record_function`` range run inside it (CPU only).

    ``enabled=False`` makes it do nothing. ``record_shapes`` keeps input shapes, ``profile_memory`` the
    bytes each op returned; ``use_cuda``/``use_device``, ``with_stack``, ``with_flops``,
    ``with_modules`` and ``use_kineto`` are accepted (nothing to record for them here). The results:
    ``function_events``, ``key_averages()``, ``table()``, ``total_average()``, ``self_cpu_time_total``,
    ``export_chrome_trace(path)``.
    """

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, use_device: str | None = None,
                 record_shapes: bool = False, with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False, use_kineto: bool = False,
                 use_cpu: bool = True, experimental_config: Any = None, acc_events: bool = False,
                 custom_trace_id_callback: Any = None) -> None:  # fmt: skip
        self.enabled, self.record_shapes, self.profile_memory = enabled, record_shapes, profile_memory
        self.function_events: EventList | None = None
        self._entered = False

    def __enter__(self) -> profile:
        if self._entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self._entered = True
        if self.enabled:
            _record.install(_record.Recorder(self.record_shapes, self.profile_memory))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.function_events = _record.uninstall()

    def _events(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:  # fmt: skip
        """The events averaged per name (and per input shapes with ``group_by_input_shape``)."""
        averages = self._events().key_averages(group_by_input_shape, group_by_stack_n)
        averages._with_memory = self.profile_memory  # type: ignore[attr-defined]
        return averages

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_src_column_width: int = 75,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False) -> str:  # fmt: skip
        """The events as PyTorch's text table (see :meth:`EventList.table`)."""
        return self._events().table(sort_by, row_limit, max_src_column_width, max_name_column_width,
                                    max_shapes_column_width, header, top_level_events_only)  # fmt: skip

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one average."""
        return self._events().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """µs: the sum of the events' self times."""
        return self._events().self_cpu_time_total

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace JSON file, atomically."""
        self._events().export_chrome_trace(path)

    def __str__(self) -> str:
        return self.table()
