"""chainrule: a readable NumPy deep-learning library with PyTorch's API.

``import chainrule as torch``-style scripts work for the covered subset: Tensors with reverse-mode
autograd, ``nn``, ``optim`` and ``utils.data``. The core needs only NumPy. Each differentiable op
is one ``autograd.Function`` in ``chainrule.ops`` (its docstring: the formula and its
vector-Jacobian product) behind a public function; ``help(chainrule.exp)`` and
``help(chainrule.Tensor.exp)`` show the same text.

What is where (``help()`` on each name):
    Tensor          the array type; ``help(chainrule.Tensor)`` lists its methods and properties
    creation        tensor, as_tensor, from_numpy, zeros, ones, full, empty, eye, arange, linspace,
                    logspace, *_like, rand, randn, randint, randperm, normal, bernoulli
    math (ops)      elementwise (add, mul, exp, sigmoid, clamp, where...), comparisons, reductions
                    (sum, mean, max, var, logsumexp...), shape (reshape, cat, stack, permute...),
                    indexing (gather, scatter_add, index_select...), linalg (matmul, einsum...),
                    sorting (sort, topk...); each is also a Tensor method
    dtypes          float32 (the default), float64, float16, int64, int32, int16, int8, uint8, bool;
                    get_default_dtype, set_default_dtype, promote_types, result_type
    randomness      manual_seed, seed, Generator, get_rng_state, set_rng_state
    autograd        backward, grad, Function, no_grad, enable_grad, gradcheck, detect_anomaly
    nn              Module, layers, losses; nn.functional (as F), nn.init, nn.utils
                    (recurrent: RNN, LSTM, GRU; torch's lstm, gru, rnn_tanh/relu and *_cell here too)
    optim           SGD, Adam, AdamW, RMSprop, Adagrad; optim.lr_scheduler
    utils.data      Dataset, TensorDataset, DataLoader, samplers, transforms
    save, load      safetensors checkpoints (chainrule.io), written atomically, never pickle
    train           Trainer and fit: the training loop with validation, metrics and callbacks
    datasets        bundled and synthetic data, CSV and IDX readers
    viz, onnx       pictures of networks, graphs and curves; ONNX export
    distributed     MPI data parallelism (DistributedDataParallel, DistributedSampler)

Differences from PyTorch, on purpose: CPU only (``cuda.is_available()`` is False); tensors hold
NumPy arrays, so ``view`` copies where PyTorch would refuse a non-viewable layout; bfloat16 is
stored as float32; no complex dtypes; random streams come from NumPy's PCG64, so a seed gives other
numbers than in PyTorch.
"""

from __future__ import annotations

import os as _os

from . import _float_warnings

_float_warnings.install()  # inf/nan results without NumPy's RuntimeWarnings, as in PyTorch

if _os.environ.get("CHAINRULE_NO_MALLOC_TUNE") != "1":
    # Let glibc reuse freed large blocks instead of mapping (and page-faulting) them anew on every
    # training step; see _alloc.py. CHAINRULE_NO_MALLOC_TUNE=1 turns this off.
    from ._alloc import tune_malloc as _tune_malloc

    _tune_malloc()

from . import _creation, _dtype, autograd, cuda, ops  # noqa: E402,I001
from ._creation import *  # noqa: F403
from ._random_counts import poisson
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
from . import linalg  # noqa: E402
from .linalg.aliases import det, inverse, logdet, matrix_exp, matrix_power, pinverse, slogdet  # noqa: E402
from .linalg.aliases import adjoint, cholesky, cholesky_inverse, cholesky_solve, svd  # noqa: E402
from .linalg.aliases import dist, lu, lu_solve, lu_unpack  # noqa: E402
from .linalg.aliases import geqrf, orgqr, ormqr  # noqa: E402
from . import special  # noqa: E402,I001  (torch.special)
from ._signal_windows import *  # noqa: E402,F403,I001
from ._tensor_op_methods import _share_op_docs

_share_op_docs(Tensor)  # help(Tensor.exp) shows chainrule.exp's docstring

