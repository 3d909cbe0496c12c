"""vision.models against torchvision: state_dict keys/shapes, outputs and training gradients with copied weights."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.io import load_torch_weights
from chainrule.vision import models

from .tv import torch, torchvision

TM = torchvision.models

# builder, input side, kwargs that make the training step deterministic (no dropout)
CASES = [
    ("resnet18", 64, {}), ("resnet34", 48, {}), ("resnet50", 48, {}),
    ("vgg11", 32, {"dropout": 0.0}), ("vgg11_bn", 32, {"dropout": 0.0}),
    pytest.param("vgg16", 32, {"dropout": 0.0}, marks=pytest.mark.slow),
    pytest.param("vgg16_bn", 32, {"dropout": 0.0}, marks=pytest.mark.slow),
    ("alexnet", 64, {"dropout": 0.0}), ("squeezenet1_0", 64, {"dropout": 0.0}),
    ("squeezenet1_1", 64, {"dropout": 0.0}), ("mobilenet_v2", 64, {"dropout": 0.0}),
]


def _pair(name, **kw):
    torch.manual_seed(0)
    theirs = getattr(TM, name)(weights=None, **kw)
    ours = getattr(models, name)(weights=None, **kw)
    return ours, theirs


@pytest.mark.parametrize(("name", "side", "kw"), CASES)
def test_model_matches_torchvision(name, side, kw):
    ours, theirs = _pair(name, **kw)
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    assert {k: tuple(v.shape) for k, v in a.items()} == {k: tuple(v.shape) for k, v in b.items()}
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    report = load_torch_weights(ours, theirs)
    assert not report.missing_keys and not report.unexpected_keys and not report.mismatched
    x = np.random.default_rng(0).standard_normal((2, 3, side, side)).astype(np.float32)
    ours.eval(), theirs.eval()
    with chainrule.no_grad(), torch.no_grad():
        got, want = ours(chainrule.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy()
    scale = float(np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * scale)
    # one training step in float64 (BatchNorm on tiny batches amplifies float32 round-off): gradients of every
    # parameter, and BatchNorm's running statistics
    ours.double().train(), theirs.double().train()
    x64, y = x.astype(np.float64), np.array([3, 7])
    loss_o = chainrule.nn.functional.cross_entropy(ours(chainrule.tensor(x64)), chainrule.tensor(y))
    loss_t = torch.nn.functional.cross_entropy(theirs(torch.tensor(x64)), torch.tensor(y))
    loss_o.backward(), loss_t.backward()
    np.testing.assert_allclose(loss_o.item(), loss_t.item(), rtol=1e-9)
    grads_t = dict(theirs.named_parameters())
    for k, p in ours.named_parameters():
        g, h = p.grad.numpy(), grads_t[k].grad.numpy()
        np.testing.assert_allclose(g, h, rtol=1e-6, atol=1e-9 * max(float(np.abs(h).max()), 1.0), err_msg=k)
    bt = dict(theirs.named_buffers())
    for k, v in ours.named_buffers():
        np.testing.assert_allclose(v.numpy(), bt[k].numpy(), rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("name", ["resnet18", "vgg11_bn", "squeezenet1_1", "mobilenet_v2", "alexnet"])
def test_initialisation_follows_torchvision(name):
    ours, theirs = _pair(name)
    b = theirs.state_dict()
    for k, v in ours.state_dict().items():
        o, t = v.numpy().astype(np.float64), b[k].numpy().astype(np.float64)
        if t.std() == 0:  # constants (BatchNorm weights and statistics, zero biases) are the same constants
            np.testing.assert_array_equal(o, t, err_msg=k)
        elif t.size >= 1000:  # random tensors: the same distribution (std within 15%, mean within 5 SE)
            assert 0.85 < o.std() / t.std() < 1.15, (k, o.std(), t.std())
            assert abs(o.mean() - t.mean()) < 5 * t.std() / np.sqrt(t.size), k


def test_zero_init_residual_and_num_classes():
    ours = models.resnet50(num_classes=7, zero_init_residual=True)
    assert ours.fc.out_features == 7
    assert all(float(m.bn3.weight.abs().sum()) == 0 for m in ours.modules() if isinstance(m, models.resnet.Bottleneck))


@pytest.mark.parametrize("kw", [{"weights": "DEFAULT"}, {"pretrained": True}])
def test_pretrained_weights_message(kw):
    with pytest.raises(RuntimeError, match=r"resnet18.*does not download.*load_torch_weights"):
        models.resnet18(**kw)


def test_replacing_a_layer_keeps_its_place_as_in_torchvision():
    """Fine-tuning code replaces layers (``model.conv1 = ...``) and slices ``children()``: the order must hold."""
    ours, theirs = _pair("resnet18")
    ours.conv1 = chainrule.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    theirs.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    ours.fc.bias = chainrule.nn.Parameter(chainrule.zeros(1000))
    theirs.fc.bias = torch.nn.Parameter(torch.zeros(1000))
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    trunk = chainrule.nn.Sequential(*list(ours.children())[:-1])
    assert tuple(trunk(chainrule.randn(2, 1, 32, 32)).shape) == (2, 512, 1, 1)
