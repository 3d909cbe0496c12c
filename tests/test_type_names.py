"""Type names as scripts print them: ``type(x)`` of a tensor, shape, dtype and device reads like PyTorch's.

Tutorials print ``type(t)`` and get ``<class 'torch.Tensor'>``; after changing only the import the same line
must name the public class (``<class 'chainrule.Tensor'>``), not the private file it is defined in.
"""

from __future__ import annotations

import pickle

import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _as_torch(text: str) -> str:
    return text.replace("chainrule", "torch")


@pytest.mark.parametrize("make", [
    lambda m: m.zeros(2, 3),
    lambda m: m.zeros(2, 3).shape,
    lambda m: m.float64,
    lambda m: m.device("cpu"),
    lambda m: m.ones(1).device,
    lambda m: m.nn.Parameter(m.ones(2)),
])
def test_type_prints_like_pytorch(make) -> None:
    assert _as_torch(str(type(make(chainrule)))) == str(type(make(torch)))


def test_public_classes_name_the_package_and_still_pickle() -> None:
    for cls, torch_cls in [(chainrule.Tensor, torch.Tensor), (chainrule.Size, torch.Size),
                           (chainrule.dtype, torch.dtype), (chainrule.device, torch.device)]:
        assert _as_torch(f"{cls.__module__}.{cls.__qualname__}") == f"{torch_cls.__module__}.{torch_cls.__qualname__}"
    t = chainrule.arange(6.0).reshape(2, 3)
    back = pickle.loads(pickle.dumps(t))
    assert type(back) is chainrule.Tensor and back.tolist() == t.tolist()
    assert pickle.loads(pickle.dumps(t.shape)) == t.shape
    assert pickle.loads(pickle.dumps(chainrule.int64)) is chainrule.int64
    assert pickle.loads(pickle.dumps(chainrule.device("cpu"))) == chainrule.device("cpu")
