"""Benchmark workloads, each written once against the PyTorch API.

A workload is ``make(lib, batch) -> step``: ``lib`` is the module ``chainrule`` or ``torch``, and
``step()`` runs one iteration (forward, backward, parameter update) and returns the loss tensor.
Models are built with ``lib.nn`` and trained with ``lib.optim``; every weight and input comes from a
seeded NumPy generator (``load_numpy_weights``, ``lib.tensor``), so both libraries start from the
same numbers, and the runner checks that their first losses agree before it reports any timing.
Data is made once, outside ``step``: data loading is not what is measured.

To add a workload, write ``make`` and stack one ``@register(...)`` per batch size to time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Workload", "WORKLOADS", "register"]

Step = Callable[[], Any]


@dataclass(frozen=True)
class Workload:
    name: str
    make: Callable[[Any, int], Step]
    batch: int
    about: str
    rtol: float = 1e-4  # how closely the two libraries' first losses must agree
    target: float | None = None  # issue 6's goal for the chainrule/torch steps/s ratio, if any
    family: str = ""  # rows of one family are summarised by their worst ratio; "" = not in the default run


WORKLOADS: dict[str, Workload] = {}


def register(
    name: str, batch: int, about: str, rtol: float = 1e-4, target: float | None = None, family: str = ""
) -> Callable[[Any], Any]:
    """Add ``make`` to ``WORKLOADS`` under ``name``, timed at ``batch``, as one shape of ``family``."""

    def deco(make: Callable[[Any, int], Step]) -> Callable[[Any, int], Step]:
        if name in WORKLOADS:
            raise ValueError(f"register: workload {name!r} is already registered")
        WORKLOADS[name] = Workload(name, make, batch, about, rtol, target, family)
        return make

    return deco


# --- shared pieces (PyTorch API only) --------------------------------------------------------------
def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def linear_params(lib: Any, rng: np.random.Generator, sizes: Sequence[int]) -> list[Any]:
    """[W1, b1, W2, b2, ...] with PyTorch's default Linear init U(±1/√fan_in), float32."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
        params += [lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)]
    return params


def mlp(x: Any, params: Sequence[Any], act: Callable[[Any], Any]) -> Any:
    """x → (x Wᵀ + b) with ``act`` between layers (none after the last)."""
    n = len(params) // 2
    for i in range(n):
        x = x @ params[2 * i].T + params[2 * i + 1]
        if i < n - 1:
            x = act(x)
    return x


def load_numpy_weights(lib: Any, model: Any, rng: np.random.Generator) -> Any:
    """Overwrite every entry of ``model.state_dict()`` with seeded NumPy values; returns ``model``.

    Matrices and kernels get PyTorch's Linear/Conv default U(±1/√fan_in); a 1-D ``weight`` (a norm's
    scale) ones and the bias right after it zeros; other biases U(±1/√fan_in) of the weight before;
    running means zeros, running variances ones; integer buffers are left alone. Both libraries
    have the same state_dict keys in the same order, so they get the same arrays.
    """
    state: dict[str, Any] = {}
    bound, after_norm = 1.0, False
    for key, value in model.state_dict().items():
        shape = tuple(value.shape)
        if key.endswith("num_batches_tracked"):
            state[key] = value
            continue
        if key.endswith(("running_mean", "running_var")):
            state[key] = lib.tensor(np.full(shape, key.endswith("var"), np.float32))
            continue
        if len(shape) >= 2:
            bound, after_norm = 1.0 / np.sqrt(np.prod(shape[1:])), False
            arr = rng.uniform(-bound, bound, shape)
        elif key.endswith("weight"):
            arr, after_norm = np.ones(shape), True
        elif after_norm:
            arr, after_norm = np.zeros(shape), False
        else:
            arr = rng.uniform(-bound, bound, shape)
        state[key] = lib.tensor(arr.astype(np.float32))
    model.load_state_dict(state)
    return model


