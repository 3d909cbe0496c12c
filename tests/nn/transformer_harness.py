"""Helpers shared by the Transformer encoder and decoder tests: randomised affine parameters, inputs, and calls
with masks given as NumPy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

import chainrule


def randomized(layer: Any, lib: Any) -> Any:
    """Non-zero biases and non-trivial LayerNorm affine parameters (copied to chainrule by state_dict)."""
    with lib.no_grad():
        for name, p in layer.named_parameters():
            if p.ndim == 1:
                lib.nn.init.uniform_(p, 0.5, 1.5) if "norm" in name and "weight" in name else lib.nn.init.uniform_(p, -0.3, 0.3)
    return layer


def x(*shape: int, seed: int = 0) -> np.ndarray:
    """A standard-normal float64 array of ``shape``."""
    return np.random.default_rng(seed).standard_normal(shape)


def lib_of(layer: Any) -> Any:
    """The library ``layer`` belongs to: chainrule or torch."""
    if isinstance(layer, chainrule.nn.Module):
        return chainrule
    import torch

    return torch


def masked(**masks: Any) -> Any:
    """Call with every positional input, masks (NumPy arrays) turned into the layer's library tensors."""

    def run(layer: Any, xs: Any) -> Any:
        lib = lib_of(layer)
        kw = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in masks.items()}
        return layer(*xs, **kw)

    return run
