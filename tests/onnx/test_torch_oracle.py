"""Exported graphs agree with PyTorch itself: same weights (copied via state_dict), onnxruntime vs torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr

from .harness import ATOL, RTOL, session

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _cnn(lib: Any) -> Any:
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.SiLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(4, 3, 2, stride=2), nn.GroupNorm(1, 3), nn.Flatten(), nn.Linear(3 * 6 * 6, 5),
    )  # fmt: skip


def _encoder(lib: Any) -> Any:
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(
        8, 2, dim_feedforward=16, activation="gelu", batch_first=True, norm_first=True
    )
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


@pytest.mark.parametrize(("make", "shape"), [(_cnn, (2, 6, 6)), (_encoder, (5, 8))], ids=["cnn", "encoder"])
def test_onnxruntime_matches_torch(make: Any, shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    th = make(torch)
    with torch.no_grad():  # non-default BatchNorm statistics
        for m in th.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
    model = make(cr)
    model.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    th.eval()
    _, sess = session(model, cr.randn(2, *shape))
    for b in (2, 7):
        x = np.random.randn(b, *shape).astype(np.float32)
        got = sess.run(None, {"input": x})[0]
        with torch.no_grad():
            want = th(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
