"""Logistic regression: a linear classifier trained with sigmoid + binary cross-entropy.

The model scores each point with z = wᵀx + b and reads p = σ(z) = 1 / (1 + e⁻ᶻ) as P(y = 1 | x).
The binary cross-entropy L = −[y log p + (1 − y) log(1 − p)] has the gradient ∂L/∂z = p − y: the
same "error" e as in linear regression, so ∂L/∂w = e x and ∂L/∂b = e. ``nn.BCEWithLogitsLoss``
takes z directly and computes log σ stably. The decision boundary wᵀx + b = 0 is a straight line,
so on the two interleaved moons about 85% is the best a linear model can do — the hidden layers
of the later examples remove that limit.

Run:  python examples/02_logistic_regression.py
"""

from __future__ import annotations

import chainrule as cr
from chainrule import datasets, nn, optim


def main(epochs: int = 300, lr: float = 0.5, n_samples: int = 600, noise: float = 0.2, seed: int = 0) -> dict:
    cr.manual_seed(seed)
    data = datasets.load("moons", n_samples=n_samples, noise=noise, seed=seed, val=0.0, test=0.25)
    x_train, y_train = data.x_train, data.y_train.float().unsqueeze(1)  # BCE wants float targets (N, 1)
    x_test, y_test = data.x_test, data.y_test.float().unsqueeze(1)

    model = nn.Linear(2, 1)  # z = wᵀx + b
    loss_fn = nn.BCEWithLogitsLoss()  # σ and the cross-entropy in one stable step
    optimizer = optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs + 1):  # full-batch gradient descent
        loss = loss_fn(model(x_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 100 == 0:
            print(f"epoch {epoch:4d}   train BCE {loss.item():.4f}")

    with cr.no_grad():
        train_acc = ((model(x_train) > 0).float() == y_train).float().mean().item()  # σ(z) > ½ ⇔ z > 0
        test_logits = model(x_test)
        test_loss = loss_fn(test_logits, y_test).item()
        test_acc = ((test_logits > 0).float() == y_test).float().mean().item()
    w = model.weight.detach().flatten().tolist()
    print(f"boundary: {w[0]:.2f}·x₁ {w[1]:+.2f}·x₂ {model.bias.item():+.2f} = 0")
    return {"train_accuracy": train_acc, "test_accuracy": test_acc, "test_loss": test_loss}


if __name__ == "__main__":
    result = main()
    print(f"train accuracy {result['train_accuracy']:.1%}   test accuracy {result['test_accuracy']:.1%}")
