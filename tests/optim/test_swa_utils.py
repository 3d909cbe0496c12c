"""swa_utils beside PyTorch's: SWA and EMA averages (parameters, and buffers with BatchNorm), SWALR's
learning rates, update_bn's statistics, state_dict keys and values."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

rng = np.random.default_rng(11)
XS = [rng.standard_normal((16, 4)).astype(np.float32) for _ in range(12)]
YS = [rng.standard_normal((16, 1)).astype(np.float32) for _ in range(12)]


def _model(lib, seed=0):
    m = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.BatchNorm1d(6), lib.nn.Tanh(), lib.nn.Linear(6, 1))
    r = np.random.default_rng(seed)
    with lib.no_grad():
        for p in m.parameters():
            p.copy_(lib.tensor(r.standard_normal(tuple(p.shape)).astype(np.float32)))
    return m


def _averaged(lib, kind, use_buffers):
    su = lib.optim.swa_utils
    return {"swa": lambda m: su.AveragedModel(m, use_buffers=use_buffers),
            "swa_multi": lambda m: su.AveragedModel(m, multi_avg_fn=su.get_swa_multi_avg_fn(), use_buffers=use_buffers),
            "ema_multi": lambda m: su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(0.9), use_buffers=use_buffers),
            "ema_avg": lambda m: su.AveragedModel(m, avg_fn=su.get_ema_avg_fn(0.8), use_buffers=use_buffers),
            "swa_avg": lambda m: su.AveragedModel(m, avg_fn=su.get_swa_avg_fn(), use_buffers=use_buffers)}[kind]


def _train(lib, kind, use_buffers):
    model = _model(lib)
    avg = _averaged(lib, kind, use_buffers)(model)
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    snapshots = []
    for x, y in zip(XS, YS):
        opt.zero_grad()
        ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean().backward()
        opt.step()
        avg.update_parameters(model)
        snapshots.append({k: v.detach().numpy().copy() for k, v in avg.state_dict().items()})
    return avg, snapshots


@pytest.mark.parametrize("kind", ["swa", "swa_multi", "ema_multi", "ema_avg", "swa_avg"])
@pytest.mark.parametrize("use_buffers", [False, True])
def test_averages_match_torch(kind, use_buffers) -> None:
    """After every update: the same state_dict keys (n_averaged, module.*) and values as PyTorch,
    including BatchNorm's running statistics (averaged with use_buffers, copied otherwise)."""
    if kind == "swa_multi" and use_buffers:  # num_batches_tracked is int64: PyTorch's in-place mean refuses it
        for lib in (chainrule, torch):
            with pytest.raises(RuntimeError):
                _train(lib, kind, use_buffers)
        return
    ours, our_snaps = _train(chainrule, kind, use_buffers)
    theirs, their_snaps = _train(torch, kind, use_buffers)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for i, (a, b) in enumerate(zip(our_snaps, their_snaps)):
        for key in b:
            np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6, err_msg=f"update {i}: {key}")
            assert a[key].dtype == b[key].dtype, key
    assert int(ours.n_averaged) == len(XS)
    x = XS[0]
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(chainrule.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_swa_is_the_mean_and_state_dict_round_trip() -> None:
    """SWA equals the plain mean of the visited weights; a PyTorch AveragedModel's state_dict loads."""
    model = _model(chainrule)
    avg = chainrule.optim.swa_utils.AveragedModel(model)
    seen = []
    for s in range(5):
        with chainrule.no_grad():
            for p in model.parameters():
                p.copy_(p + float(s))
        seen.append([p.detach().numpy().copy() for p in model.parameters()])
        avg.update_parameters(model)
    for got, *visits in zip(avg.module.parameters(), *seen):
        np.testing.assert_allclose(got.detach().numpy(), np.mean(visits, axis=0), rtol=1e-6)
    theirs, _ = _train(torch, "ema_multi", True)
    fresh = chainrule.optim.swa_utils.AveragedModel(_model(chainrule))
    fresh.load_state_dict({k: chainrule.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert int(fresh.n_averaged) == len(XS)
    for (k, a), b in zip(fresh.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_validation_as_torch() -> None:
    su = chainrule.optim.swa_utils
    with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided"):
        su.get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match=r"Invalid decay value -0.1 provided"):
        su.get_ema_avg_fn(-0.1)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        su.AveragedModel(_model(chainrule), avg_fn=su.get_swa_avg_fn(), multi_avg_fn=su.get_swa_multi_avg_fn())
    opt = chainrule.optim.SGD(_model(chainrule).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got exp"):
        su.SWALR(opt, swa_lr=0.05, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
        su.SWALR(opt, swa_lr=0.05, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr must have the same length as optimizer.param_groups"):
        su.SWALR(opt, swa_lr=[0.05, 0.01])


def _lrs(lib, anneal_strategy, anneal_epochs, swa_lr, steps=15, chained=False):
    p, q = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
    opt = lib.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.3}], lr=0.1)
    first = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5) if chained else None
    sched = lib.optim.swa_utils.SWALR(opt, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=anneal_strategy)
    out = [[g["lr"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        if first is not None:
            first.step()
        sched.step()
        out.append([g["lr"] for g in opt.param_groups])
    return out, sched


@pytest.mark.parametrize(("strategy", "epochs", "swa_lr", "chained"), [
    ("cos", 10, 0.05, False), ("linear", 5, [0.02, 0.2], False), ("cos", 0, 0.05, False), ("linear", 1, 0.01, False),
    ("cos", 4, 0.05, True),
])
def test_swalr_sequence_matches_torch(strategy, epochs, swa_lr, chained) -> None:
    ours, sched = _lrs(chainrule, strategy, epochs, swa_lr, chained=chained)
    theirs, th_sched = _lrs(torch, strategy, epochs, swa_lr, chained=chained)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert set(sched.state_dict()) == set(th_sched.state_dict())
    state = sched.state_dict()
    again, resumed = _lrs(chainrule, strategy, epochs, swa_lr, steps=0, chained=False)
    resumed.load_state_dict(state)
    assert resumed.anneal_func(0.5) == sched.anneal_func(0.5)
    assert resumed.last_epoch == sched.last_epoch


@pytest.mark.parametrize("as_tuple", [False, True])
def test_update_bn_matches_torch(as_tuple) -> None:
    """Running statistics recomputed over a loader (tensors or (input, target) pairs) equal PyTorch's;
    momentum and the training flag come back."""
    results = []
    for lib in (chainrule, torch):
        model = _model(lib)
        model.eval()
        loader = [(lib.tensor(x), lib.tensor(y)) if as_tuple else lib.tensor(x) for x, y in zip(XS, YS)]
        lib.optim.swa_utils.update_bn(loader, model)
        bn = model[1]
        assert bn.momentum == 0.1 and not model.training
        results.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(), int(bn.num_batches_tracked)))
    (m1, v1, n1), (m2, v2, n2) = results
    np.testing.assert_allclose(m1, m2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v1, v2, rtol=1e-5, atol=1e-6)
    assert n1 == n2 == len(XS)
    plain = chainrule.nn.Linear(4, 1)
    chainrule.optim.swa_utils.update_bn([chainrule.tensor(XS[0])], plain)  # no BatchNorm: nothing to do
