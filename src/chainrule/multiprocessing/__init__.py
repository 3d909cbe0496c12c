"""``chainrule.multiprocessing``: ``torch.multiprocessing``'s surface over the standard library's.

Everything of Python's ``multiprocessing`` is here under the same names (``Process``, ``Queue``,
``Pool``, ``set_start_method``, ``get_context``, ``cpu_count``...), plus ``spawn``/``start_processes``
(run ``fn(i, *args)`` in ``nprocs`` processes, with the first failure raised in the parent) and the
sharing-strategy switches. Tensors moved to shared memory with ``Tensor.share_memory_()`` (or
``Module.share_memory()``) are seen by every process: forked children share them outright; through
a 'spawn'/'forkserver' start or a ``Queue`` the receiver maps the same memory (its file descriptor
travels with the pickle). Other tensors are copied. That is what Hogwild-style training needs:
``model.share_memory()``, then several ``Process(target=train, args=(model,))`` updating the same
parameters.
"""

import multiprocessing as _mp
from multiprocessing import *  # noqa: F403

from .spawn import (
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    SpawnContext,
    spawn,
    start_processes,
)

__all__ = [
    *_mp.__all__, "set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies", "spawn",
    "start_processes", "ProcessContext", "SpawnContext", "ProcessException", "ProcessRaisedException",
    "ProcessExitedException",
]  # fmt: skip

_ALL_STRATEGIES = {"file_descriptor", "file_system"}
_strategy = "file_descriptor"


def get_all_sharing_strategies() -> set[str]:
    """The sharing strategies this platform accepts: ``{'file_descriptor', 'file_system'}``."""
    return set(_ALL_STRATEGIES)


def get_sharing_strategy() -> str:
    """The current sharing strategy ('file_descriptor' by default)."""
    return _strategy


def set_sharing_strategy(new_strategy: str) -> None:
    """Choose how shared tensors travel between processes, as PyTorch's switch.

    Both strategies behave alike here: a shared tensor lives in an anonymous shared-memory file whose
    descriptor is passed to the receiving process. The setting is kept for programs that read it back.
    """
    global _strategy
    if new_strategy not in _ALL_STRATEGIES:
        raise AssertionError(  # PyTorch's exception class for this check
            f"set_sharing_strategy: invalid sharing strategy {new_strategy!r}, expected one of {sorted(_ALL_STRATEGIES)}"
        )
    _strategy = new_strategy
