"""Linear regression by full-batch gradient descent, with nothing but tensors and autograd.

The model is ŷ = X w + b. With e = ŷ − y the mean squared error is L = (1/N) Σ eᵢ², and its
gradients are ∂L/∂w = (2/N) Xᵀe and ∂L/∂b = (2/N) Σ eᵢ — the seed's "error times input" rule.
``loss.backward()`` computes exactly these; we then step against them, θ ← θ − η ∂L/∂θ, until the
fitted (w, b) agree with the weights that generated the data (up to the noise).

Run:  python examples/01_linear_regression.py
"""

from __future__ import annotations

import chainrule as cr

TRUE_W = [2.0, -3.0, 0.5]
TRUE_B = 1.5


def main(steps: int = 300, lr: float = 0.1, n: int = 200, noise: float = 0.1, seed: int = 0) -> dict:
    cr.manual_seed(seed)
    true_w = cr.tensor(TRUE_W)
    x = cr.randn(n, len(TRUE_W))  # N samples, 3 features
    y = x @ true_w + TRUE_B + noise * cr.randn(n)

    w = cr.zeros(len(TRUE_W), requires_grad=True)
    b = cr.zeros((), requires_grad=True)
    for step in range(steps + 1):
        loss = ((x @ w + b - y) ** 2).mean()  # L = mean(e²)
        loss.backward()  # fills w.grad = (2/N) Xᵀe and b.grad = (2/N) Σe
        with cr.no_grad():  # the update itself must not be recorded
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        if step % 50 == 0:
            print(f"step {step:4d}   mse {loss.item():.5f}")

    w_err = (w.detach() - true_w).abs().max().item()
    b_err = abs(b.item() - TRUE_B)
    print(f"learned w = {[round(v, 3) for v in w.tolist()]}   true w = {TRUE_W}")
    print(f"learned b = {b.item():.3f}                  true b = {TRUE_B}")
    return {"final_mse": loss.item(), "w": w.tolist(), "b": b.item(), "max_weight_error": max(w_err, b_err)}


if __name__ == "__main__":
    result = main()
    print(
        f"final MSE {result['final_mse']:.5f} (noise variance 0.01); max |error| {result['max_weight_error']:.4f}"
    )
