"""The one exception class of ``chainrule.io``: a checkpoint file that cannot be used as asked."""

from __future__ import annotations

from ..errors import UserError

__all__ = ["CheckpointError", "CheckpointNotFoundError"]


class CheckpointError(UserError):
    """A checkpoint that is missing, corrupt, truncated, foreign (pickle, torch.save zip), written by
    a newer chainrule, or saved from a different architecture. The message says what to do."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """No file at the given path (also a ``FileNotFoundError``, so ``except FileNotFoundError`` works)."""
