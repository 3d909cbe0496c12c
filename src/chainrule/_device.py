"""Devices: chainrule computes on the CPU; ``device=`` is accepted wherever PyTorch takes it."""

from __future__ import annotations

from typing import Any

__all__ = ["device", "cpu", "check_device"]


class device:  # noqa: N801 - PyTorch's name
    """``chainrule.device('cpu')``. Other device types can be named but not used."""

    __module__ = "chainrule"  # chainrule.device, as torch.device

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        kind, _, idx = str(type).partition(":")
        self.type = kind
        self.index = int(idx) if idx else index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __enter__(self) -> device:
        """``with chainrule.device('cpu'):`` makes the CPU the default device (it always is); others raise."""
        check_device(self, "with chainrule.device(...)")
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


cpu = device("cpu")


def check_device(dev: Any, op: str) -> None:
    """Accept None, 'cpu' or a cpu device; anything else is a clear RuntimeError."""
    if dev is None or dev is cpu:
        return
    kind = dev.type if isinstance(dev, device) else str(dev).partition(":")[0]
    if kind != "cpu":
        raise RuntimeError(
            f"{op}: chainrule computes on the CPU only; expected device='cpu', got device='{dev}'. "
            "Drop the .to(device)/.cuda() call or pass device='cpu' "
            "(chainrule.cuda.is_available() is always False)."
        )
