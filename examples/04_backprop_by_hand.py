"""Backpropagation by hand for one affine layer, checked against chainrule's autograd.

For one layer y = W x + b (W: m×n, x: n, b: m) and a loss L(y), call e = ∂L/∂y the layer's error.
Since yᵢ = Σⱼ Wᵢⱼ xⱼ + bᵢ, the chain rule gives
    ∂L/∂Wᵢⱼ = eᵢ xⱼ   →  dL/dW = e xᵀ    (an outer product: error times input)
    ∂L/∂bᵢ  = eᵢ      →  dL/db = e
    ∂L/∂xⱼ  = Σᵢ Wᵢⱼ eᵢ →  dL/dx = Wᵀ e   (the error sent back to the layer below)
For the squared error L = ½‖y − t‖², e = y − t. With a nonlinearity a = σ(z), z = W x + b, the
error at z is e ⊙ σ'(z) (for tanh, σ'(z) = 1 − tanh²(z)), and the same three formulas apply with
it. Stacking layers, dL/dx of one layer is the e of the layer below: that recursion is backprop.
For a batch (rows of X), the per-sample outer products add up: dL/dW = Eᵀ X, dL/db = Σ rows of E.

Run:  python examples/04_backprop_by_hand.py
"""

from __future__ import annotations

import numpy as np

import chainrule as cr


def _autograd(loss_of, *arrays: np.ndarray) -> list[np.ndarray]:
    """Gradients of ``loss_of(*tensors)`` w.r.t. each input, computed by chainrule."""
    tensors = [cr.tensor(a, requires_grad=True) for a in arrays]
    loss_of(*tensors).backward()
    return [t.grad.numpy() for t in tensors]


def _check(name: str, by_hand: list[np.ndarray], auto: list[np.ndarray], labels: list[str]) -> float:
    err = max(float(np.abs(h - a).max()) for h, a in zip(by_hand, auto))
    assert all(np.allclose(h, a, rtol=1e-10, atol=1e-12) for h, a in zip(by_hand, auto)), name
    print(f"{name:34s} {', '.join(labels):22s} max |hand − autograd| = {err:.1e}")
    return err


def main(m: int = 3, n: int = 4, batch: int = 5, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)  # float64 throughout, so hand and autograd agree to ~1e-15
    W, b = rng.standard_normal((m, n)), rng.standard_normal(m)
    x, t = rng.standard_normal(n), rng.standard_normal(m)
    errors = {}

    # 1. Affine layer, squared error: e = y − t; dW = e xᵀ, db = e, dx = Wᵀ e.
    y = W @ x + b
    e = y - t
    hand = [np.outer(e, x), e, W.T @ e]
    auto = _autograd(lambda W_, b_, x_: 0.5 * ((W_ @ x_ + b_ - cr.tensor(t)) ** 2).sum(), W, b, x)
    errors["affine"] = _check("y = Wx + b, L = ½‖y − t‖²", hand, auto, ["e xᵀ", "e", "Wᵀe"])

    # 2. Through tanh: a = tanh(z), z = W x + b. The error at z is (a − t) ⊙ (1 − a²).
    z = W @ x + b
    a = np.tanh(z)
    e = (a - t) * (1 - a**2)  # ∂L/∂a times σ'(z)
    hand = [np.outer(e, x), e, W.T @ e]
    auto = _autograd(lambda W_, b_, x_: 0.5 * (((W_ @ x_ + b_).tanh() - cr.tensor(t)) ** 2).sum(), W, b, x)
    errors["tanh"] = _check("a = tanh(Wx + b)", hand, auto, ["e xᵀ", "e", "Wᵀe"])

    # 3. Two layers: the error sent back by layer 2 (W₂ᵀ e₂) becomes layer 1's error, times σ'(z₁).
    W2, b2 = rng.standard_normal((m, m)), rng.standard_normal(m)
    h = np.tanh(W @ x + b)
    e2 = (W2 @ h + b2) - t
    e1 = (W2.T @ e2) * (1 - h**2)
    hand = [np.outer(e1, x), e1, np.outer(e2, h), e2]

    def two_layer(W_, b_, W2_, b2_):
        return 0.5 * ((W2_ @ (W_ @ cr.tensor(x) + b_).tanh() + b2_ - cr.tensor(t)) ** 2).sum()

    auto = _autograd(two_layer, W, b, W2, b2)
    errors["two_layer"] = _check("ŷ = W₂ tanh(W₁x + b₁) + b₂", hand, auto, ["e₁xᵀ", "e₁", "e₂hᵀ", "e₂"])

    # 4. A batch (rows of X), mean loss: the outer products add up, dW = Eᵀ X / N.
    X, T = rng.standard_normal((batch, n)), rng.standard_normal((batch, m))
    E = (X @ W.T + b - T) / batch  # error of each sample, scaled by the mean's 1/N
    hand = [E.T @ X, E.sum(0), E @ W]
    auto = _autograd(lambda W_, b_, X_: 0.5 * ((X_ @ W_.T + b_ - cr.tensor(T)) ** 2).sum(1).mean(), W, b, X)
    errors["batch"] = _check("batch Y = X Wᵀ + b, mean loss", hand, auto, ["EᵀX", "Σ E", "E W"])

    return {"max_error": max(errors.values()), **{f"{k}_error": v for k, v in errors.items()}}


if __name__ == "__main__":
    result = main()
    print(f"all hand-derived gradients match autograd (max difference {result['max_error']:.1e})")
