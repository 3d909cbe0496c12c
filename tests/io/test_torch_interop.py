"""Checkpoints cross the border to PyTorch through safetensors, both ways; optimizers resume exactly."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.io as cio

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
st = pytest.importorskip("safetensors.torch")


def _net(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
        nn.Linear(4 * 6 * 6, 16), nn.LayerNorm(16), nn.Tanh(), nn.Linear(16, 3),
    )


def _x():
    return np.random.default_rng(1).standard_normal((5, 1, 6, 6)).astype(np.float32)


def _train_a_little(model, lib):
    """A few steps so BatchNorm's running stats and num_batches_tracked are not the defaults."""
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    x = lib.tensor(_x())
    for _ in range(3):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    model.eval()


def test_chainrule_state_dict_runs_in_torch(tmp_path):
    cr_model = _net(chainrule)
    _train_a_little(cr_model, chainrule)
    path = tmp_path / "model.safetensors"
    chainrule.save(cr_model.state_dict(), path)
    sd = st.load_file(str(path))
    assert list(sd) == list(cr_model.state_dict()) or sorted(sd) == sorted(cr_model.state_dict())
    assert sd["1.num_batches_tracked"].dtype == torch.int64 and sd["1.num_batches_tracked"].item() == 3
    torch_model = _net(torch)
    torch_model.load_state_dict(sd, strict=True)
    torch_model.eval()
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(_x())).numpy()
    np.testing.assert_allclose(cr_model(chainrule.tensor(_x())).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_torch_state_dict_runs_in_chainrule(tmp_path):
    torch.manual_seed(0)
    torch_model = _net(torch)
    _train_a_little(torch_model, torch)
    path = tmp_path / "torch.safetensors"
    st.save_file(torch_model.state_dict(), str(path))
    sd = chainrule.load(path)
    assert type(sd) is dict and set(sd) == set(torch_model.state_dict())
    assert all(isinstance(v, chainrule.Tensor) for v in sd.values())
    cio.check_compatible(_net(chainrule), sd)
    cr_model = _net(chainrule)
    cr_model.load_state_dict(sd)
    cr_model.eval()
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(_x())).numpy()
    np.testing.assert_allclose(cr_model(chainrule.tensor(_x())).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_nested_checkpoint_is_readable_by_torch_under_slash_keys(tmp_path):
    m = chainrule.nn.Linear(2, 3)
    opt = chainrule.optim.Adam(m.parameters())
    m(chainrule.ones(1, 2)).sum().backward()
    opt.step()
    chainrule.save({"model": m.state_dict(), "optimizer": opt.state_dict(), "epoch": 1}, tmp_path / "c.safetensors")
    sd = st.load_file(str(tmp_path / "c.safetensors"))
    assert {"model/weight", "model/bias", "optimizer/state/0/exp_avg", "optimizer/state/1/exp_avg_sq"} <= set(sd)
    np.testing.assert_array_equal(sd["model/weight"].numpy(), m.weight.detach().numpy())


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"])
def test_torch_dtypes(name, tmp_path):
    t = (torch.randn(3, 4) * 50).to(getattr(torch, name))
    st.save_file({"t": t, "z": torch.zeros(0, 2, dtype=t.dtype), "s": t[0, 0].clone()}, str(tmp_path / "d.st"))
    out = chainrule.load(tmp_path / "d.st")
    assert out["t"].dtype is getattr(chainrule, name) and out["z"].shape == (0, 2) and out["s"].shape == ()
    np.testing.assert_array_equal(out["t"].numpy(), t.numpy())


def test_bfloat16_widens_to_float32_exactly_and_unsigned_to_int64(tmp_path):
    t = torch.randn(4, 5).to(torch.bfloat16)
    u = torch.tensor([0, 7, 65535], dtype=torch.uint16)
    st.save_file({"b": t, "b0": t[0, 0].clone(), "u": u}, str(tmp_path / "bf.st"))
    out = chainrule.load(tmp_path / "bf.st")
    assert out["b"].dtype is chainrule.float32 and out["b0"].shape == ()
    np.testing.assert_array_equal(out["b"].numpy(), t.float().numpy())
    assert out["u"].dtype is chainrule.int64 and out["u"].tolist() == [0, 7, 65535]


def test_unrepresentable_dtype_is_a_clear_error(tmp_path):
    st.save_file({"w": torch.zeros(2, dtype=torch.float8_e4m3fn)}, str(tmp_path / "f8.st"))
    with pytest.raises(cio.CheckpointError, match=r"'w' has dtype F8_E4M3.*v\.float\(\)"):
        chainrule.load(tmp_path / "f8.st")


def _setup(seed):
    chainrule.manual_seed(seed)
    model = chainrule.nn.Sequential(chainrule.nn.Linear(4, 8), chainrule.nn.ReLU(), chainrule.nn.Linear(8, 2))
    opt = chainrule.optim.Adam(model.parameters(), lr=0.01, weight_decay=0.01, amsgrad=True)
    sched = chainrule.optim.lr_scheduler.WarmupCosineLR(opt, warmup_steps=3, total_steps=12)
    return model, opt, sched


def _steps(model, opt, sched, start, n):
    rng = np.random.default_rng(start)
    for _ in range(n):
        x = chainrule.tensor(rng.standard_normal((6, 4)).astype(np.float32))
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        sched.step()


@pytest.mark.parametrize("kind", ["adam", "sgd"])
def test_optimizer_and_scheduler_resume_bit_exactly(kind, tmp_path):
    model, opt, sched = _setup(0)
    if kind == "sgd":
        opt = chainrule.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
        sched = chainrule.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    _steps(model, opt, sched, 0, 4)
    chainrule.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
                   tmp_path / "ckpt.safetensors")
    _steps(model, opt, sched, 4, 5)
    expected = [p.detach().numpy().copy() for p in model.parameters()]

    model2, opt2, sched2 = _setup(99)
    if kind == "sgd":
        opt2 = chainrule.optim.SGD(model2.parameters(), lr=0.5)
        sched2 = chainrule.optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    ckpt = chainrule.load(tmp_path / "ckpt.safetensors")
    assert set(ckpt["optimizer"]["state"]) == {0, 1, 2, 3}
    cio.check_compatible(model2, ckpt["model"])
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    _steps(model2, opt2, sched2, 4, 5)
    for a, b in zip(expected, model2.parameters()):
        np.testing.assert_array_equal(a, b.detach().numpy())  # bit for bit
