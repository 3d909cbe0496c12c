"""Op cases for nn/functional/activation.py: F's names, options and in-place variants, softmax's legacy
implicit dim, and the activations defined there (prelu, glu, threshold, softshrink, hardshrink, softmin,
rrelu in eval). In-place variants run on a non-leaf (``x * 1``), as PyTorch requires.
"""

from __future__ import annotations

import warnings

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

S = (3, 4)
F64 = ("float32", "float64")


def _F(m):  # noqa: N802
    return m.nn.functional


def _quiet(fn):
    """Run a case that triggers PyTorch's implicit-dim UserWarning without printing it."""

    def run(m, *a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(m, *a)

    return run


def _away_from(*kinks, shape=S):
    """Uniform inputs kept 0.05 away from each kink, so finite differences are well posed."""

    def make(r):
        x = r.uniform(-3, 3, shape)
        for k in kinks:
            x = np.where(np.abs(x - k) < 0.05, k + 0.1, x)
        return [x]

    return make


ELEMENTWISE = [  # (name, call, kinks)
    ("relu", lambda F, x: F.relu(x), (0.0,)),
    ("relu6", lambda F, x: F.relu6(x), (0.0, 6.0)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2), (0.0,)),
    ("leaky_relu_default", lambda F, x: F.leaky_relu(x), (0.0,)),
    ("elu", lambda F, x: F.elu(x, alpha=0.7), (0.0,)),
    ("selu", lambda F, x: F.selu(x), (0.0,)),
    ("celu", lambda F, x: F.celu(x, 0.5), (0.0,)),
    ("gelu", lambda F, x: F.gelu(x), ()),
    ("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh"), ()),
    ("silu", lambda F, x: F.silu(x), ()),
    ("mish", lambda F, x: F.mish(x), ()),
    ("tanh", lambda F, x: F.tanh(x), ()),
    ("sigmoid", lambda F, x: F.sigmoid(x), ()),
    ("hardtanh", lambda F, x: F.hardtanh(x), (-1.0, 1.0)),
    ("hardtanh_bounds", lambda F, x: F.hardtanh(x, -0.5, 2.0), (-0.5, 2.0)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x), (-3.0, 3.0)),
    ("hardswish", lambda F, x: F.hardswish(x), (-3.0, 3.0)),
    ("softplus", lambda F, x: F.softplus(x), ()),
    ("softplus_beta_threshold", lambda F, x: F.softplus(x, beta=2, threshold=3), (1.5,)),
    ("softsign", lambda F, x: F.softsign(x), ()),
    ("logsigmoid", lambda F, x: F.logsigmoid(x), ()),
    ("tanhshrink", lambda F, x: F.tanhshrink(x), ()),
    ("softshrink", lambda F, x: F.softshrink(x), (-0.5, 0.5)),
    ("softshrink_lambd", lambda F, x: F.softshrink(x, 1.2), (-1.2, 1.2)),
    ("hardshrink", lambda F, x: F.hardshrink(x), (-0.5, 0.5)),
    ("hardshrink_lambd", lambda F, x: F.hardshrink(x, lambd=1.0), (-1.0, 1.0)),
    ("threshold", lambda F, x: F.threshold(x, 0.5, 20.0), (0.5,)),
    ("rrelu_eval", lambda F, x: F.rrelu(x), (0.0,)),
    ("rrelu_eval_bounds", lambda F, x: F.rrelu(x, 0.1, 0.5, training=False), (0.0,)),
]

INPLACE = [  # in-place variants, on a non-leaf
    ("relu_inplace", lambda F, x: F.relu(x * 1, inplace=True)),
    ("relu_", lambda F, x: F.relu_(x * 1)),
    ("relu6_inplace", lambda F, x: F.relu6(x * 1, inplace=True)),
    ("leaky_relu_inplace", lambda F, x: F.leaky_relu(x * 1, 0.1, True)),
    ("leaky_relu_", lambda F, x: F.leaky_relu_(x * 1, 0.1)),
    ("elu_inplace", lambda F, x: F.elu(x * 1, 1.5, inplace=True)),
    ("elu_", lambda F, x: F.elu_(x * 1)),
    ("selu_inplace", lambda F, x: F.selu(x * 1, True)),
    ("selu_", lambda F, x: F.selu_(x * 1)),
    ("celu_inplace", lambda F, x: F.celu(x * 1, 2.0, True)),
    ("celu_", lambda F, x: F.celu_(x * 1, 2.0)),
    ("silu_inplace", lambda F, x: F.silu(x * 1, inplace=True)),
    ("mish_inplace", lambda F, x: F.mish(x * 1, inplace=True)),
    ("hardtanh_inplace", lambda F, x: F.hardtanh(x * 1, inplace=True)),
    ("hardtanh_", lambda F, x: F.hardtanh_(x * 1, -2.0, 2.0)),
    ("hardsigmoid_inplace", lambda F, x: F.hardsigmoid(x * 1, inplace=True)),
    ("hardswish_inplace", lambda F, x: F.hardswish(x * 1, inplace=True)),
    ("threshold_inplace", lambda F, x: F.threshold(x * 1, 0.5, -1.0, inplace=True)),
    ("threshold_", lambda F, x: F.threshold_(x * 1, 0.5, -1.0)),
    ("rrelu_eval_inplace", lambda F, x: F.rrelu(x * 1, inplace=True)),
    ("rrelu_", lambda F, x: F.rrelu_(x * 1)),
]


