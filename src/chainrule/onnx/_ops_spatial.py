"""ONNX nodes for the spatial functionals: 3-d convolution and pooling, interpolate (``Resize``), pixel and
channel shuffles, unfold/fold, local response norm, LP pooling, grid_sample / affine_grid, embedding_bag.

``F.unfold`` is a grouped ``Conv`` with one-hot kernels (output channel c·K + k copies tap k of channel c)
and ``F.fold`` the matching ``ConvTranspose``; ``pixel_shuffle`` is ``DepthToSpace`` (CRD order).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import UnsupportedOperatorError
from ._graph import Graph
from ._ops_conv import _batched, _conv_pads, _tup
from ._ops_tensor import A, dt
from ._trace import register


@register("F.conv3d")
def _conv3d(g: Graph, a: A, out: Any) -> Any:
    w, b = a["weight"], a.get("bias")
    kernel, dil = list(w.shape[2:]), _tup(a.get("dilation", 1), 3)
    attrs = {"strides": _tup(a.get("stride", 1), 3), "dilations": dil, "group": int(a.get("groups", 1)),
             "pads": _conv_pads(a, 3, kernel, dil), "kernel_shape": kernel}  # fmt: skip
    ins = [g.value(w)] + ([g.value(b)] if b is not None else [])
    return _batched(g, a, 3, lambda x: g.node("Conv", [x, *ins], **attrs))


@register("F.conv_transpose3d")
def _conv_t3d(g: Graph, a: A, out: Any) -> Any:
    w, b = a["weight"], a.get("bias")
    attrs = {
        "strides": _tup(a.get("stride", 1), 3), "dilations": _tup(a.get("dilation", 1), 3),
        "group": int(a.get("groups", 1)), "pads": _tup(a.get("padding", 0), 3) * 2,
        "output_padding": _tup(a.get("output_padding", 0), 3), "kernel_shape": list(w.shape[2:]),
    }  # fmt: skip
    ins = [g.value(w)] + ([g.value(b)] if b is not None else [])
    return _batched(g, a, 3, lambda x: g.node("ConvTranspose", [x, *ins], **attrs))


@register("F.max_pool3d", "F.max_pool3d_with_indices")
def _max_pool3d(g: Graph, a: A, out: Any) -> Any:
    if a.get("return_indices") or a["_name"].endswith("with_indices"):
        raise UnsupportedOperatorError(a["_name"], "return_indices=True")
    k = _tup(a["kernel_size"], 3)
    attrs = {"kernel_shape": k, "strides": _tup(a.get("stride") or k, 3), "pads": _tup(a.get("padding", 0), 3) * 2,
             "dilations": _tup(a.get("dilation", 1), 3), "ceil_mode": int(bool(a.get("ceil_mode")))}  # fmt: skip
    return _batched(g, a, 3, lambda x: g.node("MaxPool", [x], **attrs))


@register("F.avg_pool3d")
def _avg_pool3d(g: Graph, a: A, out: Any) -> Any:
    if a.get("divisor_override") is not None:
        raise UnsupportedOperatorError(a["_name"], "divisor_override")
    k = _tup(a["kernel_size"], 3)
    attrs = {"kernel_shape": k, "strides": _tup(a.get("stride") or k, 3), "pads": _tup(a.get("padding", 0), 3) * 2,
             "count_include_pad": int(bool(a.get("count_include_pad", True))),
             "ceil_mode": int(bool(a.get("ceil_mode")))}  # fmt: skip
    return _batched(g, a, 3, lambda x: g.node("AveragePool", [x], **attrs))


def _adaptive_nodes(g: Graph, name: str, x: str, size_in: list[int], size_out: list[int], is_max: bool) -> str:
    """Global or equal-window pooling (adaptive windows that do not tile the input have no ONNX node)."""
    if all(o == 1 for o in size_out):
        return g.node("GlobalMaxPool" if is_max else "GlobalAveragePool", [x])
    if any(i % o for i, o in zip(size_in, size_out)):
        raise UnsupportedOperatorError(name, f"input size {size_in} is not a multiple of output size {size_out}")
    k = [i // o for i, o in zip(size_in, size_out)]
    return g.node("MaxPool" if is_max else "AveragePool", [x], kernel_shape=k, strides=k)


@register("F.adaptive_avg_pool3d", "F.adaptive_max_pool3d")
def _adaptive3d(g: Graph, a: A, out: Any) -> Any:
    if a.get("return_indices"):
        raise UnsupportedOperatorError(a["_name"], "return_indices=True")
    out0 = out[0] if isinstance(out, tuple) else out
    size_in, size_out = list(a["input"].shape[-3:]), list(out0.shape[-3:])
    return _batched(g, a, 3, lambda x: _adaptive_nodes(g, a["_name"], x, size_in, size_out, "max" in a["_name"]))


# --- interpolate -----------------------------------------------------------------------------------
@register("F.interpolate", "F.upsample", "F.upsample_nearest", "F.upsample_bilinear")
def _interpolate(g: Graph, a: A, out: Any) -> str:
    name, x = a["_name"], a["input"]
    mode = {"upsample_nearest": "nearest", "upsample_bilinear": "bilinear"}.get(name, a.get("mode", "nearest"))
    align = True if name == "upsample_bilinear" else bool(a.get("align_corners"))
    nd = x.ndim - 2
    size_in, size_out = list(x.shape[2:]), list(out.shape[2:])
    xv = g.value(x)
    if mode == "area":
        return _adaptive_nodes(g, "interpolate", xv, size_in, size_out, False)
    if mode in ("nearest", "nearest-exact"):
        coord = "asymmetric" if mode == "nearest" else "half_pixel"
        attrs = {"mode": "nearest", "coordinate_transformation_mode": coord,
                 "nearest_mode": "floor" if mode == "nearest" else "round_prefer_ceil"}  # fmt: skip
    else:
        attrs = {"mode": "cubic" if mode == "bicubic" else "linear",
                 "coordinate_transformation_mode": "align_corners" if align else "pytorch_half_pixel"}  # fmt: skip
        if mode == "bicubic":
            attrs["cubic_coeff_a"] = -0.5 if a.get("antialias") else -0.75
        if a.get("antialias"):
            if align:
                raise UnsupportedOperatorError("interpolate", "antialias=True with align_corners=True (no Resize equivalent)")
            if g.opset < 18:
                raise UnsupportedOperatorError("interpolate", f"antialias=True at opset {g.opset} (Resize antialias needs 18)")
            attrs["antialias"], attrs["exclude_outside"] = 1, 1
    sf = a.get("scale_factor")
    if sf is not None and not a.get("recompute_scale_factor") and not align:
        scales = [float(s) for s in (sf if isinstance(sf, (list, tuple)) else [sf] * nd)]
        if mode == "nearest" and nd == 2:  # PyTorch's 2-d nearest kernel takes i // 2 whenever out = 2·in
            scales = [2.0 if o == 2 * i else sc for sc, i, o in zip(scales, size_in, size_out)]
        return g.node("Resize", [xv, "", g.const(np.asarray([1.0, 1.0, *scales], np.float32))], **attrs)
    lead = g.node("Slice", [g.node("Shape", [xv]), g.ints([0]), g.ints([2])])
    sizes = g.node("Concat", [lead, g.ints(size_out)], axis=0)
    return g.node("Resize", [xv, "", "", sizes], **attrs)


# --- rearrangements --------------------------------------------------------------------------------
@register("F.pixel_shuffle")
def _pixel_shuffle(g: Graph, a: A, out: Any) -> Any:
    if a["input"].ndim not in (3, 4):
        raise UnsupportedOperatorError("pixel_shuffle", f"{a['input'].ndim}-D input (3-D or 4-D only)")
    r = int(a["upscale_factor"])
    return _batched(g, a, 2, lambda x: g.node("DepthToSpace", [x], blocksize=r, mode="CRD"))


@register("F.pixel_unshuffle")
def _pixel_unshuffle(g: Graph, a: A, out: Any) -> Any:
    x = a["input"]
    if x.ndim not in (3, 4):
        raise UnsupportedOperatorError("pixel_unshuffle", f"{x.ndim}-D input (3-D or 4-D only)")
    r = int(a["downscale_factor"])
    c, h, w = x.shape[-3:]

    def body(v: str) -> str:
        t = g.transpose(g.reshape(v, [0, c, h // r, r, w // r, r]), [0, 1, 3, 5, 2, 4])
        return g.reshape(t, [0, c * r * r, h // r, w // r])

    return _batched(g, a, 2, body)


@register("F.channel_shuffle", "F.native_channel_shuffle")
def _channel_shuffle(g: Graph, a: A, out: Any) -> str:
    x = a["input"]
    groups, c, spatial = int(a["groups"]), x.shape[1], list(x.shape[2:])
    t = g.transpose(g.reshape(g.value(x), [0, groups, c // groups, *spatial]), [0, 2, 1, *range(3, 3 + len(spatial))])
    return g.reshape(t, [0, c, *spatial])


def _one_hot_kernel(c: int, k: tuple[int, int], dtype: Any) -> np.ndarray:
    """(c·kh·kw, 1, kh, kw) kernel: output channel c·K + j is tap j of its group's channel."""
    kk = k[0] * k[1]
    eye = np.eye(kk, dtype=dtype).reshape(kk, 1, *k)
    return np.tile(eye, (c, 1, 1, 1))


