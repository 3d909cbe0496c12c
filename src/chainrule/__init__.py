"""chainrule: a readable NumPy deep-learning library with PyTorch's API.

``import chainrule as torch``-style scripts work for the covered subset: Tensors with reverse-mode
autograd, ``nn``, ``optim`` and ``utils.data``. The core needs only NumPy.
"""

from __future__ import annotations

import os as _os

if _os.environ.get("CHAINRULE_NO_MALLOC_TUNE") != "1":
    # Let glibc reuse freed large blocks instead of mapping (and page-faulting) them anew on every
    # training step; see _alloc.py. CHAINRULE_NO_MALLOC_TUNE=1 turns this off.
    from ._alloc import tune_malloc as _tune_malloc

    _tune_malloc()

from . import _dtype, autograd, cuda, ops  # noqa: E402,I001
from ._creation import *  # noqa: F403
from ._device import device
from ._dtype import (
    bfloat16,
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._format import set_printoptions
from ._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._tensor import Size, Tensor
from ._threads import get_num_interop_threads, get_num_threads, set_num_interop_threads, set_num_threads
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops import *  # noqa: F403
from . import special  # noqa: E402,I001  (torch.special)
from ._signal_windows import *  # noqa: E402,F403,I001

__version__ = "0.1.0"


def result_type(tensor1: object, tensor2: object) -> _dtype.dtype:
    """The dtype PyTorch's promotion gives for an op on ``tensor1`` and ``tensor2``."""
    return _dtype.result_type(tensor1, tensor2)


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    return input.is_floating_point()


def numel(input: Tensor) -> int:  # noqa: A002
    return input.numel()


_SUBPACKAGES = ("nn", "optim", "utils", "datasets", "train", "io", "viz", "onnx", "distributed", "cli", "errors")


def save(obj: object, f: object) -> None:
    """Save tensors and nested state (state dicts, checkpoints) to a safetensors file, atomically."""
    from .io import save as _save

    _save(obj, f)


def load(f: object, *args: object, **kwargs: object) -> object:
    """Load what ``chainrule.save`` wrote (or a flat safetensors file written by PyTorch)."""
    from .io import load as _load

    return _load(f, *args, **kwargs)


def compile(model: object = None, **kwargs: object) -> object:  # noqa: A001  (PyTorch's name)
    """Trace ``model`` (a Module or function) once, then replay it as one graph node; see ``chainrule._compile``."""
    from ._compile import compile as _compile

    return _compile(model, **kwargs)


def __getattr__(name: str) -> object:
    """``chainrule.nn``, ``chainrule.optim`` ... are imported on first use (``import chainrule`` stays light)."""
    if name in _SUBPACKAGES:
        import importlib

        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'chainrule' has no attribute '{name}'")
