"""torchvision as the oracle: imported with its compiled-op registration disabled (the CPU torch cannot load them).

torchvision's wheel registers fake kernels for its C++ ops at import; beside a CPU-only torch those ops do not
exist, so ``torch.library.register_fake`` is replaced by a no-op while torchvision is imported. Its pure-Python
transforms, datasets and models then work. Used by the tests only.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _import_torchvision():
    import torch.library

    real = torch.library.register_fake

    def no_op(*args, **kwargs):
        if len(args) >= 2 and callable(args[1]):
            return args[1]
        return lambda fn: fn

    torch.library.register_fake = no_op
    try:
        import torchvision
    except ImportError:
        pytest.skip("torchvision (test extra) is the oracle for chainrule.vision", allow_module_level=True)
    finally:
        torch.library.register_fake = real
    return torchvision


torchvision = _import_torchvision()
