"""``chainrule.vision.transforms``: torchvision's classic image transforms, on PIL images and tensors.

Random transforms draw from chainrule's default generator, so ``chainrule.manual_seed`` makes an
augmentation pipeline reproducible. ``functional`` holds the same operations as plain functions.
"""

from . import functional
from ._basic import (
    Compose,
    ConvertImageDtype,
    GaussianNoise,
    Lambda,
    Normalize,
    PILToTensor,
    RandomApply,
    RandomChoice,
    RandomOrder,
    RandomTransforms,
    ToPILImage,
    ToTensor,
)
from ._color import (
    ColorJitter,
    GaussianBlur,
    Grayscale,
    RandomAutocontrast,
    RandomErasing,
    RandomGrayscale,
    RandomInvert,
    RandomPosterize,
    RandomSolarize,
)
from ._geometry import (
    CenterCrop,
    FiveCrop,
    Pad,
    RandomAffine,
    RandomCrop,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomRotation,
    RandomVerticalFlip,
    Resize,
    TenCrop,
)
from ._mode import InterpolationMode

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "ToPILImage", "Normalize", "Resize",
    "CenterCrop", "Pad", "Lambda", "RandomApply", "RandomChoice", "RandomOrder", "RandomTransforms",
    "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomResizedCrop", "FiveCrop", "TenCrop",
    "ColorJitter", "RandomRotation", "RandomAffine", "Grayscale", "RandomGrayscale", "RandomErasing",
    "GaussianBlur", "GaussianNoise", "RandomInvert", "RandomPosterize", "RandomSolarize", "RandomAutocontrast",
    "InterpolationMode", "functional",
]  # fmt: skip
