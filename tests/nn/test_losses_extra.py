"""The loss and distance layers (CosineSimilarity ... CTCLoss) against PyTorch: forward and gradients through
the Module classes, state_dict keys, repr, argument validation; CTC edge cases; gumbel_softmax statistics and
its straight-through gradient."""

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

R = np.random.default_rng(0)
SIGNS = np.where(R.random(6) < 0.5, -1.0, 1.0)


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = [
    ("CosineSimilarity", {"dim": 0, "eps": 1e-6}, [_x(4, 3), _x(4, 3, seed=1)]),
    ("PairwiseDistance", {"p": 1.5, "keepdim": True}, [_x(4, 3), _x(4, 3, seed=1)]),
    ("TripletMarginLoss", {"margin": 2.0, "swap": True, "reduction": "sum"}, [_x(6, 3), _x(6, 3, seed=1), _x(6, 3, seed=2)]),
    ("TripletMarginWithDistanceLoss", {"margin": 1.5}, [_x(6, 3), _x(6, 3, seed=1), _x(6, 3, seed=2)]),
    ("MarginRankingLoss", {"margin": 0.2}, [_x(6), _x(6, seed=1), SIGNS]),
    ("CosineEmbeddingLoss", {"margin": 0.1, "reduction": "none"}, [_x(6, 3), _x(6, 3, seed=1), SIGNS.astype(np.int64)]),
    ("HingeEmbeddingLoss", {"margin": 2.0}, [np.abs(_x(6)) * 2, SIGNS.astype(np.int64)]),
    ("MultiMarginLoss", {"p": 2, "margin": 0.5}, [_x(6, 4), R.integers(0, 4, 6)]),
    ("MultiLabelMarginLoss", {}, [_x(3, 4), np.array([[0, 3, -1, 1], [2, -1, 1, 1], [0, 1, 2, 3]])]),
    ("MultiLabelSoftMarginLoss", {"reduction": "sum"}, [_x(3, 4), R.uniform(0, 1, (3, 4))]),
    ("PoissonNLLLoss", {"full": True}, [_x(3, 4), R.uniform(0.1, 6, (3, 4))]),
    ("PoissonNLLLoss", {"log_input": False, "eps": 1e-3}, [R.uniform(0.1, 3, (3, 4)), R.uniform(0.1, 6, (3, 4))]),
    ("GaussianNLLLoss", {"full": True, "reduction": "none"}, [_x(3, 4), _x(3, 4, seed=1), R.uniform(0.2, 2, (3, 4))]),
]


@pytest.mark.parametrize(("name", "kw", "inputs"), LAYERS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(LAYERS)])
def test_layer_matches_torch(name: str, kw: dict[str, Any], inputs: list[np.ndarray]) -> None:
    th, cr = check_layer(lambda lib: getattr(lib.nn, name)(**kw), inputs, dtype="float64", atol=1e-10, rtol=1e-8)
    assert repr(cr) == repr(th)


def test_soft_margin_layer_and_its_constant_target() -> None:
    x = _x(4, 3)
    y = np.where(_x(4, 3, seed=5) > 0, 1.0, -1.0)
    check_layer(lambda lib: lib.nn.SoftMarginLoss(), [x], call=lambda layer, xs: layer(xs[0], (torch if isinstance(layer, torch.nn.Module) else chainrule).tensor(y)))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'target'"):
        F.soft_margin_loss(chainrule.tensor(x), chainrule.tensor(y, requires_grad=True))


def test_weighted_layers_state_dict() -> None:
    w = np.array([0.5, 1.0, 2.0, 1.5])
    for name in ("MultiMarginLoss", "MultiLabelSoftMarginLoss"):
        th, cr = getattr(torch.nn, name)(weight=torch.tensor(w)), getattr(nn, name)(weight=chainrule.tensor(w))
        assert list(cr.state_dict()) == list(th.state_dict()) == ["weight"]
    x, t = _x(5, 4), R.integers(0, 4, 5)
    check_layer(lambda lib: lib.nn.MultiMarginLoss(weight=lib.tensor(w), reduction="none"), [x, t], dtype="float64", atol=1e-10)
    check_layer(lambda lib: lib.nn.MultiLabelSoftMarginLoss(weight=lib.tensor(w)), [x, R.uniform(0, 1, (5, 4))], dtype="float64", atol=1e-10)


