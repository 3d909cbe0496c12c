"""Recurrent layers: ``RNN`` (tanh/relu), ``LSTM`` (with ``proj_size``) and ``GRU``, PyTorch's API and parameters.

Each layer direction runs as one fused op (see ``nn/functional/rnn_fused.py`` for the gate equations
and backpropagation through time). Parameters are named and laid out as PyTorch's, so its
``state_dict`` loads unchanged: ``weight_ih_l{k}`` (G·H, in), ``weight_hh_l{k}`` (G·H, P),
``bias_ih_l{k}``, ``bias_hh_l{k}`` (G·H,), ``weight_hr_l{k}`` (P, H) with ``proj_size``, and a
``_reverse`` suffix for the second direction; G = 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ..._creation import empty, zeros
from ..._tensor import Tensor
from .. import init
from ..functional import rnn as _frnn
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_FUNCS = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu", "LSTM": "lstm", "GRU": "gru"}  # looked up per call


def _check_int(value: Any, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")


def _reset_uniform(module: Module) -> None:
    """Every parameter of a recurrent module from U(−1/√hidden_size, 1/√hidden_size) (zeros for hidden_size 0)."""
    stdv = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for w in module.parameters():
        init.uniform_(w, -stdv, stdv)


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU``: parameters, checks and the forward pass.

    ``mode`` is one of ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"``, ``"GRU"``. Init as PyTorch: every
    weight and bias ~ U(−1/√hidden_size, 1/√hidden_size).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + str(mode))
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        _check_int(input_size, "input_size")
        _check_int(hidden_size, "hidden_size")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        gate = _GATES[mode] * hidden_size
        real = proj_size if proj_size > 0 else hidden_size
        D = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        kw = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            for d in range(D):
                in_size = input_size if layer == 0 else real * D
                shapes = [("weight_ih_l{}{}", (gate, in_size)), ("weight_hh_l{}{}", (gate, real))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate,)), ("bias_hh_l{}{}", (gate,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                names = []
                for fmt, shape in shapes:
                    name = fmt.format(layer, "_reverse" if d == 1 else "")
                    setattr(self, name, Parameter(empty(shape, **kw)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list[Tensor]:
        """The parameters in PyTorch's flat order (per layer, per direction: w_ih, w_hh, b_ih, b_hh, w_hr)."""
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer and direction, as PyTorch's ``all_weights``."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op, as PyTorch's on the CPU (it only repacks weights for cuDNN)."""

    def reset_parameters(self) -> None:
        """Re-draw every parameter from U(−1/√hidden_size, 1/√hidden_size), as PyTorch."""
        _reset_uniform(self)

    def extra_repr(self) -> str:
        """The constructor arguments that differ from the defaults, in PyTorch's format."""
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _state_sizes(self) -> list[int]:
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return [h, self.hidden_size] if self.mode == "LSTM" else [h]

    def _check_input(self, input: Tensor, batch_sizes: Any) -> None:  # noqa: A002
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). Convert "
                             f"input: input.to({w.dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _check_hidden(self, hx: list[Tensor], batch: int) -> None:
        L = self.num_layers * (2 if self.bidirectional else 1)
        for k, (h, size) in enumerate(zip(hx, self._state_sizes())):
            expected = (L, batch, size)
            if tuple(h.shape) != expected:
                what = f"hidden[{k}] size" if self.mode == "LSTM" else "hidden size"
                raise RuntimeError(f"Expected {what} {expected}, got {list(h.shape)}")

    def _unbatched_hidden(self, hx: list[Tensor], batched: bool) -> None:
        want = 3 if batched else 2
        if all(h.dim() == want for h in hx):
            return
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if self.mode == "LSTM":
            dims = ", ".join(f"{h.dim()}-D" for h in hx)
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got ({dims}) tensors")
        raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {hx[0].dim()}-D tensor")

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:  # noqa: A002
        """Run the stack over ``input`` (T, B, in) / (B, T, in) / (T, in) or a ``PackedSequence``.

        Returns ``(output, h_n)`` (RNN, GRU) or ``(output, (h_n, c_n))`` (LSTM); ``output`` is a
        ``PackedSequence`` when the input was one.
        """
        lstm = self.mode == "LSTM"
        states = None if hx is None else (list(hx) if lstm else [hx])
        packed = isinstance(input, PackedSequence)
        batched = True
        if packed:
            x, batch_sizes, sorted_idx, unsorted_idx = input
            batch = int(batch_sizes._data[0])
            if states is not None and sorted_idx is not None:
                states = [h.index_select(1, sorted_idx) for h in states]
        else:
            x, batch_sizes, unsorted_idx = input, None, None
            if not isinstance(x, Tensor):
                raise TypeError(f"{self._get_name()}: expected a Tensor or PackedSequence input, "
                                f"got {type(x).__name__}")
            if x.dim() not in (2, 3):
                tail = " instead" if lstm else " tensor instead"
                raise ValueError(f"{self._get_name()}: Expected input to be 2D or 3D, got {x.dim()}D{tail}")
            batched = x.dim() == 3
            if not batched:
                x = x.unsqueeze(0 if self.batch_first else 1)
            if states is not None:
                self._unbatched_hidden(states, batched)
                if not batched:
                    states = [h.unsqueeze(1) for h in states]
            batch = x.shape[0] if self.batch_first else x.shape[1]
        self._check_input(x, batch_sizes)
        L = self.num_layers * (2 if self.bidirectional else 1)
        if states is None:
            states = [zeros(L, batch, s, dtype=x.dtype) for s in self._state_sizes()]
        else:
            self._check_hidden(states, batch)
        h = (states[0], states[1]) if lstm else states[0]
        args = (self._flat_weights, self.bias, self.num_layers, self.dropout, self.training, self.bidirectional)
        run = getattr(_frnn, _FUNCS[self.mode])
        if packed:
            out, *hidden = run(x, batch_sizes, h, *args)
            if unsorted_idx is not None:
                hidden = [s.index_select(1, unsorted_idx) for s in hidden]
            output: Any = PackedSequence(out, batch_sizes, sorted_idx, unsorted_idx)
        else:
            output, *hidden = run(x, h, *args, self.batch_first)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                hidden = [s.squeeze(1) for s in hidden]
        return output, (tuple(hidden) if lstm else hidden[0])


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or relu), stacked and optionally bidirectional.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)


class LSTM(RNNBase):
    """LSTM (gates i, f, g, o; c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t), projected by W_hr if ``proj_size``).

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0)``; forward(input, (h0, c0)) -> (output, (h_n, c_n)).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """GRU (gates r, z, n; n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h_t = (1−z)⊙n + z⊙h_{t−1}).

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)
