"""``summary(model, input_size)``: a layer table (name, type, output shape, parameters) and totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._tensor import Tensor

__all__ = ["summary"]


def _shape_of(out: Any) -> str:
    if isinstance(out, Tensor):
        return str(list(out.shape))
    if isinstance(out, (list, tuple)):
        parts = [_shape_of(o) for o in out]
        return "(" + ", ".join(parts) + ")" if parts else "--"
    if isinstance(out, dict):
        return "{" + ", ".join(f"{k}: {_shape_of(v)}" for k, v in out.items()) + "}"
    return "--"


def _inputs(input_size: Any, dtypes: Sequence[Any] | None) -> list[Tensor]:
    from .. import _dtype, randn, zeros
    from .._random import Generator

    if isinstance(input_size, (list, tuple)) and input_size and all(isinstance(s, int) for s in input_size):
        sizes = [tuple(input_size)]
    elif isinstance(input_size, (list, tuple)) and input_size and all(isinstance(s, (list, tuple)) for s in input_size):
        sizes = [tuple(s) for s in input_size]
    else:
        raise TypeError(f"summary: input_size must be a shape including the batch dimension, e.g. (1, 64), or a "
                        f"list of shapes for several inputs; got {input_size!r}")
    dts = list(dtypes) if dtypes is not None else [None] * len(sizes)
    if len(dts) != len(sizes):
        raise ValueError(f"summary: expected one dtype per input ({len(sizes)}), got {len(dts)}")
    g = Generator().manual_seed(0)  # a private stream: summary never moves the default generator
    out = []
    for size, dt in zip(sizes, dts):
        d = _dtype.get_default_dtype() if dt is None else _dtype.to_dtype(dt)
        out.append(randn(*size, generator=g, dtype=d) if d.is_floating_point else zeros(*size, dtype=d))
    return out


def summary(model: Any, input_size: Any = None, *, dtypes: Sequence[Any] | None = None,
            input_data: Any = None) -> str:
    """The layer table of ``model`` after one forward pass, as a string (print it).

    ``input_size`` includes the batch dimension, e.g. ``(1, 64)`` or ``(1, 1, 8, 8)``; a list of
    shapes for several inputs; ``dtypes`` gives their dtypes (default: the default float dtype;
    integer inputs are zeros). Or pass ``input_data`` (a Tensor or a sequence of them). The
    forward runs in eval mode under ``no_grad`` with forward hooks on every module, which record
    output shapes; the mode is restored afterwards and no global random state is used. Nested
    modules are indented; "Param #" counts each module's own parameters, so the column sums to
    the total (parameters shared between modules are counted once in the totals).
    """
    from ..autograd import no_grad

    if input_data is not None:
        inputs = [input_data] if isinstance(input_data, Tensor) else list(input_data)
    elif input_size is not None:
        inputs = _inputs(input_size, dtypes)
    else:
        raise TypeError("summary: pass input_size (a shape with the batch dimension) or input_data")
    shapes: dict[int, str] = {}
    handles = []
    for m in model.modules():
        handles.append(m.register_forward_hook(lambda mod, args, out: shapes.__setitem__(id(mod), _shape_of(out))))
    was = model.training
    model.eval()
    try:
        with no_grad():
            model(*inputs)
    except Exception as e:
        shown = ", ".join(str(list(t.shape)) for t in inputs if isinstance(t, Tensor))
        msg = f"summary: the forward pass of {type(model).__name__} failed on input(s) of size {shown}: {e}"
        try:
            err = type(e)(msg)
        except Exception:
            err = RuntimeError(msg)
        raise err from e
    finally:
        for h in handles:
            h.remove()
        model.train(was)

    rows = []
    for name, m in model.named_modules():
        depth = name.count(".") + 1 if name else 0
        label = type(m).__name__ if not name else f"{name.rsplit('.', 1)[-1]} ({type(m).__name__})"
        own = sum(p.numel() for p in m.parameters(recurse=False))
        rows.append(("  " * depth + label, shapes.get(id(m), "--"), f"{own:,}" if own else "--"))
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    nbytes = sum(p.numel() * p.element_size() for p in params) + sum(b.numel() * b.element_size() for b in model.buffers())
    head = ("Layer (type)", "Output Shape", "Param #")
    w = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    width = w[0] + w[1] + w[2] + 6
    line = lambda r: f"{r[0]:<{w[0]}}   {r[1]:<{w[1]}}   {r[2]:>{w[2]}}".rstrip()  # noqa: E731
    out = [line(head), "=" * width, *(line(r) for r in rows), "=" * width,
           f"Total params: {total:,}", f"Trainable params: {trainable:,}", f"Non-trainable params: {total - trainable:,}",
           f"Params and buffers size (MB): {nbytes / 1e6:.2f}",
           "Input size: " + ", ".join(str(list(t.shape)) for t in inputs if isinstance(t, Tensor)), "=" * width]
    return "\n".join(out)
