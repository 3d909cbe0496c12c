"""transforms.v2: the same-name classes are the classic ones; ToImage + ToDtype equal torchvision's ToTensor."""

from __future__ import annotations

import numpy as np
import pytest

from .tv import torch, torchvision

PIL = pytest.importorskip("PIL.Image", reason="Pillow (vision extra) makes the images")

import chainrule  # noqa: E402
import chainrule.vision.transforms as T  # noqa: E402
import chainrule.vision.transforms.v2 as v2  # noqa: E402


def _image(mode: str = "RGB") -> PIL.Image:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    return PIL.fromarray(a).convert(mode)


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_to_image_then_to_dtype_scaled_equals_torchvision_to_tensor(mode):
    img = _image(mode)
    ours = v2.Compose([v2.ToImage(), v2.ToDtype(chainrule.float32, scale=True)])(img)
    theirs = torchvision.transforms.ToTensor()(img)
    assert ours.dtype == chainrule.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_to_image_keeps_the_dtype_and_to_dtype_without_scale_only_casts():
    img = _image()
    x = v2.ToImage()(img)
    np.testing.assert_array_equal(x.numpy(), torchvision.transforms.PILToTensor()(img).numpy())
    assert x.dtype == chainrule.uint8
    y = v2.ToDtype(chainrule.float32)(x)
    np.testing.assert_array_equal(y.numpy(), x.numpy().astype(np.float32))
    a = np.asarray(img)
    np.testing.assert_array_equal(v2.ToImage()(a).numpy(), a.transpose(2, 0, 1))
    assert v2.ToImage()(x) is x


def test_same_name_classes_are_the_classic_transforms():
    for name in ["Compose", "Normalize", "Resize", "RandomCrop", "RandomHorizontalFlip", "ColorJitter"]:
        assert getattr(v2, name) is getattr(T, name)
    assert torch is not None
