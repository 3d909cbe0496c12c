"""The classic PyTorch MNIST example, on chainrule: ``chainrule.vision.datasets.MNIST`` + ``DataLoader``.

The program is the well-known one — two 3×3 convolutions (32 and 64 filters), max-pooling, dropout, two
linear layers and log-softmax, trained with the negative log-likelihood and a StepLR schedule — written
against ``import chainrule as torch`` and ``import chainrule.vision as torchvision``. Images are read from
the standard IDX files in ``<data-root>/MNIST/raw/`` (uncompressed or .gz), turned into tensors by
``ToTensor`` and normalised with MNIST's mean 0.1307 and standard deviation 0.3081.

Differences from the PyTorch original: Adam (chainrule has no Adadelta yet) and a ``--limit`` option to
train on the first N images, so a CPU run takes minutes, not hours.

Run:  python examples/mnist_torchvision.py --data-root DIR [--download] [--epochs 1] [--limit 6000]
"""

from __future__ import annotations

import argparse

import chainrule as torch
import chainrule.nn as nn
import chainrule.nn.functional as F
import chainrule.optim as optim
import chainrule.vision as torchvision
from chainrule.optim.lr_scheduler import StepLR
from chainrule.utils.data import DataLoader, Subset

datasets, transforms = torchvision.datasets, torchvision.transforms


class Net(nn.Module):
    """conv(1→32) → conv(32→64) → maxpool → dropout → fc(9216→128) → dropout → fc(128→10) → log-softmax."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Log-probabilities of the 10 digits for images (N, 1, 28, 28)."""
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = torch.flatten(x, 1)
        x = self.dropout2(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def train(model: Net, loader: DataLoader, optimizer: optim.Optimizer, epoch: int, log_interval: int = 10) -> None:
    """One epoch of NLL training, printing the loss every ``log_interval`` batches."""
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model: Net, loader: DataLoader) -> tuple[float, float]:
    """Average NLL and accuracy on ``loader``."""
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    n = len(loader.dataset)
    print(f"\nTest set: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} ({100.0 * correct / n:.0f}%)\n")
    return test_loss / n, correct / n


def main(data_root: str = "../data", epochs: int = 1, batch_size: int = 64, lr: float = 1e-3, gamma: float = 0.7,
         limit: int | None = None, download: bool = False, seed: int = 1) -> dict:
    """Train and test; returns the final test loss and accuracy."""
    torch.manual_seed(seed)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_set = datasets.MNIST(data_root, train=True, download=download, transform=transform)
    test_set = datasets.MNIST(data_root, train=False, transform=transform)
    if limit is not None:
        train_set = Subset(train_set, range(min(limit, len(train_set))))
        test_set = Subset(test_set, range(min(limit, len(test_set))))
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)
    model = Net()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=gamma)
    loss, accuracy = float("nan"), 0.0
    for epoch in range(1, epochs + 1):
        train(model, train_loader, optimizer, epoch)
        loss, accuracy = test(model, test_loader)
        scheduler.step()
    return {"test_loss": loss, "test_accuracy": accuracy}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="chainrule MNIST example (the classic PyTorch one)")
    parser.add_argument("--data-root", default="../data")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--limit", type=int, default=None, help="train and test on the first N images only")
    parser.add_argument("--download", action="store_true", help="fetch the IDX files (needs a network)")
    args = parser.parse_args()
    main(args.data_root, args.epochs, args.batch_size, args.lr, limit=args.limit, download=args.download)
