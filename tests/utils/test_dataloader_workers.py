"""DataLoader(num_workers>0): real worker processes give the batches num_workers=0 gives, and clean up."""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import chainrule
from chainrule.utils import data as cdata

from . import _worker_datasets as wd


def _children() -> set[int]:
    """Pids whose parent is this process, from /proc (zombies included: they are still listed)."""
    me, kids = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and not _is_resource_tracker(entry):
                kids.add(int(entry))
    return kids


def _is_resource_tracker(pid: str) -> bool:
    """The standard library's helper that 'spawn' starts once and keeps for the process's life."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"resource_tracker" in f.read()
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _clean_process_tree():
    """Every test leaves no worker behind: no live child, no zombie."""
    before = _children()
    yield
    gc.collect()
    assert multiprocessing.active_children() == []
    assert _children() - before == set()


def _batches(loader) -> list:
    """Batches as plain nested Python values (tensors -> lists), pids dropped."""

    def plain(b):
        if isinstance(b, chainrule.Tensor):
            return b.tolist()
        if isinstance(b, dict):
            return {k: plain(v) for k, v in b.items() if k != "pid"}
        if isinstance(b, (list, tuple)):
            return type(b)(plain(v) for v in b)
        return b

    return [plain(b) for b in loader]


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize(("batch_size", "drop_last"), [(4, False), (4, True), (1, False)])
def test_shuffled_batches_equal_the_main_process_ones(workers, batch_size, drop_last) -> None:
    ds = wd.Squares(23)
    runs = []
    for n in (0, workers):
        g = chainrule.Generator().manual_seed(7)
        loader = cdata.DataLoader(ds, batch_size=batch_size, shuffle=True, drop_last=drop_last, generator=g,
                                  num_workers=n)
        runs.append([_batches(loader), _batches(loader)])  # two epochs from the same generator
    assert runs[0] == runs[1]
    ys = [y for b in runs[0][0] for y in b["y"]]
    assert len(set(ys)) == len(ys) == (20 if drop_last and batch_size == 4 else 23)
    assert ys != sorted(ys)  # really shuffled


def test_batches_come_from_the_workers() -> None:
    pids = {p for b in cdata.DataLoader(wd.Squares(12), batch_size=2, num_workers=2) for p in b["pid"].tolist()}
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.parametrize("kwargs", [
    {"batch_size": None},
    {"batch_size": 3, "collate_fn": wd.pair_collate},
    {"batch_sampler": cdata.BatchSampler(cdata.SequentialSampler(range(10)), 4, False)},
    {"sampler": [5, 1, 4, 4, 0], "batch_size": 2},
])
def test_sampling_options_equal_the_main_process(kwargs) -> None:
    ds = wd.Squares(10)
    assert _batches(cdata.DataLoader(ds, num_workers=2, **kwargs)) == _batches(cdata.DataLoader(ds, **kwargs))


def test_tensor_dataset_and_in_order_false() -> None:
    ds = cdata.TensorDataset(chainrule.arange(40.0).reshape(20, 2), chainrule.arange(20))
    main = _batches(cdata.DataLoader(ds, batch_size=3))
    assert _batches(cdata.DataLoader(ds, batch_size=3, num_workers=2, pin_memory=True, prefetch_factor=1)) == main
    unordered = _batches(cdata.DataLoader(ds, batch_size=3, num_workers=2, in_order=False))
    assert sorted(map(str, unordered)) == sorted(map(str, main))


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_iterable_dataset_shards_itself_as_in_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

    class TorchSharded(wd.Sharded, torch.utils.data.IterableDataset):
        pass

    for workers, bs, drop in [(3, 4, False), (2, None, False)]:
        ours = cdata.DataLoader(wd.Sharded(0, 17), batch_size=bs, drop_last=drop, num_workers=workers)
        ref = torch.utils.data.DataLoader(TorchSharded(0, 17, torch.utils.data.get_worker_info), batch_size=bs,
                                          drop_last=drop, num_workers=workers, multiprocessing_context="fork")
        assert _batches(ours) == [b.tolist() if isinstance(b, torch.Tensor) else b for b in ref]


def test_worker_info_seeds_and_init_fn_as_torch() -> None:
    # the oracle for NumPy's per-worker seed
    _generate_state = pytest.importorskip("torch.utils.data._utils.worker")._generate_state

    assert cdata.get_worker_info() is None
    g = chainrule.Generator().manual_seed(3)
    items = [s for b in cdata.DataLoader(wd.Seeds(), batch_size=None, num_workers=2, generator=g,
                                         worker_init_fn=wd.mark_init) for s in [b]]
    assert [s["id"] for s in items] == [0, 1, 0, 1, 0, 1]
    assert all(s["num_workers"] == 2 and s["same_dataset_type"] for s in items)
    assert [s["init"] for s in items] == [0, 10, 0, 10, 0, 10]
    base = items[0]["seed"]
    assert items[1]["seed"] == base + 1
    again = [s["seed"] for s in cdata.DataLoader(wd.Seeds(), batch_size=None, num_workers=2, generator=g)]
    assert again == [s["seed"] for s in items]  # a pass leaves the generator as it found it: same seeds
    loader = cdata.DataLoader(wd.Seeds(), batch_size=None, num_workers=1)
    first, second = ([s["np"] for s in loader] for _ in range(2))
    assert first != second  # each pass seeds its workers anew: augmentations do not repeat every epoch
    for s in items[:2]:  # first draw of each worker, from generators seeded as PyTorch seeds them
        seed = base + s["id"]
        np.random.seed(_generate_state(base, s["id"]))
        assert s["np"] == np.random.randint(0, 2**31 - 1)
        import random

        assert s["py"] == random.Random(seed).random()
        chainrule.manual_seed(seed)
        assert s["cr"] == chainrule.rand(1).item()
    assert items[0]["np"] != items[1]["np"] and items[0]["cr"] != items[1]["cr"]


@pytest.mark.parametrize(("ds", "exc", "text"), [
    (wd.Failing(5), ValueError, "bad item 5"),
    (wd.Failing(2, KeyError), KeyError, "bad item 2"),
    (wd.TwoArgFailing(0), RuntimeError, "TwoArgError"),
])
def test_worker_error_reraised_with_its_traceback(ds, exc, text) -> None:
    with pytest.raises(exc) as info:
        list(cdata.DataLoader(ds, batch_size=2, num_workers=2))
    msg = str(info.value)
    assert "in DataLoader worker process" in msg and "Traceback" in msg and "__getitem__" in msg and text in msg


def test_worker_init_fn_error() -> None:
    with pytest.raises(OSError, match="Caught OSError in DataLoader worker process 0(.|\n)*cannot open shard 0"):
        list(cdata.DataLoader(wd.Squares(4), num_workers=1, worker_init_fn=wd.failing_init))


def test_error_keeps_the_order_of_the_other_batches() -> None:
    it = iter(cdata.DataLoader(wd.Failing(3), batch_size=None, num_workers=2))
    assert [next(it).item() for _ in range(3)] == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="bad item 3"):
        next(it)
    assert next(it).item() == 4.0  # as PyTorch: the loader goes on after a worker error
    del it


def test_early_break_leaves_nothing_running() -> None:
    for b in cdata.DataLoader(wd.Squares(50), batch_size=2, num_workers=3):  # noqa: B007
        break
    assert b["y"].tolist() == [0, 1]


def test_timeout() -> None:
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        list(cdata.DataLoader(wd.Slow(1.0), num_workers=1, timeout=0.2))
    assert _batches(cdata.DataLoader(wd.Slow(0.01), batch_size=2, num_workers=2, timeout=30)) == [[0.0, 1.0], [2.0, 3.0]]


@pytest.mark.parametrize(("ds", "match"), [
    (wd.Suicidal(3), r"DataLoader worker \(pid \d+\) is killed by signal: Killed"),
    (wd.Exiting(2), r"DataLoader worker \(pid \d+\) exited unexpectedly with exit code 3"),
])
def test_dead_worker_raises_instead_of_hanging(ds, match) -> None:
    with pytest.raises(RuntimeError, match=match):
        list(cdata.DataLoader(ds, batch_size=None, num_workers=2))


def test_persistent_workers_survive_epochs_and_an_early_break() -> None:
    loader = cdata.DataLoader(wd.Squares(10), batch_size=3, num_workers=2, persistent_workers=True)
    first = list(loader)
    pids = {p for b in first for p in b["pid"].tolist()}
    for _ in loader:  # leave the epoch early: results still on their way must not leak into the next
        break
    again = list(loader)
    assert {p for b in again for p in b["pid"].tolist()} == pids
    assert _batches(again) == _batches(first) == _batches(cdata.DataLoader(wd.Squares(10), batch_size=3))
    assert len(multiprocessing.active_children()) == 2
    del loader  # no reference cycle: the workers stop at once, without waiting for the garbage collector
    assert multiprocessing.active_children() == []


def test_persistent_iterable_restarts_the_streams() -> None:
    loader = cdata.DataLoader(wd.Sharded(0, 9), batch_size=2, num_workers=3, persistent_workers=True)
    assert _batches(loader) == _batches(loader) == [[0, 1], [3, 4], [6, 7], [2], [5], [8]]
    del loader
    gc.collect()


def test_spawn_context_with_an_importable_dataset() -> None:
    ds = wd.Squares(7)
    ctx = multiprocessing.get_context("spawn")
    for context in ("spawn", ctx):
        loader = cdata.DataLoader(ds, batch_size=3, num_workers=1, multiprocessing_context=context)
        assert _batches(loader) == _batches(cdata.DataLoader(ds, batch_size=3))


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"num_workers": 2, "timeout": -1}, ValueError, "timeout option should be non-negative"),
    ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified in multiprocessing"),
    ({"num_workers": 1, "prefetch_factor": -1}, ValueError, "prefetch_factor option should be non-negative"),
    ({"persistent_workers": True}, ValueError, "persistent_workers option needs num_workers > 0"),
    ({"multiprocessing_context": "fork"}, ValueError, "can only be used with multi-process loading"),
    ({"num_workers": 1, "multiprocessing_context": "thread"}, ValueError, "should specify a valid start method"),
    ({"num_workers": 1, "multiprocessing_context": 3}, TypeError, "valid context object"),
])
def test_bad_worker_options(kwargs, exc, match) -> None:
    with pytest.raises(exc, match=match):
        cdata.DataLoader(range(4), **kwargs)


_SCRIPT = textwrap.dedent("""
    import sys, time
    import numpy as np
    from chainrule.utils import data as cdata

    class Items(cdata.Dataset):
        def __len__(self):
            return 10**6
        def __getitem__(self, i):
            time.sleep(0.01)
            return np.float32(i)

    loader = cdata.DataLoader(Items(), batch_size=2, num_workers=2, persistent_workers=True)
    it = iter(loader)
    next(it)
    import multiprocessing
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    if sys.argv[1] == "wait":
        for b in it:
            pass
