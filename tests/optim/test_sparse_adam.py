"""SparseAdam on an embedding beside PyTorch's ``nn.Embedding(sparse=True)``: only looked-up rows move."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _run(lib, kwargs, dtype, steps=100):
    rng = np.random.default_rng(5)
    weight = rng.standard_normal((12, 4)).astype(dtype)
    head = rng.standard_normal((4, 1)).astype(dtype)
    sparse = {"sparse": True} if lib is torch else {}
    emb = lib.nn.Embedding(12, 4, **sparse).to(getattr(lib, dtype))
    with lib.no_grad():
        emb.weight.copy_(lib.tensor(weight))
    w_head = lib.nn.Parameter(lib.tensor(head))
    opt = lib.optim.SparseAdam(list(emb.parameters()), **kwargs)
    dense = lib.optim.Adam([w_head], lr=1e-2)  # the usual pairing: SparseAdam for the table, Adam for the rest
    sign = -1.0 if kwargs.get("maximize") else 1.0
    out = []
    for _ in range(steps):
        idx = rng.integers(0, 8, size=(5, 3))  # rows 8..11 are never looked up
        target = rng.standard_normal((5, 1)).astype(dtype)
        opt.zero_grad()
        dense.zero_grad()
        h = emb(lib.tensor(idx)).mean(1)
        loss = ((h @ w_head - lib.tensor(target)) ** 2).mean()
        (sign * loss).backward()
        opt.step()
        dense.step()
        out.append((loss.item(), emb.weight.detach().numpy().copy(), w_head.detach().numpy().copy()))
    return out, opt


@pytest.mark.parametrize("kwargs", [dict(lr=1e-2), dict(lr=5e-3, betas=(0.8, 0.99), eps=1e-6), dict(lr=1e-2, maximize=True)])
@pytest.mark.parametrize(("dtype", "rtol"), [("float64", 1e-9), ("float32", 1e-4)])
def test_matches_torch_sparse_embedding(kwargs, dtype, rtol) -> None:
    ours, opt = _run(chainrule, kwargs, dtype)
    theirs, th_opt = _run(torch, kwargs, dtype)
    for i, ((lc, wc, hc), (lt, wt, ht)) in enumerate(zip(ours, theirs)):
        assert lc == pytest.approx(lt, rel=rtol), f"step {i}"
        np.testing.assert_allclose(wc, wt, rtol=rtol, atol=rtol / 10, err_msg=f"step {i}")
        np.testing.assert_allclose(hc, ht, rtol=rtol, atol=rtol / 10, err_msg=f"step {i}")
    initial = np.random.default_rng(5).standard_normal((12, 4)).astype(dtype)  # _run's first draw
    np.testing.assert_array_equal(ours[-1][1][8:], initial[8:])  # rows never looked up never move
    assert not np.any(ours[-1][1][:8] == initial[:8])
    cs, ts = opt.state_dict(), th_opt.state_dict()
    assert cs["state"][0]["step"] == ts["state"][0]["step"] == 100
    assert set(cs["state"][0]) == set(ts["state"][0])
    assert cs["param_groups"][0].keys() == ts["param_groups"][0].keys()


def test_validation_as_torch() -> None:
    p = chainrule.nn.Parameter(chainrule.zeros(3))
    with pytest.raises(ValueError, match="Invalid learning rate: 0.0"):
        chainrule.optim.SparseAdam([p], lr=0.0)
    with pytest.raises(ValueError, match="Invalid epsilon value: 0.0"):
        chainrule.optim.SparseAdam([p], eps=0.0)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        chainrule.optim.SparseAdam([p], betas=(0.9, 1.0))


def test_state_dict_resume_and_torch_state_loads() -> None:
    """Stopped after 20 steps and resumed from a state_dict (ours, or PyTorch's with PyTorch's table),
    the run continues as the uninterrupted one."""
    kwargs = dict(lr=1e-2)
    full, _ = _run(chainrule, kwargs, "float64", steps=30)
    th_full, _ = _run(torch, kwargs, "float64", steps=30)
    for lib in (chainrule, torch):
        first, opt = _run(lib, kwargs, "float64", steps=20)
        saved = opt.state_dict()  # PyTorch's holds torch tensors: they load as they are
        table = first[-1][1]
        emb = chainrule.nn.Embedding(12, 4).to(chainrule.float64)
        with chainrule.no_grad():
            emb.weight.copy_(chainrule.tensor(table))
        resumed = chainrule.optim.SparseAdam(list(emb.parameters()), **kwargs)
        resumed.load_state_dict(saved)
        assert resumed.state[emb.weight]["step"] == 20
        # replay steps 21..30 on the same batches, with the head as the full run had it
        rng = np.random.default_rng(5)
        rng.standard_normal((12, 4)), rng.standard_normal((4, 1))
        for _ in range(20):
            rng.integers(0, 8, size=(5, 3)), rng.standard_normal((5, 1))
        reference = full if lib is chainrule else th_full
        for i in range(20, 30):
            idx, target = rng.integers(0, 8, size=(5, 3)), rng.standard_normal((5, 1)).astype("float64")
            head = chainrule.tensor(reference[i - 1][2])
            resumed.zero_grad()
            loss = ((emb(chainrule.tensor(idx)).mean(1) @ head - chainrule.tensor(target)) ** 2).mean()
            loss.backward()
            resumed.step()
            np.testing.assert_allclose(emb.weight.detach().numpy(), reference[i][1], rtol=1e-9, atol=1e-12)
