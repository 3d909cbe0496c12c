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


WORKLOADS: dict[str, Workload] = {}


def register(
    name: str, batch: int, about: str, rtol: float = 1e-4, target: float | None = None
) -> Callable[[Any], Any]:
    """Add ``make`` to ``WORKLOADS`` under ``name``, timed at ``batch``."""

    def deco(make: Callable[[Any, int], Step]) -> Callable[[Any, int], Step]:
        if name in WORKLOADS:
            raise ValueError(f"register: workload {name!r} is already registered")
        WORKLOADS[name] = Workload(name, make, batch, about, rtol, target)
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
# The table first, then the two original micro-workloads.
@register(
    "tiny_mlp", 32, "2-16-16-1 tanh MLP (nn.Sequential), MSELoss, SGD lr 0.1: overhead-bound", target=2.5
)
def tiny_mlp(lib: Any, batch: int) -> Step:
    rng = _rng()
    nn = lib.nn
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    load_numpy_weights(lib, model, rng)
    xs = rng.uniform(-1, 1, (batch, 2)).astype(np.float32)
    t = (np.sin(3 * xs[:, :1]) * xs[:, 1:]).astype(np.float32)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    return train_step(model, nn.MSELoss(), opt, lib.tensor(xs), lib.tensor(t))


_MLP = "784-256-128-10 ReLU MLP, CrossEntropyLoss, Adam lr 1e-3"


@register("mlp_adam_b1024", 1024, _MLP, target=1.0)
@register("mlp_adam_b128", 128, _MLP, target=1.2)
@register("mlp_adam_b32", 32, _MLP, target=1.2)  # the bottom decorator registers first
def mlp_adam(lib: Any, batch: int) -> Step:
    rng = _rng()
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    load_numpy_weights(lib, model, rng)
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, (batch,), dtype=np.int64))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return train_step(model, nn.CrossEntropyLoss(), opt, x, y)


@register(
    "cnn", 64,
    "small CNN on 1x28x28: conv3x3(1→8, pad 1)-ReLU-maxpool2, conv3x3(8→16, pad 1)-ReLU-maxpool2, "
    "Linear(784→10), CrossEntropyLoss, Adam lr 1e-3",
    target=0.8,
)  # fmt: skip
def cnn(lib: Any, batch: int) -> Step:
    rng = _rng()
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )  # fmt: skip
    load_numpy_weights(lib, model, rng)
    x = lib.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, (batch,), dtype=np.int64))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return train_step(model, nn.CrossEntropyLoss(), opt, x, y)


@register(
    "transformer", 32,
    "TransformerEncoderLayer(d_model 128, nhead 4, ff 2048, dropout 0.0, batch_first) on (batch, 64, 128), "
    "MSELoss to a fixed random target, Adam lr 1e-3",
    target=1.0,
)  # fmt: skip
def transformer(lib: Any, batch: int) -> Step:
    rng = _rng()
    nn = lib.nn
    # dropout 0.0 in BOTH libraries: with the default 0.1 each library draws its own masks, so the
    # losses could not be compared (and chainrule and PyTorch would time different random work).
    model = nn.TransformerEncoderLayer(128, 4, dropout=0.0, batch_first=True)
    load_numpy_weights(lib, model, rng)
    x = lib.tensor(rng.standard_normal((batch, 64, 128)).astype(np.float32))
    t = lib.tensor(rng.standard_normal((batch, 64, 128)).astype(np.float32))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return train_step(model, nn.MSELoss(), opt, x, t)


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

from . import workloads_rnn  # noqa: E402,F401  (registers the recurrent workloads)