def test_legacy_flags_and_bad_arguments() -> None:
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.MarginRankingLoss(size_average=False).reduction == "sum"
    with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0 instead"):
        nn.TripletMarginLoss(margin=0)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_with_distance_loss(chainrule.randn(2, 3), chainrule.randn(2, 3), chainrule.randn(2, 3), margin=-1)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(chainrule.randn(2, 3), chainrule.randn(3), chainrule.randn(2, 3))
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(chainrule.randn(2, 3), chainrule.tensor([0, 3]))
    with pytest.raises(RuntimeError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(chainrule.randn(3), chainrule.randn(3), chainrule.randn(1, 3))
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(chainrule.randn(3), chainrule.randn(3), chainrule.tensor([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(chainrule.randn(3, 4), chainrule.randn(3, 4), chainrule.ones(2, 2))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.poisson_nll_loss(chainrule.randn(3), chainrule.rand(3), reduction="avg")
    with pytest.raises(RuntimeError, match="do not broadcast"):
        F.cosine_similarity(chainrule.randn(3, 4), chainrule.randn(2, 4))


# --- CTC ---------------------------------------------------------------------------------------------
def _ctc_both(lp: np.ndarray, targets: Any, il: Any, tl: Any, **kw: Any) -> tuple[Any, Any, Any, Any]:
    th_x, cr_x = torch.tensor(lp, requires_grad=True), chainrule.tensor(lp, requires_grad=True)
    conv = lambda lib, v: lib.tensor(v) if isinstance(v, np.ndarray) else v  # noqa: E731
    th = torch.nn.CTCLoss(**kw)(th_x.log_softmax(-1), conv(torch, targets), conv(torch, il), conv(torch, tl))
    cr = nn.CTCLoss(**kw)(F.log_softmax(cr_x, -1), conv(chainrule, targets), conv(chainrule, il), conv(chainrule, tl))
    return th, cr, th_x, cr_x


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("blank", [0, 5])
def test_ctc_layer_against_torch(reduction: str, blank: int) -> None:
    t_max, n, c = 12, 4, 6
    rng = np.random.default_rng(blank)
    tl = np.array([5, 0, 3, 4])
    labels = [i for i in range(c) if i != blank]
    targets = rng.choice(labels, (n, 5))
    targets[0, 1] = targets[0, 2]  # a repeat, which needs a blank between
    il = np.array([12, 9, 7, 10])
    lp = rng.standard_normal((t_max, n, c))
    th, cr, th_x, cr_x = _ctc_both(lp, targets, il, tl, blank=blank, reduction=reduction)
    np.testing.assert_allclose(cr.detach().numpy(), th.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.arange(1, n + 1.0) if reduction == "none" else 1.0
    (th * torch.tensor(w)).sum().backward()
    (cr * chainrule.tensor(w)).sum().backward()
    np.testing.assert_allclose(cr_x.grad.numpy(), th_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    # the same targets concatenated (1-D) and lengths as Python lists
    flat = np.concatenate([targets[i, : tl[i]] for i in range(n)])
    th2, cr2, _, _ = _ctc_both(lp, flat, list(il), list(tl), blank=blank, reduction=reduction)
    np.testing.assert_allclose(cr2.detach().numpy(), th2.detach().numpy(), rtol=1e-10)


def test_ctc_impossible_alignment_and_zero_infinity() -> None:
    lp = _x(3, 2, 4)
    targets, il, tl = np.array([[1, 1], [2, 3]]), np.array([3, 1]), np.array([2, 2])  # 1,1 fits 3 frames; 2,3 not 1
    th, cr, th_x, cr_x = _ctc_both(lp, targets, il, tl, reduction="none")
    np.testing.assert_allclose(cr.detach().numpy(), th.detach().numpy())
    assert np.isinf(cr.detach().numpy()[1])
    th, cr, th_x, cr_x = _ctc_both(lp, targets, il, tl, reduction="mean", zero_infinity=True)
    np.testing.assert_allclose(cr.detach().numpy(), th.detach().numpy(), rtol=1e-12)
    th.backward()
    cr.backward()
    np.testing.assert_allclose(cr_x.grad.numpy(), th_x.grad.numpy(), atol=1e-12)
    assert not np.any(cr_x.grad.numpy()[:, 1])


def test_ctc_float32_unbatched_and_gradcheck() -> None:
    lp = _x(6, 5).astype(np.float32)
    th = torch.nn.functional.ctc_loss(torch.tensor(lp).log_softmax(-1), torch.tensor([1, 2]), torch.tensor(6), torch.tensor(2))
    cr = F.ctc_loss(F.log_softmax(chainrule.tensor(lp), -1), chainrule.tensor([1, 2]), chainrule.tensor(6), chainrule.tensor(2))
    assert cr.dtype == chainrule.float32
    np.testing.assert_allclose(cr.numpy(), th.numpy(), rtol=1e-5)
    x = chainrule.tensor(_x(5, 2, 4), requires_grad=True)
    assert chainrule.autograd.gradcheck(
        lambda v: F.ctc_loss(F.log_softmax(v, -1), chainrule.tensor([[1, 3], [2, 2]]), [5, 4], [2, 2], reduction="none"), [x]
    )


def test_ctc_errors() -> None:
    lp = F.log_softmax(chainrule.randn(5, 2, 4), -1)
    tg = chainrule.tensor([[1, 2], [3, 1]])
    with pytest.raises(RuntimeError, match="Expected input_lengths to have value at most 5, but got value 6"):
        F.ctc_loss(lp, tg, [6, 5], [2, 2])
    with pytest.raises(RuntimeError, match="Expected tensor to have size at least 3 at dimension 1"):
        F.ctc_loss(lp, tg, [5, 5], [3, 2])
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        F.ctc_loss(lp, tg, [5, 5], [2, 2], blank=4)
    with pytest.raises(RuntimeError, match="input_lengths must be of size batch_size"):
        F.ctc_loss(lp, tg, [5], [2, 2])
    with pytest.raises(IndexError, match=r"target labels must be in \[0, 4\)"):
        F.ctc_loss(lp, chainrule.tensor([[1, 7], [3, 1]]), [5, 5], [2, 2])


# --- gumbel_softmax ----------------------------------------------------------------------------------
LOGITS = np.log(np.array([0.1, 0.2, 0.3, 0.4]))


def test_gumbel_softmax_soft_samples_lie_on_the_simplex() -> None:
    chainrule.manual_seed(0)
    y = F.gumbel_softmax(chainrule.tensor(np.tile(LOGITS, (500, 1))), tau=0.5).numpy()
    assert np.all(y > 0) and np.allclose(y.sum(-1), 1)
    y0 = F.gumbel_softmax(chainrule.tensor(np.tile(LOGITS, (3, 1)).T.copy()), dim=0).numpy()
    assert np.allclose(y0.sum(0), 1)
    sharp = F.gumbel_softmax(chainrule.tensor(np.tile(LOGITS, (2000, 1))), tau=0.1).numpy().max(-1).mean()
    smooth = F.gumbel_softmax(chainrule.tensor(np.tile(LOGITS, (2000, 1))), tau=5.0).numpy().max(-1).mean()
    assert sharp > 0.9 > 0.5 > smooth


def test_gumbel_softmax_hard_frequencies_follow_softmax() -> None:
    chainrule.manual_seed(1)
    n = 40000
    y = F.gumbel_softmax(chainrule.tensor(np.tile(LOGITS, (n, 1))), tau=2.0, hard=True).numpy()
    assert set(np.unique(y)) == {0.0, 1.0} and np.all(y.sum(-1) == 1)
    freq = y.mean(0)
    p = np.exp(LOGITS) / np.exp(LOGITS).sum()
    assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / n)), (freq, p)  # Gumbel-max: argmax ~ Categorical(p)


def test_gumbel_softmax_straight_through_gradient() -> None:
    w = chainrule.tensor(_x(5, 4))
    grads = []
    for hard in (True, False):
        chainrule.manual_seed(7)
        x = chainrule.tensor(_x(5, 4, seed=3), requires_grad=True)
        y = F.gumbel_softmax(x, tau=0.7, hard=hard)
        (y * w).sum().backward()
        grads.append(x.grad.numpy())
        if hard:
            np.testing.assert_array_equal(y.detach().numpy().sum(-1), 1.0)
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-12)  # hard's backward is the soft sample's
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(chainrule.randn(3), eps=1e-5)


def test_gumbel_softmax_gradient_matches_torch_for_the_same_noise() -> None:
    x = _x(4, 5)
    e = np.random.default_rng(9).exponential(1.0, (4, 5))
    w = _x(4, 5, seed=2)
    th_x = torch.tensor(x, requires_grad=True)
    th_y = ((th_x - torch.tensor(np.log(e))) / 0.5).softmax(-1)  # PyTorch's formula with our draw of E
    (th_y * torch.tensor(w)).sum().backward()
    cr_x = chainrule.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gen = chainrule._random.default_generator
        state = gen.np.bit_generator.state
        gen.np.bit_generator.state = np.random.default_rng(9).bit_generator.state
        cr_y = F.gumbel_softmax(cr_x, tau=0.5)
        gen.np.bit_generator.state = state
    np.testing.assert_allclose(cr_y.detach().numpy(), th_y.detach().numpy(), rtol=1e-12)
    (cr_y * chainrule.tensor(w)).sum().backward()
    np.testing.assert_allclose(cr_x.grad.numpy(), th_x.grad.numpy(), rtol=1e-10)


def test_top_level_distance_functions_match_torch() -> None:
    a, b = _x(3, 4), _x(3, 4, seed=1)
    np.testing.assert_allclose(
        chainrule.cosine_similarity(chainrule.tensor(a), chainrule.tensor(b), dim=0).numpy(),
        torch.cosine_similarity(torch.tensor(a), torch.tensor(b), dim=0).numpy(), rtol=1e-12,
    )
    np.testing.assert_allclose(
        chainrule.pairwise_distance(chainrule.tensor(a), chainrule.tensor(b), p=1.0).numpy(),
        torch.pairwise_distance(torch.tensor(a), torch.tensor(b), p=1.0).numpy(), rtol=1e-12,
    )
