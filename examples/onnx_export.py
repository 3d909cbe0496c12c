"""Train in chainrule, export to ONNX, run the exported model in onnxruntime.

A small CNN (Conv2d → BatchNorm2d → ReLU → MaxPool2d → Conv2d → ReLU → AdaptiveAvgPool2d →
Flatten → Dropout → Linear) learns the bundled 8x8 digits for a few epochs. ``chainrule.onnx.export``
then traces one forward pass in eval mode (BatchNorm uses its running statistics, Dropout is the
identity) and writes a checked ONNX file whose batch dimension is dynamic. onnxruntime runs that
file on the whole test split at once — a batch size the trace never saw — and its logits equal
chainrule's to float32 rounding.

Needs onnx and onnxruntime:  python -m pip install onnx onnxruntime  (in the clone: pip install ".[onnx]")
Run:  python examples/onnx_export.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import chainrule as cr
from chainrule import datasets, nn, optim
from chainrule.utils.data import DataLoader, TensorDataset


def make_model(n_classes: int = 10) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
        nn.Dropout(0.1), nn.Linear(64, n_classes),
    )  # fmt: skip


def main(epochs: int = 8, path: str | None = None, seed: int = 0) -> dict:
    try:
        import onnxruntime as ort

        import onnx  # noqa: F401  (chainrule.onnx.export needs it)
    except ImportError:
        raise SystemExit(cr.onnx.INSTALL_HINT) from None

    cr.manual_seed(seed)
    data = datasets.load("digits", seed=seed, flatten=False)  # images (N, 1, 8, 8)
    model = make_model(data.num_classes)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=64, shuffle=True)
    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}   last batch loss {loss.item():.3f}")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(path) if path is not None else Path(tmp) / "digits_cnn.onnx"
        # trace with a batch of 2; dim 0 ("batch") stays dynamic in the file
        cr.onnx.export(model, data.x_train[:2], out, input_names=["image"], output_names=["logits"])
        session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        size = out.stat().st_size
        ort_logits = session.run(None, {"image": data.x_test.numpy()})[0]

    model.eval()
    with cr.no_grad():
        cr_logits = model(data.x_test).numpy()
    y = data.y_test.numpy()
    result = {
        "file_bytes": size,
        "max_abs_diff": float(np.abs(ort_logits - cr_logits).max()),
        "chainrule_accuracy": float((cr_logits.argmax(1) == y).mean()),
        "onnxruntime_accuracy": float((ort_logits.argmax(1) == y).mean()),
    }
    print(
        f"exported {size} bytes; test accuracy chainrule {result['chainrule_accuracy']:.1%}, "
        f"onnxruntime {result['onnxruntime_accuracy']:.1%}; max |Δlogit| {result['max_abs_diff']:.2e}"
    )
    return result


if __name__ == "__main__":
    main()
