"""Loss layers against PyTorch (forward, input/target gradients, buffers, repr, legacy flags), the fused
losses against their composites, float64 exactness at extreme logits, and the L2-penalty / weight-decay
equivalence documented in nn/functional/loss.py."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F

from .layer_harness import check_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 5))
Y = RNG.standard_normal((6, 5))
P = RNG.uniform(0.05, 0.95, (6, 5))
T01 = RNG.uniform(0, 1, (6, 5))
CLS = np.array([0, 4, 2, 2, 1, 3])
CLS_K = RNG.integers(0, 5, (2, 3, 4))
X_K = RNG.standard_normal((2, 5, 3, 4))
PROBS = RNG.dirichlet(np.ones(5), 6)
W5 = [0.5, 1.0, 2.0, 0.25, 1.5]


def _w(lib: Any, values: list) -> Any:
    return lib.tensor(values, dtype=lib.float32)


LOSSES = [  # (id, make(lib), inputs)
    ("MSELoss", lambda m: m.nn.MSELoss(), [X, Y]),
    ("MSELoss_sum", lambda m: m.nn.MSELoss(reduction="sum"), [X, Y]),
    ("MSELoss_none", lambda m: m.nn.MSELoss(reduction="none"), [X, Y]),
    ("L1Loss", lambda m: m.nn.L1Loss(), [X, Y]),
    ("L1Loss_none", lambda m: m.nn.L1Loss(reduction="none"), [X, Y]),
    ("SmoothL1Loss", lambda m: m.nn.SmoothL1Loss(beta=0.5), [X, Y]),
    ("SmoothL1Loss_sum", lambda m: m.nn.SmoothL1Loss(reduction="sum"), [X, Y]),
    ("HuberLoss", lambda m: m.nn.HuberLoss(delta=0.7), [X, Y]),
    ("HuberLoss_none", lambda m: m.nn.HuberLoss("none"), [X, Y]),
    ("BCELoss", lambda m: m.nn.BCELoss(), [P, T01]),
    ("BCELoss_weight", lambda m: m.nn.BCELoss(weight=_w(m, W5)), [P, T01]),
    ("BCELoss_none", lambda m: m.nn.BCELoss(reduction="none"), [P, T01]),
    ("BCEWithLogitsLoss", lambda m: m.nn.BCEWithLogitsLoss(), [3 * X, T01]),
    ("BCEWithLogitsLoss_pos_weight", lambda m: m.nn.BCEWithLogitsLoss(pos_weight=_w(m, W5)), [3 * X, T01]),
    ("BCEWithLogitsLoss_both", lambda m: m.nn.BCEWithLogitsLoss(_w(m, W5), reduction="sum", pos_weight=_w(m, [2.0])), [3 * X, T01]),
    ("CrossEntropyLoss", lambda m: m.nn.CrossEntropyLoss(), [X, CLS]),
    ("CrossEntropyLoss_weight", lambda m: m.nn.CrossEntropyLoss(weight=_w(m, W5)), [X, CLS]),
    ("CrossEntropyLoss_ignore", lambda m: m.nn.CrossEntropyLoss(ignore_index=2), [X, CLS]),
    ("CrossEntropyLoss_smooth", lambda m: m.nn.CrossEntropyLoss(_w(m, W5), label_smoothing=0.1, ignore_index=4), [X, CLS]),
    ("CrossEntropyLoss_kdim", lambda m: m.nn.CrossEntropyLoss(reduction="none"), [X_K, CLS_K]),
    ("CrossEntropyLoss_probs", lambda m: m.nn.CrossEntropyLoss(label_smoothing=0.2), [X, PROBS]),
    ("CrossEntropyLoss_unbatched", lambda m: m.nn.CrossEntropyLoss(), [X[0], np.array(3)]),
    ("NLLLoss", lambda m: m.nn.NLLLoss(), [X, CLS]),
    ("NLLLoss_weight_ignore", lambda m: m.nn.NLLLoss(_w(m, W5), ignore_index=0, reduction="sum"), [X, CLS]),
    ("NLLLoss_kdim", lambda m: m.nn.NLLLoss(), [X_K, CLS_K]),
    ("KLDivLoss_batchmean", lambda m: m.nn.KLDivLoss(reduction="batchmean"), [X, T01 + 0.05]),
    ("KLDivLoss_log_target", lambda m: m.nn.KLDivLoss(reduction="sum", log_target=True), [X, Y]),
    ("KLDivLoss_mean", lambda m: m.nn.KLDivLoss(), [X, T01 + 0.05]),
]


@pytest.mark.parametrize(("make", "inputs"), [(m, i) for _, m, i in LOSSES], ids=[n for n, _, _ in LOSSES])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loss_layer_matches_torch(make: Any, inputs: list, dtype: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # KLDivLoss 'mean' warns in both libraries
        check_layer(make, inputs, dtype=dtype, atol=1e-6 if dtype == "float32" else 1e-12, rtol=1e-5 if dtype == "float32" else 1e-10)


REPR_KW = [
    ("MSELoss", {}), ("L1Loss", {"reduction": "sum"}), ("SmoothL1Loss", {"beta": 0.5}), ("HuberLoss", {"delta": 2.0}),
    ("BCELoss", {}), ("BCEWithLogitsLoss", {}), ("CrossEntropyLoss", {"label_smoothing": 0.1}), ("NLLLoss", {}),
    ("KLDivLoss", {"log_target": True}),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "kw"), REPR_KW, ids=[c for c, _ in REPR_KW])
def test_loss_repr_attributes_and_state_dict(cls: str, kw: dict) -> None:
    ours, theirs = getattr(nn, cls)(**kw), getattr(torch.nn, cls)(**kw)
    assert repr(ours) == repr(theirs)
    for attr in ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target"):
        assert getattr(ours, attr, None) == getattr(theirs, attr, None), attr
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_weight_buffers_in_state_dict() -> None:
    ce = nn.CrossEntropyLoss(weight=chainrule.ones(3))
    bce = nn.BCEWithLogitsLoss(pos_weight=chainrule.ones(2))
    assert list(ce.state_dict()) == list(torch.nn.CrossEntropyLoss(weight=torch.ones(3)).state_dict()) == ["weight"]
    assert list(bce.state_dict()) == ["pos_weight"]
    assert ce.weight is not None and list(nn.NLLLoss().buffers()) == []


@pytest.mark.parametrize(
    ("size_average", "reduce"), [(None, False), (False, None), (True, True), (False, False), (None, True)]
)
def test_legacy_size_average_reduce(size_average: Any, reduce: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = nn.MSELoss(size_average, reduce)
        theirs = torch.nn.MSELoss(size_average, reduce)
        assert ours.reduction == theirs.reduction
        x, y = chainrule.tensor(X), chainrule.tensor(Y)
        got = F.cross_entropy(x, chainrule.tensor(CLS), size_average=size_average, reduce=reduce)
        want = torch.nn.functional.cross_entropy(torch.tensor(X), torch.tensor(CLS), size_average=size_average, reduce=reduce)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        F.mse_loss(x, y, size_average=size_average, reduce=reduce)


# --- fused primitives against their composites ----------------------------------------------------
@pytest.mark.parametrize(
    "kw", [{}, {"weight": W5}, {"ignore_index": 2}, {"weight": W5, "ignore_index": 4, "reduction": "sum"}, {"reduction": "none"}]
)
@pytest.mark.parametrize("kdim", [False, True])
def test_cross_entropy_equals_log_softmax_plus_nll(kw: dict, kdim: bool) -> None:
    x0, t = (X_K, CLS_K) if kdim else (X, CLS)
    kw = {k: (chainrule.tensor(v, dtype=chainrule.float64) if k == "weight" else v) for k, v in kw.items()}
    results = []
    for fused in (True, False):
        x = chainrule.tensor(x0, requires_grad=True)
        target = chainrule.tensor(t)
        loss = F.cross_entropy(x, target, **kw) if fused else F.nll_loss(F.log_softmax(x, 1), target, **kw)
        loss.sum().backward()
        results.append((loss.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-14)


def test_label_smoothing_equals_smoothed_probability_targets() -> None:
    eps, C = 0.2, 5
    x = chainrule.tensor(X, requires_grad=True)
    a = F.cross_entropy(x, chainrule.tensor(CLS), label_smoothing=eps)
    onehot = np.eye(C)[CLS] * (1 - eps) + eps / C
    b = F.cross_entropy(x, chainrule.tensor(onehot))
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-12)


def test_bce_with_logits_equals_bce_of_sigmoid() -> None:
    z, y = chainrule.tensor(X, requires_grad=True), chainrule.tensor(T01)
    a = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    (ga,) = chainrule.autograd.grad(a.sum(), [z])
    b = F.binary_cross_entropy(chainrule.sigmoid(z), y, reduction="none")
    (gb,) = chainrule.autograd.grad(b.sum(), [z])
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ga.numpy(), gb.numpy(), rtol=1e-9)


def test_regression_losses_equal_their_formulas() -> None:
    x, y = chainrule.tensor(X), chainrule.tensor(Y)
    d = X - Y
    np.testing.assert_allclose(F.mse_loss(x, y).item(), (d**2).mean(), rtol=1e-12)
    np.testing.assert_allclose(F.l1_loss(x, y, reduction="sum").item(), np.abs(d).sum(), rtol=1e-12)
    huber = np.where(np.abs(d) < 0.7, 0.5 * d**2, 0.7 * (np.abs(d) - 0.35))
    np.testing.assert_allclose(F.huber_loss(x, y, delta=0.7, reduction="none").numpy(), huber, rtol=1e-12)
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, beta=0.7, reduction="none").numpy(), huber / 0.7, rtol=1e-12)


# --- extreme values -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bce_with_logits_exact_at_extreme_logits(dtype: str) -> None:
    z = np.array([1e4, -1e4, 1e4, -1e4, 1e4], dtype=dtype)
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3], dtype=dtype)
    ours = F.binary_cross_entropy_with_logits(chainrule.tensor(z), chainrule.tensor(y), reduction="none").numpy()
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y), reduction="none").numpy()
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, [1e4, 1e4, 0.0, 0.0, 7e3], rtol=1e-6)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6 if dtype == "float32" else 1e-15)


def test_cross_entropy_finite_at_extreme_logits() -> None:
    x = chainrule.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], dtype=chainrule.float64, requires_grad=True)
    loss = F.cross_entropy(x, chainrule.tensor([1, 1]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), 1e4, rtol=1e-12)
    assert np.all(np.isfinite(x.grad.numpy()))


def test_bce_log_clamped_at_minus_100() -> None:
    p = chainrule.tensor([0.0, 1.0])
    y = chainrule.tensor([1.0, 0.0])
    np.testing.assert_allclose(F.binary_cross_entropy(p, y, reduction="none").numpy(), [100.0, 100.0])


def test_all_targets_ignored_gives_nan_mean_and_zero_grad() -> None:
    x = chainrule.tensor(X, requires_grad=True)
    loss = F.cross_entropy(x, chainrule.tensor(np.full(6, -100)))
    assert np.isnan(loss.item())
    loss.backward()
    assert not x.grad.numpy().any()


# --- L2 penalty = weight decay --------------------------------------------------------------------
def test_l2_penalty_gradient_is_two_lambda_w() -> None:
    """``loss + lam * Σ‖p‖²`` adds exactly 2·lam·p to each gradient (SGD's weight_decay = 2·lam)."""
    lam = 0.01
    model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3))
    x, y = chainrule.tensor(X), chainrule.tensor(CLS % 3)
    loss_fn = nn.CrossEntropyLoss()
    model.zero_grad()
    loss_fn(model(x.float()), y).backward()
    plain = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    loss = loss_fn(model(x.float()), y) + lam * sum((p**2).sum() for p in model.parameters())
    loss.backward()
    for p, g in zip(model.parameters(), plain):
        np.testing.assert_allclose(p.grad.numpy() - g, 2 * lam * p.detach().numpy(), rtol=1e-4, atol=1e-7)