def train_step(model: Any, loss_fn: Any, opt: Any, x: Any, y: Any) -> Step:
    """The usual PyTorch step: zero_grad, forward, loss, backward, optimizer step; returns the loss.

    In a ``*_compiled`` workload (``COMPILE[0]`` set by ``compiled``), chainrule compiles the
    forward and the loss together, ``chainrule.compile(lambda x, y: loss_fn(model(x), y))``;
    PyTorch stays eager (``torch.compile`` needs a C++ toolchain and minutes of compiling): the
    rows compare chainrule's replayed step with PyTorch's eager one.
    """
    loss_of = lambda inputs, targets: loss_fn(model(inputs), targets)  # noqa: E731
    if COMPILE[0] and getattr(model, "__module__", "").startswith("chainrule"):
        import chainrule

        loss_of = chainrule.compile(loss_of)

    def step() -> Any:
        opt.zero_grad()
        loss = loss_of(x, y)
        loss.backward()
        opt.step()
        return loss

    return step


COMPILE = [False]


def compiled(make: Callable[[Any, int], Step]) -> Callable[[Any, int], Step]:
    """``make`` with chainrule's model wrapped in ``chainrule.compile`` (see ``train_step``)."""

    def make_compiled(lib: Any, batch: int) -> Step:
        COMPILE[0] = True
        try:
            return make(lib, batch)
        finally:
            COMPILE[0] = False

    return make_compiled


def sgd(lib: Any, params: Sequence[Any], lr: float) -> None:
    """Plain SGD, in place, then ``grad = None`` (what ``zero_grad(set_to_none=True)`` does)."""
    with lib.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


# --- workloads --------------------------------------------------------------------------------------
# Each family has a ``*_setup(lib, batch, ...) -> (model, x, y)`` (also used by the JAX variants in
# ``workloads_jax.py``, which read the same weights and data from it) and is registered at several
# shapes in ``workloads_families.py``; the original rows stay here under their old names.
def tiny_mlp_setup(lib: Any, batch: int) -> tuple[Any, Any, Any]:
    """2-16-16-1 tanh MLP, inputs in [-1, 1]², target sin(3x₀)·x₁."""
    rng = _rng()
    nn = lib.nn
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    load_numpy_weights(lib, model, rng)
    xs = rng.uniform(-1, 1, (batch, 2)).astype(np.float32)
    t = (np.sin(3 * xs[:, :1]) * xs[:, 1:]).astype(np.float32)
    return model, lib.tensor(xs), lib.tensor(t)


@register(
    "tiny_mlp", 32, "2-16-16-1 tanh MLP (nn.Sequential), MSELoss, SGD lr 0.1: overhead-bound", target=2.5,
    family="tiny mlp",
)  # fmt: skip
def tiny_mlp(lib: Any, batch: int) -> Step:
    model, x, t = tiny_mlp_setup(lib, batch)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    return train_step(model, lib.nn.MSELoss(), opt, x, t)


_MLP = "784-256-128-10 ReLU MLP, CrossEntropyLoss, Adam lr 1e-3"


def mlp_setup(lib: Any, batch: int, sizes: Sequence[int] = (784, 256, 128, 10)) -> tuple[Any, Any, Any]:
    """ReLU MLP ``sizes[0]-...-sizes[-1]`` (nn.Sequential of Linear/ReLU), normal inputs, class targets."""
    rng = _rng()
    nn = lib.nn
    layers: list[Any] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    load_numpy_weights(lib, model, rng)
    x = lib.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    y = lib.tensor(rng.integers(0, sizes[-1], (batch,), dtype=np.int64))
    return model, x, y


def mlp_adam_sizes(sizes: Sequence[int]) -> Callable[[Any, int], Step]:
    """The MLP workload with layer ``sizes``: CrossEntropyLoss, Adam lr 1e-3."""

    def make(lib: Any, batch: int) -> Step:
        model, x, y = mlp_setup(lib, batch, sizes)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        return train_step(model, lib.nn.CrossEntropyLoss(), opt, x, y)

    make.sizes = tuple(sizes)  # type: ignore[attr-defined]  (read by the JAX variant)
    return make


