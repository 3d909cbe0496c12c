"""``chainrule.vision.datasets``: torchvision's image datasets, read from their standard files.

MNIST, FashionMNIST, KMNIST, EMNIST (IDX), CIFAR10/100 (pickled batches, read by a restricted
unpickler), SVHN (.mat, via SciPy), ImageFolder/DatasetFolder (a folder per class) and FakeData.
Items are ``(PIL image, int)`` before the transforms, as in torchvision.
"""

from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .svhn import SVHN
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "CIFAR10", "CIFAR100", "SVHN", "ImageFolder",
           "DatasetFolder", "FakeData", "VisionDataset"]