""")


def _gone(pid: int) -> bool:
    """The process no longer runs (no /proc entry, or only a zombie waiting for its new parent)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize("how", ["exit", "ctrl-c"])
def test_interpreter_exit_and_ctrl_c_do_not_hang(how) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT, "wait" if how == "ctrl-c" else "exit"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if how == "ctrl-c":
        assert "KeyboardInterrupt" in err and proc.returncode != 0
    else:
        assert proc.returncode == 0, err
    for pid in pids:  # the workers were reaped by the exiting process (its children, not ours)
        for _ in range(50):
            if _gone(pid):
                break
            import time

            time.sleep(0.1)
        assert _gone(pid)


def test_unpicklable_worker_arguments_under_spawn_fail_at_start() -> None:
    loader = cdata.DataLoader(wd.Squares(4), num_workers=1, multiprocessing_context="spawn",
                              worker_init_fn=lambda i: None)
    with pytest.raises((AttributeError, TypeError, pickle.PicklingError), match="pickle"):
        iter(loader)


def test_worker_info_is_read_only_as_torch() -> None:
    torch_data = pytest.importorskip("torch.utils.data._utils.worker", reason="PyTorch is the oracle")
    for cls in (cdata.WorkerInfo, torch_data.WorkerInfo):
        info = cls(id=1, num_workers=2, seed=5, dataset=None)
        assert (info.id, info.num_workers, info.seed, info.dataset) == (1, 2, 5, None)
        with pytest.raises(AttributeError):
            info.id = 3


def test_empty_dataset_and_len() -> None:
    assert list(cdata.DataLoader(wd.Squares(0), batch_size=2, num_workers=2)) == []
    it = iter(cdata.DataLoader(wd.Squares(7), batch_size=2, num_workers=2))
    assert len(it) == 4 and len(list(it)) == 4
