"""examples/onnx_export.py trains, exports and matches onnxruntime."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "onnx_export.py"


def test_onnx_export_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("onnx_export_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(path=str(tmp_path / "cnn.onnx"))
    assert (tmp_path / "cnn.onnx").stat().st_size == result["file_bytes"]
    assert result["max_abs_diff"] < 1e-4
    assert result["onnxruntime_accuracy"] == result["chainrule_accuracy"] > 0.9
    assert "onnxruntime" in capsys.readouterr().out
