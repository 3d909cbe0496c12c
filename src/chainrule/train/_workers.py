"""Feeding the Trainer's epoch plan through worker processes, seeded as a hand-written loop's workers.

A hand-written ``for xb, yb in loader`` over a DataLoader with ``num_workers > 0`` starts, at each
``iter(loader)``, workers whose base seed comes from the loader's generator (its next draw, read
before the pass's indices are drawn, and not consumed) and the loader's pass count. The Trainer
draws the epoch's index batches itself (its plan), so it first does what ``iter(loader)`` does: it
counts the pass and keeps the generator's state of that moment. The DataLoader it then feeds the
plan through carries the user's loader settings (``num_workers``, ``worker_init_fn``,
``prefetch_factor``, ``persistent_workers``, ``timeout``, ``multiprocessing_context``, ``in_order``,
``pin_memory``) and a generator in that kept state with the same pass count, so its workers get the
very seed the hand-written loop's workers get, and batch ``k`` goes to worker ``k mod num_workers``
as there. ``persistent_workers``: one pool serves every epoch, as the user's loader's pool would.

Resuming mid-epoch: the workers' own random streams (augmentation drawn in ``__getitem__``) have
advanced over the batches already done, and those streams live in processes a checkpoint cannot
hold. The resumed epoch therefore restarts workers from the kept seed, has them compute the done
batches again and drops those, so the remaining batches are bit-identical. With
``persistent_workers`` the original pool had also served the earlier epochs; a resumed run starts
a new pool, so resume is exact there only if the workers draw no random numbers of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._random import Generator, default_generator

_CARRIED = ("num_workers", "worker_init_fn", "prefetch_factor", "persistent_workers", "pin_memory", "timeout",
            "multiprocessing_context", "in_order")


class PlanSampler:
    """A batch sampler that yields the batches it is given (the Trainer sets them for each epoch)."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def __iter__(self) -> Iterator[list[int]]:
        return iter(list(self.batches))

    def __len__(self) -> int:
        return len(self.batches)


class WorkerFeed:
    """The epoch plan of a DataLoader with workers, loaded by workers set up as ``iter(loader)`` would.

    ``begin_pass(loader)`` does ``iter(loader)``'s bookkeeping before the plan is drawn;
    ``batches(loader, plan, step)`` iterates the plan's batches from ``step`` on. ``state_dict`` /
    ``load_state_dict`` carry the kept seed source and the pass count through checkpoints.
    """

    def __init__(self) -> None:
        self.seed_state: Any = None  # the loader generator's state when the pool's first pass began
        self.pass_number = 0  # the loader's pass count at that moment
        self._source: Any = None  # the user's loader the pool below serves
        self._loader: Any = None  # the DataLoader the plan goes through (kept with persistent workers)
        self._plan = PlanSampler()

    def _pool_alive(self, loader: Any) -> bool:
        it = getattr(self._loader, "_iterator", None)
        return self._source is loader and it is not None and not it._shutdown

    def begin_pass(self, loader: Any) -> None:
        """What ``iter(loader)`` does before drawing indices: count the pass; a new pool reads its seed source."""
        loader._passes += 1
        if loader.persistent_workers and self._pool_alive(loader):
            return  # the same workers go on (their seed was drawn when they started)
        gen = loader.generator
        self.seed_state = (default_generator if gen is None else gen).get_state()
        self.pass_number = loader._passes
        self.close()

    def batches(self, loader: Any, plan: list[Any], step: int) -> Iterator[Any]:
        """The plan's batches from ``step`` on; the first ``step`` are computed again by the workers and dropped."""
        from ..utils.data import DataLoader

        self._plan.batches = [b.tolist() for b in plan]
        if step or not (loader.persistent_workers and self._pool_alive(loader)):  # mid-epoch: as a resume does
            self.close()
            seeds = Generator()
            seeds.set_state(self.seed_state)
            self._loader = DataLoader(loader.dataset, batch_sampler=self._plan, collate_fn=loader.collate_fn,
                                      generator=seeds, **{k: getattr(loader, k) for k in _CARRIED})
            self._loader._passes = self.pass_number - 1  # iter() below counts this pass
            self._source = loader
        it = iter(self._loader)
        try:
            for _ in range(step):
                next(it)
            yield from it
        finally:
            if not loader.persistent_workers:
                it.shutdown()

    def close(self) -> None:
        """Stop the kept pool of workers, if any."""
        it = getattr(self._loader, "_iterator", None)
        if it is not None:
            it.shutdown()
        self._loader = self._source = None

    def state_dict(self, loader: Any) -> dict[str, Any]:
        """The pass count of ``loader`` and the seed source of the current pool (for a checkpoint)."""
        return {"passes": int(loader._passes), "pass_number": int(self.pass_number),
                "seed_state": self.seed_state}

    def load_state_dict(self, loader: Any, state: dict[str, Any]) -> None:
        """Restore ``state_dict``: ``loader`` continues counting passes where the checkpointed run was."""
        loader._passes = int(state["passes"])
        self.pass_number = int(state["pass_number"])
        self.seed_state = state["seed_state"]
        self.close()
