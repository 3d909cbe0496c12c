"""Adam and AdamW (Kingma & Ba, 2015; Loshchilov & Hutter, 2019)."""

from __future__ import annotations

import math
from operator import is_
from typing import Any

import numpy as np

from .. import _parallel
from .._fused import FLOATS
from .._tensor import Tensor
from ._blocks import block_plan
from ._fused_updates import adam_update, plain
from ._validation import check_betas, check_fused, check_tensor_lr
from .optimizer import Optimizer, check_common

__all__ = ["Adam", "AdamW"]


class _FlatState:
    """One group's Adam state as flat arrays, plus the per-parameter views the state dicts hold."""

    def __init__(self, group: dict[str, Any], params: list[Tensor], dtype: np.dtype, amsgrad: bool) -> None:
        self.group, self.params, self.dtype = group, list(params), dtype
        self.shapes = [p._data.shape for p in params]
        n = sum(p._data.size for p in params)
        self.steps = np.zeros(len(params), np.float32)  # every entry is one parameter's state["step"]
        self.m, self.v, self.tmp = np.zeros(n, dtype), np.zeros(n, dtype), np.empty(n, dtype)
        self.vmax = np.zeros(n, dtype) if amsgrad else None
        self.g: np.ndarray | None = None  # the transformed gradient, made when first needed
        self.step_views = [self.steps[i:i + 1].reshape(()) for i in range(len(params))]
        self.m_views, self.v_views, self.tmp_views = self.split(self.m), self.split(self.v), self.split(self.tmp)
        self.vmax_views = self.split(self.vmax) if amsgrad else None
        self.g_views: list[np.ndarray] = []
        self._chunks: dict[int, list[tuple[Any, ...]]] = {}

    def chunks(self, n: int) -> list[tuple[Any, ...]]:
        """The flat state cut into ``n`` chunks: per chunk the views of m, v, v̂ (or None) and the
        scratch, and its pieces ``(parameter index, start, stop, m piece, scratch piece)``."""
        out = self._chunks.get(n)
        if out is None:
            m, v, tmp, vmax = self.m, self.v, self.tmp, self.vmax
            out = self._chunks[n] = [
                (m[s:e], v[s:e], None if vmax is None else vmax[s:e], tmp[s:e],
                 [(i, a, b, m[s + lo:s + hi], tmp[s + lo:s + hi]) for i, a, b, lo, hi in pieces])
                for s, e, pieces in block_plan(self.shapes, -(-max(m.size, 1) // n))
            ]  # fmt: skip
        return out

    def flat_pieces(self, n: int) -> list[list[tuple[int, int, int, int, int]]]:
        """The group cut into ``n`` chunks, each a list of ``(parameter index, start, stop in it,
        start, stop in the flat state)``."""
        key = -n  # kept beside chunks(n), which holds views rather than offsets
        out = self._chunks.get(key)
        if out is None:
            out = self._chunks[key] = [
                [(i, a, b, s + lo, s + hi) for i, a, b, lo, hi in pieces]
                for s, _, pieces in block_plan(self.shapes, -(-max(self.m.size, 1) // n))
            ]  # fmt: skip
        return out

    def split(self, flat: np.ndarray) -> list[np.ndarray]:
        views, start = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            views.append(flat[start:start + size].reshape(shape))
            start += size
        return views

    def flat_grad(self) -> np.ndarray:
        if self.g is None:
            self.g = np.empty_like(self.m)
            self.g_views = self.split(self.g)
        return self.g


class Adam(Optimizer):
    """Adam as in PyTorch:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize) + λ·θ
        m ← β₁·m + (1 − β₁)·g              v ← β₂·v + (1 − β₂)·g²
        v̂ ← max(v̂, v) if amsgrad else v
        θ ← θ − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    AdamW replaces the λ·θ term by decoupled decay θ ← θ·(1 − ηλ) before the update.
    Paper: https://arxiv.org/abs/1412.6980
    """

    _decoupled = False

    def __init__(
        self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
        foreach: Any = None, maximize: bool = False, capturable: bool = False,
        differentiable: bool = False, fused: Any = None, decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay or self._decoupled)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        check_tensor_lr(name, group)
        check_common(group, name)
        check_betas(name, group["betas"], floats_or_tensors=True)
        check_fused(group)

    _flat: dict[int, _FlatState] | None = None  # id(group) -> its flat state; not in state_dict

    def __getstate__(self) -> dict[str, Any]:
        # deepcopy and pickle copy each state view on its own: the copy builds its own flat arrays
        state = dict(self.__dict__)
        state.pop("_flat", None)
        return state

    def _step_group(self, group: dict[str, Any]) -> bool:
        """Multi-tensor ("foreach") Adam over a whole group, bit-identical to ``_update``.

        Layout: ``exp_avg``, ``exp_avg_sq`` (``max_exp_avg_sq``), a scratch array and the step
        counters are each ONE contiguous array per group, and every parameter's state tensors are
        views into them, so ``self.state`` and ``state_dict()`` look as with ``_update``.  Why: NumPy
        costs about a microsecond per call, and ``_update`` makes 13 calls per parameter.  Here only
        the passes that read the gradient or write the parameter stay per parameter (g − m, g·g and
        θ −= update: 3 calls), and the other 10 run once over the flat arrays.  Each element sees the
        same float operations in the same order as in ``_update``.  The price is memory: the scratch
        (and, with maximize or coupled weight decay, the transformed gradient) is as large as the group.

        Returns False, leaving the group to ``_update``, unless that equivalence holds: every
        parameter and its gradient are C-contiguous and of one shape, all of one float dtype, and the states
        are all new or all at one step.  States that are not views of this group's arrays (after
        ``load_state_dict``, a deepcopy, a fallback step) are copied into new arrays.  A fallback
        drops the arrays, as ``_update`` may then advance the steps unevenly.  ``foreach=False``
        always takes the per-parameter path.
        """
        params = group["params"]
        if not params or group.get("foreach") is False or type(self)._update is not Adam._update:
            return self._drop_flat(group)
        dtype = params[0]._data.dtype
        ps, gs = [], []
        for p in params:
            grad = p._grad
            if grad is None:
                return self._drop_flat(group)
            d, g = p._data, grad._data
            if (d.dtype != dtype or g.dtype != dtype or g.shape != d.shape or not g.flags.c_contiguous
                    or not d.flags.c_contiguous):  # (flat views of d must be d itself)
                return self._drop_flat(group)
            ps.append(d)
            gs.append(g)
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        maximize, amsgrad = group["maximize"], group["amsgrad"]
        decoupled = bool(wd) and group["decoupled_weight_decay"]
        coupled = bool(wd) and not decoupled
        if dtype.kind != "f" or (coupled and type(wd) not in (int, float)):  # a NumPy wd promotes g
            return self._drop_flat(group)
        flats = self._flat
        if flats is None:
            flats = self._flat = {}
        flat = flats.get(id(group))
        if flat is None or not self._flat_intact(flat, group, ps):
            flat = self._flatten(group, ps)
            if flat is None:
                return self._drop_flat(group)
            flats[id(group)] = flat

        steps, m, v, tmp = flat.steps, flat.m, flat.v, flat.tmp
        steps += 1
        step = float(steps[0])
        kernel = adam_update.compiled if dtype.name in FLOATS and plain(lr, b1, b2, eps, wd) else None
        if kernel is not None:  # every variant in one pass per parameter piece
            _fused_update(kernel, flat, ps, gs, group, step)
            for p in params:
                p._bump_version()
            return True
        if decoupled:
            decay = 1 - lr * wd
            for d in ps:
                d *= decay
        if not (maximize or coupled):  # the common case: one chunk per thread for a large group
            _chunked_update(flat, ps, gs, lr, b1, b2, eps, step)
            for p in params:
                p._bump_version()
            return True
        g = None
        if maximize or coupled:  # _update's new g = (−g if maximize) + wd·θ, kept in the flat g
            g = flat.flat_grad()
            for d, g_in, gv in zip(ps, gs, flat.g_views):
                if not coupled:
                    np.negative(g_in, out=gv)
                    continue
                np.multiply(d, wd, out=gv)
                if maximize:
                    gv -= g_in
                else:
                    gv += g_in
            np.subtract(g, m, out=tmp)
        else:
            for g_in, mv, tv in zip(gs, flat.m_views, flat.tmp_views):
                np.subtract(g_in, mv, out=tv)
        tmp *= 1 - b1
        m += tmp
        v *= b2
        if g is not None:
            np.multiply(g, g, out=tmp)
        else:
            for g_in, tv in zip(gs, flat.tmp_views):
                np.multiply(g_in, g_in, out=tv)
        _finish_update(m, v, flat.vmax if amsgrad else None, tmp, lr, b1, b2, eps, step)
        for p, d, tv in zip(params, ps, flat.tmp_views):
            d -= tv
            p._bump_version()
        return True

    def _drop_flat(self, group: dict[str, Any]) -> bool:
        if self._flat:
            self._flat.pop(id(group), None)
        return False

    def _flat_intact(self, flat: _FlatState, group: dict[str, Any], ps: list[np.ndarray]) -> bool:
        """Whether the group's state tensors are still the views of ``flat`` (identity checks only)."""
        params, state = group["params"], self.state
        if (flat.group is not group or flat.dtype != ps[0].dtype or (group["amsgrad"] and flat.vmax is None)
                or len(params) != len(flat.params) or not all(map(is_, params, flat.params))
                or [d.shape for d in ps] != flat.shapes):
            return False
        steps = flat.steps.tolist()  # one counter edited in place: not one step any more
        if steps.count(steps[0]) != len(steps):
            return False
        try:
            for p, sv, mv, vv in zip(params, flat.step_views, flat.m_views, flat.v_views):
                s = state[p]
                if s["step"]._data is not sv or s["exp_avg"]._data is not mv or s["exp_avg_sq"]._data is not vv:
                    return False
            if group["amsgrad"]:
                for p, xv in zip(params, flat.vmax_views):
                    if state[p]["max_exp_avg_sq"]._data is not xv:
                        return False
        except (KeyError, AttributeError):
            return False
        return True

    def _flatten(self, group: dict[str, Any], ps: list[np.ndarray]) -> _FlatState | None:
        """New flat arrays for the group: fresh state, or the current one copied in (same step only)."""
        params, amsgrad = group["params"], group["amsgrad"]
        if len({id(p) for p in params}) != len(params):
            return None
        keys = ("step", "exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())
        states = [self.state.get(p) for p in params]
        if any(states):  # resume: every state complete, like its parameter, and at the same step
            if not all(s and all(isinstance(s.get(k), Tensor) for k in keys) for s in states):
                return None
            first = states[0]["step"]._data
            for s, d in zip(states, ps):
                step = s["step"]._data
                if step.dtype != np.float32 or step.shape != () or step != first:
                    return None
                if any(s[k]._data.shape != d.shape or s[k]._data.dtype != d.dtype for k in keys[1:]):
                    return None
        flat = _FlatState(group, params, ps[0].dtype, amsgrad)
        for i, (p, s) in enumerate(zip(params, states)):
            views = (flat.step_views[i], flat.m_views[i], flat.v_views[i])
            views += (flat.vmax_views[i],) if amsgrad else ()
            if not s:
                self.state[p] = {k: Tensor._make(view) for k, view in zip(keys, views)}
                continue
            for k, view in zip(keys, views):  # keep the tensors (anyone holding one sees it move on)
                np.copyto(view, s[k]._data)
                s[k]._data = view
        return flat

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["exp_avg"] = Tensor._make(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(p))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p))
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        if group["maximize"]:
            g = -g
        if wd:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * wd
            else:
                g = g + wd * p
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        # the same float operations as  m += (1-β₁)(g-m);  v = β₂v + (1-β₂)g²;
        # p -= η/(1-β₁ᵗ) · m / (√v̂/√(1-β₂ᵗ) + ε)  — written into one scratch buffer with out=
        tmp = self._scratch(p)
        np.subtract(g, m, out=tmp)
        tmp *= 1 - b1
        m += tmp  # lerp toward g, PyTorch's form of β₁·m + (1 − β₁)·g
        v *= b2
        np.multiply(g, g, out=tmp)
        p -= _finish_update(m, v, state["max_exp_avg_sq"]._data if group["amsgrad"] else None,
                            tmp, lr, b1, b2, eps, step)


def _chunked_update(flat: _FlatState, ps: list[np.ndarray], gs: list[np.ndarray],
                    lr: float, b1: float, b2: float, eps: float, step: float) -> None:
    """The flat update (m, v, v̂, θ) of ``_step_group``, on disjoint chunks of the group (one per thread
    when the group is large, else one): per element the same float operations in the same order as
    over the whole arrays, so the same bits (NumPy releases the GIL inside each pass)."""
    threads = _parallel.elementwise_threads() if flat.m.size >= _parallel.PARALLEL_MIN else 1
    pf = [d.reshape(-1) for d in ps]
    gf = [g.reshape(-1) for g in gs]
    c1 = 1 - b1

    def chunk(views: tuple[Any, ...]) -> None:
        mb, vb, xb, tb, pieces = views
        for i, a, b, mp, tp in pieces:
            np.subtract(gf[i][a:b], mp, out=tp)
        tb *= c1
        mb += tb  # lerp toward g, as in _update
        vb *= b2
        for i, a, b, _, tp in pieces:
            gp = gf[i][a:b]
            np.multiply(gp, gp, out=tp)
        _finish_update(mb, vb, xb, tb, lr, b1, b2, eps, step)
        for i, a, b, _, tp in pieces:
            pf[i][a:b] -= tp

    _parallel.run_chunks(chunk, flat.chunks(threads))


def _fused_update(kernel: Any, flat: _FlatState, ps: list[np.ndarray], gs: list[np.ndarray],
                  group: dict[str, Any], step: float) -> None:
    """``_step_group``'s update by the fused ``adam_update`` kernel: one pass per parameter piece,
    the pieces of one chunk per thread for a large group; the same bits as the NumPy passes."""
    lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
    decoupled = bool(wd) and group["decoupled_weight_decay"]
    grad_mode = (2 if wd and not decoupled else 0) + (1 if group["maximize"] else 0)
    f = flat.dtype.type
    scalars = (grad_mode, f(wd), f(1 - lr * wd if decoupled else 1), f(1 - b1), f(b2), f(1 - b2),
               f(math.sqrt(1 - b2**step)), f(eps), f(lr / (1 - b1**step)))
    threads = _parallel.elementwise_threads() if flat.m.size >= _parallel.PARALLEL_MIN else 1
    pf = [d.reshape(-1) for d in ps]
    gf = [g.reshape(-1) for g in gs]
    m, v = flat.m, flat.v
    v_max = flat.vmax if group["amsgrad"] else None
    no_max = m[:0]

    def chunk(pieces: list[tuple[int, int, int, int, int]]) -> None:
        for i, a, b, lo, hi in pieces:
            kernel(pf[i][a:b], gf[i][a:b], m[lo:hi], v[lo:hi], no_max if v_max is None else v_max[lo:hi],
                   *scalars)

    _parallel.run_chunks(chunk, flat.flat_pieces(threads))


def _finish_update(
    m: np.ndarray, v: np.ndarray, v_max: np.ndarray | None, tmp: np.ndarray,
    lr: float, b1: float, b2: float, eps: float, step: float,
) -> np.ndarray:
    """With ``tmp`` = g² and ``v`` already scaled by β₂: v += (1 − β₂)g², v̂ = max(v̂, v) with
    amsgrad, and the update η/(1 − β₁ᵗ) · m / (√v̂/√(1 − β₂ᵗ) + ε), written into ``tmp`` and returned."""
    tmp *= 1 - b2
    v += tmp
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)
        v = v_max
    denom = np.sqrt(v, out=tmp)
    denom /= math.sqrt(1 - b2**step)
    denom += eps
    np.divide(m, denom, out=denom)
    denom *= lr / (1 - b1**step)
    return denom


class AdamW(Adam):
    """Adam with decoupled weight decay (default weight_decay=1e-2): θ ← θ·(1 − ηλ), then Adam.

    Paper: https://arxiv.org/abs/1711.05101
    """

    _decoupled = True

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: Any = None, capturable: bool = False,
                 differentiable: bool = False, fused: Any = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused)
