"""A small convolutional network on the digits, read as 1x8x8 images.

A convolution slides one small filter over the image: out[c, i, j] = b_c + Σ_{k,u,v} W[c, k, u, v] ·
x[k, i + u, j + v]. It is still an affine map, but with weights shared across positions, so it has
few parameters and finds the same stroke anywhere in the picture. Its gradient follows the same rule
as a dense layer's (error times input, summed over every position the filter visited). ReLU adds the
nonlinearity, 2x2 max pooling keeps the strongest response of each block (its gradient flows only to
that maximum), and a final linear layer maps the features to the 10 class scores.

Run:  python examples/08_cnn_digits.py
"""

from __future__ import annotations

import time

import chainrule as cr
from chainrule import datasets, nn, optim
from chainrule.utils.data import DataLoader, TensorDataset


def make_cnn(n_classes: int = 10, channels: int = 16) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, channels, kernel_size=3, padding=1), nn.ReLU(),                 # 16 x 8 x 8
        nn.MaxPool2d(2),                                                             # 16 x 4 x 4
        nn.Conv2d(channels, 2 * channels, kernel_size=3, padding=1), nn.ReLU(),      # 32 x 4 x 4
        nn.MaxPool2d(2),                                                             # 32 x 2 x 2
        nn.Flatten(),
        nn.Linear(2 * channels * 2 * 2, n_classes),
    )  # fmt: skip


def accuracy(model: nn.Module, x: cr.Tensor, y: cr.Tensor) -> float:
    model.eval()
    with cr.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main(epochs: int = 15, batch_size: int = 32, lr: float = 3e-3, seed: int = 0) -> dict:
    start = time.perf_counter()
    cr.manual_seed(seed)
    data = datasets.load("digits", seed=seed, flatten=False)  # images (N, 1, 8, 8)
    model = make_cnn(data.num_classes)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"CNN with {n_params} parameters on images of shape {tuple(data.x_train.shape[1:])}")
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
        if epoch % 5 == 0 or epoch == 1:
            print(
                f"epoch {epoch:3d}   train loss {total / count:.4f}   val accuracy {accuracy(model, data.x_val, data.y_val):.1%}"
            )

    return {
        "train_loss": total / count,
        "val_accuracy": accuracy(model, data.x_val, data.y_val),
        "test_accuracy": accuracy(model, data.x_test, data.y_test),
        "parameters": n_params,
        "seconds": time.perf_counter() - start,
    }


if __name__ == "__main__":
    result = main()
    print(f"test accuracy {result['test_accuracy']:.1%} in {result['seconds']:.1f} s")
