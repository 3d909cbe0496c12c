"""Floating-point results without NumPy's warnings, as in PyTorch.

PyTorch returns ``inf`` for an overflow, ``nan`` for 0/0 and ±``inf`` for x/0 without a word; NumPy
computes the same IEEE values and also warns ("overflow encountered in multiply"). Wrapping every op
in ``np.errstate`` would cost each call about a microsecond, so instead one warnings filter, installed
at import, drops those four RuntimeWarnings when they are raised from chainrule's own code. Warnings
from the user's NumPy code, and every other warning, are untouched.
"""

from __future__ import annotations

import warnings

_MESSAGES = r"(overflow|underflow|invalid value|divide by zero) encountered in "


def install() -> None:
    """Ignore NumPy's floating-point RuntimeWarnings raised by a ``chainrule`` module."""
    warnings.filterwarnings("ignore", message=_MESSAGES, category=RuntimeWarning, module=r"chainrule(\.|$)")
