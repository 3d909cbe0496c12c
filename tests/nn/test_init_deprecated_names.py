"""``nn.init.normal`` and the other old names without the trailing underscore (PyTorch still accepts them
with a FutureWarning; so does chainrule), and the private fan helpers that custom layers call."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.nn import init

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

OLD = ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
       "kaiming_normal", "orthogonal", "sparse"]  # fmt: skip
ARGS = {"constant": (0.3,), "sparse": (0.5,)}


def _shape(name: str) -> tuple[int, ...]:
    return (4, 4, 3) if name == "dirac" else (6, 5)


@pytest.mark.parametrize("name", OLD)
def test_old_name_warns_like_torch_and_fills_like_the_new_name(name: str) -> None:
    assert hasattr(torch.nn.init, name)
    args = ARGS.get(name, ())
    with pytest.warns(FutureWarning) as theirs:
        getattr(torch.nn.init, name)(torch.empty(_shape(name)), *args)
    chainrule.manual_seed(3)
    with pytest.warns(FutureWarning) as ours:
        filled = getattr(init, name)(w := chainrule.empty(*_shape(name)), *args)
    assert str(ours[0].message) == str(theirs[0].message)
    assert filled is w
    chainrule.manual_seed(3)
    expected = getattr(init, name + "_")(chainrule.empty(*_shape(name)), *args)
    np.testing.assert_array_equal(w.numpy(), expected.numpy())


@pytest.mark.parametrize("name", ["constant", "eye", "dirac"])
def test_deterministic_old_names_give_torchs_values(name: str) -> None:
    args = ARGS.get(name, ())
    with pytest.warns(FutureWarning):
        ours = getattr(init, name)(chainrule.empty(*_shape(name)), *args)
    with pytest.warns(FutureWarning):
        theirs = getattr(torch.nn.init, name)(torch.empty(_shape(name)), *args)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3), (6, 2, 3, 5), (2, 1)])
def test_fan_helpers_that_custom_layers_call_match_torch(shape: tuple[int, ...]) -> None:
    ours, theirs = chainrule.empty(*shape), torch.empty(shape)
    assert init._calculate_fan_in_and_fan_out(ours) == torch.nn.init._calculate_fan_in_and_fan_out(theirs)
    for mode in ("fan_in", "FAN_OUT"):
        assert init._calculate_correct_fan(ours, mode) == torch.nn.init._calculate_correct_fan(theirs, mode)


def test_fan_helpers_reject_what_torch_rejects() -> None:
    with pytest.raises(ValueError):
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(3))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(chainrule.empty(3))
    with pytest.raises(ValueError):
        torch.nn.init._calculate_correct_fan(torch.empty(2, 2), "fan_avg")
    with pytest.raises(ValueError, match="fan_avg not supported"):
        init._calculate_correct_fan(chainrule.empty(2, 2), "fan_avg")
