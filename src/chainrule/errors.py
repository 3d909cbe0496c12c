"""Errors meant for people: a user mistake gets one paragraph, not a traceback."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A mistake in what the user asked for (a missing file, a bad config, a corrupt checkpoint).

    The message says what is wrong and what to do. The ``chainrule`` command prints it without a
    traceback and exits with status 2.
    """
