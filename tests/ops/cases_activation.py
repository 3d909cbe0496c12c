"""Op cases for ops/activation.py: smooth domains for gradcheck, separate kink cases checked
against PyTorch only, extreme inputs (|x| = 1000) in float32, float64 variants, softmax dims."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)


def F(m):  # PyTorch keeps most activations in nn.functional; chainrule's ops are checked directly
    return m.ops if m.__name__ == "chainrule" else m.nn.functional


def _kinks(*points):
    """Inputs sitting exactly on the kinks, plus values on either side."""
    return lambda r: [np.array([*points, -2.5, -0.5, 0.5, 2.5, 7.0])]


def _extreme(rng):
    return [np.array([-1000.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1000.0])]


def _int(rng):
    return [rng.integers(-5, 8, S)]


B64 = ("float32", "float64")

CASES = [
    # relu family (integers keep their dtype; kinks follow PyTorch's one-sided choices)
    OpCase("relu", lambda m, a: m.relu(a), [S], noncontig=True),
    OpCase("relu_method", lambda m, a: a.relu(), [(2, 1, 3)]),
    OpCase("relu_kink", lambda m, a: m.relu(a), make=_kinks(0.0), gradcheck=False),
    OpCase("relu_int", lambda m, a: m.relu(a), make=_int, grad=False),
    OpCase("hardtanh", lambda m, a: F(m).hardtanh(a), [S], noncontig=True),
    OpCase("hardtanh_bounds", lambda m, a: F(m).hardtanh(a, min_val=-0.5, max_val=2.0), [S], domain=(-3, 3)),
    OpCase("hardtanh_kink", lambda m, a: F(m).hardtanh(a), make=_kinks(-1.0, 1.0), gradcheck=False),
    OpCase("hardtanh_int", lambda m, a: F(m).hardtanh(a, -2, 3), make=_int, grad=False),
    OpCase("relu6", lambda m, a: F(m).relu6(a), [S], domain=(-3, 9)),
    OpCase("relu6_kink", lambda m, a: F(m).relu6(a), make=_kinks(0.0, 6.0), gradcheck=False),
    OpCase("relu6_int", lambda m, a: F(m).relu6(a), make=_int, grad=False),
    OpCase("leaky_relu", lambda m, a: F(m).leaky_relu(a), [S], noncontig=True),
    OpCase("leaky_relu_slope", lambda m, a: F(m).leaky_relu(a, negative_slope=0.2), [(5,)]),
    OpCase("leaky_relu_kink", lambda m, a: F(m).leaky_relu(a, -0.5), make=_kinks(0.0), gradcheck=False),
    # smooth activations, float32 and float64
    OpCase("gelu", lambda m, a: F(m).gelu(a), [S], domain=(-4, 4), noncontig=True, dtypes=B64),
    OpCase("gelu_tanh", lambda m, a: F(m).gelu(a, approximate="tanh"), [S], domain=(-4, 4), dtypes=B64),
    OpCase("gelu_f64_tight", lambda m, a: F(m).gelu(a), [(200,)], domain=(-9, 9), dtypes=("float64",), rtol=1e-13, atol=1e-15),
    OpCase("gelu_extreme", lambda m, a: F(m).gelu(a) + F(m).gelu(a, approximate="tanh"), make=_extreme, gradcheck=False),
    OpCase("gelu_shapes", lambda m, a, b: F(m).gelu(a) + F(m).gelu(b, approximate="none"), [(), (0, 3)]),
    OpCase("silu", lambda m, a: F(m).silu(a), [S], domain=(-5, 5), noncontig=True, dtypes=B64),
    OpCase("silu_extreme", lambda m, a: F(m).silu(a), make=_extreme, gradcheck=False),
    OpCase("softplus", lambda m, a: F(m).softplus(a), [S], domain=(-5, 5), noncontig=True, dtypes=B64),
    OpCase("softplus_beta_threshold", lambda m, a: F(m).softplus(a, beta=2.0, threshold=1.0), [(4, 5)], domain=(-2, 2)),
    OpCase("softplus_extreme", lambda m, a: F(m).softplus(a) + F(m).softplus(a, beta=0.5, threshold=5.0), make=_extreme, gradcheck=False),
    OpCase("elu", lambda m, a: F(m).elu(a), [S], noncontig=True, dtypes=B64),
    OpCase("elu_alpha", lambda m, a: F(m).elu(a, alpha=0.5), [(5,)]),
    OpCase("elu_kink", lambda m, a: F(m).elu(a, 2.0) + F(m).selu(a) + F(m).celu(a, 0.5), make=_kinks(0.0), gradcheck=False),
    OpCase("elu_extreme", lambda m, a: F(m).elu(a) + F(m).selu(a) + F(m).celu(a), make=_extreme, gradcheck=False),
    OpCase("selu", lambda m, a: m.selu(a), [S], dtypes=B64),
    OpCase("celu", lambda m, a: m.celu(a, alpha=2.0), [S], dtypes=B64),
    OpCase("celu_default", lambda m, a: m.celu(a), [()]),
    OpCase("logsigmoid", lambda m, a: F(m).logsigmoid(a), [S], domain=(-6, 6), noncontig=True, dtypes=B64),
    OpCase("logsigmoid_extreme", lambda m, a: F(m).logsigmoid(a), make=_extreme, gradcheck=False),
    OpCase("mish", lambda m, a: F(m).mish(a), [S], domain=(-4, 4), dtypes=B64),
    OpCase("hardsigmoid", lambda m, a: F(m).hardsigmoid(a), [S], domain=(-5, 5)),
    OpCase("hardswish", lambda m, a: F(m).hardswish(a), [S], domain=(-5, 5)),
    OpCase("hard_kinks", lambda m, a: F(m).hardsigmoid(a) + F(m).hardswish(a), make=_kinks(-3.0, 0.0, 3.0), gradcheck=False),
    OpCase("softsign", lambda m, a: F(m).softsign(a), [S], noncontig=True),
    OpCase("softsign_int", lambda m, a: F(m).softsign(a), make=_int, grad=False),
    OpCase("tanhshrink", lambda m, a: F(m).tanhshrink(a), [S]),
    OpCase("activations_zero_size", lambda m, a: F(m).silu(a) + F(m).softplus(a) + F(m).elu(a) + F(m).logsigmoid(a) + F(m).leaky_relu(a) + m.relu(a), [(2, 0)]),
    # softmax / log_softmax: every dim, negative dims, 0-d, zero-size, dtype=, extremes
    OpCase("softmax_dim0", lambda m, a: m.softmax(a, 0), [S], noncontig=True),
    OpCase("softmax_dim_neg", lambda m, a: m.softmax(a, dim=-1), [(2, 3, 4)], domain=(-5, 5)),
    OpCase("softmax_dim1_3d", lambda m, a: m.softmax(a, 1), [(2, 3, 4)], dtypes=B64),
    OpCase("softmax_method", lambda m, a: a.softmax(-1), [(5,)]),
    OpCase("softmax_0d", lambda m, a: m.softmax(a, 0) + m.softmax(a, -1), [()]),
    OpCase("softmax_size1", lambda m, a: m.softmax(a, 1), [(3, 1)]),
    OpCase("softmax_zero_size", lambda m, a: m.softmax(a, 0) + m.softmax(a, 1), [(0, 3)]),
    OpCase("softmax_dtype", lambda m, a: m.softmax(a, 1, dtype=m.float64), [S]),
    OpCase("softmax_int_dtype", lambda m, a: m.softmax(a, 0, dtype=m.float32), make=_int, grad=False),
    OpCase("softmax_extreme", lambda m, a: m.softmax(a, 0), make=lambda r: [np.array([1000.0, -1000.0, 0.0, 999.0])]),
    OpCase("softmax_neg_inf", lambda m, a: m.softmax(a, 1), make=lambda r: [np.array([[0.5, -np.inf, 1.0], [-np.inf, 2.0, -1.0]])], gradcheck=False),
    OpCase("log_softmax_dim0", lambda m, a: m.log_softmax(a, 0), [S], noncontig=True),
    OpCase("log_softmax_dim_neg", lambda m, a: m.log_softmax(a, dim=-2), [(2, 3, 4)], domain=(-5, 5), dtypes=B64),
    OpCase("log_softmax_method", lambda m, a: a.log_softmax(dim=1), [(2, 5)]),
    OpCase("log_softmax_0d", lambda m, a: m.log_softmax(a, 0), [()]),
    OpCase("log_softmax_zero_size", lambda m, a: m.log_softmax(a, -1), [(2, 0)]),
    OpCase("log_softmax_dtype", lambda m, a: m.log_softmax(a, -1, dtype=m.float64), [S]),
    OpCase("log_softmax_extreme", lambda m, a: m.log_softmax(a, 0), make=lambda r: [np.array([1000.0, -1000.0, 0.0, 999.0])], atol=1e-4),
    OpCase("softmax_composite_agrees", lambda m, a: m.log_softmax(a, 1) - m.log(m.softmax(a, 1)), [S], atol=1e-5),
]
