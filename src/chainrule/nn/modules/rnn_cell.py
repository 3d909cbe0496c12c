"""One-step recurrent cells: ``RNNCell``, ``LSTMCell``, ``GRUCell`` (PyTorch's API and parameters).

A cell is the fused layer op of ``nn/functional/rnn_fused.py`` run for one time step: parameters
``weight_ih`` (G·H, in), ``weight_hh`` (G·H, H), ``bias_ih``, ``bias_hh`` (G·H,) with G = 1, 4, 3.
"""

from __future__ import annotations

from typing import Any

from ..._creation import empty, zeros
from ..._tensor import Tensor
from ..functional import rnn as _frnn
from ..module import Module
from ..parameter import Parameter
from .rnn import _reset_uniform

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNCellBase(Module):
    """Parameters and init shared by the cells: all ~ U(−1/√hidden_size, 1/√hidden_size)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw every parameter from U(−1/√hidden_size, 1/√hidden_size), as PyTorch."""
        _reset_uniform(self)

    def extra_repr(self) -> str:
        """``input_size, hidden_size`` plus the non-default bias / nonlinearity, as PyTorch prints them."""
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input: Tensor, states: list[Tensor] | None, names: list[str]) -> tuple[Any, ...]:  # noqa: A002
        """Check dims, add the batch dim to unbatched input/states, default the states to zeros."""
        cls = self._get_name()
        if not isinstance(input, Tensor):
            raise TypeError(f"{cls}: expected a Tensor input, got {type(input).__name__}")
        if input.dim() not in (1, 2):
            raise ValueError(f"{cls}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if states is not None:
            for name, h in zip(names, states):
                if h.dim() not in (1, 2):
                    raise ValueError(f"{cls}: Expected {name} to be 1D or 2D, got {h.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)  # noqa: A001
            if states is not None:
                states = [h.unsqueeze(0) for h in states]
        if states is None:
            states = [zeros(input.shape[0], self.hidden_size, dtype=input.dtype) for _ in names]
        return input, states, batched


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu): ``RNNCell(input_size, hidden_size, bias=True,
    nonlinearity='tanh')``; forward(input (B, in) or (in,), hx=None) -> h'.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        """One step; the batch dim is optional (as in PyTorch)."""
        x, (h,), batched = self._prepare(input, None if hx is None else [hx], ["hidden"])
        if self.nonlinearity == "tanh":
            out = _frnn.rnn_tanh_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        elif self.nonlinearity == "relu":
            out = _frnn.rnn_relu_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): ``LSTMCell(input_size, hidden_size, bias=True)``;
    forward(input, (h, c)=None) -> (h', c').
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        """One step; the batch dim is optional (as in PyTorch)."""
        x, (h, c), batched = self._prepare(input, None if hx is None else list(hx), ["hx[0]", "hx[1]"])
        h1, c1 = _frnn.lstm_cell(x, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h1, c1) if batched else (h1.squeeze(0), c1.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n): ``GRUCell(input_size, hidden_size, bias=True)``; forward(input, hx=None) -> h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        """One step; the batch dim is optional (as in PyTorch)."""
        x, (h,), batched = self._prepare(input, None if hx is None else [hx], ["hidden"])
        out = _frnn.gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)
