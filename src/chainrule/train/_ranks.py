"""Data-parallel training needs every rank to take the same number of steps: each step's gradient
allreduce pairs with the same step on every other rank. A rank with fewer batches would pair its
next epoch's steps with another rank's last ones (silently wrong) and finally wait forever."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_same_batch_counts"]


def check_same_batch_counts(model: Any, plan: list[Any] | None, loader: Any) -> None:
    """Raise a UserError on every rank unless all ranks of ``model``'s (a DistributedDataParallel)
    group have the same number of batches this epoch (``plan``, else ``len(loader)``)."""
    if getattr(model, "world_size", 1) <= 1:
        return
    try:
        n = len(plan) if plan is not None else len(loader)
    except TypeError:  # an iterable without a length: nothing to compare
        return
    from ..distributed import ReduceOp, all_reduce, get_rank

    extremes = np.array([n, -n], dtype=np.int64)
    all_reduce(extremes, ReduceOp.MAX)  # one collective: the largest and the smallest count
    most, fewest = int(extremes[0]), int(-extremes[1])
    if most != fewest:
        from ..errors import UserError

        raise UserError(
            f"Trainer.fit: the ranks have different numbers of batches per epoch (from {fewest} to {most}; rank "
            f"{get_rank()} has {n}), but every step averages the gradients over all ranks, so each rank must take "
            "the same number of steps. Give every rank an equal share of the data: use "
            "chainrule.utils.data.distributed.DistributedSampler(dataset) as the DataLoader's sampler (it pads "
            "the shares to equal length), or drop_last=True with equal-sized shards."
        )
