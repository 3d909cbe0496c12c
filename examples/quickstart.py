"""Quickstart: the seed's first model, trained with nothing but tensors and autograd.

A two-layer network  ŷ = W₂ tanh(W₁ x + b₁) + b₂  fitted to noisy samples of sin(x) by
full-batch gradient descent. backward() computes dL/dW = e xᵀ, dL/db = e, dL/dx = Wᵀe through
tanh'(z) = 1 − tanh²(z), exactly as the chain rule says; we then step against the gradient.

Run:  python examples/quickstart.py
"""

from __future__ import annotations

import chainrule as cr


def main(steps: int = 5000, lr: float = 0.05, seed: int = 0) -> float:
    cr.manual_seed(seed)
    x = cr.linspace(-3, 3, 128).unsqueeze(1)  # 128 samples, 1 feature
    y = x.sin() + 0.05 * cr.randn(128, 1)

    hidden = 16
    w1 = (cr.randn(hidden, 1) * 1.0).requires_grad_()
    b1 = cr.zeros(hidden, requires_grad=True)
    w2 = (cr.randn(1, hidden) / hidden**0.5).requires_grad_()
    b2 = cr.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]

    for step in range(steps + 1):
        y_hat = (x @ w1.T + b1).tanh() @ w2.T + b2  # affine, nonlinearity, affine
        loss = ((y_hat - y) ** 2).mean()  # mean squared error
        loss.backward()  # the chain rule, in reverse
        with cr.no_grad():  # gradient descent: θ ← θ − η ∂L/∂θ
            for p in params:
                p -= lr * p.grad
                p.grad = None
        if step % 1000 == 0:
            print(f"step {step:5d}   mse {loss.item():.5f}")
    return loss.item()


if __name__ == "__main__":
    final = main()
    print(f"final training MSE: {final:.5f} (noise floor ≈ 0.0025)")
