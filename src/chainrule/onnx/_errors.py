"""The error raised when a traced forward pass calls something ONNX export cannot express."""

from __future__ import annotations

__all__ = ["TracerWarning", "UnsupportedOperatorError", "INSTALL_HINT"]

# The one line printed wherever the ONNX packages are missing (export, and examples/onnx_export.py).
INSTALL_HINT = ("chainrule.onnx needs the onnx and onnxruntime packages; install them with: "
                "python -m pip install onnx onnxruntime")


class UnsupportedOperatorError(RuntimeError):
    """``chainrule.onnx.export`` met an operation (or an option of one) it has no ONNX mapping for.

    The message names the operation, e.g. ``"chainrule.onnx.export: unsupported operator 'median'"``.
    """

    def __init__(self, op: str, detail: str = "") -> None:
        self.op = op
        msg = f"chainrule.onnx.export: unsupported operator '{op}'"
        if detail:
            msg += f" ({detail})"
        msg += (
            "; expected only operations with an ONNX mapping (see the chainrule.onnx docstring for the list). "
            "Rewrite that part of forward() with supported ops, or compute it outside the exported model."
        )
        super().__init__(msg)


class TracerWarning(UserWarning):
    """A traced tensor became a Python value (``item()``, ``bool(x)``...): the file holds this trace's value."""