@register("F.unfold")
def _unfold(g: Graph, a: A, out: Any) -> Any:
    x = a["input"]
    k, d = _tup(a["kernel_size"], 2), _tup(a.get("dilation", 1), 2)
    p, s = _tup(a.get("padding", 0), 2), _tup(a.get("stride", 1), 2)
    c = x.shape[-3]
    w = g.const(_one_hot_kernel(c, (k[0], k[1]), dt(out)))

    def body(v: str) -> str:
        y = g.node("Conv", [v, w], kernel_shape=k, strides=s, dilations=d, pads=p * 2, group=c)
        return g.reshape(y, [0, c * k[0] * k[1], -1])

    return _batched(g, a, 2, body)


@register("F.fold")
def _fold(g: Graph, a: A, out: Any) -> Any:
    x = a["input"]
    size = _tup(a["output_size"], 2)
    k, d = _tup(a["kernel_size"], 2), _tup(a.get("dilation", 1), 2)
    p, s = _tup(a.get("padding", 0), 2), _tup(a.get("stride", 1), 2)
    kk = k[0] * k[1]
    c = x.shape[-2] // kk
    blocks = [(n + 2 * pp - dd * (kz - 1) - 1) // st + 1 for n, kz, st, pp, dd in zip(size, k, s, p, d)]
    base = [(b - 1) * st - 2 * pp + dd * (kz - 1) + 1 for b, st, pp, dd, kz in zip(blocks, s, p, d, k)]
    w = g.const(_one_hot_kernel(c, (k[0], k[1]), dt(out)))

    def body(v: str) -> str:
        y = g.reshape(v, [0, c * kk, *blocks])
        return g.node("ConvTranspose", [y, w], kernel_shape=k, strides=s, dilations=d, pads=p * 2, group=c,
                      output_padding=[n - b for n, b in zip(size, base)])  # fmt: skip

    xv = g.value(x)
    return body(xv) if x.ndim == 3 else g.squeeze(body(g.unsqueeze(xv, [0])), [0])


# --- normalisation and pooling variants -------------------------------------------------------------
@register("F.local_response_norm")
def _lrn(g: Graph, a: A, out: Any) -> str:
    size = int(a["size"])
    if size % 2 == 0:
        raise UnsupportedOperatorError("local_response_norm", f"even size={size} (ONNX LRN centres the window the other way)")
    x = a["input"]
    xv = g.value(x)
    v = xv if x.ndim == 4 else g.reshape(xv, [0, 0, -1, 1])  # onnxruntime's LRN takes 4-D only
    y = g.node("LRN", [v], size=size, alpha=float(a.get("alpha", 1e-4)), beta=float(a.get("beta", 0.75)),
               bias=float(a.get("k", 1.0)))  # fmt: skip
    return y if x.ndim == 4 else g.node("Reshape", [y, g.node("Shape", [xv])])


@register("F.lp_pool1d", "F.lp_pool2d", "F.lp_pool3d")
def _lp_pool(g: Graph, a: A, out: Any) -> Any:
    nd = int(a["_name"][-2])
    p = float(a["norm_type"])
    k = _tup(a["kernel_size"], nd)
    s = _tup(a.get("stride") or k, nd)
    if a.get("ceil_mode"):
        raise UnsupportedOperatorError(a["_name"], "ceil_mode=True")
    if p == float("inf"):
        return _batched(g, a, nd, lambda x: g.node("MaxPool", [g.node("Abs", [x])], kernel_shape=k, strides=s))
    if p != int(p) or int(p) % 2:
        raise UnsupportedOperatorError(a["_name"], f"norm_type={p} (ONNX LpPool sums |x|^p; equal only for even integer p)")
    return _batched(g, a, nd, lambda x: g.node("LpPool", [x], kernel_shape=k, strides=s, p=int(p)))


@register("F.grid_sample")
def _grid_sample(g: Graph, a: A, out: Any) -> str:
    if a["input"].ndim != 4:
        raise UnsupportedOperatorError("grid_sample", "5-D input (ONNX GridSample is 2-D before opset 20)")
    if g.opset < 16:
        raise UnsupportedOperatorError("grid_sample", f"opset {g.opset} (GridSample needs 16)")
    mode = a.get("mode", "bilinear")
    if g.opset >= 20:
        mode = {"bilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    return g.node("GridSample", [g.value(a["input"]), g.value(a["grid"])], mode=mode,
                  padding_mode=a.get("padding_mode", "zeros"), align_corners=int(bool(a.get("align_corners"))))  # fmt: skip


@register("F.affine_grid")
def _affine_grid(g: Graph, a: A, out: Any) -> str:
    from ..nn.functional.grid_sample import _base_coords

    theta = a["theta"]
    size = [int(v) for v in a["size"]]
    spatial, nd = size[2:], len(size) - 2
    align = bool(a.get("align_corners"))
    mesh = np.meshgrid(*[_base_coords(n, align) for n in spatial], indexing="ij")
    base = np.stack([mesh[nd - 1 - i] for i in range(nd)] + [np.ones(spatial)], axis=-1).reshape(1, -1, nd + 1)
    y = g.node("MatMul", [g.const(base.astype(dt(out))), g.transpose(g.value(theta), [0, 2, 1])])
    return g.reshape(y, [-1, *spatial, nd])


@register("F.embedding_bag")
def _embedding_bag(g: Graph, a: A, out: Any) -> str:
    idx = a["input"]
    if idx.ndim != 2 or a.get("offsets") is not None:
        raise UnsupportedOperatorError("embedding_bag", "a 1-D input with offsets (only fixed-length (B, L) bags export)")
    if a.get("per_sample_weights") is not None or a.get("padding_idx") is not None or a.get("max_norm") is not None:
        raise UnsupportedOperatorError("embedding_bag", "per_sample_weights, padding_idx or max_norm")
    rows = g.node("Gather", [g.value(a["weight"]), g.value(idx, np.int64)], axis=0)
    op = {"sum": "ReduceSum", "mean": "ReduceMean", "max": "ReduceMax"}[a.get("mode", "mean")]
    return g.reduce(op, rows, [1], False)
