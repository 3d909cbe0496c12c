"""transforms.functional against torchvision on the same PIL images and tensors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import chainrule
from chainrule.vision.transforms import InterpolationMode as IM
from chainrule.vision.transforms import functional as F

from .tv import torch, torchvision

TF = torchvision.transforms.functional
TIM = torchvision.transforms.InterpolationMode


def _rgb(h=13, w=17, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def pil(mode="RGB", h=13, w=17, seed=0):
    a = _rgb(h, w, seed)
    img = Image.fromarray(a)
    return img if mode == "RGB" else img.convert(mode)


def pair_u8(c=3, h=13, w=17, seed=1):
    a = np.random.default_rng(seed).integers(0, 256, (c, h, w), dtype=np.uint8)
    return chainrule.tensor(a), torch.tensor(a)


def pair_f32(c=3, h=13, w=17, seed=2, lead=()):
    a = np.random.default_rng(seed).random((*lead, c, h, w), dtype=np.float32)
    return chainrule.tensor(a), torch.tensor(a)


def same_pil(a, b):
    assert a.mode == b.mode and a.size == b.size
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def close(a, b, atol=1e-6, rtol=1e-5):
    assert isinstance(a, chainrule.Tensor)
    assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.numpy().astype(np.float64), b.numpy().astype(np.float64), atol=atol, rtol=rtol)


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "I", "F", "1"])
def test_to_tensor_and_pil_to_tensor(mode):
    img = pil(mode)
    close(F.to_tensor(img), TF.to_tensor(img), atol=0)
    if mode != "1":
        close(F.pil_to_tensor(img), TF.pil_to_tensor(img), atol=0)
    a = _rgb()
    close(F.to_tensor(a), TF.to_tensor(a), atol=0)
    close(F.to_tensor(a[..., 0]), TF.to_tensor(a[..., 0]), atol=0)


@pytest.mark.parametrize("kind", ["u8_3", "u8_1", "f32_3", "f32_1", "u8_4", "f32_2"])
@pytest.mark.parametrize("mode", [None])
def test_to_pil_image(kind, mode):
    dt, c = kind.split("_")
    c = int(c)
    ours, theirs = pair_u8(c) if dt == "u8" else pair_f32(c)
    same_pil(F.to_pil_image(ours, mode), TF.to_pil_image(theirs, mode))
    arr = ours.numpy().transpose(1, 2, 0)
    same_pil(F.to_pil_image(arr), TF.to_pil_image(arr))


def test_to_pil_image_float_mode_f():
    a = np.random.default_rng(0).random((1, 5, 6), dtype=np.float32)
    same_pil(F.to_pil_image(chainrule.tensor(a), "F"), TF.to_pil_image(torch.tensor(a), "F"))


@pytest.mark.parametrize(("src", "dst"), [("uint8", "float32"), ("float32", "uint8"), ("uint8", "int32"),
                                          ("int32", "uint8"), ("float64", "float32"), ("int16", "float64")])
def test_convert_image_dtype(src, dst):
    a = (np.random.default_rng(0).random((3, 4, 5)) * (1 if "float" in src else 200)).astype(src)
    got = F.convert_image_dtype(chainrule.tensor(a), getattr(chainrule, dst))
    close(got, TF.convert_image_dtype(torch.tensor(a), getattr(torch, dst)), atol=1e-7)
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(chainrule.tensor(np.zeros((1, 2, 2), np.float32)), chainrule.int64)


def test_normalize():
    ours, theirs = pair_f32(lead=(2,))
    m, s = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    close(F.normalize(ours, m, s), TF.normalize(theirs, m, s))
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(chainrule.zeros(3, 2, 2, dtype=chainrule.uint8), m, s)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(ours, m, [1.0, 0.0, 1.0])


SIZES = [(7, 9), (26, 40), (13, 17), (5, 30), [8], 20]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("interp", ["NEAREST", "BILINEAR", "BICUBIC", "BOX", "LANCZOS", "HAMMING", "NEAREST_EXACT"])
def test_resize_pil(size, interp):
    for mode in ("RGB", "L"):
        img = pil(mode)
        same_pil(F.resize(img, size, getattr(IM, interp)), TF.resize(img, size, getattr(TIM, interp)))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("interp", ["NEAREST", "NEAREST_EXACT", "BILINEAR", "BICUBIC"])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_tensor(size, interp, antialias):
    ours, theirs = pair_f32(lead=(2,))
    got = F.resize(ours, size, getattr(IM, interp), antialias=antialias)
    close(got, TF.resize(theirs, size, getattr(TIM, interp), antialias=antialias), atol=2e-6)
    ours, theirs = pair_u8()
    got = F.resize(ours, size, getattr(IM, interp), antialias=antialias)
    want = TF.resize(theirs, size, getattr(TIM, interp), antialias=antialias)
    diff = np.abs(got.numpy().astype(int) - want.numpy().astype(int))
    assert diff.max() <= 1 and (diff > 0).mean() < 0.01  # float round-off can move a .5 rounding


def test_resize_max_size_and_errors():
    img = pil()
    same_pil(F.resize(img, 10, max_size=12), TF.resize(img, 10, max_size=12))
    with pytest.raises(ValueError, match="max_size"):
        F.resize(img, (3, 4), max_size=12)
    with pytest.raises(TypeError, match="InterpolationMode"):
        F.resize(img, 5, "bilinear")


PADS = [2, (1, 3), (1, 2, 3, 4), (-1, 2, 0, -2), [3]]


@pytest.mark.parametrize("padding", PADS)
@pytest.mark.parametrize("padding_mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad(padding, padding_mode):
    for mode in ("RGB", "L", "P"):
        img = pil("RGB").convert(mode) if mode != "P" else pil().convert("P")
        same_pil(F.pad(img, padding, 7, padding_mode), TF.pad(img, padding, 7, padding_mode))
    ours, theirs = pair_f32()
    close(F.pad(ours, padding, 0.5, padding_mode), TF.pad(theirs, padding, 0.5, padding_mode), atol=0)
    ours, theirs = pair_u8()
    close(F.pad(ours, padding, 3, padding_mode), TF.pad(theirs, padding, 3, padding_mode), atol=0)


@pytest.mark.parametrize("box", [(2, 3, 5, 6), (-2, -1, 6, 8), (10, 12, 6, 8), (0, 0, 13, 17)])
def test_crop_center_crop(box):
    img = pil()
    same_pil(F.crop(img, *box), TF.crop(img, *box))
    ours, theirs = pair_f32()
    close(F.crop(ours, *box), TF.crop(theirs, *box), atol=0)
    for size in [5, (4, 9), (20, 8), [30]]:
        same_pil(F.center_crop(img, size), TF.center_crop(img, size))
        close(F.center_crop(ours, size), TF.center_crop(theirs, size), atol=0)


def test_flips_five_ten_crop():
    img = pil()
    ours, theirs = pair_u8()
    same_pil(F.hflip(img), TF.hflip(img))
    same_pil(F.vflip(img), TF.vflip(img))
    close(F.hflip(ours), TF.hflip(theirs), atol=0)
    close(F.vflip(ours), TF.vflip(theirs), atol=0)
    for a, b in zip(F.five_crop(img, (5, 7)), TF.five_crop(img, (5, 7))):
        same_pil(a, b)
    for vertical in (False, True):
        for a, b in zip(F.ten_crop(ours, 6, vertical), TF.ten_crop(theirs, 6, vertical), strict=True):
            close(a, b, atol=0)
    with pytest.raises(ValueError, match="bigger than input size"):
        F.five_crop(img, 30)


@pytest.mark.parametrize("fn", ["adjust_brightness", "adjust_contrast", "adjust_saturation"])
@pytest.mark.parametrize("factor", [0.0, 0.4, 1.0, 1.7])
def test_color_adjust(fn, factor):
    for mode in ("RGB", "L"):
        img = pil(mode)
        same_pil(getattr(F, fn)(img, factor), getattr(TF, fn)(img, factor))
    ours, theirs = pair_f32()
    close(getattr(F, fn)(ours, factor), getattr(TF, fn)(theirs, factor))
    ours, theirs = pair_u8()
    got, want = getattr(F, fn)(ours, factor), getattr(TF, fn)(theirs, factor)
    assert np.abs(got.numpy().astype(int) - want.numpy().astype(int)).max() <= 1


@pytest.mark.parametrize("hue", [-0.5, -0.2, 0.0, 0.13, 0.5])
def test_adjust_hue(hue):
    img = pil()
    same_pil(F.adjust_hue(img, hue), TF.adjust_hue(img, hue))
    ours, theirs = pair_f32()
    close(F.adjust_hue(ours, hue), TF.adjust_hue(theirs, hue), atol=1e-5)
    ours, theirs = pair_u8()
    got, want = F.adjust_hue(ours, hue), TF.adjust_hue(theirs, hue)
    assert np.abs(got.numpy().astype(int) - want.numpy().astype(int)).max() <= 1
    with pytest.raises(ValueError, match="hue_factor"):
        F.adjust_hue(img, 0.7)


@pytest.mark.parametrize(("gamma", "gain"), [(0.5, 1.0), (1.0, 1.0), (2.2, 0.8)])
def test_adjust_gamma(gamma, gain):
    img = pil()
    same_pil(F.adjust_gamma(img, gamma, gain), TF.adjust_gamma(img, gamma, gain))
    ours, theirs = pair_f32()
    close(F.adjust_gamma(ours, gamma, gain), TF.adjust_gamma(theirs, gamma, gain), atol=1e-6)


@pytest.mark.parametrize("channels", [1, 3])
def test_grayscale(channels):
    for mode in ("RGB", "RGBA", "L"):
        img = pil(mode)
        same_pil(F.rgb_to_grayscale(img, channels), TF.rgb_to_grayscale(img, channels))
        same_pil(F.to_grayscale(img, channels), TF.to_grayscale(img, channels))
    ours, theirs = pair_f32()
    close(F.rgb_to_grayscale(ours, channels), TF.rgb_to_grayscale(theirs, channels))
    ours, theirs = pair_u8()
    close(F.rgb_to_grayscale(ours, channels), TF.rgb_to_grayscale(theirs, channels), atol=1)


@pytest.mark.parametrize("angle", [0.0, 30.0, -45.0, 90.0, 123.4])
@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("center", [None, (3, 4)])
def test_rotate(angle, expand, center):
    for mode in ("RGB", "L"):
        img = pil(mode)
        for interp in ("NEAREST", "BILINEAR"):
            same_pil(F.rotate(img, angle, getattr(IM, interp), expand, center, fill=5),
                     TF.rotate(img, angle, getattr(TIM, interp), expand, center, fill=5))
    ours, theirs = pair_f32()
    got = F.rotate(ours, angle, IM.BILINEAR, expand, center, fill=[0.5, 0.2, 0.1])
    close(got, TF.rotate(theirs, angle, TIM.BILINEAR, expand, center, fill=[0.5, 0.2, 0.1]), atol=1e-5)
    got = F.rotate(ours, angle, IM.NEAREST, expand, center).numpy()
    want = TF.rotate(theirs, angle, TIM.NEAREST, expand, center).numpy()
    assert got.shape == want.shape and (got == want).mean() > 0.98  # ties at exactly .5 may round apart


@pytest.mark.parametrize(("angle", "translate", "scale", "shear"),
                         [(0.0, (0, 0), 1.0, 0.0), (20.0, (2, -3), 0.8, 10.0), (-70.0, (1, 1), 1.3, (5.0, -8.0))])
def test_affine(angle, translate, scale, shear):
    img = pil()
    for interp in ("NEAREST", "BILINEAR"):
        same_pil(F.affine(img, angle, translate, scale, shear, getattr(IM, interp), fill=9),
                 TF.affine(img, angle, translate, scale, shear, getattr(TIM, interp), fill=9))
    ours, theirs = pair_f32(lead=(2,))
    close(F.affine(ours, angle, translate, scale, shear, IM.BILINEAR, fill=0.3),
          TF.affine(theirs, angle, translate, scale, shear, TIM.BILINEAR, fill=0.3), atol=1e-5)
    ours, theirs = pair_u8()
    got = F.affine(ours, angle, translate, scale, shear, IM.NEAREST).numpy()
    want = TF.affine(theirs, angle, translate, scale, shear, TIM.NEAREST).numpy()
    assert (got == want).mean() > 0.98


@pytest.mark.parametrize(("ks", "sigma"), [(3, None), ((5, 3), (1.5, 0.7)), (7, 2.0)])
def test_gaussian_blur(ks, sigma):
    img = pil()
    got, want = np.asarray(F.gaussian_blur(img, ks, sigma)), np.asarray(TF.gaussian_blur(img, ks, sigma))
    assert np.abs(got.astype(int) - want.astype(int)).max() <= 1
    ours, theirs = pair_f32()
    close(F.gaussian_blur(ours, ks, sigma), TF.gaussian_blur(theirs, ks, sigma), atol=1e-6)


def test_erase_invert():
    ours, theirs = pair_f32()
    close(F.erase(ours, 2, 3, 4, 5, chainrule.tensor(0.25)), TF.erase(theirs, 2, 3, 4, 5, torch.tensor(0.25)))
    close(F.invert(ours), TF.invert(theirs))
    ours, theirs = pair_u8()
    close(F.invert(ours), TF.invert(theirs), atol=0)
    img = pil()
    same_pil(F.invert(img), TF.invert(img))


def test_dimensions():
    img = pil("RGBA")
    assert F.get_dimensions(img) == TF.get_dimensions(img)
    assert F.get_image_size(img) == TF.get_image_size(img)
    ours, theirs = pair_f32(lead=(2,))
    assert F.get_dimensions(ours) == TF.get_dimensions(theirs)
    with pytest.raises(TypeError, match="PIL Image or a Tensor"):
        F.hflip([1, 2])


@pytest.mark.parametrize("bits", [0, 1, 4, 8])
def test_posterize(bits):
    img = pil()
    if bits >= 1:  # Pillow itself refuses 0 bits
        same_pil(F.posterize(img, bits), TF.posterize(img, bits))
    ours, theirs = pair_u8()
    close(F.posterize(ours, bits), TF.posterize(theirs, bits), atol=0)
    with pytest.raises(TypeError, match="uint8"):
        F.posterize(pair_f32()[0], bits)


@pytest.mark.parametrize("threshold", [0, 100, 255])
def test_solarize(threshold):
    img = pil()
    same_pil(F.solarize(img, threshold), TF.solarize(img, threshold))
    ours, theirs = pair_u8()
    close(F.solarize(ours, threshold), TF.solarize(theirs, threshold), atol=0)
    ours, theirs = pair_f32()
    close(F.solarize(ours, threshold / 255), TF.solarize(theirs, threshold / 255))
    with pytest.raises(TypeError, match="less than the bound"):
        F.solarize(ours, 2.0)


def test_autocontrast():
    img = pil()
    same_pil(F.autocontrast(img), TF.autocontrast(img))
    for ours, theirs in (pair_u8(), pair_f32(lead=(2,))):
        close(F.autocontrast(ours), TF.autocontrast(theirs), atol=1e-6)
    flat = np.full((3, 4, 4), 7, dtype=np.uint8)
    flat[0, 0, 0] = 9
    close(F.autocontrast(chainrule.tensor(flat)), TF.autocontrast(torch.tensor(flat)), atol=0)
