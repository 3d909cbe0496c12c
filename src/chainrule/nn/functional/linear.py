"""Linear maps and the layers around them: ``linear``, ``bilinear``, ``dropout*``, ``embedding``, ``pad``.

``linear`` is a fused primitive (one GEMM forward, one GEMM per gradient) because it is the
hottest op of every MLP. ``g`` below is ∂L/∂out.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import _parallel
from ..._random import default_generator
from ..._tensor import Tensor
from ...autograd.function import CompositeDoubleBackward, Function
from ...autograd.grad_mode import no_grad
from ...ops._util import check_tensor, shape_str

__all__ = [
    "linear", "bilinear", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
    "feature_alpha_dropout", "embedding", "pad",
]  # fmt: skip


class Linear(Function):
    """Affine map  y = x Wᵀ + b  (the seed's column form: y = W x + b).

    Shapes: x (*, in), W (out, in), b (out,) -> y (*, out).
    VJP with g = ∂L/∂y (leading dims flattened):  gx = g W,   gW = gᵀ x,   gb = Σ g.
    Column form, e = ∂L/∂y for one sample:  ∂L/∂W = e xᵀ,  ∂L/∂b = e,  ∂L/∂x = Wᵀ e.
    """

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any) -> Any:
        ctx.one_blas = _one_blas_thread(math.prod(x.shape) * w.shape[0])
        if not ctx.one_blas:
            return Linear._forward(ctx, x, w, b)
        with _parallel.single_threaded_blas():
            return Linear._forward(ctx, x, w, b)

    @staticmethod
    def _forward(ctx: Any, x: Any, w: Any, b: Any) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        if x.ndim == 2 and _wants_transposed_gemm(x, w) and (b is None or b.dtype == x.dtype):
            # the GEMM written as yᵀ = W xᵀ (F-ordered y), then bias + copy to C order in one pass
            n, out = x.shape[0], w.shape[0]
            yt = np.matmul(x, w.T, out=np.empty((n, out), x.dtype, order="F"))
            y = np.empty((n, out), x.dtype)
            if b is not None:
                return np.add(yt, b, out=y)
            np.copyto(y, yt)
            return y
        if x.ndim > 2 and x.flags.c_contiguous:  # one GEMM over the flattened leading dims
            y = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(*x.shape[:-1], w.shape[0])
        else:
            y = x @ w.T
        if b is not None:
            y += b
        return y

    @staticmethod
    def jvp(ctx: Any, tx: Any, tw: Any, tb: Any) -> Any:
        """ẏ = ẋ Wᵀ + x Ẇᵀ + ḃ."""
        x, w = ctx.saved_tensors
        xp = ctx.xp
        y = None if tx is None else xp.matmul(tx, xp.swapaxes(w, -1, -2))
        if tw is not None:
            yw = xp.matmul(x, xp.swapaxes(tw, -1, -2))
            y = yw if y is None else y + yw
        if tb is not None:
            y = tb if y is None else y + tb
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if not getattr(ctx, "one_blas", False):
            return Linear._backward(ctx, g)
        with _parallel.single_threaded_blas():
            return Linear._backward(ctx, g)

    @staticmethod
    def _backward(ctx: Any, g: Any) -> Any:
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = ctx.xp
        gx = gw = gb = None
        if need[0]:
            if g.ndim > 2 and type(g) is np.ndarray and g.flags.c_contiguous:  # one GEMM, not one per leading index
                gx = (g.reshape(-1, g.shape[-1]) @ w).reshape(*g.shape[:-1], w.shape[1])
            else:
                gx = g @ w
        if g.ndim == 1:
            gw = xp.outer(g, x) if need[1] else None
            gb = g if need[2] else None
        else:
            g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
            if need[1]:
                x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
                gw = _outer_gemm(g2, x2) if g2.shape[0] == 1 and type(g2) is np.ndarray else g2.T @ x2
            if need[2]:
                gb = xp.add.reduce(g2, 0)  # = g2.sum(0), without its Python wrapper
        return gx, gw, gb


_F32 = np.dtype(np.float32)

# multiply-adds (rows·in·out) of a Linear's GEMMs that OpenBLAS splits over its threads (from 2^18)
# but that gain little from it (below 2^21): with several chainrule threads they run on one BLAS
# thread, so that OpenBLAS's workers stay asleep — a woken worker spins for ~0.1 s after the call,
# taking a core from the threads that split the element-wise work (a CNN's classifier head: cnn_c16
# with both cores at load 6 went from 7-8 to 19-27 steps/s; see bench/conv_notes.md)
_ONE_BLAS_THREAD = (1 << 18, 1 << 21)


def _one_blas_thread(macs: int) -> bool:
    return _ONE_BLAS_THREAD[0] <= macs < _ONE_BLAS_THREAD[1] and _parallel.elementwise_threads() > 1


def _wants_transposed_gemm(x: np.ndarray, w: np.ndarray) -> bool:
    """Whether ``x Wᵀ`` is faster computed as ``(W xᵀ)ᵀ`` (same products, same order: the same bits).

    Measured with OpenBLAS (SkylakeX kernels, one thread and two): for a few rows and a large
    weight the (out, in) layout of W costs the GEMM 1.3-2.7x (e.g. 224 vs 159 µs for
    (32, 784)·(784, 256)); from about 256 rows on, or for narrow outputs (10 classes), the plain
    form is faster. Hence: 2-64 rows and at least 128 outputs, or up to 128 rows for weights of 150k+
    elements. float32 only: there both forms gave the same bits on every shape tried (1,760 shapes
    of 2-128 rows, 1 and 2 threads); for float64 OpenBLAS's edge kernels sum some columns (e.g. 500
    outputs) in another order.
    """
    n, k = x.shape
    out = w.shape[0]
    return (
        2 <= n <= 128 and out >= 128 and k >= 128 and (n <= 64 or out * k >= 150_000)
        and x.dtype == _F32 and w.dtype == _F32 and x.flags.c_contiguous
    )  # fmt: skip


def _outer_gemm(g2: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """``g2ᵀ @ x2`` for one row (an outer product): OpenBLAS takes ~10x longer for an inner dimension
    of 1 than of 2, so the product runs with a zero row appended to both — each element is
    g·x + 0·0, the same bits as the K = 1 GEMM (signed zeros included: the GEMM adds to +0 too)."""
    gp = np.zeros((2, g2.shape[1]), g2.dtype)
    xp = np.zeros((2, x2.shape[1]), x2.dtype)
    gp[0] = g2[0]
    xp[0] = x2[0]
    return gp.T @ xp


class Bilinear(CompositeDoubleBackward, Function):
    """y_k = Σ_ij x1_i A_kij x2_j + b_k.   VJP: gx1 = Σ g_k A_kij x2_j,  gx2 = Σ g_k x1_i A_kij,  gA = g⊗x1⊗x2,  gb = Σ g.
    Double backward: through ``composite`` (matmuls instead of the fused einsums)."""

    _array_op = True

    @staticmethod
    def composite(ctx: Any, x1: Any, x2: Any, a: Any, b: Any) -> Any:
        """y = Σ_j (x1 · A_{:, :, j} viewed as (in1, out·in2))_{k j} x2_j + b, from matmul, reshape and sum."""
        k, i, j = a.shape
        u = x1.reshape(-1, i) @ a.permute(1, 0, 2).reshape(i, k * j)
        y = (u.reshape(-1, k, j) * x2.reshape(-1, 1, j)).sum(-1).reshape(*x1.shape[:-1], k)
        return y if b is None else y + b

    @staticmethod
    def forward(ctx: Any, x1: Any, x2: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(x1, x2, a)
        y = np.einsum("...i,kij,...j->...k", x1, a, x2, optimize=True)
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x1, x2, a = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx1 = np.einsum("...k,kij,...j->...i", g, a, x2, optimize=True) if need[0] else None
        gx2 = np.einsum("...k,kij,...i->...j", g, a, x1, optimize=True) if need[1] else None
        ga = np.einsum("...k,...i,...j->kij", g, x1, x2, optimize=True) if need[2] else None
        gb = g.reshape(-1, g.shape[-1]).sum(0) if need[3] else None
        return gx1, gx2, ga, gb


class Dropout(Function):
    """out = x·m  with m = keep/(1−p), keep ~ Bernoulli(1−p) (m may broadcast per channel).   VJP: gx = g·m."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, m: Any) -> Any:
        ctx.save_for_backward(m)
        return _times(x, m)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (m,) = ctx.saved_tensors
        return _times(g, m), None


