"""A residual MLP with LayerNorm, trained with a linear warmup followed by cosine decay.

Each block adds a learned correction to its input, x ← x + F(LayerNorm(x)), F = W₂ GELU(W₁ · + b₁) + b₂.
The identity path gives ∂x_out/∂x_in = I + ∂F/∂x, so the gradient reaches the first block undiminished
however deep the stack is. LayerNorm rescales each sample's features to zero mean and unit variance
(then a learned gain and bias), which keeps every block's input in the same range. The learning
rate starts small and rises linearly for the first W steps (Adam's moment estimates are still noisy
then), then follows half a cosine down to a floor:
    ηₜ = η₀ · t / W  (t < W),   ηₜ = η_min + (η₀ − η_min) · (1 + cos(π (t − W) / (T − W))) / 2.

Run:  python examples/10_residual_layernorm_warmup.py
"""

from __future__ import annotations

import chainrule as cr
from chainrule import nn, optim
from chainrule.optim.lr_scheduler import WarmupCosineLR
from chainrule.utils.data import DataLoader, TensorDataset


class ResidualBlock(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return x + self.mlp(self.norm(x))  # pre-norm residual: x + F(LN(x))


class ResidualMLP(nn.Module):
    def __init__(self, n_in: int, n_out: int, dim: int = 32, depth: int = 6) -> None:
        super().__init__()
        self.embed = nn.Linear(n_in, dim)
        self.blocks = nn.Sequential(*[ResidualBlock(dim, 2 * dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_out)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return self.head(self.norm(self.blocks(self.embed(x))))


def make_data(n: int) -> tuple[cr.Tensor, cr.Tensor]:
    """A smooth nonlinear target of 4 inputs, plus a little noise."""
    x = cr.rand(n, 4) * 4 - 2
    y = (1.5 * x[:, 0]).sin() * (x[:, 1]).cos() + 0.3 * x[:, 2] ** 2 - 0.5 * x[:, 3] + 0.05 * cr.randn(n)
    return x, y.unsqueeze(1)


def main(epochs: int = 20, depth: int = 6, lr: float = 3e-3, min_lr: float = 1e-5, seed: int = 0) -> dict:
    cr.manual_seed(seed)
    x_train, y_train = make_data(1024)
    x_val, y_val = make_data(512)
    model = ResidualMLP(4, 1, depth=depth)
    loss_fn = nn.MSELoss()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    total_steps = epochs * len(loader)
    optimizer = optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    scheduler = WarmupCosineLR(
        optimizer, warmup_steps=total_steps // 10, total_steps=total_steps, min_lr=min_lr
    )

    def val_loss() -> float:
        with cr.no_grad():
            return loss_fn(model(x_val), y_val).item()

    lrs, val_losses = [], [val_loss()]
    print(f"{depth} residual blocks, {total_steps} steps ({total_steps // 10} of warmup)")
    print(f"epoch   0   val MSE {val_losses[0]:.4f}")
    for epoch in range(1, epochs + 1):
        for xb, yb in loader:
            lrs.append(optimizer.param_groups[0]["lr"])  # the lr this step uses
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()  # once per batch: the schedule counts steps
        val_losses.append(val_loss())
        if epoch % 5 == 0:
            print(f"epoch {epoch:3d}   val MSE {val_losses[-1]:.4f}   lr {lrs[-1]:.2e}")

    peak = max(range(len(lrs)), key=lrs.__getitem__)
    print(f"lr: {lrs[0]:.1e} at step 0, peak {lrs[peak]:.1e} at step {peak}, {lrs[-1]:.1e} at the last step")
    return {
        "initial_val_mse": val_losses[0], "final_val_mse": val_losses[-1], "val_mse": val_losses,
        "lrs": lrs, "final_lr": optimizer.param_groups[0]["lr"], "peak_step": peak, "warmup_steps": total_steps // 10,
    }  # fmt: skip


if __name__ == "__main__":
    result = main()
    print(
        f"validation MSE {result['initial_val_mse']:.3f} -> {result['final_val_mse']:.4f} (noise floor 0.0025)"
    )
