"""``chainrule.save`` accepts PyTorch's pickle/zip options (``_use_new_zipfile_serialization=False``,
``pickle_protocol=4``...), which real programs pass; the file is the same safetensors checkpoint either way."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import chainrule


@pytest.mark.parametrize(
    "options",
    [
        {"_use_new_zipfile_serialization": False},
        {"pickle_protocol": 4},
        {"pickle_module": pickle, "pickle_protocol": pickle.HIGHEST_PROTOCOL},
        {"_disable_byteorder_record": True},
    ],
)
def test_pytorch_save_options_are_accepted_and_round_trip(tmp_path, options: dict) -> None:
    net = chainrule.nn.Linear(3, 2)
    path = tmp_path / "net.pt"
    chainrule.save(net.state_dict(), path, **options)
    back = chainrule.load(path)
    assert set(back) == {"weight", "bias"}
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())


def test_the_options_take_the_positions_pytorch_gives_them(tmp_path) -> None:
    chainrule.save({"w": chainrule.ones(2)}, tmp_path / "a.pt", pickle, 2)
    np.testing.assert_array_equal(chainrule.load(tmp_path / "a.pt")["w"].numpy(), np.ones(2, np.float32))
