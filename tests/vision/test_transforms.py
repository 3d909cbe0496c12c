"""Transform classes against torchvision: deterministic ones directly, random ones given the same parameters."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import chainrule
from chainrule.vision import transforms as T

from .test_transforms_functional import close, pair_f32, pair_u8, pil, same_pil
from .tv import torch, torchvision

TT = torchvision.transforms
TF = TT.functional


def test_compose_to_tensor_normalize_matches_the_classic_mnist_pipeline():
    img = pil("L", 28, 28)
    ours = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])(img)
    theirs = TT.Compose([TT.ToTensor(), TT.Normalize((0.1307,), (0.3081,))])(img)
    close(ours, theirs)
    assert ours.dtype == chainrule.float32 and tuple(ours.shape) == (1, 28, 28)


@pytest.mark.parametrize(("ours", "theirs"), [
    (T.Resize(9), TT.Resize(9)),
    (T.Resize((8, 20), T.InterpolationMode.BICUBIC), TT.Resize((8, 20), TT.InterpolationMode.BICUBIC)),
    (T.Resize(10, interpolation=0), TT.Resize(10, interpolation=0)),
    (T.CenterCrop(7), TT.CenterCrop(7)),
    (T.Pad((1, 2), fill=3, padding_mode="reflect"), TT.Pad((1, 2), fill=3, padding_mode="reflect")),
    (T.Grayscale(3), TT.Grayscale(3)),
    (T.FiveCrop(5), TT.FiveCrop(5)),
    (T.TenCrop((4, 6), vertical_flip=True), TT.TenCrop((4, 6), vertical_flip=True)),
    (T.Lambda(lambda x: F_hflip(x)), TT.Lambda(lambda x: TF.hflip(x))),
])
def test_deterministic_transforms(ours, theirs):
    img = pil()
    a, b = ours(img), theirs(img)
    for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,), strict=True):
        same_pil(x, y)
    cf, tf = pair_f32()
    a, b = ours(cf), theirs(tf)
    for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,), strict=True):
        close(x, y, atol=2e-6)


def F_hflip(x):
    return T.functional.hflip(x)


def test_conversions():
    img = pil()
    close(T.PILToTensor()(img), TT.PILToTensor()(img), atol=0)
    cu, tu = pair_u8()
    close(T.ConvertImageDtype(chainrule.float32)(cu), TT.ConvertImageDtype(torch.float32)(tu))
    same_pil(T.ToPILImage()(cu), TT.ToPILImage()(tu))
    assert "PIL" in type(T.ToPILImage()(cu)).__module__


def test_random_crop_given_params():
    img = pil()
    t = T.RandomCrop(8, padding=2, padding_mode="edge")
    chainrule.manual_seed(5)
    i, j, h, w = T.RandomCrop.get_params(TF.pad(img, 2, padding_mode="edge"), (8, 8))
    chainrule.manual_seed(5)
    same_pil(t(img), TF.crop(TF.pad(img, 2, padding_mode="edge"), i, j, h, w))
    cf, tf = pair_f32(h=5, w=6)
    t = T.RandomCrop((8, 9), pad_if_needed=True, fill=0.5)
    chainrule.manual_seed(6)
    padded = TF.pad(TF.pad(tf, [3, 0], 0.5), [0, 3], 0.5)
    i, j, h, w = T.RandomCrop.get_params(chainrule.tensor(padded.numpy()), (8, 9))
    chainrule.manual_seed(6)
    close(t(cf), TF.crop(padded, i, j, h, w), atol=0)


def test_random_resized_crop_given_params_and_statistics():
    img = pil(h=40, w=50)
    t = T.RandomResizedCrop(16, scale=(0.2, 0.9))
    chainrule.manual_seed(7)
    params = T.RandomResizedCrop.get_params(img, t.scale, t.ratio)
    chainrule.manual_seed(7)
    same_pil(t(img), TF.resized_crop(img, *params, [16, 16]))
    areas, ratios = [], []
    for _ in range(2000):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and i + h <= 40 and 0 <= j and j + w <= 50
        areas.append(h * w / 2000)
        ratios.append(w / h)
    tv_areas = [(lambda p: p[2] * p[3] / 2000)(TT.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3)))
                for _ in range(2000)]
    assert abs(np.mean(areas) - np.mean(tv_areas)) < 0.03
    assert 0.7 < min(ratios) and max(ratios) < 1.45


def test_flips_and_grayscale_probabilities():
    img = pil()
    chainrule.manual_seed(0)
    flips = [np.array_equal(np.asarray(T.RandomHorizontalFlip()(img)), np.asarray(TF.hflip(img))) for _ in range(2000)]
    assert 0.45 < np.mean(flips) < 0.55
    cu, tu = pair_u8()
    close(T.RandomVerticalFlip(p=1.0)(cu), TF.vflip(tu), atol=0)
    close(T.RandomHorizontalFlip(p=0.0)(cu), tu, atol=0)
    same_pil(T.RandomGrayscale(p=1.0)(img), TF.rgb_to_grayscale(img, 3))
    grays = [T.RandomGrayscale(p=0.3)(img).getpixel((0, 0)) == TF.rgb_to_grayscale(img, 3).getpixel((0, 0))
             for _ in range(2000)]
    assert 0.25 < np.mean(grays) < 0.35


def test_random_rotation_and_affine_given_params():
    img = pil()
    t = T.RandomRotation(40, interpolation=T.InterpolationMode.BILINEAR, fill=3)
    chainrule.manual_seed(8)
    angle = T.RandomRotation.get_params(t.degrees)
    assert -40 <= angle <= 40
    chainrule.manual_seed(8)
    same_pil(t(img), TF.rotate(img, angle, TT.InterpolationMode.BILINEAR, fill=3))
    t = T.RandomAffine(30, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-5, 5, -3, 3), fill=7)
    chainrule.manual_seed(9)
    params = T.RandomAffine.get_params(t.degrees, t.translate, t.scale, t.shear, [17, 13])
    chainrule.manual_seed(9)
    same_pil(t(img), TF.affine(img, *params, fill=7))
    cf, tf = pair_f32()
    chainrule.manual_seed(9)
    got = t(cf)
    close(got, TF.affine(tf, *params, fill=[7.0] * 3), atol=1e-5)
    angles = [T.RandomAffine.get_params([-30, 30], None, None, None, [10, 10])[0] for _ in range(2000)]
    assert abs(np.mean(angles)) < 1.5 and min(angles) >= -30 and max(angles) <= 30


def test_color_jitter_given_params_and_ranges():
    img = pil()
    t = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    assert t.brightness == TT.ColorJitter(0.4, 0.4, 0.4, 0.1).brightness
    chainrule.manual_seed(10)
    order, b, c, s, h = T.ColorJitter.get_params(t.brightness, t.contrast, t.saturation, t.hue)
    chainrule.manual_seed(10)
    got = t(img)
    want = img
    for k in order.tolist():
        want = [lambda x: TF.adjust_brightness(x, b), lambda x: TF.adjust_contrast(x, c),
                lambda x: TF.adjust_saturation(x, s), lambda x: TF.adjust_hue(x, h)][k](want)
    same_pil(got, want)
    hs = [T.ColorJitter.get_params(None, None, None, (-0.1, 0.1))[4] for _ in range(1000)]
    assert -0.1 <= min(hs) and max(hs) <= 0.1 and abs(np.mean(hs)) < 0.01
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)


def test_gaussian_blur_and_erasing_given_params():
    cf, tf = pair_f32()
    t = T.GaussianBlur(5, (0.5, 1.5))
    chainrule.manual_seed(11)
    sigma = T.GaussianBlur.get_params(0.5, 1.5)
    chainrule.manual_seed(11)
    close(t(cf), TF.gaussian_blur(tf, [5, 5], [sigma, sigma]))
    t = T.RandomErasing(p=1.0, value="random")
    chainrule.manual_seed(12)
    T._basic._rand()  # RandomErasing draws its coin first
    i, j, h, w, v = T.RandomErasing.get_params(cf, t.scale, t.ratio, None)
    chainrule.manual_seed(12)
    got = t(cf)
    close(got, TF.erase(tf, i, j, h, w, torch.tensor(v.numpy())))
    t = T.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3))
    out = t(cf).numpy()
    changed = (out != cf.numpy()).any(axis=0)
    assert changed.any() and np.allclose(out[:, changed], np.array([0.1, 0.2, 0.3], np.float32)[:, None])


def test_random_apply_choice_order_statistics():
    img = pil()
    flip = T.RandomHorizontalFlip(p=1.0)
    chainrule.manual_seed(0)
    applied = [np.array_equal(np.asarray(T.RandomApply([flip], p=0.25)(img)), np.asarray(TF.hflip(img)))
               for _ in range(2000)]
    assert 0.21 < np.mean(applied) < 0.29
    picks = [T.RandomChoice([T.Lambda(lambda x: 0), T.Lambda(lambda x: 1)], p=[0.2, 0.8])(img) for _ in range(2000)]
    assert 0.75 < np.mean(picks) < 0.85
    seen = set()
    for _ in range(50):
        log = []
        T.RandomOrder([T.Lambda(lambda x, log=log: log.append(0)), T.Lambda(lambda x, log=log: log.append(1))])(img)
        seen.add(tuple(log))
    assert seen == {(0, 1), (1, 0)}


def test_seeded_pipeline_is_reproducible():
    img = pil(h=32, w=32)
    pipe = T.Compose([T.RandomResizedCrop(24), T.RandomHorizontalFlip(), T.ColorJitter(0.3, 0.3, 0.3, 0.05),
                      T.RandomRotation(15), T.ToTensor(), T.Normalize([0.5] * 3, [0.25] * 3), T.RandomErasing()])
    chainrule.manual_seed(42)
    a = pipe(img)
    chainrule.manual_seed(42)
    b = pipe(img)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert tuple(a.shape) == (3, 24, 24)


def test_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)
    with pytest.raises(ValueError, match="odd and positive"):
        T.GaussianBlur(4)
    with pytest.raises(ValueError, match="1, 2, or 4"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="larger than the input image size"):
        T.RandomCrop(40)(pil())
    assert isinstance(T.Resize(5)(Image.new("RGB", (10, 10))), Image.Image)


def test_random_pixel_transforms():
    img = pil()
    for ours, op in ((T.RandomInvert(p=1.0), TF.invert), (T.RandomAutocontrast(p=1.0), TF.autocontrast),
                     (T.RandomPosterize(3, p=1.0), lambda x: TF.posterize(x, 3)),
                     (T.RandomSolarize(128, p=1.0), lambda x: TF.solarize(x, 128))):
        same_pil(ours(img), op(img))
        assert ours.__class__(*([3] if "Poster" in type(ours).__name__ else [128] if "Solar" in type(ours).__name__
                                else []), p=0.0)(img) is img
    hits = [T.RandomInvert(p=0.3)(img) is not img for _ in range(2000)]
    assert 0.25 < np.mean(hits) < 0.35


def test_the_transforms_torchvision_makes_modules_are_modules() -> None:
    """The same classes as in torchvision are nn.Modules (usable in nn.Sequential, listed by named_modules);
    Compose, ToTensor, Lambda ... stay plain callables."""
    checked = 0
    for name in dir(T):
        ours, theirs = getattr(T, name), getattr(TT, name, None)
        if isinstance(ours, type) and isinstance(theirs, type) and name[0].isupper():
            assert issubclass(ours, chainrule.nn.Module) == issubclass(theirs, torch.nn.Module), name
            checked += 1
    assert checked >= 25


def test_module_transforms_inside_sequential_as_torchvision() -> None:
    x = np.random.default_rng(1).random((2, 3, 12, 10)).astype(np.float32)

    def run(lib, transforms):
        seq = lib.nn.Sequential(transforms.CenterCrop(8), transforms.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.3)))
        return seq(lib.tensor(x)).numpy(), [n for n, _ in seq.named_modules()]

    ours, theirs = run(chainrule, T), run(torch, TT)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6, atol=1e-6)
    assert ours[1] == theirs[1]
