"""nn.attention.sdpa_kernel as PyTorch's on a CPU: attention runs while MATH or FLASH_ATTENTION is
allowed, raises "No viable backend" otherwise; bad arguments are refused; the setting is restored."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _outcome(lib, backends_of):
    from importlib import import_module

    attention = import_module(f"{lib.__name__}.nn.attention")
    q = lib.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 4)).astype(np.float32))
    try:
        with attention.sdpa_kernel(backends_of(attention.SDPBackend)):
            return lib.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True).numpy()
    except RuntimeError as e:
        assert "No viable backend for scaled_dot_product_attention" in str(e)
        return "no backend"


@pytest.mark.parametrize("backends_of", [
    lambda B: B.MATH, lambda B: B.FLASH_ATTENTION, lambda B: [B.CUDNN_ATTENTION, B.MATH], lambda B: [],
    lambda B: [B.EFFICIENT_ATTENTION], lambda B: B.ERROR, lambda B: [B.CUDNN_ATTENTION, B.OVERRIDEABLE],
])  # fmt: skip
def test_sdpa_kernel_as_torch_on_cpu(backends_of) -> None:
    ours, theirs = _outcome(chainrule, backends_of), _outcome(torch, backends_of)
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_sdpa_kernel_refuses_non_backends_and_restores() -> None:
    from chainrule.nn.attention import SDPBackend, sdpa_kernel

    with pytest.raises(AssertionError, match="must be an instance of SDPBackend"):
        with sdpa_kernel("math"):
            pass
    q = chainrule.ones(1, 2, 3)
    with pytest.raises(RuntimeError, match="No viable backend"):
        with sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION]):
            chainrule.nn.functional.scaled_dot_product_attention(q, q, q)
    assert chainrule.nn.functional.scaled_dot_product_attention(q, q, q).shape == (1, 2, 3)
