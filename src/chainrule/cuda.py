"""``chainrule.cuda``: present so that device-selecting scripts run; chainrule computes on the CPU."""

from __future__ import annotations


def is_available() -> bool:
    """Always False: chainrule computes on the CPU."""
    return False


def device_count() -> int:
    """Always 0: there are no CUDA devices."""
    return 0


def manual_seed(seed: int) -> None:
    """No-op (there is no CUDA generator), kept so seeding scripts run unchanged."""


manual_seed_all = manual_seed