def test_l2_penalty_step_equals_torch_sgd_weight_decay() -> None:
    """One SGD step by hand on ``loss + lam·‖W‖²`` equals torch.optim.SGD(weight_decay=2·lam) on ``loss``."""
    lam, lr = 0.05, 0.1
    torch.manual_seed(0)
    th = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3)).double()
    cr = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).double()
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    xs, ys = torch.tensor(X), torch.tensor(CLS % 3)
    opt = torch.optim.SGD(th.parameters(), lr=lr, weight_decay=2 * lam)
    opt.zero_grad()
    torch.nn.functional.cross_entropy(th(xs), ys).backward()
    opt.step()
    loss = F.cross_entropy(cr(chainrule.tensor(X)), chainrule.tensor(CLS % 3))
    loss = loss + lam * sum((p**2).sum() for p in cr.parameters())
    loss.backward()
    with chainrule.no_grad():
        for p in cr.parameters():
            p._data -= lr * p.grad._data
    for (name, p), (_, q) in zip(cr.named_parameters(), th.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=name)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_plain_path_equals_the_general_one_bit_for_bit(reduction: str, dtype: Any) -> None:
    """(N, C) logits with nothing ignored and no weights take a shorter path (CrossEntropy._plain); with
    all-ones class weights the general path computes the same floats: loss and gradient must be equal."""
    x = RNG.standard_normal((32, 10)).astype(dtype) * 3
    t = chainrule.tensor(RNG.integers(0, 10, (32,)))
    results = []
    for weight in (None, chainrule.ones(10, dtype=chainrule.float32 if dtype == np.float32 else chainrule.float64)):
        xt = chainrule.tensor(x, requires_grad=True)
        loss = F.cross_entropy(xt, t, weight=weight, reduction=reduction)
        loss.sum().backward()
        results.append((loss.detach().numpy(), xt.grad.numpy()))
    (l_plain, g_plain), (l_general, g_general) = results
    assert l_plain.dtype == dtype and g_plain.dtype == dtype
    np.testing.assert_array_equal(l_plain, l_general)
    np.testing.assert_array_equal(g_plain, g_general)
