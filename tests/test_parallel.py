"""Row and element chunks over chainrule's threads (``chainrule._parallel``): the plan covers every row
once, nested requests run inline, BLAS's thread setting is restored, one thread never starts the pool,
and every op with a threaded path gives the same numbers threaded as single-threaded (forced on small
arrays with ``_parallel.override(threads, min_size=1)``, so both paths run whatever the thresholds):
bit for bit for attention and the element-wise ops; within a few float32 ulps for the recurrences, whose
per-step GEMMs on a block of batch rows may round differently from the GEMM on all rows."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import _parallel


@pytest.mark.parametrize("n, parts", [(1, 3), (5, 2), (7, 3), (8, 8), (3, 7), (100, 4)])
def test_row_slices_cover_every_row_once(n: int, parts: int) -> None:
    slices = _parallel.row_slices(n, parts)
    assert len(slices) == min(n, parts)
    rows = [i for s in slices for i in range(s.start, s.stop)]
    assert rows == list(range(n))
    sizes = [s.stop - s.start for s in slices]
    assert max(sizes) - min(sizes) <= 1


def test_threads_for_follows_the_setting_and_the_threshold() -> None:
    with _parallel.override(threads=1, min_size=1):
        assert _parallel.threads_for(10**9) == 1
    with _parallel.override(threads=3, min_size=100):
        assert _parallel.threads_for(99) == 1
        assert _parallel.threads_for(100) == 3
    with _parallel.override(threads=4):
        assert _parallel.threads_for(_parallel.ELEMENTWISE_MIN - 1) == 1
        assert _parallel.threads_for(_parallel.ELEMENTWISE_MIN) == 4


def test_for_rows_runs_chunks_on_several_threads_and_nested_requests_inline() -> None:
    outer_calls: list[tuple[int, int, str]] = []
    inner_calls: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def inner(r: slice) -> None:
        with lock:
            inner_calls.append((r.start, r.stop, threading.current_thread().name))

    first: list[str] = []
    other_started = threading.Event()

    def outer(r: slice) -> None:
        _parallel.for_rows(inner, 4, 10**9)  # nested: one call on this thread, no deadlock
        with lock:
            outer_calls.append((r.start, r.stop, threading.current_thread().name))
            me = threading.current_thread().name
            if not first:
                first.append(me)
            elif me != first[0]:
                other_started.set()
        if me == first[0]:  # the chunks are claimed by whichever thread asks: hold the first one
            other_started.wait(10)  # until another thread has taken a chunk

    with _parallel.override(threads=3, min_size=1):
        _parallel.for_rows(outer, 9, 9)
    assert sorted((a, b) for a, b, _ in outer_calls) == [(0, 3), (3, 6), (6, 9)]
    assert len({name for *_, name in outer_calls}) >= 2  # the caller and at least one pool thread
    assert sorted((a, b) for a, b, _ in inner_calls) == [(0, 4)] * 3
    assert {name for *_, name in inner_calls} == {name for *_, name in outer_calls}


def test_the_caller_does_not_wait_for_pool_threads_that_have_not_started() -> None:
    release = threading.Event()
    seen: list[str] = []
    with _parallel.override(threads=2, min_size=1):
        pool = _parallel._get_pool(2)
        busy = [pool.submit(release.wait, 10) for _ in range(pool._max_workers)]  # every pool thread taken
        try:
            _parallel.run_chunks(lambda c: seen.append(threading.current_thread().name), list(range(5)))
            assert seen == [threading.current_thread().name] * 5  # all on the caller, no waiting
        finally:
            release.set()
            for f in busy:
                f.result()


def test_a_chunk_that_raises_raises_in_the_caller() -> None:
    def fn(r: slice) -> None:
        if r.start > 0:
            raise ValueError("boom")

    with _parallel.override(threads=2, min_size=1), pytest.raises(ValueError, match="boom"):
        _parallel.for_rows(fn, 4, 4)


def test_elementwise_chunks_contiguous_arrays_and_passes_others_whole() -> None:
    x = np.arange(24, dtype=np.float32).reshape(4, 6) - 10
    calls: list[int] = []

    def relu(o: Any, a: Any) -> None:
        calls.append(o.size)
        np.maximum(a, 0, out=o)

    with _parallel.override(threads=3, min_size=1):
        out = _parallel.elementwise(relu, np.empty_like(x), x)
        np.testing.assert_array_equal(out, np.maximum(x, 0))
        assert sorted(calls) == [8, 8, 8]
        calls.clear()
        xt = x.T  # not C-contiguous: one call
        out = _parallel.elementwise(relu, np.empty(xt.shape, xt.dtype), xt)
        np.testing.assert_array_equal(out, np.maximum(xt, 0))
        assert calls == [24]


def test_single_threaded_blas_restores_the_setting_even_nested() -> None:
    before = cr.get_num_threads()
    with _parallel.single_threaded_blas():
        assert cr.get_num_threads() == 1
        with _parallel.single_threaded_blas():
            assert cr.get_num_threads() == 1
        assert cr.get_num_threads() == 1
    assert cr.get_num_threads() == before


def test_one_thread_never_starts_the_pool_and_import_starts_none() -> None:
    code = (
        "import threading, chainrule as cr\n"
        "from chainrule import _parallel\n"
        "n0 = threading.active_count()\n"
        "cr.set_num_threads(1)\n"
        "x = cr.randn(64, 4096, requires_grad=True)\n"  # above the threshold
        "cr.relu(x).sum().backward()\n"
        "print(n0, _parallel._pool is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1", "True"]


# --- ops: threaded == single-threaded ------------------------------------------------------------
def _run(fn: Callable[[], list[np.ndarray]], threads: int) -> list[np.ndarray]:
    with _parallel.override(threads=threads, min_size=1):
        return fn()


def _same(fn: Callable[[], list[np.ndarray]], exact: bool = True) -> None:
    one = _run(fn, 1)
    for threads in (2, 3):
        many = _run(fn, threads)
        assert len(one) == len(many)
        for a, b in zip(one, many):
            if exact:
                np.testing.assert_array_equal(a, b)
            else:
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def _grads(model: Any, inputs: list[Any], loss: Callable[..., Any]) -> list[np.ndarray]:
    out = model(*inputs)
    loss(out).backward()
    res = [t.detach().numpy().copy() for t in (out if isinstance(out, tuple) else (out,)) if hasattr(t, "detach")]
    res += [x.grad.numpy().copy() for x in inputs if getattr(x, "grad", None) is not None]
    res += [p.grad.numpy().copy() for p in model.parameters()]
    return res


def _x(*shape: int, seed: int = 0) -> Any:
    return cr.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32), requires_grad=True)


@pytest.mark.parametrize("kind", ["plain", "key_padding", "causal", "weights", "weights_per_head"])
def test_multihead_attention_threaded_equals_single(kind: str) -> None:
    def fn() -> list[np.ndarray]:
        cr.manual_seed(0)
        mha = cr.nn.MultiheadAttention(8, 2, batch_first=True)
        x = _x(5, 6, 8)
        kw: dict[str, Any] = {"need_weights": kind.startswith("weights"), "average_attn_weights": kind == "weights"}
        if kind == "key_padding":
            kpm = np.zeros((5, 6), bool)
            kpm[1, 4:] = True
            kw["key_padding_mask"] = cr.tensor(kpm)
        if kind == "causal":
            kw["attn_mask"] = cr.nn.Transformer.generate_square_subsequent_mask(6)
        out, w = mha(x, x, x, **kw)
        loss = out.square().sum() + (w.sum() * 0.5 if w is not None else 0)
        loss.backward()
        res = [out.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in mha.parameters()]
        return res + ([w.detach().numpy()] if w is not None else [])

    _same(fn)


def test_sdpa_threaded_equals_single_with_dropout_and_bias() -> None:
    def fn() -> list[np.ndarray]:
        cr.manual_seed(3)
        q, k, v = _x(3, 2, 5, 4, seed=1), _x(3, 2, 7, 4, seed=2), _x(3, 2, 7, 6, seed=3)
        bias = cr.tensor(np.random.default_rng(4).standard_normal((3, 1, 5, 7)).astype(np.float32))
        out = cr.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=0.3)
        (out * out).sum().backward()
        return [out.detach().numpy(), q.grad.numpy(), k.grad.numpy(), v.grad.numpy()]

    _same(fn)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_layer_threaded_equals_single(norm_first: bool) -> None:
    def fn() -> list[np.ndarray]:
        cr.manual_seed(0)
        layer = cr.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
        return _grads(layer, [_x(4, 5, 8)], lambda y: (y * y).sum())

    _same(fn)


@pytest.mark.parametrize("cls, kw", [
    ("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("LSTM", {"proj_size": 3}), ("GRU", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}), ("GRU", {"bidirectional": True, "batch_first": True}),
])  # fmt: skip
def test_recurrent_layers_threaded_equal_single(cls: str, kw: dict[str, Any]) -> None:
    def fn() -> list[np.ndarray]:
        cr.manual_seed(0)
        rnn = getattr(cr.nn, cls)(4, 6, **kw)
        x = _x(7, 5, 4)
        out, _ = rnn(x)
        (out * out).sum().backward()
        return [out.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in rnn.parameters()]

    _same(fn, exact=False)  # BLAS's small GEMMs on fewer batch columns may round the last bit differently


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_packed_sequences_threaded_equal_single(cls: str) -> None:
    def fn() -> list[np.ndarray]:
        cr.manual_seed(0)
        rnn = getattr(cr.nn, cls)(3, 5)
        x = _x(6, 5, 3)
        packed = cr.nn.utils.rnn.pack_padded_sequence(x, [6, 5, 3, 3, 1])
        out, h = rnn(packed)
        y, _ = cr.nn.utils.rnn.pad_packed_sequence(out)
        hn = h[0] if isinstance(h, tuple) else h
        ((y * y).sum() + hn.sum()).backward()
        return [y.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in rnn.parameters()]

    _same(fn, exact=False)


@pytest.mark.parametrize("act", ["relu", "gelu", "gelu_tanh"])
def test_activations_threaded_equal_single(act: str) -> None:
    def fn() -> list[np.ndarray]:
        x = _x(6, 7, 5)
        with np.errstate(all="ignore"):
            xs = x.detach().numpy()
            xs[0, 0, :3] = [0.0, np.inf, -np.inf]
        F = cr.nn.functional
        y = F.relu(x) if act == "relu" else F.gelu(x, approximate="tanh" if act == "gelu_tanh" else "none")
        (y * _x(6, 7, 5, seed=1).detach()).sum().backward()
        return [y.detach().numpy(), x.grad.numpy()]

    _same(fn)


@pytest.mark.parametrize("dim", [-1, 1, 2])
def test_softmax_threaded_equals_single(dim: int) -> None:
    def fn() -> list[np.ndarray]:
        x = _x(6, 7, 5)
        y = cr.softmax(x, dim)
        (y * _x(6, 7, 5, seed=1).detach()).sum().backward()
        return [y.detach().numpy(), x.grad.numpy()]

    _same(fn)



@pytest.mark.parametrize("shape", [(64, 1568, 10), (32, 256, 128), (4, 8, 1568, 10)])
def test_linear_on_one_blas_thread_equals_blas_threads(monkeypatch, shape: tuple[int, ...]) -> None:
    """A Linear of 2^18-2^21 multiply-adds runs on one BLAS thread when chainrule has several (OpenBLAS
    gives the same bits whatever its thread count); with one chainrule thread BLAS keeps its own."""
    import contextlib
    import importlib

    lin = importlib.import_module("chainrule.nn.functional.linear")  # the module (the package exports the function)

    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    *lead, n_in, n_out = shape
    assert lin._ONE_BLAS_THREAD[0] <= int(np.prod(lead)) * n_in * n_out < lin._ONE_BLAS_THREAD[1]
    entered: list[int] = []
    real = _parallel.single_threaded_blas

    @contextlib.contextmanager
    def counted() -> Any:
        entered.append(_parallel.elementwise_threads())
        with real():
            yield

    monkeypatch.setattr(lin._parallel, "single_threaded_blas", counted)

    def fn() -> list[np.ndarray]:
        cr.manual_seed(0)
        layer = cr.nn.Linear(n_in, n_out)
        x = _x(*lead, n_in)
        y = layer(x)
        (y * _x(*lead, n_out, seed=1).detach()).sum().backward()
        return [y.detach().numpy(), x.grad.numpy(), layer.weight.grad.numpy(), layer.bias.grad.numpy()]

    _same(fn)
    assert entered == [2, 2, 3, 3]  # forward and backward, with 2 and with 3 threads; never with 1
    cr.manual_seed(0)
    layer = cr.nn.Linear(n_in, n_out)
    x = _x(*lead, n_in)
    with _parallel.override(threads=2):
        got = layer(x).detach().numpy()
    want = torch.nn.functional.linear(*(torch.tensor(t.detach().numpy()) for t in (x, layer.weight, layer.bias)))
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(1, 3, 9, 4), (3, 9, 4), (9, 4)])
@pytest.mark.parametrize("dropout", [0.0, 0.4])
def test_sdpa_softmax_rows_threaded_equal_single(shape: tuple[int, ...], dropout: float) -> None:
    # one batch row (or no batch axis): the batch is not split, so the softmax and its gradient go by
    # blocks of score rows themselves; a boolean mask makes fully masked rows (safe softmax: 0, not NaN)
    def fn() -> list[np.ndarray]:
        cr.manual_seed(5)
        q, k, v = _x(*shape, seed=1), _x(*shape[:-2], 7, 4, seed=2), _x(*shape[:-2], 7, 5, seed=3)
        mask = np.random.default_rng(6).random((shape[-2], 7)) > 0.3
        mask[2] = False
        out = cr.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=cr.tensor(mask), dropout_p=dropout)
        (out * _x(*out.shape, seed=4).detach()).sum().backward()
        return [out.detach().numpy(), q.grad.numpy(), k.grad.numpy(), v.grad.numpy()]

    _same(fn)


def test_multihead_attention_weights_one_sample_threaded_equal_single() -> None:
    def fn() -> list[np.ndarray]:
        cr.manual_seed(0)
        mha = cr.nn.MultiheadAttention(8, 2, batch_first=True)
        x = _x(1, 11, 8)
        out, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
        (out.square().sum() + (w * _x(*w.shape, seed=2).detach()).sum()).backward()
        return [out.detach().numpy(), w.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in mha.parameters()]

    _same(fn)


@pytest.mark.parametrize("affine", ["both", "weight", "bias", "none"])
@pytest.mark.parametrize("shape, k", [((6, 7, 5), 1), ((4, 3, 6), 2), ((13, 9), 1)])
def test_layer_norm_threaded_equals_single(affine: str, shape: tuple[int, ...], k: int) -> None:
    def fn() -> list[np.ndarray]:
        x = _x(*shape)
        ns = shape[-k:]
        w = _x(*ns, seed=1) if affine in ("both", "weight") else None
        b = _x(*ns, seed=2) if affine in ("both", "bias") else None
        y = cr.nn.functional.layer_norm(x, ns, w, b)
        (y * _x(*shape, seed=3).detach()).sum().backward()
        return [y.detach().numpy(), x.grad.numpy()] + [t.grad.numpy() for t in (w, b) if t is not None]

    _same(fn)


@pytest.mark.parametrize("kind", ["dropout", "dropout_inplace", "dropout2d", "float64"])
def test_dropout_threaded_equals_single(kind: str) -> None:
    def fn() -> list[np.ndarray]:
        cr.manual_seed(7)
        x = _x(6, 7, 5, 4)
        if kind == "float64":
            x = x.detach().double().requires_grad_()
        F = cr.nn.functional
        if kind == "dropout2d":
            y = F.dropout2d(x, 0.4)
        elif kind == "dropout_inplace":
            y = F.dropout(x * 1.0, 0.4, inplace=True)
        else:
            y = F.dropout(x, 0.4)
        (y * _x(6, 7, 5, 4, seed=1).detach().to(x.dtype)).sum().backward()
        return [y.detach().numpy(), x.grad.numpy()]

    _same(fn)


def test_single_threaded_blas_covers_a_blas_loaded_later() -> None:
    """numba's first compilation loads SciPy's OpenBLAS beside NumPy's: once modules were imported
    since the last look, the libraries are looked for again, so both run on one thread inside."""
    pytest.importorskip("numba", reason="numba (the 'fast' extra) loads the second BLAS")
    code = (
        "import chainrule as cr\n"
        "from chainrule import _parallel\n"
        "from threadpoolctl import threadpool_info\n"
        "with _parallel.single_threaded_blas():\n"
        "    pass\n"
        "import numba\n"
        "numba.njit(lambda x: x + 1)(1.0)\n"
        "with _parallel.single_threaded_blas():\n"
        "    print(*[i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'])\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    counts = [int(c) for c in out.split()]
    assert len(counts) >= 1 and all(c == 1 for c in counts)