def _times(a: Any, m: Any) -> Any:
    """a·m; large arrays of one shape in chunks over chainrule's threads (the same products)."""
    if type(a) is np.ndarray and type(m) is np.ndarray and a.shape == m.shape and _parallel.threads_for(a.size) > 1:
        out = np.empty(a.shape, np.result_type(a, m))
        return _parallel.elementwise(lambda o, x, y: np.multiply(x, y, out=o), out, a, m)
    return a * m


class Embedding(Function):
    """out = W[idx].   VJP: gW[r] = Σ_{idx = r} g (÷ count of r with scale_grad_by_freq; 0 at padding_idx)."""

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, idx: Any, w: Any, padding_idx: Any, scale_grad_by_freq: bool) -> Any:
        ctx.save_for_backward(idx)
        ctx.rows, ctx.padding_idx, ctx.scale, ctx.dtype = w.shape[0], padding_idx, scale_grad_by_freq, w.dtype
        return w.take(idx, axis=0)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (idx,) = ctx.saved_tensors
        xp = ctx.xp
        flat = xp.asarray(idx).reshape(-1)  # (indices: an array on both paths)
        g2 = xp.reshape(g, (flat.shape[0], g.shape[-1]))
        if ctx.scale:
            counts = np.bincount(flat, minlength=ctx.rows)
            g2 = g2 / counts[flat][:, None].astype(ctx.dtype)
        gw = xp.scatter_zeros((ctx.rows, g.shape[-1]), flat, g2, True)
        if ctx.padding_idx is not None:
            if xp.is_tensor:
                gw = xp.zero_at(gw, ctx.padding_idx)
            else:
                gw[ctx.padding_idx] = 0
        return None, gw, None, None


