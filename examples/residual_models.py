"""Residual blocks: a pre-norm residual MLP block and a ResNet-style convolutional block.

Residual connections let a block learn a correction F(x) to its input instead of a whole new map:
y = x + F(x). The gradient then flows through the identity path unchanged (∂y/∂x = I + ∂F/∂x), which is
what makes deep stacks trainable.

(1) ResidualMLPBlock:   y = x + W₂·GELU(W₁·LayerNorm(x) + b₁) + b₂
(2) ResidualConvBlock:  y = ReLU(BN(conv3x3(ReLU(BN(conv3x3(x))))) + shortcut(x)), where the shortcut is the
    identity, or a 1x1 convolution + BN when the block changes the channel count or the resolution.

Both are trained for a few steps on random data; the printed losses go down.

Run:  python examples/residual_models.py
"""

from __future__ import annotations

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F


class ResidualMLPBlock(nn.Module):
    """x + fc2(GELU(fc1(LayerNorm(x)))) for features of size ``dim``, hidden width ``hidden``."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return x + self.fc2(self.act(self.fc1(self.norm(x))))


class ResidualConvBlock(nn.Module):
    """ResNet's basic block: conv3x3-BN-ReLU-conv3x3-BN, plus the (projected) input, then ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        if stride != 1 or in_channels != out_channels:
            self.shortcut: nn.Module = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels)
            )
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class ResidualMLP(nn.Module):
    """Linear embedding, ``depth`` residual MLP blocks, a final LayerNorm and a linear head."""

    def __init__(self, in_features: int, dim: int, out_features: int, depth: int = 2) -> None:
        super().__init__()
        self.embed = nn.Linear(in_features, dim)
        self.blocks = nn.Sequential(*[ResidualMLPBlock(dim, 2 * dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, out_features)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return self.head(self.norm(self.blocks(self.embed(x))))


class SmallResNet(nn.Module):
    """Two residual conv blocks (the second halves the resolution), global average pooling, a linear head."""

    def __init__(self, in_channels: int = 3, num_classes: int = 4, width: int = 8) -> None:
        super().__init__()
        self.block1 = ResidualConvBlock(in_channels, width)
        self.block2 = ResidualConvBlock(width, 2 * width, stride=2)
        self.head = nn.Linear(2 * width, num_classes)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        x = self.block2(self.block1(x))
        return self.head(x.mean(dim=(2, 3)))


def train(model: nn.Module, x: cr.Tensor, y: cr.Tensor, loss_fn: object, steps: int, lr: float, name: str) -> list[float]:
    """Full-batch Adam for ``steps`` steps; returns the loss of every step."""
    opt = cr.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)  # type: ignore[operator]
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % max(1, steps // 5) == 0 or step == steps - 1:
            print(f"{name:14s} step {step:3d}   loss {losses[-1]:.4f}")
    return losses


def main(steps: int = 30, seed: int = 0) -> dict[str, list[float]]:
    cr.manual_seed(seed)
    # (1) regression of a random smooth teacher with a residual MLP
    x = cr.randn(256, 8)
    y = (x @ cr.randn(8, 2)).tanh()
    mlp_losses = train(ResidualMLP(8, 32, 2), x, y, F.mse_loss, steps, 1e-2, "residual MLP")
    # (2) a small ResNet memorizing random labels of random 12x12 RGB images
    images = cr.randn(32, 3, 12, 12)
    labels = cr.randint(0, 4, (32,))
    cnn_losses = train(SmallResNet(), images, labels, F.cross_entropy, steps, 1e-2, "small ResNet")
    return {"mlp": mlp_losses, "cnn": cnn_losses}


if __name__ == "__main__":
    result = main()
    for name, losses in result.items():
        print(f"{name}: loss {losses[0]:.4f} -> {losses[-1]:.4f}")
