"""Without mpiexec: the process group has one rank and everything degrades to no-ops."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta

import numpy as np
import pytest

import chainrule
import chainrule.distributed as dist
from chainrule import nn
from chainrule.nn.parallel import DistributedDataParallel

LAUNCHER_VARS = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")


@pytest.fixture
def no_mpi(monkeypatch: pytest.MonkeyPatch):
    """A process not started by mpiexec, as if mpi4py were not installed (MPI is never initialized here)."""
    for v in LAUNCHER_VARS:
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    dist.destroy_process_group()
    yield
    dist.destroy_process_group()


def test_world_of_one_without_mpi4py(no_mpi) -> None:
    assert not dist.is_initialized() and not dist.is_available()
    dist.init_process_group(backend="mpi", timeout=timedelta(seconds=5))
    assert dist.is_initialized() and (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (0, 1, "mpi")
    t = chainrule.tensor([1.0, 2.0])
    dist.all_reduce(t)
    dist.broadcast(t, src=0)
    dist.barrier()
    assert t.tolist() == [1.0, 2.0]
    work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
    assert work.wait() and work.is_completed()
    objs = [None]
    dist.all_gather_object(objs, {"a": 1})
    assert objs == [{"a": 1}]
    assert dist.is_main_process()


def test_launched_by_mpiexec_without_mpi4py_is_an_error(no_mpi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMI_SIZE", "4")
    with pytest.raises(RuntimeError, match="4 processes, but mpi4py is not installed"):
        dist.init_process_group(backend="mpi")
    assert not dist.is_initialized()


def test_bad_arguments_are_named(no_mpi) -> None:
    with pytest.raises(ValueError, match="get_rank: the default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="backend 'nccl' is not supported"):
        dist.init_process_group(backend="nccl")
    with pytest.raises(TypeError, match="timeout must be a positive datetime.timedelta"):
        dist.init_process_group(timeout=30)
    with pytest.raises(ValueError, match="rank 0 of 1"):
        dist.init_process_group(world_size=2, rank=1)
    dist.init_process_group()
    with pytest.raises(ValueError, match="twice"):
        dist.init_process_group()
    with pytest.raises(TypeError, match="all_reduce: expected a chainrule.Tensor or numpy.ndarray; got list"):
        dist.all_reduce([1.0])
    with pytest.raises(TypeError, match="all_reduce: ReduceOp.AVG needs a floating-point tensor; got dtype int64"):
        dist.all_reduce(chainrule.tensor([1, 2]), op=dist.ReduceOp.AVG)
    with pytest.raises(ValueError, match=r"broadcast: src must be a rank in \[0, 0\]; got 3"):
        dist.broadcast(chainrule.ones(2), src=3)
    with pytest.raises(ValueError, match="device_ids/output_device are for GPUs"):
        DistributedDataParallel(nn.Linear(2, 2), device_ids=[0])
    with pytest.raises(ValueError, match="only the default process group"):
        DistributedDataParallel(nn.Linear(2, 2), process_group=object())
    with pytest.raises(TypeError, match="expected an nn.Module"):
        DistributedDataParallel(lambda x: x)


def test_ddp_needs_a_process_group(no_mpi) -> None:
    with pytest.raises(ValueError, match="DistributedDataParallel: the default process group has not been initialized"):
        DistributedDataParallel(nn.Linear(2, 2))


def test_ddp_of_one_process_trains_like_the_plain_model(no_mpi) -> None:
    dist.init_process_group()
    x = chainrule.randn(16, 3)
    y = chainrule.randn(16, 2)
    chainrule.manual_seed(1)
    plain = nn.Linear(3, 2)
    chainrule.manual_seed(1)
    inner = nn.Linear(3, 2)
    ddp = DistributedDataParallel(inner)
    assert ddp.module is inner and list(ddp.state_dict()) == ["module.weight", "module.bias"]
    for m in (plain, ddp):
        opt = chainrule.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            nn.functional.mse_loss(m(x), y).backward()
            opt.step()
            opt.zero_grad()
    assert np.array_equal(plain.weight.detach().numpy(), inner.weight.detach().numpy())
    with ddp.no_sync():
        assert not ddp.require_backward_grad_sync
    assert ddp.require_backward_grad_sync


def test_trainer_checkpoints_hold_the_plain_model(no_mpi) -> None:
    dist.init_process_group()
    inner = nn.Linear(3, 2)
    ddp = DistributedDataParallel(inner)
    opt = chainrule.optim.SGD(ddp.parameters(), lr=0.1)
    tr = chainrule.train.Trainer(ddp, nn.MSELoss(), opt, progress=False)
    tr.fit([(chainrule.randn(8, 3), chainrule.randn(8, 2))], 1)
    state = tr.state_dict()
    assert sorted(state["model"]) == ["bias", "weight"]
    plain = nn.Linear(3, 2)
    tr2 = chainrule.train.Trainer(plain, nn.MSELoss(), chainrule.optim.SGD(plain.parameters(), lr=0.1), progress=False)
    tr2.load_state_dict(state)                # a distributed run's checkpoint loads into one process
    assert np.array_equal(plain.weight.detach().numpy(), inner.weight.detach().numpy())


def test_rank0_helpers(no_mpi, tmp_path, capsys: pytest.CaptureFixture) -> None:
    calls = []
    f = dist.rank_zero_only(lambda v: calls.append(v) or v)
    assert f(3) == 3 and calls == [3]
    dist.print_rank0("hello", 1)
    assert capsys.readouterr().out == "hello 1\n"
    dist.init_process_group()
    dist.save_on_rank0({"w": chainrule.ones(2)}, str(tmp_path / "w.safetensors"))
    assert chainrule.load(str(tmp_path / "w.safetensors"))["w"].tolist() == [1.0, 1.0]


def test_import_chainrule_does_not_load_mpi4py() -> None:
    code = textwrap.dedent("""
        import sys, chainrule, chainrule.distributed, chainrule.nn.parallel, chainrule.utils.data.distributed
        assert chainrule.nn.parallel.DistributedDataParallel is not None
        assert chainrule.utils.data.DistributedSampler is chainrule.utils.data.distributed.DistributedSampler
        print("mpi4py" in sys.modules)
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"


def test_model_checkpoint_writes_on_rank_0_only(no_mpi, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = [(chainrule.randn(4, 3), chainrule.randn(4, 2))]
    for rank0, folder in ((True, tmp_path / "rank0"), (False, tmp_path / "rank1")):
        monkeypatch.setattr(dist, "is_main_process", lambda r=rank0: r)
        model = nn.Linear(3, 2)
        cb = chainrule.train.ModelCheckpoint(folder)
        tr = chainrule.train.Trainer(model, nn.MSELoss(), chainrule.optim.SGD(model.parameters(), lr=0.1),
                                     callbacks=[cb], progress=False)
        tr.fit(data, 2)
    assert sorted(p.name for p in (tmp_path / "rank0").iterdir()) == [
        "epoch_0001.safetensors", "epoch_0002.safetensors", "last.safetensors"]
    assert not (tmp_path / "rank1").exists()