mlp_adam = mlp_adam_sizes((784, 256, 128, 10))
register("mlp_adam_b32", 32, _MLP, target=1.2, family="mlp")(mlp_adam)  # the table's order
register("mlp_adam_b128", 128, _MLP, target=1.2, family="mlp")(mlp_adam)
register("mlp_adam_b1024", 1024, _MLP, target=1.0, family="mlp")(mlp_adam)


def cnn_setup(lib: Any, batch: int, c1: int = 8, c2: int = 16) -> tuple[Any, Any, Any]:
    """1x28x28 → conv3x3(c1)-ReLU-maxpool2 → conv3x3(c2)-ReLU-maxpool2 → Linear(c2·49, 10)."""
    rng = _rng()
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 7 * 7, 10),
    )  # fmt: skip
    load_numpy_weights(lib, model, rng)
    x = lib.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, (batch,), dtype=np.int64))
    return model, x, y


def cnn_channels(c1: int, c2: int) -> Callable[[Any, int], Step]:
    """The CNN workload with ``c1`` and ``c2`` channels: CrossEntropyLoss, Adam lr 1e-3."""

    def make(lib: Any, batch: int) -> Step:
        model, x, y = cnn_setup(lib, batch, c1, c2)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        return train_step(model, lib.nn.CrossEntropyLoss(), opt, x, y)

    make.channels = (c1, c2)  # type: ignore[attr-defined]
    return make


cnn = register(
    "cnn", 64,
    "small CNN on 1x28x28: conv3x3(1→8, pad 1)-ReLU-maxpool2, conv3x3(8→16, pad 1)-ReLU-maxpool2, "
    "Linear(784→10), CrossEntropyLoss, Adam lr 1e-3",
    target=0.8, family="cnn",
)(cnn_channels(8, 16))  # fmt: skip


def transformer_setup(
    lib: Any, batch: int, ff: int = 2048, norm_first: bool = False, seq: int = 64
) -> tuple[Any, Any, Any]:
    """TransformerEncoderLayer(128, 4, ff, dropout 0.0, batch_first, norm_first) on (batch, seq, 128)."""
    rng = _rng()
    # dropout 0.0 in BOTH libraries: with the default 0.1 each library draws its own masks, so the
    # losses could not be compared (and chainrule and PyTorch would time different random work).
    model = lib.nn.TransformerEncoderLayer(
        128, 4, dim_feedforward=ff, dropout=0.0, batch_first=True, norm_first=norm_first
    )
    load_numpy_weights(lib, model, rng)
    x = lib.tensor(rng.standard_normal((batch, seq, 128)).astype(np.float32))
    t = lib.tensor(rng.standard_normal((batch, seq, 128)).astype(np.float32))
    return model, x, t


def transformer_shape(ff: int, norm_first: bool, seq: int) -> Callable[[Any, int], Step]:
    """The transformer workload at one shape: MSELoss to a fixed random target, Adam lr 1e-3."""

    def make(lib: Any, batch: int) -> Step:
        model, x, t = transformer_setup(lib, batch, ff, norm_first, seq)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        return train_step(model, lib.nn.MSELoss(), opt, x, t)

    make.shape = (ff, norm_first, seq)  # type: ignore[attr-defined]
    return make


transformer = register(
    "transformer", 32,
    "TransformerEncoderLayer(d_model 128, nhead 4, ff 2048, dropout 0.0, batch_first) on (batch, 64, 128), "
    "MSELoss to a fixed random target, Adam lr 1e-3",
    target=1.0, family="transformer",
)(transformer_shape(2048, False, 64))  # fmt: skip


@register(
    "elementwise_chain", 32,
    "999 small elementwise ops (x·0.9, +c, tanh, repeated) on a (32, 32) float32 tensor, "
    "then sum().backward(): per-op overhead",
)  # fmt: skip
def elementwise_chain(lib: Any, batch: int) -> Step:
    rng = _rng()
    x = lib.tensor(rng.standard_normal((batch, 32)).astype(np.float32), requires_grad=True)
    c = lib.tensor(rng.uniform(-0.1, 0.1, (32,)).astype(np.float32))

    def step() -> Any:
        h = x
        for _ in range(333):
            h = h * 0.9
            h = h + c
            h = h.tanh()
        loss = h.sum()
        loss.backward()
        x.grad = None
        return loss

    return step


