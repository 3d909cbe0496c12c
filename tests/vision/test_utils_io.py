"""vision.utils (make_grid, save_image, draw_bounding_boxes) against torchvision; vision.io against Pillow."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import chainrule
from chainrule.vision import io as vio
from chainrule.vision import utils as vutils

from .tv import torch, torchvision

TU = torchvision.utils


def _batch(shape, seed=0, dtype=np.float32):
    a = (np.random.default_rng(seed).random(shape) * 3 - 1).astype(dtype)
    return chainrule.tensor(a), torch.tensor(a)


@pytest.mark.parametrize("shape", [(5, 3, 4, 6), (1, 3, 4, 4), (7, 1, 3, 5), (3, 5, 5), (1, 4, 4), (4, 6)])
@pytest.mark.parametrize("kw", [{}, {"nrow": 2, "padding": 1, "pad_value": 0.5}, {"normalize": True},
                                {"normalize": True, "scale_each": True}, {"normalize": True, "value_range": (0.0, 1.0)}])
def test_make_grid(shape, kw):
    ours, theirs = _batch(shape)
    got, want = vutils.make_grid(ours, **kw), TU.make_grid(theirs, **kw)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)


def test_make_grid_list_and_errors():
    ours, theirs = _batch((3, 3, 4, 4))
    np.testing.assert_array_equal(vutils.make_grid([ours[0], ours[1]]).numpy(), TU.make_grid([theirs[0], theirs[1]]).numpy())
    with pytest.raises(TypeError, match="tensor or list of tensors"):
        vutils.make_grid([np.zeros((3, 2, 2))])


@pytest.mark.parametrize("ext", [".png", ".bmp"])
def test_save_image_same_bytes_decoded(tmp_path, ext):
    ours, theirs = _batch((6, 3, 5, 7), seed=1)
    vutils.save_image(ours, tmp_path / f"a{ext}", nrow=3, normalize=True)
    TU.save_image(theirs, tmp_path / f"b{ext}", nrow=3, normalize=True)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / f"a{ext}")), np.asarray(Image.open(tmp_path / f"b{ext}")))
    buf = io.BytesIO()
    vutils.save_image(ours, buf, format="PNG")
    assert buf.getvalue()[:4] == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left behind
    with pytest.raises(ValueError, match="unknown file extension"):
        vutils.save_image(ours, tmp_path / "c.nope")


@pytest.mark.parametrize("kw", [{}, {"colors": "red", "width": 2}, {"colors": [(0, 255, 0), "blue"], "fill": True},
                                {"labels": ["cat", "dog"]}])
def test_draw_bounding_boxes(kw):
    a = np.random.default_rng(2).integers(0, 256, (3, 20, 30), dtype=np.uint8)
    boxes = np.array([[1, 2, 10, 12], [5, 5, 25, 18]], dtype=np.float32)
    got = vutils.draw_bounding_boxes(chainrule.tensor(a), chainrule.tensor(boxes), **kw)
    want = TU.draw_bounding_boxes(torch.tensor(a), torch.tensor(boxes), **kw)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.raises(ValueError, match="xmin, ymin, xmax, ymax"):
        vutils.draw_bounding_boxes(chainrule.tensor(a), chainrule.tensor(boxes[:, [2, 1, 0, 3]]))


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "LA"])
def test_io_round_trip_against_pillow(tmp_path, mode):
    arr = np.random.default_rng(3).integers(0, 256, (9, 11, len(mode)), dtype=np.uint8)
    img = Image.fromarray(arr[:, :, 0] if mode == "L" else arr, mode=None)
    if img.mode != mode:
        img = img.convert(mode)
    img.save(tmp_path / "x.png")
    t = vio.read_image(tmp_path / "x.png")
    expected = np.asarray(img)
    expected = expected[:, :, None] if expected.ndim == 2 else expected
    assert t.dtype == chainrule.uint8
    np.testing.assert_array_equal(t.numpy(), expected.transpose(2, 0, 1))
    vio.write_png(t, tmp_path / "y.png", compression_level=9)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "y.png")), np.asarray(img))
    rgb = vio.decode_image(vio.read_file(tmp_path / "x.png"), vio.ImageReadMode.RGB)
    np.testing.assert_array_equal(rgb.numpy(), np.asarray(img.convert("RGB")).transpose(2, 0, 1))
    gray = vio.read_image(tmp_path / "x.png", mode=vio.ImageReadMode.GRAY)
    assert tuple(gray.shape) == (1, 9, 11)


def test_io_jpeg_and_errors(tmp_path):
    arr = np.random.default_rng(4).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "a.jpg", quality=90)
    t = vio.read_image(str(tmp_path / "a.jpg"))
    np.testing.assert_array_equal(t.numpy(), np.asarray(Image.open(tmp_path / "a.jpg")).transpose(2, 0, 1))
    with pytest.raises(ValueError, match="uint8 tensor of shape"):
        vio.write_png(chainrule.zeros(3, 4, 4), tmp_path / "z.png")
