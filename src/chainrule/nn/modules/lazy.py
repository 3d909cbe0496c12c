"""Lazy modules: layers whose input size is inferred from the first call (PyTorch's ``LazyModuleMixin``).

A lazy layer is built with ``UninitializedParameter``/``UninitializedBuffer`` placeholders. Its first
call runs ``initialize_parameters(input)``, which materializes them in place (same objects, so an
optimizer built before the call updates the real weights) with the inferred ``in_features`` /
``in_channels`` / ``num_features``, re-initializes them as the eager layer does, and turns the module
into that layer (``type(m)`` becomes ``cls_to_become``). Loading a state_dict into a lazy module
materializes its placeholders with the checkpoint's shapes.
"""

from __future__ import annotations

from typing import Any

from ..._creation import tensor as _tensor
from ..._dtype import int64
from ..._tensor import Tensor
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from . import conv as _conv
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .linear import Linear
from .normalization import BatchNorm1d, BatchNorm2d, InstanceNorm1d, InstanceNorm2d, _BatchNorm, _InstanceNorm
from .normalization3d import BatchNorm3d, InstanceNorm3d

__all__ = [
    "LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d",
    "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]  # fmt: skip


class LazyModuleMixin:
    """Materialize-on-first-call: a forward pre-hook calls ``initialize_parameters(*args)``, then the
    module becomes ``cls_to_become`` (the hook is removed)."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters, with_kwargs=True)  # type: ignore[attr-defined]

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Infer the missing sizes from the first inputs and materialize the placeholders."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {type(self).__name__}")

    def has_uninitialized_params(self) -> bool:
        """True while any parameter or buffer of this module is still a placeholder."""
        return any(is_lazy(v) for v in (*self._parameters.values(), *self._buffers.values()))  # type: ignore[attr-defined]


def _infer_parameters(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if not args and kwargs:  # layer(input=x)
        args, kwargs = (kwargs["input"],), {k: v for k, v in kwargs.items() if k != "input"}
    module.initialize_parameters(*args, **kwargs)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _shape(op: str, x: Any) -> tuple[int, ...]:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(x).__name__}")
    return tuple(x._data.shape)


class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is ``input.shape[-1]`` of the first call."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """Linear's init once materialized; nothing before."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        """in_features = input.shape[-1]; weight (out, in) and bias (out,) as Linear's init."""
        if not self.has_uninitialized_params() and self.in_features == 0:  # materialized by load_state_dict
            self.in_features = self.weight._data.shape[1]
        if self.has_uninitialized_params():
            shape = _shape(type(self).__name__, input)
            self.in_features = shape[-1] if shape else 1
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()


class _LazyConvMixin(LazyModuleMixin):
    """in_channels from dim 1 (batched) or 0 (unbatched); weight as the eager conv's."""

    def reset_parameters(self) -> None:
        """The conv's init once materialized; nothing before."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        """Infer in_channels and materialize weight/bias with the eager layer's shapes and init."""
        if not self.has_uninitialized_params():
            if self.in_channels == 0:  # materialized by load_state_dict: the sizes are the weight's
                w = self.weight._data.shape
                self.in_channels = w[0] if self.transposed else w[1] * self.groups
            return
        nd, name = self._nd, type(self).__name__
        shape = _shape(name, input)
        if len(shape) not in (nd + 1, nd + 2):
            raise RuntimeError(
                f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input of size: "
                f"{list(shape)}"
            )
        self.in_channels = shape[1] if len(shape) == nd + 2 else shape[0]
        if self.in_channels % self.groups != 0:
            raise ValueError(f"in_channels must be divisible by groups; got in_channels={self.in_channels}, groups={self.groups}")
        g = self.groups
        lead = (self.in_channels, self.out_channels // g) if self.transposed else (self.out_channels, self.in_channels // g)
        self.weight.materialize((*lead, *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


def _lazy_conv_init(self: Any, out_channels: int, bias: bool, device: Any, dtype: Any) -> None:
    self.weight = UninitializedParameter(device=device, dtype=dtype)
    self.out_channels = out_channels
    if bias:
        self.bias = UninitializedParameter(device=device, dtype=dtype)


def _conv_init(self: Any, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
               groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device: Any = None,
               dtype: Any = None) -> None:  # fmt: skip
    """PyTorch's LazyConvNd arguments (no in_channels); the eager conv is built with 0 channels first."""
    LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, device, dtype)
    _lazy_conv_init(self, out_channels, bias, device, dtype)


def _conv_transpose_init(self: Any, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                         output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                         padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:  # fmt: skip
    """PyTorch's LazyConvTransposeNd arguments (no in_channels)."""
    LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
                             padding_mode, device, dtype)  # fmt: skip
    _lazy_conv_init(self, out_channels, bias, device, dtype)


class LazyConv1d(_LazyConvMixin, Conv1d):
    """``Conv1d`` whose ``in_channels`` comes from the first input."""

    cls_to_become = Conv1d
    __init__ = _conv_init


class LazyConv2d(_LazyConvMixin, Conv2d):
    """``Conv2d`` whose ``in_channels`` comes from the first input."""

    cls_to_become = Conv2d
    __init__ = _conv_init


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """``ConvTranspose1d`` whose ``in_channels`` comes from the first input."""

    cls_to_become = ConvTranspose1d
    __init__ = _conv_transpose_init


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """``ConvTranspose2d`` whose ``in_channels`` comes from the first input."""

    cls_to_become = ConvTranspose2d
    __init__ = _conv_transpose_init


# Conv3d / ConvTranspose3d live in conv.py once the 3-d layers are present; their lazy forms follow them.
if hasattr(_conv, "Conv3d"):

    class LazyConv3d(_LazyConvMixin, _conv.Conv3d):  # type: ignore[name-defined,misc]
        """``Conv3d`` whose ``in_channels`` comes from the first input."""

        cls_to_become = _conv.Conv3d
        __init__ = _conv_init

    __all__.append("LazyConv3d")

if hasattr(_conv, "ConvTranspose3d"):

    class LazyConvTranspose3d(_LazyConvMixin, _conv.ConvTranspose3d):  # type: ignore[name-defined,misc]
        """``ConvTranspose3d`` whose ``in_channels`` comes from the first input."""

        cls_to_become = _conv.ConvTranspose3d
        __init__ = _conv_transpose_init

    __all__.append("LazyConvTranspose3d")


class _LazyNormBase(LazyModuleMixin):
    """num_features = input.shape[1]; for instance norm the channel dim of batched or unbatched input (PyTorch
    takes shape[1] there too, which breaks unbatched input). Defaults as PyTorch's lazy norms (affine and
    tracked running statistics, also for the instance norms)."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:  # fmt: skip
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.register_buffer("running_mean", UninitializedBuffer(device=device, dtype=dtype))
            self.register_buffer("running_var", UninitializedBuffer(device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", _tensor(0, dtype=int64))

    def reset_parameters(self) -> None:
        """The norm's init (ones, zeros, fresh running statistics) once materialized; nothing before."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        """Infer num_features and materialize weight, bias, running_mean and running_var."""
        if not self.has_uninitialized_params():
            if self.num_features == 0:  # materialized by load_state_dict
                t = self.weight if self.weight is not None else self.running_mean
                self.num_features = t._data.shape[0] if t is not None else 0
            return
        shape = _shape(type(self).__name__, input)
        if len(shape) < 2:
            raise ValueError(f"{type(self).__name__}: expected at least 2D input, got input of size {list(shape)}")
        unbatched = isinstance(self, _InstanceNorm) and len(shape) == self._expected_dim - 1
        self.num_features = shape[0] if unbatched else shape[1]
        for name in ("weight", "bias", "running_mean", "running_var"):
            t = getattr(self, name, None)
            if is_lazy(t):
                t.materialize((self.num_features,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """``BatchNorm1d`` whose ``num_features`` comes from the first input."""

    cls_to_become = BatchNorm1d
    _check_input_dim = BatchNorm1d._check_input_dim


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """``BatchNorm2d`` whose ``num_features`` comes from the first input."""

    cls_to_become = BatchNorm2d
    _check_input_dim = BatchNorm2d._check_input_dim


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """``BatchNorm3d`` whose ``num_features`` comes from the first input."""

    cls_to_become = BatchNorm3d
    _check_input_dim = BatchNorm3d._check_input_dim


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """``InstanceNorm1d`` whose ``num_features`` comes from the first input."""

    cls_to_become = InstanceNorm1d
    _expected_dim = 3


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """``InstanceNorm2d`` whose ``num_features`` comes from the first input."""

    cls_to_become = InstanceNorm2d
    _expected_dim = 4


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """``InstanceNorm3d`` whose ``num_features`` comes from the first input."""

    cls_to_become = InstanceNorm3d
    _expected_dim = 5
