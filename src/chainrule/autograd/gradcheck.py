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


def _forward_mode(fn: Callable[..., Any], inputs: Sequence[Any], diff: list[int]) -> list[list[np.ndarray]]:
    """jac[i][k]: d(output i)/d(inputs[diff[k]]) by forward mode, one dual-number pass per input element
    (the tangent is the unit vector of that element; the outputs' tangents are the Jacobian's column)."""
    from . import forward_ad as fwAD

    Tensor = _function.Tensor
    sizes = [o._data.size for o in _outputs(fn, inputs)]
    result = [[np.zeros((n, inputs[k]._data.size)) for k in diff] for n in sizes]
    for c, k in enumerate(diff):
        x = inputs[k]
        for j in range(x._data.size):
            seed = np.zeros(x._data.shape, dtype=x._data.dtype)
            seed.reshape(-1)[j] = 1
            with fwAD.dual_level():
                args = list(inputs)
                args[k] = fwAD.make_dual(x, Tensor._make(seed))
                for i, out in enumerate(_outputs(fn, args)):
                    tangent = fwAD.unpack_dual(out).tangent
                    if tangent is not None:
                        result[i][c][:, j] = tangent._data.reshape(-1)
    return result


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    **_ignored: Any,
) -> bool:
    """True when backward (and, with ``check_forward_ad=True``, forward-mode AD) agrees with central
    differences for every input that requires grad. ``check_backward_ad=False`` skips backward, for a
    custom ``Function`` that defines only ``jvp``; PyTorch's other ``check_*`` flags are accepted.

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
    modes = [("", _analytical)] if check_backward_ad else []
    modes += [(" computed with forward mode", _forward_mode)] if check_forward_ad else []
    analytical = [(mode, jacobian(func, inputs, diff)) for mode, jacobian in modes]
    for c, k in enumerate(diff):
        numerical = _numerical(func, inputs, k, eps)
        for mode, jac in analytical:
            for i, (A, N) in enumerate(zip(jac, numerical)):
                a = A[c]
                if np.allclose(a, N, rtol=rtol, atol=atol, equal_nan=False):
                    continue
                if not raise_exception:
                    return False
                idx = np.unravel_index(np.argmax(np.abs(a - N)), a.shape)
                raise GradcheckError(
                    f"gradcheck: Jacobian{mode} mismatch for output {i} with respect to input {k};\n"
                    f"numerical:{N}\nanalytical:{a}\n"
                    f"largest difference at (output element, input element) {tuple(map(int, idx))}: "
                    f"numerical {N[idx]:.6g} vs analytical {a[idx]:.6g} (atol={atol}, rtol={rtol})"
                )
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    **_ignored: Any,
) -> bool:
    """True when second derivatives (a backward recorded with ``create_graph=True``, then
    differentiated again) agree with central differences of the first derivatives.

    The checked function is (inputs, v) ↦ vᵀ·∂func/∂inputs, the vector-Jacobian product for
    ``grad_outputs`` v (random normal, requiring grad, when not given), differentiated with respect
    to both the inputs and v. Defaults are PyTorch's: ε = 1e-6, atol = 1e-5, rtol = 1e-3.

    Example:
        >>> import chainrule as cr
        >>> x = cr.randn(3, dtype=cr.float64, requires_grad=True)
        >>> cr.autograd.gradgradcheck(lambda t: (t * t * t).sum(), (x,))
        True
    """
    from . import grad as autograd_grad
    from .grad_mode import enable_grad

    Tensor = _function.Tensor
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    if not diff:
        raise ValueError("gradgradcheck: expected at least one input tensor to require gradient, but none does")
    with enable_grad():
        outs = [o for o in _outputs(func, inputs) if o._requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = []
        for o in outs:
            v = rng.standard_normal(o._data.shape).astype(o._data.dtype)
            if gen_non_contig_grad_outputs and v.ndim:
                v = np.repeat(v[..., None], 2, axis=-1)[..., 0]
            t = Tensor._make(v)
            t._requires_grad = True
            grad_outputs.append(t)
    grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    n_in = len(inputs)

    def first_derivatives(*args: Any) -> tuple[Any, ...]:
        ins, vs = args[:n_in], args[n_in:]
        with enable_grad():
            ys = [o for o in _outputs(func, ins) if o._requires_grad]
            grads = autograd_grad(ys, [ins[k] for k in diff], list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
