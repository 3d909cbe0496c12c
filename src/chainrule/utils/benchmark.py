"""``torch.utils.benchmark``: time a Python statement and summarise the runs (``Timer``, ``Measurement``).

``Timer(stmt, setup, globals=...)`` wraps the standard library's ``timeit.Timer``; ``timeit(number)`` runs a
short warm-up then one block of ``number`` executions, ``blocked_autorange`` sizes a block so the timer's own
overhead is negligible and repeats it for at least ``min_run_time`` seconds, ``adaptive_autorange`` repeats until
the interquartile range is within ``threshold`` of the median. A ``Measurement`` holds the per-run times
(``times``, ``mean``, ``median``, ``iqr``) and prints like PyTorch's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import textwrap
import timeit as _timeit
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["Timer", "Measurement", "TaskSpec", "select_unit"]

_IQR_WARN_THRESHOLD = 0.1
_IQR_GROSS_WARN_THRESHOLD = 0.25


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """What was timed: the statement, its setup and the labels a ``Measurement`` prints."""

    stmt: str
    setup: str
    global_setup: str = ""
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        """The label (or the one-line statement), with the sub-label after a colon."""
        sub = f": {self.sub_label}" if self.sub_label else ""
        if self.label is not None:
            return self.label + sub
        if "\n" not in self.stmt:
            return self.stmt + sub
        return f"stmt:{f' ({self.sub_label})' if self.sub_label else ''}\n{textwrap.indent(self.stmt, '  ')}"

    def setup_str(self) -> str:
        """``setup: ...`` unless the setup is empty or ``pass``."""
        if self.setup in ("pass", ""):
            return ""
        return f"setup:\n{textwrap.indent(self.setup, '  ')}" if "\n" in self.setup else f"setup: {self.setup}"

    def summarize(self) -> str:
        """Title, description and setup, one per line."""
        sections = [self.title, self.description or "", self.setup_str()]
        return "\n".join(f"{s}\n" if "\n" in s else s for s in sections if s)


def select_unit(t: float) -> tuple[str, float]:
    """The unit (ns, us, ms or s) that puts ``t`` seconds in [1, 1000), and its scale in seconds."""
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(int(np.log10(t) // 3), "s")
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


@dataclasses.dataclass(repr=False)
class Measurement:
    """The result of a ``Timer`` run: ``raw_times`` are seconds per block of ``number_per_run`` executions."""

    number_per_run: int
    raw_times: list[float]
    task_spec: TaskSpec
    metadata: dict[Any, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if name != "task_spec" and name in TaskSpec.__dataclass_fields__:
            return getattr(self.task_spec, name)
        raise AttributeError(f"'Measurement' object has no attribute '{name}'")

    @property
    def times(self) -> list[float]:
        """Seconds per single execution, one entry per block."""
        return [t / self.number_per_run for t in self.raw_times]

    def _quantile(self, q: float) -> float:
        return float(np.quantile(np.asarray(self.times, dtype=np.float64), q))

    @property
    def median(self) -> float:
        """Median seconds per execution."""
        return self._quantile(0.5)

    @property
    def mean(self) -> float:
        """Mean seconds per execution."""
        return float(np.mean(self.times))

    @property
    def iqr(self) -> float:
        """Interquartile range (75th minus 25th percentile) of the seconds per execution."""
        return self._quantile(0.75) - self._quantile(0.25)

    @property
    def title(self) -> str:
        """The task's title (label or statement)."""
        return self.task_spec.title

    def meets_confidence(self, threshold: float = _IQR_WARN_THRESHOLD) -> bool:
        """Whether the interquartile range is below ``threshold`` times the median."""
        return self.iqr / self.median < threshold

    @property
    def has_warnings(self) -> bool:
        """Whether the spread of the runs is suspiciously large."""
        return bool(self._warnings())

    def _warnings(self) -> list[str]:
        if len(self.times) < 2 or self.meets_confidence(_IQR_WARN_THRESHOLD):
            return []
        why = ("This suggests significant environmental influence."
               if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD) else "This could indicate system fluctuation.")
        return [f"  WARNING: Interquartile range is {self.iqr / self.median * 100:.1f}% of the median measurement.\n"
                f"           {why}"]

    def __repr__(self) -> str:
        n = len(self.times)
        median = self.median
        unit, scale = select_unit(median)
        threads = self.task_spec.num_threads
        lines = [super().__repr__(), self.task_spec.summarize(),
                 f"  {'Median: ' if n > 1 else ''}{median / scale:.2f} {unit}"]
        if n >= 4:
            lines.append(f"  IQR:    {self.iqr / scale:.2f} {unit} ({self._quantile(0.25) / scale:.2f} to "
                         f"{self._quantile(0.75) / scale:.2f})")
        lines.append(f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs "
                     f"{'per measurement,' if n > 1 else ','} {threads} thread{'s' if threads > 1 else ''}")
        return "\n".join(lines + self._warnings()).strip()


