"""``gradcheck``: compare backward's gradients with float64 central finite differences.

For f: ℝⁿ → ℝᵐ, column j of the numerical Jacobian is (f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε; the
analytical Jacobian comes from backward with each unit vector of the output as ``gradient``.
Tolerances are PyTorch's defaults: ε = 1e-6, atol = 1e-5, rtol = 1e-3.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import function as _function
from .grad_mode import no_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when the analytical and numerical Jacobians disagree."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Any]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    Tensor = _function.Tensor
    return [o for o in outs if isinstance(o, Tensor) and o._data.dtype.kind == "f"]


def _numerical(fn: Callable[..., Any], inputs: Sequence[Any], k: int, eps: float) -> list[np.ndarray]:
    """d(every output)/d(inputs[k]) by central differences, one column per input element."""
    x = inputs[k]._data  # perturbed in place (any layout) and restored
    with no_grad():
        sizes = [o._data.size for o in _outputs(fn, inputs)]
        jac = [np.zeros((n, x.size)) for n in sizes]
        for j in range(x.size):
            pos = np.unravel_index(j, x.shape)
            orig = x[pos].copy()
            x[pos] = orig + eps
            plus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            x[pos] = orig - eps
            minus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            x[pos] = orig
            for J, p, m in zip(jac, plus, minus):
                J[:, j] = (p - m) / (2 * eps)
    return jac


def _analytical(fn: Callable[..., Any], inputs: Sequence[Any], diff: list[int]) -> list[list[np.ndarray]]:
    """jac[i][k]: d(output i)/d(inputs[diff[k]]) via one backward per output element."""
    from . import grad as autograd_grad

    outs = _outputs(fn, inputs)
    result = []
    for out in outs:
        n = out._data.size
        J = [np.zeros((n, inputs[k]._data.size)) for k in diff]
        for r in range(n):
            seed = np.zeros(out._data.shape, dtype=out._data.dtype)
            seed.reshape(-1)[r] = 1
            if not out._requires_grad:
                continue
            grads = autograd_grad(
                [out], [inputs[k] for k in diff], [_function.Tensor._make(seed)],
                retain_graph=True, allow_unused=True,
            )
            for c, g in enumerate(grads):
                if g is not None:
                    J[c][r, :] = g._data.reshape(-1)
        result.append(J)
    return result


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_ignored: Any,
) -> bool:
    """True when backward agrees with central differences for every input that requires grad.

    Example:
        >>> import chainrule as cr
        >>> x = cr.randn(3, dtype=cr.float64, requires_grad=True)
        >>> cr.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    Tensor = _function.Tensor
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    if not diff:
        raise ValueError("gradcheck: expected at least one input tensor to require gradient, but none does")
    for k in diff:
        if inputs[k]._data.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input #{k} requires gradient and is not a double precision floating "
                "point tensor; the check is likely to fail. Use dtype=chainrule.float64.",
                UserWarning,
                stacklevel=2,
            )
    analytical = _analytical(func, inputs, diff)
    for c, k in enumerate(diff):
        numerical = _numerical(func, inputs, k, eps)
        for i, (A, N) in enumerate(zip(analytical, numerical)):
            a = A[c]
            if not np.allclose(a, N, rtol=rtol, atol=atol, equal_nan=False):
                if not raise_exception:
                    return False
                idx = np.unravel_index(np.argmax(np.abs(a - N)), a.shape)
                raise GradcheckError(
                    f"gradcheck: Jacobian mismatch for output {i} with respect to input {k};\n"
                    f"numerical:{N}\nanalytical:{a}\n"
                    f"largest difference at (output element, input element) {tuple(map(int, idx))}: "
                    f"numerical {N[idx]:.6g} vs analytical {a[idx]:.6g} (atol={atol}, rtol={rtol})"
                )
    return True


def gradgradcheck(*args: Any, **kwargs: Any) -> bool:
    """Second-order checks need ``create_graph=True``, which chainrule does not support."""
    raise NotImplementedError("gradgradcheck: chainrule computes first-order gradients only")