def _elementwise():
    out = []
    for name, call, kinks in ELEMENTWISE:
        fn = lambda m, x, call=call: call(_F(m), x)  # noqa: E731
        out.append(OpCase(f"F.{name}", fn, make=_away_from(*kinks), dtypes=F64, noncontig=True))
        out.append(OpCase(f"F.{name}_0d", fn, make=_away_from(*kinks, shape=())))
        out.append(OpCase(f"F.{name}_empty", fn, [(0, 3)]))
        if kinks:  # exactly on the kinks: checked against PyTorch only
            out.append(OpCase(f"F.{name}_kinks", fn, make=lambda r, k=kinks: [np.array([*k, -2.5, 0.3, 2.5])], gradcheck=False))
    for name, call in INPLACE:
        out.append(OpCase(f"F.{name}", lambda m, x, call=call: call(_F(m), x), make=_away_from(0.0, 0.5, -1.0, 1.0, -3.0, 3.0, 6.0)))
    return out


CASES = [
    *_elementwise(),
    # softmax family: dims, dtype, legacy implicit dim (0 for 0/1/3-D inputs, else 1)
    OpCase("F.softmax", lambda m, x: _F(m).softmax(x, dim=1), [(3, 4)], dtypes=F64, noncontig=True),
    OpCase("F.softmax_neg_dim", lambda m, x: _F(m).softmax(x, -1), [(2, 3, 4)]),
    OpCase("F.softmax_dtype", lambda m, x: _F(m).softmax(x, 0, dtype=m.float64), [(3, 4)]),
    OpCase("F.softmax_implicit_2d", _quiet(lambda m, x: _F(m).softmax(x)), [(3, 4)]),
    OpCase("F.softmax_implicit_3d", _quiet(lambda m, x: _F(m).softmax(x)), [(2, 3, 4)]),
    OpCase("F.softmax_implicit_1d", _quiet(lambda m, x: _F(m).softmax(x)), [(5,)]),
    OpCase("F.softmax_implicit_4d", _quiet(lambda m, x: _F(m).softmax(x)), [(2, 3, 2, 2)]),
    OpCase("F.log_softmax", lambda m, x: _F(m).log_softmax(x, 1), [(3, 4)], dtypes=F64, noncontig=True),
    OpCase("F.log_softmax_dtype", lambda m, x: _F(m).log_softmax(x, dim=-1, dtype=m.float64), [(3, 4)]),
    OpCase("F.log_softmax_implicit", _quiet(lambda m, x: _F(m).log_softmax(x)), [(2, 3, 4)]),
    OpCase("F.log_softmax_extreme", lambda m, x: _F(m).log_softmax(x, 1), make=lambda r: [np.array([[1e4, -1e4, 0.0], [50.0, 50.0, -50.0]])], gradcheck=False),
    OpCase("F.softmin", lambda m, x: _F(m).softmin(x, 1), [(3, 4)], dtypes=F64),
    OpCase("F.softmin_dim0", lambda m, x: _F(m).softmin(x, dim=0), [(3, 4)]),
    OpCase("F.softmin_dtype", lambda m, x: _F(m).softmin(x, 1, dtype=m.float64), [(3, 4)]),
    OpCase("F.softmin_implicit", _quiet(lambda m, x: _F(m).softmin(x)), [(3, 4)]),
    # glu
    OpCase("F.glu", lambda m, x: _F(m).glu(x), [(3, 4)], dtypes=F64, noncontig=True),
    OpCase("F.glu_dim0", lambda m, x: _F(m).glu(x, 0), [(4, 3)]),
    OpCase("F.glu_dim1_3d", lambda m, x: _F(m).glu(x, dim=1), [(2, 6, 3)]),
    OpCase("F.glu_1d", lambda m, x: _F(m).glu(x), [(2,)]),
    # prelu: one shared slope, per-channel slopes, 1-D / 0-d inputs
    OpCase("F.prelu_shared", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [_away_from(0.0, shape=(2, 3, 4))(r)[0], r.uniform(0, 1, (1,))], dtypes=F64),
    OpCase("F.prelu_channels", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [_away_from(0.0, shape=(2, 3, 4))(r)[0], r.uniform(0, 1, (3,))], dtypes=F64),
    OpCase("F.prelu_channels_4d", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [_away_from(0.0, shape=(2, 3, 2, 2))(r)[0], r.uniform(0, 1, (3,))]),
    OpCase("F.prelu_2d", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [_away_from(0.0, shape=(4, 3))(r)[0], r.uniform(0, 1, (3,))], noncontig=True),
    OpCase("F.prelu_1d", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [_away_from(0.0, shape=(5,))(r)[0], r.uniform(0, 1, (1,))]),
    OpCase("F.prelu_0d", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [np.array(-0.7), r.uniform(0, 1, (1,))]),
    OpCase("F.prelu_0d_weight", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [_away_from(0.0, shape=(4, 3))(r)[0], np.array(0.3)]),
    OpCase("F.prelu_kink", lambda m, x, a: _F(m).prelu(x, a), make=lambda r: [np.array([[0.0, -1.0, 2.0]]), np.array([0.25])], gradcheck=False),
]
