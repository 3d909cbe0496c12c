"""Bad arguments to the recurrent layers and cells raise PyTorch's exception class with PyTorch's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _raises_like_torch(build: Callable[[Any], Any]) -> None:
    """``build(lib)`` fails in both libraries, with the same exception class and message."""
    with pytest.raises(Exception) as th:
        build(torch)
    with pytest.raises(type(th.value)) as cr:
        build(chainrule)
    assert str(cr.value) == str(th.value).replace("torch.", "chainrule.")  # dtypes print as chainrule.float32


def _t(lib: Any, *shape: int) -> Any:
    return lib.tensor(np.zeros(shape, np.float32))


CONSTRUCTION = {
    "dropout_range": lambda lib: lib.nn.LSTM(3, 4, dropout=1.5),
    "dropout_bool": lambda lib: lib.nn.GRU(3, 4, dropout=True),
    "hidden_zero": lambda lib: lib.nn.RNN(3, 0),
    "input_zero": lambda lib: lib.nn.RNN(0, 3),
    "input_float": lambda lib: lib.nn.RNN(3.0, 4),
    "layers_zero": lambda lib: lib.nn.LSTM(3, 4, num_layers=0),
    "proj_too_big": lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    "proj_on_gru": lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    "proj_on_rnn": lambda lib: lib.nn.RNN(3, 4, proj_size=2),
    "bad_nonlinearity": lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"),
    "bias_not_bool": lambda lib: lib.nn.RNN(3, 4, bias=1),
    "batch_first_not_bool": lambda lib: lib.nn.GRU(3, 4, batch_first="yes"),
}

FORWARD = {
    "rnn_4d_input": lambda lib: lib.nn.RNN(3, 4)(_t(lib, 1, 2, 3, 3)),
    "lstm_1d_input": lambda lib: lib.nn.LSTM(3, 4)(_t(lib, 3)),
    "gru_wrong_input_size": lambda lib: lib.nn.GRU(3, 4)(_t(lib, 5, 2, 7)),
    "rnn_wrong_hidden": lambda lib: lib.nn.RNN(3, 4)(_t(lib, 5, 2, 3), _t(lib, 1, 3, 4)),
    "gru_bidir_hidden_layers": lambda lib: lib.nn.GRU(3, 4, bidirectional=True)(_t(lib, 5, 2, 3), _t(lib, 1, 2, 4)),
    "lstm_wrong_h": lambda lib: lib.nn.LSTM(3, 4)(_t(lib, 5, 2, 3), (_t(lib, 1, 2, 5), _t(lib, 1, 2, 4))),
    "lstm_wrong_c": lambda lib: lib.nn.LSTM(3, 4, proj_size=2)(_t(lib, 5, 2, 3), (_t(lib, 1, 2, 2), _t(lib, 1, 2, 2))),
    "rnn_batched_2d_hidden": lambda lib: lib.nn.RNN(3, 4)(_t(lib, 5, 2, 3), _t(lib, 2, 4)),
    "rnn_unbatched_3d_hidden": lambda lib: lib.nn.RNN(3, 4)(_t(lib, 5, 3), _t(lib, 1, 1, 4)),
    "lstm_unbatched_3d_hidden": lambda lib: lib.nn.LSTM(3, 4)(_t(lib, 5, 3), (_t(lib, 1, 1, 4), _t(lib, 1, 1, 4))),
    "dtype_mismatch": lambda lib: lib.nn.GRU(3, 4)(lib.zeros(5, 2, 3, dtype=lib.float64)),
    "cell_3d_input": lambda lib: lib.nn.RNNCell(3, 4)(_t(lib, 1, 2, 3)),
    "cell_3d_hidden": lambda lib: lib.nn.GRUCell(3, 4)(_t(lib, 2, 3), _t(lib, 1, 2, 4)),
    "lstm_cell_3d_hx": lambda lib: lib.nn.LSTMCell(3, 4)(_t(lib, 2, 3), (_t(lib, 2, 4), _t(lib, 1, 2, 4))),
    "cell_input_size": lambda lib: lib.nn.LSTMCell(3, 4)(_t(lib, 2, 5)),
    "cell_batch": lambda lib: lib.nn.GRUCell(3, 4)(_t(lib, 2, 3), _t(lib, 3, 4)),
    "cell_hidden_size": lambda lib: lib.nn.RNNCell(3, 4)(_t(lib, 2, 3), _t(lib, 2, 5)),
    "lstm_cell_c_size": lambda lib: lib.nn.LSTMCell(3, 4)(_t(lib, 2, 3), (_t(lib, 2, 4), _t(lib, 2, 5))),
}


@pytest.mark.parametrize("name", list(CONSTRUCTION))
def test_construction_errors(name: str) -> None:
    _raises_like_torch(CONSTRUCTION[name])


@pytest.mark.parametrize("name", list(FORWARD))
def test_forward_errors(name: str) -> None:
    _raises_like_torch(FORWARD[name])


PACKING = {
    "unsorted_lengths": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(_t(lib, 4, 3, 2), [2, 4, 1]),
    "zero_length": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(_t(lib, 4, 3, 2), [4, 2, 0]),
    "total_length_short": lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(_t(lib, 4, 2, 2), [4, 2]), total_length=3),
    "padding_side": lambda lib: lib.nn.utils.rnn.pad_sequence([_t(lib, 2, 1)], padding_side="middle"),
}


@pytest.mark.parametrize("name", list(PACKING))
def test_packing_errors(name: str) -> None:
    _raises_like_torch(PACKING[name])
