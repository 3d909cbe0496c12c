"""The seed's network on handwritten digits: an MLP trained with mini-batches and Adam.

Two hidden layers with a nonlinearity and an affine output, ŷ = W₃ φ(W₂ φ(W₁ x + b₁) + b₂) + b₃,
with softmax cross-entropy on the 10 scores. Each 8x8 image is a vector of 64 pixels. A
``DataLoader`` shuffles the training split into mini-batches; every batch gives a stochastic
estimate of the gradient, and Adam scales each parameter's step by running averages of its
gradient and squared gradient. The validation split watches for over-fitting; the test split is
looked at once, at the end.

Run:  python examples/05_mlp_digits.py
"""

from __future__ import annotations

import time

import chainrule as cr
from chainrule import datasets, nn, optim
from chainrule.utils.data import DataLoader, TensorDataset


def accuracy(model: nn.Module, x: cr.Tensor, y: cr.Tensor) -> float:
    with cr.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main(epochs: int = 20, hidden: int = 128, batch_size: int = 64, lr: float = 2e-3, seed: int = 0) -> dict:
    start = time.perf_counter()
    cr.manual_seed(seed)
    data = datasets.load("digits", seed=seed)  # 70/15/15 stratified split, standardized with train statistics
    n_features, n_classes = data.x_train.shape[1], data.num_classes

    model = nn.Sequential(
        nn.Linear(n_features, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, n_classes),
    )  # fmt: skip
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=batch_size, shuffle=True)

    for epoch in range(1, epochs + 1):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            count += len(yb)
        model.eval()
        if epoch % 5 == 0 or epoch == 1:
            val_acc = accuracy(model, data.x_val, data.y_val)
            print(f"epoch {epoch:3d}   train loss {total / count:.4f}   val accuracy {val_acc:.1%}")

    result = {
        "train_loss": total / count,
        "val_accuracy": accuracy(model, data.x_val, data.y_val),
        "test_accuracy": accuracy(model, data.x_test, data.y_test),
        "seconds": time.perf_counter() - start,
    }
    return result


if __name__ == "__main__":
    result = main()
    print(f"test accuracy {result['test_accuracy']:.1%} in {result['seconds']:.1f} s")