class ConstantPad(Function):
    """out = x cropped/padded with a constant per dim (negative pads crop).   VJP: gx = g[kept region] (0 where cropped)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, src: tuple[slice, ...], dst: tuple[slice, ...], out_shape: Any, value: Any) -> Any:
        ctx.src, ctx.dst, ctx.shape = src, dst, x.shape
        out = np.full(out_shape, value, dtype=x.dtype)
        out[dst] = x[src]
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        xp = ctx.xp
        return xp.scatter_zeros(ctx.shape, ctx.src, xp.take_at(g, ctx.dst), False), None, None, None, None


class IndexPad(Function):
    """out = x gathered along each padded dim d by an index map idx_d (reflect/replicate/circular).

    VJP: gx = scatter-add of g through the same maps, in reverse order.
    """

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, maps: tuple[tuple[int, Any], ...]) -> Any:
        ctx.maps, ctx.shape = maps, x.shape
        out = x
        for d, idx in maps:
            out = out.take(idx, axis=d)
        return out if out is not x else x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape = list(ctx.shape)
        sizes = []
        for d, idx in ctx.maps:  # the shape before each gather
            sizes.append(tuple(shape))
            shape[d] = len(idx)
        for (d, idx), before in zip(reversed(ctx.maps), reversed(sizes)):
            if ctx.xp.is_tensor:  # the same scatter-add, recorded
                g = ctx.xp.scatter_zeros(before, (slice(None),) * d + (idx,), g, True)
                continue
            gx = np.zeros(before, dtype=g.dtype)
            np.add.at(np.moveaxis(gx, d, 0), idx, np.moveaxis(g, d, 0))
            g = gx
        return g, None


# --- public functions ---------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = input @ weightᵀ + bias, for input (*, in_features) and weight (out_features, in_features)."""
    try:
        x, w = input._data, weight._data
    except AttributeError:
        bad, arg = (input, "input") if not isinstance(input, Tensor) else (weight, "weight")
        raise TypeError(f"linear(): argument '{arg}' must be Tensor, not {type(bad).__name__}") from None
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        if w.ndim != 2:
            raise RuntimeError(f"linear: weight must be 2-D (out_features, in_features); got shape {shape_str(w.shape)}")
        rows = int(np.prod(x.shape[:-1])) if x.ndim else 1
        raise RuntimeError(
            f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.ndim else 1} and "
            f"{w.shape[1]}x{w.shape[0]}); expected input of shape [*, {w.shape[1]}], got {shape_str(x.shape)}"
        )
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        other = w.dtype if x.dtype != w.dtype else bias._data.dtype  # type: ignore[union-attr]
        raise RuntimeError(
            f"linear: mat1 and mat2 must have the same dtype; expected {x.dtype}, got {other}. "
            "Cast the input (e.g. x.float()) or the layer (e.g. layer.double())."
        )
    return Linear.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x1ᵀ A x2 + b for x1 (*, in1), x2 (*, in2), weight (out, in1, in2)."""
    a = weight._data
    if a.ndim != 3 or input1.shape[-1] != a.shape[1] or input2.shape[-1] != a.shape[2] or input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear: expected input1 (*, {a.shape[1] if a.ndim == 3 else '?'}) and input2 (*, "
            f"{a.shape[2] if a.ndim == 3 else '?'}) with equal leading dims and a 3-D weight; got "
            f"{shape_str(input1.shape)}, {shape_str(input2.shape)} and weight {shape_str(a.shape)}"
        )
    return Bilinear.apply(input1, input2, weight, bias)


def _check_p(p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _mask(x: np.ndarray, shape: tuple[int, ...], p: float) -> np.ndarray:
    """keep/(1−p) with keep ~ Bernoulli(1−p), in x's dtype, drawn from the default generator."""
    if p == 1.0:  # every element dropped: no draw, as in PyTorch
        return np.zeros(shape, dtype=x.dtype)
    rdt = np.float64 if x.dtype == np.float64 else np.float32
    u = default_generator.np.random(shape, dtype=rdt)  # one stream: drawn on this thread
    scale = x.dtype.type(1.0 / (1.0 - p))
    return _parallel.elementwise(lambda o, r: np.multiply(r >= p, scale, out=o), np.empty(shape, x.dtype), u)


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, shape: tuple[int, ...], op: str) -> Tensor:  # noqa: A002
    p = _check_p(p)
    if not training or p == 0.0:  # PyTorch returns the input itself and draws no random numbers
        return input
    m = _mask(input._data, shape, p)
    if inplace:
        from ..._tensor_methods import _inplace

        return _inplace(input, op + "_", lambda t: Dropout.apply(t, m))
    return Dropout.apply(input, m)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability ``p`` and scale the rest by 1/(1−p) (identity when not training)."""
    check_tensor(input, "dropout")
    return _dropout(input, p, training, inplace, input._data.shape, "dropout")


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool, n: int, op: str) -> Tensor:  # noqa: A002
    """Channel-wise dropout over n spatial dims: a whole (sample, channel) map is zeroed at once."""
    check_tensor(input, op)
    nd = input._data.ndim
    if n == 1 and nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an "
            "optional batch dimension (i.e. 2D or 3D inputs)."
        )
    if n > 1 and nd not in (n + 1, n + 2):
        warnings.warn(
            f"{op}: Received a {nd}-D input to {op}, which is deprecated and will result in an error in a "
            f"future release. To retain the behavior and silence this warning, please use dropout instead.",
            stacklevel=3,
        )
    if n == 2 and nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim.",
            stacklevel=3,
        )
    unbatched = n != 2 and nd != n + 2  # dropout1d/3d treat other ranks as unbatched, as PyTorch
    s = ((1,) if unbatched else ()) + input._data.shape
    mshape = (s[:2] + (1,) * (len(s) - 2))[1 if unbatched else 0 :]
    return _dropout(input, p, training, inplace, mshape, op)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Channel-wise dropout for (N, C, L) or (C, L) inputs."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Channel-wise dropout for (N, C, H, W) inputs."""
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Channel-wise dropout for (N, C, D, H, W) inputs."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


