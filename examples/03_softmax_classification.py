"""Softmax classification (multinomial logistic regression) on four Gaussian blobs.

A linear layer gives one score per class, z = W x + b (K scores). Softmax turns them into
probabilities pₖ = exp(zₖ) / Σⱼ exp(zⱼ), and the cross-entropy of the true class y is
L = −log p_y = logsumexp(z) − z_y. Its gradient is ∂L/∂z = p − onehot(y): the predicted
distribution minus the target one — again an "error" e, so ∂L/∂W = e xᵀ and ∂L/∂b = e.
``nn.CrossEntropyLoss`` takes the raw scores z (it applies log-softmax itself); the script checks
the p − onehot(y) formula against autograd before training.

Run:  python examples/03_softmax_classification.py
"""

from __future__ import annotations

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import nn, optim

CENTERS = [[-2.0, -2.0], [2.0, -2.0], [-2.0, 2.0], [2.0, 2.0]]


def make_blobs(n_per_class: int, spread: float) -> tuple[cr.Tensor, cr.Tensor]:
    """Points around each center with standard deviation ``spread``; labels 0..K−1 (int64)."""
    centers = cr.tensor(CENTERS)
    y = cr.arange(len(CENTERS) * n_per_class) // n_per_class  # 0,0,...,1,1,...,K−1
    x = centers[y] + spread * cr.randn(len(y), 2)
    return x, y


def main(
    epochs: int = 200, lr: float = 0.1, n_per_class: int = 150, spread: float = 1.0, seed: int = 0
) -> dict:
    cr.manual_seed(seed)
    x, y = make_blobs(n_per_class, spread)
    perm = cr.randperm(len(y))
    n_train = int(0.75 * len(y))
    x_train, y_train = x[perm[:n_train]], y[perm[:n_train]]
    x_test, y_test = x[perm[n_train:]], y[perm[n_train:]]

    model = nn.Linear(2, len(CENTERS))  # z = W x + b, one score per class
    loss_fn = nn.CrossEntropyLoss()  # mean over the batch of logsumexp(z) − z_y

    # The gradient of the mean cross-entropy w.r.t. the scores is (softmax(z) − onehot(y)) / N.
    z = model(x_train).detach().requires_grad_()
    loss_fn(z, y_train).backward()
    by_hand = (F.softmax(z.detach(), dim=1) - F.one_hot(y_train, len(CENTERS)).float()) / len(y_train)
    grad_error = (z.grad - by_hand).abs().max().item()
    print(f"max |autograd − (softmax(z) − onehot(y))/N| = {grad_error:.2e}")

    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    for epoch in range(epochs + 1):  # full batch
        loss = loss_fn(model(x_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 50 == 0:
            print(f"epoch {epoch:4d}   train cross-entropy {loss.item():.4f}")

    with cr.no_grad():
        train_acc = (model(x_train).argmax(1) == y_train).float().mean().item()
        test_logits = model(x_test)
        test_loss = loss_fn(test_logits, y_test).item()
        test_acc = (test_logits.argmax(1) == y_test).float().mean().item()
    return {
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
        "test_loss": test_loss,
        "softmax_grad_error": grad_error,
    }


if __name__ == "__main__":
    result = main()
    print(f"train accuracy {result['train_accuracy']:.1%}   test accuracy {result['test_accuracy']:.1%}")
