"""The playground's "export as Python": a short script in chainrule's PyTorch API reproducing a network."""

from __future__ import annotations

from typing import Any

__all__ = ["training_script"]

_ACT = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU", "leaky-relu": "LeakyReLU",
        "elu": "ELU", "silu": "SiLU"}
_LOSS = {"cross-entropy": "CrossEntropyLoss", "mse": "MSELoss", "l1": "L1Loss", "huber": "HuberLoss"}


def _optimizer(cfg: dict[str, Any]) -> str:
    lr, wd, name = cfg["lr"], cfg["weight_decay"], cfg["optimizer"]
    if name == "momentum":
        return f"torch.optim.SGD(model.parameters(), lr={lr!r}, momentum={cfg['momentum']!r}, weight_decay={wd!r})"
    cls = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}[name]
    return f"torch.optim.{cls}(model.parameters(), lr={lr!r}, weight_decay={wd!r})"


def _scheduler(cfg: dict[str, Any]) -> tuple[str, bool]:
    """(the line creating the scheduler or "scheduler = None", whether it steps per batch)."""
    total = "EPOCHS * len(loader)"
    if cfg["schedule"] == "cosine":
        return f"scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={total})", True
    if cfg["schedule"] == "warmup-cosine":
        return ("scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=optimizer.param_groups[0]['lr'], "
                f"total_steps={total}, pct_start={cfg['warmup']} / EPOCHS)  # warmup, then cosine"), True
    if cfg["schedule"] == "step":
        return (f"scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size={max(1, cfg['epochs'] // 3)}, "
                "gamma=0.1)"), False
    return "scheduler = None", False


def training_script(params: dict[str, Any], cfg: dict[str, Any], steps: int) -> str:
    """Python source that loads the same data split, builds the same MLP and trains it for ``steps`` batches'
    worth of epochs (rounded up) with the same loss, optimizer and schedule."""
    hidden, act = list(cfg["hidden"]), _ACT[cfg["activation"]]
    classify = params["dataset"] not in ("surface",)
    loss = _LOSS["cross-entropy" if cfg["loss"] == "auto" and classify else "mse" if cfg["loss"] == "auto"
                 else cfg["loss"]]
    layers, width = [], 2
    for h in hidden:
        layers.append(f"    nn.Linear({width}, {h}), nn.{act}(),")
        if cfg["dropout"] > 0:
            layers.append(f"    nn.Dropout({cfg['dropout']!r}),")
        width = h
    if cfg["dataset"] == "csv":
        data = (f"split = datasets.load('csv', root='points.csv', target='y', task={cfg['task']!r}, "
                f"val={cfg['val']!r}, test={cfg['test']!r}, seed={cfg['seed']})  # points.csv: exported beside")
    else:
        data = (f"split = datasets.load({cfg['dataset']!r}, n_samples={cfg['n_samples']}, noise={cfg['noise']!r}, "
                f"val={cfg['val']!r}, test={cfg['test']!r}, seed={cfg['seed']})")
    n_out = "split.num_classes" if classify else "1"
    sched, per_batch = _scheduler(cfg)
    target = "" if classify else "\ny_mean, y_std = split.y_train.mean(), split.y_train.std(correction=0)  # targets standardized"
    yb = "yb" if classify else "(yb - y_mean) / y_std"
    epochs = max(1, steps)
    return f'''"""The chainrule playground's network, trained as in the playground ({steps} mini-batch steps).

Run it with chainrule installed: python this_file.py
"""
import chainrule as torch
from chainrule import datasets, nn
from chainrule.utils.data import DataLoader, TensorDataset

torch.manual_seed({cfg['seed']})
{data}{target}
x_train = torch.cat([split.x_train, split.x_val])  # the playground trains on both (it has no validation)
y_train = torch.cat([split.y_train, split.y_val])
loader = DataLoader(TensorDataset(x_train, y_train), batch_size={cfg['batch_size']}, shuffle=True)

model = nn.Sequential(
{chr(10).join(layers)}
    nn.Linear({width}, {n_out}),
)
loss_fn = nn.{loss}()
optimizer = {_optimizer(cfg)}
EPOCHS = -(-{epochs} // len(loader))  # the playground's {steps} steps, in whole epochs
{sched}

for epoch in range(EPOCHS):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), {yb})
        loss.backward()
        optimizer.step(){chr(10) + "        if scheduler is not None:" + chr(10) + "            scheduler.step()" if per_batch else ""}
{"    if scheduler is not None:" + chr(10) + "        scheduler.step()" if not per_batch and cfg["schedule"] != "none" else ""}
model.eval()
with torch.no_grad():
    out = model(split.x_test)
{"    print(f'test accuracy {(out.argmax(1) == split.y_test).float().mean().item():.2%}')" if classify else
 "    print(f'test MSE {((out * y_std + y_mean - split.y_test) ** 2).mean().item():.4g}')"}
torch.save(model.state_dict(), "playground.safetensors")
'''