@register(
    "mlp_step", 128,
    "784-256-128-10 ReLU MLP, log_softmax + NLL (gather), backward, SGD update",
)  # fmt: skip
def mlp_step(lib: Any, batch: int) -> Step:
    rng = _rng()
    params = linear_params(lib, rng, (784, 256, 128, 10))
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, (batch, 1), dtype=np.int64))

    def step() -> Any:
        logits = mlp(x, params, lambda h: h.relu())
        loss = -logits.log_softmax(dim=1).gather(1, y).mean()
        loss.backward()
        sgd(lib, params, 0.01)
        return loss

    return step


# --- data loading: a dataset whose __getitem__ does real work, with and without worker processes -----
class AugmentedImages:
    """10**6 synthetic 3x64x64 images, each made and augmented (about 2 ms of NumPy) when fetched.

    Item ``i`` is drawn from ``default_rng(i)``: random 64x64 crop of a 72x72 image, horizontal
    flip, twelve passes of a 3x3 box blur, per-channel brightness, per-channel standardisation. The
    same index gives the same array in every process and library, so both loaders yield the same
    batches. A plain class (no base class): both libraries' DataLoaders take any map-style dataset.
    """

    def __len__(self) -> int:
        return 10**6

    def __getitem__(self, i: int) -> np.ndarray:
        rng = np.random.default_rng(i)
        img = rng.random((3, 72, 72), dtype=np.float32)
        top, left = rng.integers(0, 9, 2)
        img = img[:, top : top + 64, left : left + 64]
        if rng.random() < 0.5:
            img = img[:, :, ::-1]
        for _ in range(12):
            p = np.pad(img, ((0, 0), (1, 1), (1, 1)), mode="edge")
            img = (p[:, :-2] + p[:, 1:-1] + p[:, 2:]) / 3
            img = (img[:, :, :-2] + img[:, :, 1:-1] + img[:, :, 2:]) / 3
        img = img * rng.uniform(0.8, 1.2, (3, 1, 1)).astype(np.float32)
        img = (img - img.mean(axis=(1, 2), keepdims=True)) / (img.std(axis=(1, 2), keepdims=True) + 1e-5)
        return np.ascontiguousarray(img, dtype=np.float32)


def loader_step(workers: int) -> Callable[[Any, int], Step]:
    """``make`` for one batch of ``AugmentedImages`` from a ``DataLoader(num_workers=workers)`` per step."""

    def make(lib: Any, batch: int) -> Step:
        loader = lib.utils.data.DataLoader(AugmentedImages(), batch_size=batch, num_workers=workers)
        it = iter(loader)  # one long pass; its workers stop when the step (and so ``it``) is freed

        def step() -> Any:
            return next(it).mean()

        return step

    return make


for _workers in (0, 2):
    register(
        f"loader_aug_w{_workers}", 32,
        f"DataLoader(num_workers={_workers}) over a dataset whose __getitem__ augments a 3x64x64 image "
        "(~2 ms of NumPy): one batch per step",
    )(loader_step(_workers))  # fmt: skip


# --- the same training steps with chainrule.compile (PyTorch stays eager) --------------------------
for _name, _batch, _make in [
    ("tiny_mlp", 32, tiny_mlp), ("mlp_adam_b32", 32, mlp_adam), ("mlp_adam_b128", 128, mlp_adam),
    ("cnn", 64, cnn), ("transformer", 32, transformer),
]:  # fmt: skip
    register(
        f"{_name}_compiled", _batch, f"{_name} with model and loss in one chainrule.compile (traced once, replayed); torch eager"
    )(compiled(_make))

from . import workloads_families, workloads_rnn  # noqa: E402,F401  (register more shapes and the recurrent rows)
