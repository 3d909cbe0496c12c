"""Random number generation: ``Generator``, ``manual_seed`` and the default generator.

Streams come from NumPy's PCG64, so a seed gives the same numbers on every platform, but not the
same numbers as PyTorch's Mersenne Twister (documented difference: seeds are not interchangeable).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "default_generator", "get_rng_state", "set_rng_state"]


class Generator:
    """A random stream, as ``torch.Generator``: ``g = Generator().manual_seed(0)``."""

    def __init__(self, device: Any = "cpu") -> None:
        from ._device import check_device

        check_device(device, "Generator")
        self._seed = 67280421310721  # PyTorch's default seed
        self.np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (negative seeds wrap modulo 2**64, as PyTorch); returns self."""
        seed = int(seed)
        if seed < 0:
            seed += 1 << 64  # PyTorch accepts negative seeds by wrapping
        self._seed = seed
        self.np = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self) -> int:
        """Seed from fresh OS entropy; returns the seed used."""
        s = int(np.random.SeedSequence().entropy % (1 << 63))
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._seed

    def get_state(self) -> Any:
        """The generator state as a uint8 tensor (JSON-able via ``tolist`` for checkpoints)."""
        import json

        from ._creation import tensor

        raw = json.dumps({"seed": self._seed, "state": self.np.bit_generator.state}).encode()
        return tensor(list(raw), dtype="uint8")

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state returned by ``get_state``; returns the generator."""
        import json

        data = new_state._data if hasattr(new_state, "_data") else np.asarray(new_state)
        try:
            state = json.loads(bytes(np.asarray(data, dtype=np.uint8).tobytes()).decode())
            self._seed = int(state["seed"])
            self.np.bit_generator.state = state["state"]
        except (ValueError, KeyError, TypeError) as e:
            raise RuntimeError(f"Generator.set_state: not a chainrule generator state ({e})") from e
        return self

    @property
    def device(self) -> Any:
        """Always ``device('cpu')``."""
        from ._device import cpu

        return cpu


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``chainrule.manual_seed(0)``); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from fresh OS entropy; returns the seed used."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from (67280421310721, as PyTorch, until seeded)."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state as a uint8 tensor (pass it to ``set_rng_state``)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from ``get_rng_state``'s tensor."""
    default_generator.set_state(new_state)


def rng(generator: Generator | None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (or the default one)."""
    if generator is None:
        return default_generator.np
    if not isinstance(generator, Generator):
        raise TypeError(f"generator: expected a chainrule.Generator, got {type(generator).__name__}")
    return generator.np


def uniform_array(shape: tuple[int, ...], a: float, b: float, generator: Generator | None) -> np.ndarray:
    return rng(generator).uniform(a, b, size=shape)


def normal_array(shape: tuple[int, ...], mean: float, std: float, generator: Generator | None) -> np.ndarray:
    return rng(generator).normal(mean, std, size=shape)
