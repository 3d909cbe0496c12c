"""``chainrule.<name>_(x, ...)``: the top-level in-place functions, against ``torch.<name>_`` on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import _inplace_functions

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

_RNG = np.random.default_rng(0)
_UNIT = _RNG.uniform(0.1, 0.9, (3, 4)).astype(np.float32)  # inside every domain below (log, atanh, logit, ...)
_SIGNED = _RNG.uniform(-2.5, 2.5, (3, 4)).astype(np.float32)
_INTS = _RNG.integers(1, 30, (3, 4))


def _case(name):
    """(input array, extra arguments as a function of the library) for ``name``."""
    unary = {"abs_": _SIGNED, "ceil_": _SIGNED, "floor_": _SIGNED, "round_": _SIGNED, "trunc_": _SIGNED,
             "fix_": _SIGNED, "frac_": _SIGNED, "neg_": _SIGNED, "negative_": _SIGNED, "relu_": _SIGNED,
             "sign_": _SIGNED, "square_": _SIGNED, "sinc_": _SIGNED, "erf_": _SIGNED, "erfc_": _SIGNED,
             "selu_": _SIGNED, "celu_": _SIGNED, "acosh_": _UNIT + 1.5, "arccosh_": _UNIT + 1.5,
             "detach_": _SIGNED, "zero_": _SIGNED}
    with_args = {
        "clamp_": (_SIGNED, lambda lib: (-1.0, 1.0)), "clip_": (_SIGNED, lambda lib: (-0.5, None)),
        "clamp_max_": (_SIGNED, lambda lib: (0.5,)), "clamp_min_": (_SIGNED, lambda lib: (-0.5,)),
        "fill_": (_SIGNED, lambda lib: (2.5,)), "threshold_": (_SIGNED, lambda lib: (0.5, -9.0)),
        "rrelu_": (_SIGNED, lambda lib: (0.1, 0.3)),
        "nan_to_num_": (np.array([np.nan, np.inf, -np.inf, 1.0], np.float32), lambda lib: (0.0, 5.0, -5.0)),
        "gcd_": (_INTS, lambda lib: (lib.tensor(_INTS[::-1].copy()),)),
        "lcm_": (_INTS, lambda lib: (lib.tensor(_INTS[::-1].copy()),)),
        "ldexp_": (_UNIT, lambda lib: (lib.tensor(_INTS % 4),)),
        "xlogy_": (_UNIT, lambda lib: (lib.tensor(_UNIT[::-1].copy()),)),
        "addmv_": (_UNIT[0, :3].copy(), lambda lib: (lib.tensor(_SIGNED[:, :3].T.copy()), lib.tensor(_UNIT[1, :3].copy()))),
        "index_put_": (_SIGNED, lambda lib: ((lib.tensor([0, 2]),), lib.tensor(7.0))),
        "resize_as_": (_SIGNED, lambda lib: (lib.zeros(3, 4),)),
    }
    if name in with_args:
        return with_args[name]
    return unary.get(name, _UNIT), lambda lib: ()


@pytest.mark.parametrize("name", _inplace_functions.__all__)
def test_inplace_function_matches_torch_and_returns_its_input(name):
    array, extra = _case(name)
    ours, theirs = cr.tensor(array.copy()), torch.tensor(array.copy())
    result = getattr(cr, name)(ours, *extra(cr))
    expected = getattr(torch, name)(theirs, *extra(torch))
    assert result is ours and expected is theirs
    assert ours.dtype == getattr(cr, str(theirs.dtype).split(".")[1])
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["sigmoid_", "tanh_", "exp_", "clamp_", "relu_", "celu_"])
def test_gradient_flows_through_an_inplace_function_on_a_non_leaf(name):
    args = (-1.0, 1.0) if name == "clamp_" else ()
    x, t = cr.tensor(_SIGNED, requires_grad=True), torch.tensor(_SIGNED, requires_grad=True)
    y, u = x * 1.5, t * 1.5
    getattr(cr, name)(y, *args).pow(2).sum().backward()
    getattr(torch, name)(u, *args).pow(2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_every_name_torch_has_at_top_level():
    """Each name here is a top-level function of PyTorch too (we add none of our own)."""
    assert all(callable(getattr(torch, name, None)) for name in _inplace_functions.__all__)


def test_non_tensor_input_is_refused_by_name():
    with pytest.raises(TypeError, match=r"sin_\(\): argument 'input' must be Tensor, not list"):
        cr.sin_([0.5])
    with pytest.raises(TypeError):
        torch.sin_([0.5])


def test_inplace_function_on_a_leaf_that_requires_grad_refuses_like_torch():
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch.exp_(torch.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match="leaf"):
        cr.exp_(cr.ones(2, requires_grad=True))