# What real scripts touch beyond the math: constants, finfo/iinfo, typed constructors, memory formats,
# default device / precision / determinism settings; the plumbing modules below load on first use.
from ._finfo import finfo, iinfo  # noqa: E402
from ._inplace_functions import *  # noqa: E402,F403  (torch.sin_, torch.clamp_ ...)
from ._predicates import *  # noqa: E402,F403
from ._runtime import *  # noqa: E402,F403
from ._tensor_compat_methods import *  # noqa: E402,F403  (torch.strided, torch.conj, torch.is_signed ...)
from ._typed_tensors import *  # noqa: E402,F403

_PLUMBING = ("accelerator", "amp", "backends", "compiler", "cpu", "jit", "version")  # truthful CPU answers
_LAZY_NAMES = {"autocast": "amp"}  # top-level name -> the module that defines it
_LAZY_NAMES["vmap"] = "func"  # torch.vmap
_LAZY_NAMES["chain_matmul"] = "functional"  # torch.chain_matmul
_LAZY_NAMES.update(dict.fromkeys((  # torch.dropout, torch.conv2d ... (top-level nn.functional)
    "dropout alpha_dropout layer_norm group_norm batch_norm instance_norm embedding bilinear pixel_shuffle "
    "pixel_unshuffle threshold rrelu conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d "
    "max_pool1d max_pool2d max_pool3d avg_pool1d asarray range rsub detach").split(), "_functional_aliases"))

__version__ = "0.1.0"


def result_type(tensor1: object, tensor2: object) -> _dtype.dtype:
    """The dtype PyTorch's promotion gives for an op on ``tensor1`` and ``tensor2``."""
    return _dtype.result_type(tensor1, tensor2)


def is_tensor(obj: object) -> bool:
    """True if ``obj`` is a ``chainrule.Tensor`` (a Parameter included)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    """True if ``input`` has a floating dtype (float16, float32, float64)."""
    return input.is_floating_point()


def numel(input: Tensor) -> int:  # noqa: A002
    """Number of elements of ``input``: the product of its shape."""
    return input.numel()


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``torch.cosine_similarity``: the same as ``chainrule.nn.functional.cosine_similarity``."""
    from .nn.functional import cosine_similarity as _f

    return _f(x1, x2, dim, eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``torch.pairwise_distance``: the same as ``chainrule.nn.functional.pairwise_distance``."""
    from .nn.functional import pairwise_distance as _f

    return _f(x1, x2, p, eps, keepdim)


_SUBPACKAGES = ("nn", "optim", "utils", "datasets", "train", "io", "viz", "onnx", "distributed", "cli", "errors")
_SUBPACKAGES += ("multiprocessing",)  # loaded on first use, like the others
_SUBPACKAGES += ("distributions",)
_SUBPACKAGES += ("func",)  # function transforms (torch.func), imported on first use
_SUBPACKAGES += ("profiler",)  # torch.profiler, imported on first use
_SUBPACKAGES += ("functional",)  # torch.functional (import torch.functional as F), imported on first use
_SUBPACKAGES += ("testing",)  # torch.testing.assert_close, imported on first use


def save(
    obj: object, f: object, pickle_module: object = None, pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False,
) -> None:  # fmt: skip
    """Save tensors and nested state (state dicts, checkpoints) to a safetensors file, atomically.

    PyTorch's pickle and zip-format options are accepted and have no effect: the format is always safetensors."""
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


from ._out import add_out_argument as _add_out_argument  # noqa: E402  (torch's ``out=`` keyword)

_add_out_argument(globals(), [*ops.__all__, *_creation.__all__, "det", "inverse", "logdet", "matrix_exp"])
_add_out_argument(globals(), ["matrix_power", "pinverse", "cholesky", "cholesky_solve", "dist", "lu_solve"])
del _add_out_argument

_RNN_FUNCTIONS = frozenset(
    ["rnn_tanh", "rnn_relu", "lstm", "gru", "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"]
)


def __getattr__(name: str) -> object:
    """``chainrule.nn``, ``chainrule.optim`` ... are imported on first use (``import chainrule`` stays light)."""
    if name in _LAZY_NAMES:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
    if name in _RNN_FUNCTIONS:  # torch.lstm, torch.gru_cell ...: in nn.functional.rnn, imported on first use
        from .nn.functional import rnn as _rnn

        return getattr(_rnn, name)
    if name in _SUBPACKAGES or name in _PLUMBING:
        import importlib

        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'chainrule' has no attribute '{name}'")
