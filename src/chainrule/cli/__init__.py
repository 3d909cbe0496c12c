"""The `chainrule` command: ``chainrule train|evaluate|predict|resume|draw|summary`` (also ``python -m chainrule``).

``main(argv)`` runs it in-process and returns the exit status (2 for a user mistake, printed as one
paragraph without a traceback).
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["main", "build_parser"]
