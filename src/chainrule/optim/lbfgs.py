"""L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989) with PyTorch's loop, step rule and strong-Wolfe search.

Everything works on one flat vector x of all parameters (their gradients likewise), in the
parameters' dtype; the scalars (gᵀd, yᵀs, ρ, the step t) are NumPy scalars of that dtype, so they
round as PyTorch's 0-d tensors do (a Python float meeting them is rounded to their dtype first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from ._ops import fma
from ._validation import check_lr, positive_int, real
from ._wolfe import strong_wolfe
from .optimizer import Optimizer, _as_array

__all__ = ["LBFGS"]

_STATE_ARRAYS = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "al")


class LBFGS(Optimizer):
    """L-BFGS as in PyTorch. Each ``step(closure)`` runs up to ``max_iter`` iterations:

        g ← ∇f(x);  stop if max|g| ≤ tolerance_grad
        first iteration:  d ← −g,  t ← min(1, 1/Σ|g|)·η
        later:            y ← g − g_prev,  s ← t·d;   if yᵀs > 1e-10 keep (y, s, ρ = 1/yᵀs) in a history
                          of ``history_size`` pairs and set H₀ ← yᵀs / yᵀy
                          d ← −H g by the two-loop recursion:
                              q ← −g;  for i newest→oldest:  αᵢ ← ρᵢ sᵢᵀq,  q ← q − αᵢ yᵢ
                              r ← H₀ q; for i oldest→newest: βᵢ ← ρᵢ yᵢᵀr,  r ← r + (αᵢ − βᵢ) sᵢ;  d ← r
                          t ← η
        stop if gᵀd > −tolerance_change;   x ← x + t·d  (t from the strong-Wolfe line search when
        ``line_search_fn='strong_wolfe'``, else fixed, with f and g re-evaluated unless last)
        stop after ``max_iter`` iterations or ``max_eval`` evaluations, when max|g| ≤ tolerance_grad,
        max|t·d| ≤ tolerance_change or |f − f_prev| < tolerance_change.

    The closure clears the gradients, computes the loss, calls ``backward()`` and returns the loss;
    ``step`` returns the loss of its first evaluation. One parameter group only, as PyTorch. The
    state (``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``,
    ``prev_flat_grad``, ``prev_loss``, ``al``) lives under the first parameter, as in PyTorch, so a
    PyTorch L-BFGS state_dict loads and the next ``step`` continues where it stopped.
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 1, max_iter: int = 20, max_eval: int | None = None,
        tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        real("LBFGS", "max_iter", max_iter)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size,
                        line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        if isinstance(group["lr"], bool):  # PyTorch accepts it, then fails in step ("Boolean alpha")
            raise TypeError(f"LBFGS: lr must be a real number, not a bool; got {group['lr']}")
        check_lr("LBFGS", group["lr"])
        for name in ("max_iter", "max_eval", "tolerance_grad", "tolerance_change"):
            real("LBFGS", name, group[name])
        positive_int("LBFGS", "history_size", group["history_size"])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise RuntimeError(f"LBFGS: only 'strong_wolfe' is supported as line_search_fn; got {group['line_search_fn']!r}")
        for p in group["params"]:
            if p._data.dtype.kind != "f":
                raise TypeError(f"LBFGS: parameters must be floating point; got one of dtype {p.dtype}")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Only the constructor's one group is allowed (PyTorch's ValueError for a second)."""
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # --- the flat vector ------------------------------------------------------------------------
    def _gather_flat_grad(self) -> np.ndarray:
        return np.concatenate([np.zeros(p._data.size, p._data.dtype) if p._grad is None
                               else p._grad._data.reshape(-1) for p in self._params])

    def _add_grad(self, t: Any, d: np.ndarray) -> None:
        """x ← x + t·d, parameter by parameter (one rounding per element, as PyTorch's ``add_``)."""
        offset = 0
        for p in self._params:
            data = p._data
            n = data.size
            data[...] = fma(t, d[offset:offset + n].reshape(data.shape), data, data.dtype)
            offset += n
            p._bump_version()

    def _set_params(self, values: list[np.ndarray]) -> None:
        for p, v in zip(self._params, values):
            np.copyto(p._data, v)
            p._bump_version()

    def _evaluate(self, closure: Callable[[], Any]) -> Any:
        with enable_grad():
            return closure()

    def _directional_evaluate(self, closure: Callable[[], Any], x: list[np.ndarray], t: Any,
                              d: np.ndarray) -> tuple[float, np.ndarray]:
        """f and ∇f at x + t·d; the parameters are put back to x afterwards."""
        self._add_grad(t, d)
        loss = float(self._evaluate(closure))
        flat_grad = self._gather_flat_grad()
        self._set_params(x)
        return loss, flat_grad

    # --- the step -------------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations on ``closure`` (required); return its first loss."""
        self._opt_called = True
        group = self.param_groups[0]
        lr = float(group["lr"]) if isinstance(group["lr"], Tensor) else group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with no_grad():
            orig_loss = self._evaluate(closure)
            loss = float(orig_loss)
            current_evals = 1
            state["func_evals"] += 1
            flat_grad = self._gather_flat_grad()
            if np.abs(flat_grad).max() <= tolerance_grad:
                return orig_loss

            d, t, old_dirs, old_stps, ro, h_diag, prev_flat_grad, _ = (_unpack(state.get(k)) for k in _STATE_ARRAYS)
            prev_loss = state.get("prev_loss")
            n_iter = 0
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:
                    d = -flat_grad
                    old_dirs, old_stps, ro = [], [], []
                    h_diag = 1
                else:
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = np.dot(y, s)
                    if ys > 1e-10:
                        if len(old_dirs) == history_size:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        h_diag = ys / np.dot(y, y)
                    if "al" not in state:
                        state["al"] = [None] * history_size
                    al = _unpack(state["al"])
                    q = -flat_grad
                    for i in range(len(old_dirs) - 1, -1, -1):
                        al[i] = np.dot(old_stps[i], q) * ro[i]
                        q = fma(-al[i], old_dirs[i], q, q.dtype)
                    d = r = q * h_diag
                    for i in range(len(old_dirs)):
                        be_i = np.dot(old_dirs[i], r) * ro[i]
                        r[...] = fma(al[i] - be_i, old_stps[i], r, r.dtype)
                    state["al"] = al
                prev_flat_grad = flat_grad.copy()
                prev_loss = loss

                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
                gtd = np.dot(flat_grad, d)
                if gtd > -tolerance_change:
                    break

                ls_func_evals = 0
                if group["line_search_fn"] is not None:
                    x_init = [p._data.copy() for p in self._params]

                    def obj_func(x: list[np.ndarray], t: Any, d: np.ndarray) -> tuple[float, np.ndarray]:
                        return self._directional_evaluate(closure, x, t, d)

                    loss, flat_grad, t, ls_func_evals = strong_wolfe(
                        obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                    self._add_grad(t, d)
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                else:
                    self._add_grad(t, d)
                    opt_cond = False
                    if n_iter != max_iter:  # the last iteration's f is not needed (stochastic settings)
                        loss = float(self._evaluate(closure))
                        flat_grad = self._gather_flat_grad()
                        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                        ls_func_evals = 1
                current_evals += ls_func_evals
                state["func_evals"] += ls_func_evals

                if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                    break
                if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                    break

        for key, value in zip(_STATE_ARRAYS[:-1], (d, t, old_dirs, old_stps, ro, h_diag, prev_flat_grad)):
            state[key] = _pack(value)
        if "al" in state:
            state["al"] = _pack(state["al"])
        state["prev_loss"] = prev_loss
        return orig_loss

    def _load_state_value(self, key: str, value: Any, param: Tensor) -> Any:
        """L-BFGS state is flat vectors, lists of them and scalars: tensors become ours in the
        parameters' dtype (PyTorch's casting, applied inside lists too); shapes are not per-parameter."""
        if isinstance(value, (list, tuple)):
            return type(value)(self._load_state_value(key, v, param) for v in value)
        arr = _as_array(value)
        if arr is None:
            return value
        if arr.dtype.kind == "f":
            arr = arr.astype(param._data.dtype)
        return Tensor._make(arr)


def _unpack(value: Any) -> Any:
    """State as the loop uses it: Tensors to arrays (0-d ones to NumPy scalars), lists element-wise."""
    if isinstance(value, Tensor):
        arr = value._data
        return arr[()] if arr.ndim == 0 else arr.copy()
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    return value


def _pack(value: Any) -> Any:
    """State as it is kept and saved: arrays and NumPy scalars as Tensors (PyTorch keeps tensors)."""
    if isinstance(value, np.ndarray):
        return Tensor._make(value)
    if isinstance(value, np.generic):
        return Tensor._make(np.array(value))
    if isinstance(value, list):
        return [_pack(v) for v in value]
    return value
