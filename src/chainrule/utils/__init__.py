"""``chainrule.utils``: the data pipeline lives in ``chainrule.utils.data``."""

from . import data

__all__ = ["data"]
