"""``chainrule.vision.models``: classic image classifiers with torchvision's module structure and state_dict keys.

``weights=None`` (the default) builds an untrained model with torchvision's initialisation. Pretrained
weights are not downloaded; convert torchvision's once to safetensors and load them with
``chainrule.io.load_torch_weights`` (see ``_weights``).
"""

from .alexnet import AlexNet, alexnet
from .mobilenetv2 import MobileNetV2, mobilenet_v2
from .resnet import ResNet, resnet18, resnet34, resnet50, resnet101, resnet152
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

__all__ = [
    "AlexNet", "alexnet", "MobileNetV2", "mobilenet_v2", "ResNet", "resnet18", "resnet34", "resnet50", "resnet101",
    "resnet152", "SqueezeNet", "squeezenet1_0", "squeezenet1_1", "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn",
    "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
]  # fmt: skip
