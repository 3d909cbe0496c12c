"""Metrics against hand-computed values; epoch accumulation equals the metric on the whole data."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule.train import metrics as M


def t(a, dtype=None):
    return cr.tensor(np.asarray(a), dtype=dtype)


def test_accuracy_class_scores() -> None:
    pred = t([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]], cr.float32)
    target = t([1, 0, 1, 2])
    assert M.accuracy(pred, target) == 0.75


def test_accuracy_binary_logits_probabilities_and_labels() -> None:
    target = t([1.0, 0.0, 1.0, 0.0])
    assert M.accuracy(t([2.0, -1.0, -0.5, 0.3]), target) == 0.5          # logits: cut at 0
    assert M.accuracy(t([0.9, 0.2, 0.4, 0.6]), target) == 0.5            # probabilities: cut at 0.5
    assert M.accuracy(t([[0.9], [0.2], [0.6], [0.1]]), target) == 1.0    # (N, 1) scores, (N,) targets
    assert M.accuracy(t([0.9, 0.2, 0.4, 0.6]), target, threshold=0.3) == 0.75
    assert M.accuracy(t([0.2, -0.1, 0.1, -5.0]), target, logits=True) == 1.0
    assert M.accuracy(t([1, 0, 0, 0]), t([1, 0, 1, 0])) == 0.75          # integer predictions
    assert M.accuracy(t([1, 0, 0, 0]), t([[1], [0], [1], [0]])) == 0.75  # same size, other shape


def test_accuracy_segmentation_like() -> None:
    pred = cr.zeros(2, 3, 2, 2)
    pred[:, 1] = 1.0
    target = cr.ones(2, 2, 2, dtype=cr.int64)
    target[0, 0, 0] = 2
    assert M.accuracy(pred, target) == 7 / 8


def test_top_k_accuracy() -> None:
    pred = t([[0.1, 0.5, 0.3, 0.1], [0.7, 0.1, 0.15, 0.05], [0.1, 0.2, 0.3, 0.4]], cr.float32)
    target = t([2, 3, 1])
    assert M.top_k_accuracy(pred, target, k=1) == 0.0
    assert M.top_k_accuracy(pred, target, k=2) == 1 / 3
    assert M.top_k_accuracy(pred, target, k=3) == 2 / 3
    assert M.top_k_accuracy(pred, target, k=4) == 1.0


def test_regression_metrics_by_hand() -> None:
    pred, target = t([[2.5], [0.0], [2.0], [8.0]]), t([[3.0], [-0.5], [2.0], [7.0]])
    assert M.mse(pred, target) == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)
    assert M.mae(pred, target) == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)
    # scikit-learn's r2_score doc example: 0.948...
    assert M.r2(pred, target) == pytest.approx(0.9486081370449679, rel=1e-12)
    assert M.mse(t([1.0, 2.0]), t([[1.0], [4.0]])) == 2.0  # same size: target reshaped


def test_r2_multioutput_uniform_average_and_constant_target() -> None:
    pred = t([[0.0, 2.0], [-1.0, 2.0], [8.0, -5.0]])
    target = t([[0.5, 1.0], [-1.0, 1.0], [7.0, -6.0]])
    # scikit-learn's multioutput example: r2_score(..., multioutput="uniform_average") = 0.936...
    assert M.r2(pred, target) == pytest.approx(0.9368005266622779, rel=1e-12)
    assert M.r2(t([1.0, 1.0, 1.0]), t([1.0, 1.0, 1.0])) == 1.0
    assert M.r2(t([1.0, 2.0, 1.0]), t([1.0, 1.0, 1.0])) == 0.0
    assert math.isnan(M.r2(t([1.0]), t([2.0])))


@pytest.mark.parametrize("name", ["accuracy", "top2_accuracy", "mse", "mae", "r2"])
def test_epoch_accumulation_is_weighted_by_batch_size(name: str) -> None:
    rs = np.random.RandomState(1)
    if "acc" in name:
        pred, target = rs.normal(size=(53, 4)).astype(np.float32), rs.randint(0, 4, size=53)
    else:
        pred, target = rs.normal(size=(53, 2)), rs.normal(3.0, 2.0, size=(53, 2))
    whole = M.get_metric(name)
    whole.update(t(pred), t(target))
    acc = M.get_metric(name)
    for lo, hi in [(0, 16), (16, 32), (32, 48), (48, 53)]:  # a short last batch
        acc.update(t(pred[lo:hi]), t(target[lo:hi]))
    assert acc.compute() == pytest.approx(whole.compute(), rel=1e-12, abs=1e-15)
    state = acc.state_dict()
    again = M.get_metric(name)
    again.load_state_dict(state)
    assert again.compute() == acc.compute()


def test_function_metric_and_names() -> None:
    def half(pred, target):
        return 0.5

    m = M.get_metric(half)
    assert m.name == "half"
    m.update(t([1.0, 2.0]), t([1.0, 2.0]))
    assert m.compute() == 0.5
    assert M.get_metric("top_k_accuracy").k == 5
    assert M.get_metric("top3_accuracy").k == 3
    with pytest.raises(ValueError, match="unknown metric"):
        M.get_metric("f1")
    with pytest.raises(ValueError, match="distinct"):
        M.build_metrics(["mse", "mse"], None)


def test_auto_metrics_from_loss() -> None:
    from chainrule import nn
    from chainrule.nn import functional as F

    assert [m.name for m in M.build_metrics("auto", nn.CrossEntropyLoss())] == ["accuracy"]
    assert [m.name for m in M.build_metrics("auto", F.cross_entropy)] == ["accuracy"]
    assert [m.name for m in M.build_metrics("auto", nn.MSELoss())] == ["mse", "mae", "r2"]
    assert M.build_metrics("auto", nn.BCEWithLogitsLoss())[0].logits is True
    assert M.build_metrics("auto", lambda o, y: o) == []


def test_metric_errors() -> None:
    with pytest.raises(ValueError, match="k must be at most the number of classes"):
        M.top_k_accuracy(cr.zeros(2, 3), t([0, 1]), k=4)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        M.TopKAccuracy(0)
    with pytest.raises(ValueError, match="shapes do not match"):
        M.mse(cr.zeros(3), cr.zeros(4))
    with pytest.raises(ValueError, match="class scores"):
        M.accuracy(cr.zeros(3, 4), t([[0, 1], [0, 1], [0, 1]]))