@contextlib.contextmanager
def _threads(n: int) -> Iterator[None]:
    from .. import _threads as threads

    before = threads.get_num_threads()
    threads.set_num_threads(n)
    try:
        yield
    finally:
        threads.set_num_threads(before)


class Timer:
    """Times ``stmt`` (a string of Python run with ``globals``, after ``setup``), as ``torch.utils.benchmark.Timer``.

    Example:
        >>> import chainrule
        >>> m = Timer("x + 1", globals={"x": chainrule.ones(3)}).timeit(100)
        >>> m.number_per_run
        100
    """

    def __init__(self, stmt: str = "pass", setup: str = "pass", global_setup: str = "",
                 timer: Callable[[], float] = _timeit.default_timer, globals: dict[str, Any] | None = None,  # noqa: A002
                 label: str | None = None, sub_label: str | None = None, description: str | None = None,
                 env: str | None = None, num_threads: int = 1, language: str = "python") -> None:
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if str(getattr(language, "value", language)).lower() not in ("python", "py"):
            raise ValueError(f"Timer: only Python statements can be timed here; got language={language!r}")
        if global_setup:
            raise ValueError(f"global_setup is C++ only, got `{global_setup}`. Most likely this code can simply "
                             "be moved to `setup`.")
        import chainrule

        self._globals = dict(globals or {})
        self._globals.setdefault("torch", chainrule)
        stmt = textwrap.dedent(stmt)
        stmt = (stmt[1:] if stmt.startswith("\n") else stmt).rstrip()
        setup = textwrap.dedent(setup)
        setup = (setup[1:] if setup.startswith("\n") else setup).rstrip()
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup, label=label,
                                   sub_label=sub_label, description=description, env=env,
                                   num_threads=num_threads)

    def _time(self, number: int) -> float:
        return max(self._timer.timeit(number), 1e-9)

    def timeit(self, number: int = 1000000) -> Measurement:
        """Run ``stmt`` ``number`` times (after a warm-up of ``max(number // 100, 2)`` runs)."""
        with _threads(self._task_spec.num_threads):
            self._time(max(number // 100, 2))
            return Measurement(number, [self._time(number)], self._task_spec)

    def repeat(self, repeat: int = -1, number: int = -1) -> None:
        """Not offered, as in PyTorch: use ``blocked_autorange``."""
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback: Callable[[int, float], Any] | None = None) -> None:
        """Not offered, as in PyTorch: use ``blocked_autorange``."""
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _block_size(self, min_run_time: float) -> int:
        overhead = float(np.median([self._time(0) for _ in range(5)]))
        number = 1
        while True:
            taken = self._time(number)
            if (overhead / taken <= 1e-4 and taken >= min_run_time / 1000) or taken > min_run_time:
                return number
            if number * 10 > 2147483647:
                return number
            number *= 10

    def _loop(self, number: int, stop: Callable[[list[float]], bool], min_run_time: float,
              max_run_time: float | None, callback: Callable[[int, float], Any] | None) -> list[float]:
        times: list[float] = []
        total, can_stop = 0.0, False
        while total < min_run_time or not can_stop:
            spent = self._time(number)
            times.append(spent)
            total += spent
            if callback:
                callback(number, spent)
            can_stop = stop(times)
            if max_run_time and total > max_run_time:
                break
        return times

    def blocked_autorange(self, callback: Callable[[int, float], Any] | None = None,
                          min_run_time: float = 0.2) -> Measurement:
        """Blocks of a size that makes the timer's overhead negligible, repeated for ``min_run_time`` s."""
        with _threads(self._task_spec.num_threads):
            number = self._block_size(min_run_time)
            times = self._loop(number, lambda _: True, min_run_time, None, callback)
        return Measurement(number, times, self._task_spec)

    def adaptive_autorange(self, threshold: float = 0.1, *, min_run_time: float = 0.01, max_run_time: float = 10.0,
                           callback: Callable[[int, float], Any] | None = None) -> Measurement:
        """Repeat blocks until the IQR is below ``threshold`` times the median (or ``max_run_time`` passes)."""
        with _threads(self._task_spec.num_threads):
            number = self._block_size(min_run_time=0.05)

            def stop(times: list[float]) -> bool:
                return len(times) > 3 and Measurement(number, times, self._task_spec).meets_confidence(threshold)

            times = self._loop(number, stop, min_run_time, max_run_time, callback)
        return Measurement(number, times, self._task_spec)
