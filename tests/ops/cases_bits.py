"""Op cases for ops/bits.py and the scalar forms around it: bit shifts and bitwise ops with
wrap-around, where(cond, scalar, scalar), Tensor.where, view(dtype), resize_, and in-place forms of
the new elementwise ops (nan_to_num_, special functions)."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
_I = np.array([[-8, -1, 0, 1], [3, 7, 100, -100], [2**20, -(2**20), 5, -5]])


def _ints(dtype):
    return lambda r: [_I.astype(dtype), np.array([0, 1, 3, 7]).astype(dtype)]


def _mask(rng):
    return [rng.random(S) > 0.5]


def _resize(m, x):
    y = x.clone()
    y.resize_(2, 3)
    z = x.clone().resize_(4)
    return y, z


CASES = [
    OpCase("shift_int64", lambda m, x, s: (x << s, x >> s, m.bitwise_left_shift(x, 2), x.bitwise_right_shift(1)), make=_ints(np.int64), grad=False),
    OpCase("shift_int8_wraps", lambda m, x, s: (x << s, x >> s, x << 5), make=lambda r: [np.array([[1, 3, -3, 127]], np.int8), np.array([7, 6, 1, 0], np.int8)], grad=False),
    OpCase("shift_out_of_range", lambda m, x, s: (x << 64, x >> 64, x << -1, x >> -1, x.to(m.int32) << 40), make=_ints(np.int64), grad=False),
    OpCase("shift_uint8_int32", lambda m, x, s: (x << 9, x >> s.to(m.uint8), x.to(m.int32) << s.to(m.int32)), make=_ints(np.uint8), grad=False),
    OpCase("shift_scalar_left", lambda m, s: (3 << s, 1024 >> s, m.bitwise_left_shift(2, s)), make=lambda r: [np.array([0, 1, 5])], grad=False),
    OpCase("shift_bool_promotes", lambda m, k: k << 1, make=_mask, grad=False),
    OpCase("shift_inplace", lambda m, x, s: (lambda y: (y.__ilshift__(2), y.__irshift__(1), y.bitwise_left_shift_(1))[-1])(x.clone()), make=_ints(np.int64), grad=False),
    OpCase("bitwise_wraparound", lambda m, x, y: (x | 0xFFFFFFFF, x & 0x1FF, x ^ -1, y & 255, 0xFFFF | y),
           make=lambda r: [np.array([0, 5, -7], np.int32), np.array([3, -2, 127], np.int8)], grad=False),
    OpCase("bitwise_inplace", lambda m, x, s: (lambda y: (y.__iand__(6), y.__ior__(1), y.__ixor__(3))[-1])(x.clone()), make=_ints(np.int64), grad=False),
    # where with numbers, Tensor.where
    OpCase("where_two_scalars", lambda m, k: (m.where(k, 1.0, 0), m.where(k, 2, -1), m.where(k, True, False), m.where(k, 1, 0.5)), make=_mask, grad=False),
    OpCase("where_scalar_float64_default", lambda m, k: m.where(k, 1.5, -2.5).double(), make=_mask, grad=False),
    OpCase("where_method", lambda m, a, b, k: a.where(k, b), make=lambda r: [r.standard_normal(S), r.standard_normal((4,)), r.random(S) > 0.5]),
    OpCase("where_method_scalar", lambda m, a, k: a.where(k, 0.0), make=lambda r: [r.standard_normal(S), r.random(S) > 0.5]),
    # view(dtype), resize_
    OpCase("view_dtype_same_size", lambda m, a: (a.detach().view(m.int32), a.detach().view(dtype=m.int32).view(m.float32)), [S], grad=False),
    OpCase("view_dtype_sizes", lambda m, a: (a.detach().view(m.uint8), a.detach().view(m.int16), a.detach().double().view(m.float32)), [S], grad=False),
    OpCase("view_dtype_ints", lambda m, x, s: (x.view(m.int8), x.view(m.float64), x.view(m.int32)), make=_ints(np.int64), grad=False),
    OpCase("view_dtype_same", lambda m, a: a.view(a.dtype) * 2, [S], grad=False),  # no gradient, as PyTorch
    OpCase("resize_", _resize, make=lambda r: [np.arange(12).reshape(3, 4)], grad=False),
    # in-place forms of the new elementwise ops
    OpCase("nan_to_num_inplace", lambda m, a: (a * 1).log().nan_to_num_(nan=0.5, neginf=-3.0), make=lambda r: [np.array([1.5, -1.0, 0.0, 2.0])], gradcheck=False),
    OpCase("special_inplace", lambda m, a: (a * 1).lgamma_() + (a * 1).digamma_() + (a * 1).erfinv_() + (a * 1).polygamma_(1),
           [S], domain=(0.2, 0.9)),
    OpCase("binary_special_inplace", lambda m, a, b: (a * 1).copysign_(b) + (a * 1).hypot_(b) + (a.abs() * 1).xlogy_(b.abs() + 0.5), [S, S]),
    OpCase("erfc_inplace", lambda m, a: (a * 1).erfc_(), [S], domain=(0.2, 0.9)),
    # PyTorch defines no derivative for in-place asinh_/atanh_/acosh_, so only their values are compared
    OpCase("inverse_hyperbolic_inplace", lambda m, a: (lambda y: (y.clone().atanh_(), (y + 1).acosh_(), y.clone().arctanh_(), (y + 1).arccosh_(), y.clone().asinh_(), y.clone().arcsinh_()))(a.detach()),
           [S], domain=(0.2, 0.9), grad=False),
    OpCase("inverse_hyperbolic_inplace_grad", lambda m, a: (a * 1).asinh_() + (a * 1).atanh_() + (a + 1).acosh_() if m.__name__ == "chainrule" else a.asinh() + a.atanh() + (a + 1).acosh(),
           [S], domain=(0.2, 0.9)),
]
