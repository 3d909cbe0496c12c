"""``nn.utils.prune`` against PyTorch on the same weights: masks of the deterministic methods, mask
combination when pruning twice, global pruning, the masked gradient, ``remove`` and the module layout."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.nn.utils.prune as prune

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
import torch.nn.utils.prune as tprune  # noqa: E402


def _conv_pair(seed: int = 0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    c, t = chainrule.nn.Conv2d(2, 6, 3), torch.nn.Conv2d(2, 6, 3)
    c.load_state_dict({"weight": chainrule.tensor(w), "bias": chainrule.tensor(b)})
    t.load_state_dict({"weight": torch.tensor(w), "bias": torch.tensor(b)})
    return c, t


def _same(c, t) -> None:
    np.testing.assert_array_equal(c.detach().numpy(), t.detach().numpy())


def test_l1_then_ln_structured_layout_masks_and_gradient_like_torch() -> None:
    c, t = _conv_pair()
    prune.l1_unstructured(c, "weight", amount=0.3)
    tprune.l1_unstructured(t, "weight", amount=0.3)
    prune.l1_unstructured(c, "bias", amount=3)
    tprune.l1_unstructured(t, "bias", amount=3)
    assert [n for n, _ in c.named_parameters()] == [n for n, _ in t.named_parameters()] == ["weight_orig",
                                                                                             "bias_orig"]
    assert [n for n, _ in c.named_buffers()] == [n for n, _ in t.named_buffers()]
    _same(c.weight_mask, t.weight_mask)
    _same(c.bias_mask, t.bias_mask)
    prune.ln_structured(c, "weight", amount=0.5, n=2, dim=0)  # combined with the earlier mask
    tprune.ln_structured(t, "weight", amount=0.5, n=2, dim=0)
    _same(c.weight_mask, t.weight_mask)
    hooks = [h for h in c._forward_pre_hooks.values() if h._tensor_name == "weight"]
    assert isinstance(hooks[0], prune.PruningContainer)
    assert [type(m).__name__ for m in hooks[0]] == ["L1Unstructured", "LnStructured"]
    assert list(c.state_dict()) == list(t.state_dict())
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 5)).astype(np.float32)
    c(chainrule.tensor(x)).sum().backward()
    t(torch.tensor(x)).sum().backward()
    np.testing.assert_allclose(c.weight_orig.grad.numpy(), t.weight_orig.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert (c.weight_orig.grad.numpy()[c.weight_mask.numpy() == 0] == 0).all()


def test_global_unstructured_and_custom_mask_like_torch() -> None:
    (c1, t1), (c2, t2) = _conv_pair(2), _conv_pair(3)
    prune.global_unstructured([(c1, "weight"), (c2, "weight")], pruning_method=prune.L1Unstructured, amount=0.25)
    tprune.global_unstructured([(t1, "weight"), (t2, "weight")], pruning_method=tprune.L1Unstructured,
                               amount=0.25)
    _same(c1.weight_mask, t1.weight_mask)
    _same(c2.weight_mask, t2.weight_mask)
    _same(c1.weight, t1.weight)
    mask = (np.arange(6) % 2).astype(np.float32)
    prune.custom_from_mask(c1, "bias", chainrule.tensor(mask))
    tprune.custom_from_mask(t1, "bias", torch.tensor(mask))
    _same(c1.bias, t1.bias)


def test_remove_makes_pruning_permanent_like_torch() -> None:
    c, t = _conv_pair(4)
    orig = c.weight
    prune.l1_unstructured(c, "weight", amount=10)
    tprune.l1_unstructured(t, "weight", amount=10)
    assert prune.is_pruned(c) and tprune.is_pruned(t)
    prune.remove(c, "weight")
    tprune.remove(t, "weight")
    assert c.weight is orig and isinstance(c.weight, chainrule.nn.Parameter)
    _same(c.weight, t.weight)
    assert int((c.weight == 0).sum()) == 10
    assert list(c.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert not prune.is_pruned(c)
    with pytest.raises(ValueError, match="has to be pruned before"):
        prune.remove(c, "weight")


def test_random_methods_prune_the_requested_amount() -> None:
    c, _ = _conv_pair(5)
    prune.random_unstructured(c, "weight", amount=0.3)
    assert int((c.weight_mask == 0).sum()) == round(0.3 * 108)
    layer = chainrule.nn.Linear(4, 6)
    prune.random_structured(layer, "weight", amount=2, dim=0)
    rows_pruned = (layer.weight_mask.sum(dim=1) == 0).sum()
    assert int(rows_pruned) == 2
    prune.identity(layer, "bias")
    assert bool((layer.bias_mask == 1).all())


def test_custom_method_and_errors_like_torch() -> None:
    class EveryOther(prune.BasePruningMethod):
        PRUNING_TYPE = "unstructured"

        def compute_mask(self, t, default_mask):
            mask = default_mask.clone()
            mask.flatten()[::2] = 0
            return mask

    layer = chainrule.nn.Linear(3, 4)
    EveryOther.apply(layer, "bias")
    assert layer.bias_mask.tolist() == [0.0, 1.0, 0.0, 1.0]
    for bad, err in [(-1, ValueError), (1.5, ValueError), ("a", TypeError)]:
        with pytest.raises(err):
            prune.l1_unstructured(chainrule.nn.Linear(2, 2), "weight", amount=bad)
        with pytest.raises(err):
            tprune.l1_unstructured(torch.nn.Linear(2, 2), "weight", amount=bad)
    with pytest.raises(ValueError, match="should be smaller than the number of parameters"):
        prune.l1_unstructured(chainrule.nn.Linear(2, 2), "weight", amount=5)
    with pytest.raises(ValueError, match="Structured pruning can only be applied to multidimensional"):
        prune.ln_structured(chainrule.nn.Linear(2, 2), "bias", amount=1, n=2, dim=0)
    fresh, tfresh = chainrule.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    with pytest.raises(ValueError):
        prune.l1_unstructured(fresh, "weight", amount=5)
    with pytest.raises(ValueError):
        tprune.l1_unstructured(tfresh, "weight", amount=5)
    # the parameter is restored after the failure (at the end, as PyTorch re-registers it)
    assert [n for n, _ in fresh.named_parameters()] == [n for n, _ in tfresh.named_parameters()]
    assert not prune.is_pruned(fresh) and not fresh._buffers


def test_gradcheck_through_pruned_layer_float64() -> None:
    layer = chainrule.nn.Linear(3, 2, dtype=chainrule.float64)
    prune.l1_unstructured(layer, "weight", amount=2)
    x = chainrule.randn(4, 3, dtype=chainrule.float64, requires_grad=True)
    assert chainrule.autograd.gradcheck(layer, (x,))  # through the pre-hook that recomputes weight
    method = prune.L1Unstructured(amount=2)
    w = chainrule.randn(2, 3, dtype=chainrule.float64, requires_grad=True)
    assert chainrule.autograd.gradcheck(
        lambda x, w: chainrule.nn.functional.linear(x, method.prune(w), layer.bias), (x, w))
