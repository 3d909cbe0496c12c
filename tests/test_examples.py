"""The examples run and reach their stated outcome."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quickstart_fits_the_sine_near_the_noise_floor(capsys) -> None:
    final = _load("quickstart").main()
    assert final < 0.01
    assert "step  5000" in capsys.readouterr().out