_ALPHA = 1.7580993408473766  # λ·α of SELU: dropped units take the value −λα (SELU's lower limit)


def _alpha_dropout(input: Tensor, p: float, training: bool, mshape: tuple[int, ...]) -> Tensor:  # noqa: A002
    """out = a·(x·keep − λα·(1−keep)) + b with a, b chosen to keep zero mean and unit variance."""
    p = _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    x = input._data
    keep = default_generator.np.random(mshape) >= p
    a = 1.0 / np.sqrt((_ALPHA**2 * p + 1) * (1 - p))
    m = np.multiply(keep, a, dtype=x.dtype)
    shift = (_ALPHA * a * (keep - 1.0 + p)).astype(x.dtype)
    return Dropout.apply(input, m) + Tensor._make(shift)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:  # noqa: A002
    """Dropout that keeps SELU's self-normalizing mean and variance."""
    return _alpha_dropout(input, p, training, input._data.shape)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:  # noqa: A002
    """Channel-wise ``alpha_dropout``."""
    s = input._data.shape
    return _alpha_dropout(input, p, training, s[:2] + (1,) * (len(s) - 2))


def embedding(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``: output shape ``input.shape + (embedding_dim,)``.

    ``max_norm`` renormalizes the looked-up rows of ``weight`` in place first; ``sparse`` is accepted, but
    gradients are always dense arrays.
    """
    idx, w = input._data, weight._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "embedding: Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {idx.dtype} instead. Convert with input.long()."
        )
    if w.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D; got shape {shape_str(w.shape)}")
    n = w.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError(f"Padding_idx must be within num_embeddings; expected in [{-n}, {n - 1}], got {padding_idx}")
        padding_idx %= n
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index out of range in self; expected indices in [0, {n - 1}], got {bad}")
    if max_norm is not None:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))
    return Embedding.apply(idx, weight, padding_idx, bool(scale_grad_by_freq))


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside the graph, the looked-up rows whose norm exceeds ``max_norm``."""
    with no_grad():
        w = weight._data
        rows = np.unique(idx)
        norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
        big = norms > max_norm
        if big.any():
            w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
            weight._bump_version()


_NONCONST_HELP = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """Pad (or, with negative sizes, crop) the last ``len(pad)//2`` dims: ``pad = (left, right, top, bottom, ...)``."""
    check_tensor(input, "pad")
    for i, p in enumerate(pad):
        if not isinstance(p, (int, np.integer)) or isinstance(p, bool):
            raise TypeError(f"pad(): argument 'pad' must be tuple of ints, but found element of type {type(p).__name__} at pos {i}")
    x = input._data
    nd = x.ndim
    if len(pad) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2; got {len(pad)} values")
    npad = len(pad) // 2
    if npad > nd:
        raise RuntimeError(
            "pad: Padding length should be less than or equal to two times the input dimension but got "
            f"padding length {len(pad)} and input of dimension {nd}"
        )
    pairs = [(nd - 1 - i, int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(npad)]
    if mode == "constant":
        return _constant_pad(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: Unrecognised padding mode {mode}; expected 'constant', 'reflect', 'replicate' or 'circular'")
    if value is not None and value != 0:
        raise RuntimeError(f'pad: Padding mode "{mode}" doesn\'t take in value argument')
    if npad not in (1, 2, 3) or nd not in (npad + 1, npad + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n{_NONCONST_HELP}")
    maps = []
    for d, lo, hi in pairs:
        n = x.shape[d]
        maps.append((d, _pad_index(mode, n, lo, hi, d, x.shape)))
    return IndexPad.apply(input, tuple(maps))


def _constant_pad(input: Tensor, pairs: list[tuple[int, int, int]], value: Any) -> Tensor:  # noqa: A002
    x = input._data
    out_shape = list(x.shape)
    src = [slice(None)] * x.ndim
    dst = [slice(None)] * x.ndim
    for d, lo, hi in pairs:
        n = x.shape[d]
        m = n + lo + hi
        if m < 0:
            raise RuntimeError(
                f"pad: padding ({lo}, {hi}) of dimension {d} (size {n}) leaves a negative size {m}; "
                "expected the crop to leave at least 0 elements"
            )
        out_shape[d] = m
        src[d] = slice(max(-lo, 0), n - max(-hi, 0)) if m else slice(0, 0)
        dst[d] = slice(max(lo, 0), m - max(hi, 0)) if m else slice(0, 0)
    return ConstantPad.apply(input, tuple(src), tuple(dst), tuple(out_shape), value)


def _pad_index(mode: str, n: int, lo: int, hi: int, d: int, shape: tuple[int, ...]) -> np.ndarray:
    """Index into the input along one dim for every output position."""
    if n == 0:
        raise RuntimeError(f"pad: {mode} padding needs a non-empty dimension {d}; got input of shape {shape_str(shape)}")
    j = np.arange(n + lo + hi)
    if mode == "reflect":
        if lo >= n or hi >= n:
            raise RuntimeError(
                f"pad: Padding size should be less than the corresponding input dimension, but got: padding "
                f"({lo}, {hi}) at dimension {d} of input {shape_str(shape)}"
            )
        i = np.abs(j - lo)
        return np.where(i >= n, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(j - lo, 0, n - 1)
    c_lo, c_hi = max(-lo, 0), max(-hi, 0)  # circular: crop first, then wrap around the cropped part
    m = n - c_lo - c_hi
    if max(lo, 0) > m or max(hi, 0) > m:
        raise RuntimeError(
            f"pad: Padding value causes wrapping around more than once; expected padding <= {m} at "
            f"dimension {d}, got ({lo}, {hi})"
        )
    return c_lo + (j - max(lo, 0)) % m
