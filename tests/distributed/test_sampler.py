"""DistributedSampler: partition, padding, drop_last and epochs (PyTorch's sampler as the oracle)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.utils.data import DataLoader, TensorDataset
from chainrule.utils.data.distributed import DistributedSampler


def shares(n: int, world: int, **kw) -> list[list[int]]:
    return [list(DistributedSampler(range(n), num_replicas=world, rank=r, **kw)) for r in range(world)]


@pytest.mark.parametrize("world", [1, 2, 3, 4])
def test_covers_the_dataset_exactly_once_per_epoch(world: int) -> None:
    n = 24
    for epoch in range(3):
        parts = [DistributedSampler(range(n), num_replicas=world, rank=r, seed=7) for r in range(world)]
        for s in parts:
            s.set_epoch(epoch)
        got = [i for s in parts for i in s]
        assert sorted(got) == list(range(n))
        assert {len(list(s)) for s in parts} == {n // world}


def test_epochs_and_seeds_change_the_order_identically_on_all_ranks() -> None:
    a = DistributedSampler(range(50), num_replicas=2, rank=0, seed=1)
    b = DistributedSampler(range(50), num_replicas=2, rank=1, seed=1)
    first = list(a) + list(b)
    a.set_epoch(1)
    b.set_epoch(1)
    second = list(a) + list(b)
    assert sorted(first) == sorted(second) == list(range(50)) and first != second
    again = DistributedSampler(range(50), num_replicas=2, rank=0, seed=1)
    again.set_epoch(1)
    assert list(again) == list(a)
    assert list(DistributedSampler(range(50), num_replicas=2, rank=0, seed=2)) != first[:25]


@pytest.mark.parametrize("n,world", [(10, 3), (7, 4), (2, 5), (25, 4)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_partition_matches_pytorch(n: int, world: int, drop_last: bool) -> None:
    tdist = pytest.importorskip("torch.utils.data.distributed")
    for r in range(world):
        ours = DistributedSampler(range(n), num_replicas=world, rank=r, shuffle=False, drop_last=drop_last)
        theirs = tdist.DistributedSampler(range(n), num_replicas=world, rank=r, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)


def test_uneven_sizes_pad_or_drop() -> None:
    padded = shares(10, 4, shuffle=True, seed=3)
    flat = [i for p in padded for i in p]
    assert all(len(p) == 3 for p in padded) and len(flat) == 12
    assert set(flat) == set(range(10))                      # every sample, two of them twice
    dropped = shares(10, 4, shuffle=True, seed=3, drop_last=True)
    flat = [i for p in dropped for i in p]
    assert all(len(p) == 2 for p in dropped) and len(set(flat)) == 8


def test_defaults_without_a_process_group_and_bad_ranks() -> None:
    s = DistributedSampler(range(6), shuffle=False)
    assert (s.num_replicas, s.rank, list(s)) == (1, 0, list(range(6)))
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(6), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas must be a positive integer"):
        DistributedSampler(range(6), num_replicas=0, rank=0)


def test_in_a_dataloader_and_the_trainer_sets_the_epoch() -> None:
    x = chainrule.arange(20.0).reshape(20, 1)
    ds = TensorDataset(x, x)
    sampler = DistributedSampler(ds, num_replicas=2, rank=1, seed=5)
    loader = DataLoader(ds, batch_size=4, sampler=sampler)
    seen = []

    class Record(chainrule.train.Callback):
        def on_epoch_begin(self, trainer, epoch, logs):  # noqa: ANN001
            seen.append(sampler.epoch)

    model = chainrule.nn.Linear(1, 1)
    opt = chainrule.optim.SGD(model.parameters(), lr=0.0)
    chainrule.train.Trainer(model, chainrule.nn.MSELoss(), opt, callbacks=[Record()], progress=False).fit(loader, 3)
    assert seen == [0, 1, 2]
    first = [int(v) for xb, _ in loader for v in xb.numpy().ravel()]
    assert len(first) == 10 and len(set(first)) == 10 and np.all(np.isin(first, np.arange(20)))


def test_mid_epoch_resume_redraws_this_ranks_batches() -> None:
    """A checkpoint holds rank 0's batch plan; rank 1 resuming from it continues with its own share."""
    x = chainrule.arange(40.0).reshape(40, 1)
    ds = TensorDataset(x, x)

    class Recorder(chainrule.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = chainrule.nn.Linear(1, 1)
            self.seen: list[int] = []

        def forward(self, xb: chainrule.Tensor) -> chainrule.Tensor:
            self.seen += [int(v) for v in xb.numpy().ravel()]
            return self.lin(xb)

    class StopAfter(chainrule.train.Callback):
        def on_batch_end(self, tr, batch, logs):  # noqa: ANN001
            if tr.epoch == 1 and batch == 1:
                tr.stop_training = True

    def make(rank: int, callbacks: list) -> tuple:
        sampler = DistributedSampler(ds, num_replicas=2, rank=rank, seed=1)
        model = Recorder()
        opt = chainrule.optim.SGD(model.parameters(), lr=0.0)
        tr = chainrule.train.Trainer(model, chainrule.nn.MSELoss(), opt, callbacks=callbacks, progress=False)
        return tr, DataLoader(ds, batch_size=4, sampler=sampler), model

    r0, loader0, _ = make(0, [StopAfter()])
    r0.fit(loader0, 2)                        # epoch 1, then 2 batches of epoch 2
    state = r0.state_dict()
    assert state["in_epoch"] and state["step"] == 2
    r1, loader1, model1 = make(1, [])
    r1.load_state_dict(state)
    r1.stop_training = False                 # r0 was stopped by the callback: carry on
    r1.fit(loader1, 2)
    sampler = DistributedSampler(ds, num_replicas=2, rank=1, seed=1)
    sampler.set_epoch(1)
    assert model1.seen == list(sampler)[8:]   # rank 1's own batches 3..5 of the second epoch
