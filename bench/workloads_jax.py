"""The same training steps in JAX, jit-compiled whole (forward, backward and the update): a peer column.

``JAX_MAKERS[name](batch) -> step`` for every workload that has a JAX variant. Weights and data are
read from the chainrule model the workload's ``*_setup`` builds (so all three libraries start from the
same numbers), and the update is hand-written with PyTorch's math (no optax): SGD ``θ −= η·g``, and
Adam ``m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ −= η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)``.
``step()`` runs one jitted step (parameters and state donated) and waits for its loss. JAX is imported
only here, lazily: it is a benchmark peer (``bench/requirements.txt``), never a chainrule dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import workloads as W
from . import workloads_rnn as R

__all__ = ["JAX_MAKERS"]


def _arrays(model: Any) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _trainer(loss_fn: Callable[..., Any], params: Any, x: Any, y: Any, opt: str, lr: float) -> Callable[[], Any]:
    """A step closure: ``loss_fn(params, x, y)``, its gradient and the update, all in one ``jax.jit``."""
    import jax
    import jax.numpy as jnp

    b1, b2, eps = 0.9, 0.999, 1e-8
    tree = jax.tree_util.tree_map
    params = tree(jnp.asarray, params)
    x, y = jnp.asarray(x), jnp.asarray(y)
    zeros = lambda: tree(jnp.zeros_like, params)  # noqa: E731
    state = (jnp.zeros((), jnp.float32), zeros(), zeros()) if opt == "adam" else ()

    def train(params: Any, state: Any, x: Any, y: Any) -> Any:
        loss, g = jax.value_and_grad(loss_fn)(params, x, y)
        if opt == "sgd":
            return tree(lambda p, gp: p - lr * gp, params, g), state, loss
        t, m, v = state
        t = t + 1
        m = tree(lambda mp, gp: mp + (1 - b1) * (gp - mp), m, g)
        v = tree(lambda vp, gp: b2 * vp + (1 - b2) * gp * gp, v, g)
        step_size, bc2_sqrt = lr / (1 - b1**t), jnp.sqrt(1 - b2**t)
        params = tree(lambda p, mp, vp: p - step_size * mp / (jnp.sqrt(vp) / bc2_sqrt + eps), params, m, v)
        return params, (t, m, v), loss

    jitted = jax.jit(train, donate_argnums=(0, 1))
    box = [params, state]

    def step() -> Any:
        box[0], box[1], loss = jitted(box[0], box[1], x, y)
        return loss.block_until_ready()

    return step


# --- forward passes (the same math as the PyTorch modules, with their state_dict names) ---------------
def _linear(p: dict, name: str, x: Any) -> Any:
    return x @ p[f"{name}.weight"].T + p[f"{name}.bias"]


def _cross_entropy(logits: Any, y: Any) -> Any:
    import jax

    logp = jax.nn.log_softmax(logits, axis=-1)
    return -logp[np.arange(logits.shape[0]), y].mean()


def _layer_norm(p: dict, name: str, x: Any) -> Any:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / (var + 1e-5) ** 0.5 * p[f"{name}.weight"] + p[f"{name}.bias"]


def mlp_jax(make: Any) -> Callable[[int], Callable[[], Any]]:
    """JAX step of an ``mlp_adam_sizes`` workload (or of ``tiny_mlp`` when ``make`` is it)."""

    def build(batch: int) -> Callable[[], Any]:
        import jax.numpy as jnp

        import chainrule

        tiny = make is W.tiny_mlp
        model, x, y = W.tiny_mlp_setup(chainrule, batch) if tiny else W.mlp_setup(chainrule, batch, make.sizes)
        params = _arrays(model)
        n = len(params) // 2
        act = jnp.tanh if tiny else (lambda h: jnp.maximum(h, 0))

        def loss(p: dict, x: Any, y: Any) -> Any:
            for i in range(n):
                x = _linear(p, str(2 * i), x)
                if i < n - 1:
                    x = act(x)
            return ((x - y) ** 2).mean() if tiny else _cross_entropy(x, y)

        return _trainer(loss, params, x.numpy(), y.numpy(), "sgd" if tiny else "adam", 0.1 if tiny else 1e-3)

    return build


def cnn_jax(make: Any) -> Callable[[int], Callable[[], Any]]:
    """JAX step of a ``cnn_channels`` workload: lax convolutions (NCHW/OIHW) and reduce_window max-pool."""

    def build(batch: int) -> Callable[[], Any]:
        import jax.numpy as jnp
        from jax import lax

        import chainrule

        model, x, y = W.cnn_setup(chainrule, batch, *make.channels)

        def block(p: dict, i: int, x: Any) -> Any:
            x = lax.conv_general_dilated(x, p[f"{i}.weight"], (1, 1), ((1, 1), (1, 1)),
                                         dimension_numbers=("NCHW", "OIHW", "NCHW"))  # fmt: skip
            x = jnp.maximum(x + p[f"{i}.bias"][None, :, None, None], 0)
            return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

        def loss(p: dict, x: Any, y: Any) -> Any:
            h = block(p, 3, block(p, 0, x))
            return _cross_entropy(_linear(p, "7", h.reshape(h.shape[0], -1)), y)

        return _trainer(loss, _arrays(model), x.numpy(), y.numpy(), "adam", 1e-3)

    return build


def transformer_jax(make: Any) -> Callable[[int], Callable[[], Any]]:
    """JAX step of a ``transformer_shape`` workload: PyTorch's TransformerEncoderLayer math (ReLU, eps 1e-5)."""

    def build(batch: int) -> Callable[[], Any]:
        import jax

        import chainrule

        ff, norm_first, seq = make.shape
        model, x, t = W.transformer_setup(chainrule, batch, ff, norm_first, seq)
        heads, d = 4, 128

        def attention(p: dict, x: Any) -> Any:
            b, s, _ = x.shape
            qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
            q, k, v = (a.reshape(b, s, heads, d // heads).transpose(0, 2, 1, 3) for a in jax.numpy.split(qkv, 3, -1))
            w = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / (d // heads) ** 0.5, axis=-1)
            return _linear(p, "self_attn.out_proj", (w @ v).transpose(0, 2, 1, 3).reshape(b, s, d))

        def feed_forward(p: dict, x: Any) -> Any:
            return _linear(p, "linear2", jax.numpy.maximum(_linear(p, "linear1", x), 0))

        def loss(p: dict, x: Any, t: Any) -> Any:
            if norm_first:
                x = x + attention(p, _layer_norm(p, "norm1", x))
                x = x + feed_forward(p, _layer_norm(p, "norm2", x))
            else:
                x = _layer_norm(p, "norm1", x + attention(p, x))
                x = _layer_norm(p, "norm2", x + feed_forward(p, x))
            return ((x - t) ** 2).mean()

        return _trainer(loss, _arrays(model), x.numpy(), t.numpy(), "adam", 1e-3)

    return build


def _scan_rnn(p: dict, layer: str, x: Any, cell: str) -> Any:
    """One recurrent layer over time (x: (seq, batch, in)), PyTorch's gate order, zero initial state."""
    import jax
    import jax.numpy as jnp

    wih, whh = p[f"weight_ih_{layer}"], p[f"weight_hh_{layer}"]
    bih, bhh = p[f"bias_ih_{layer}"], p[f"bias_hh_{layer}"]
    hidden = whh.shape[1]
    xw = x @ wih.T + bih  # every step's input GEMM at once
    h0 = jnp.zeros((x.shape[1], hidden), x.dtype)

    def lstm_cell(carry: Any, xt: Any) -> Any:
        h, c = carry
        i, f, g, o = jnp.split(xt + h @ whh.T + bhh, 4, -1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    def gru_cell(h: Any, xt: Any) -> Any:
        xr, xz, xn = jnp.split(xt, 3, -1)
        hr, hz, hn = jnp.split(h @ whh.T + bhh, 3, -1)
        r, z = jax.nn.sigmoid(xr + hr), jax.nn.sigmoid(xz + hz)
        h = (1 - z) * jnp.tanh(xn + r * hn) + z * h
        return h, h

    if cell == "lstm":
        return jax.lax.scan(lstm_cell, (h0, h0), xw)[1]
    return jax.lax.scan(gru_cell, h0, xw)[1]


def lstm_jax(batch: int) -> Callable[[], Any]:
    """JAX step of ``lstm``: two ``lax.scan`` LSTM layers, MSE, Adam."""
    import chainrule

    model, x, t = R.lstm_setup(chainrule, batch)

    def loss(p: dict, x: Any, t: Any) -> Any:
        h = _scan_rnn(p, "l1", _scan_rnn(p, "l0", x, "lstm"), "lstm")
        return ((h - t) ** 2).mean()

    return _trainer(loss, _arrays(model), x.numpy(), t.numpy(), "adam", 1e-3)


def gru_jax(batch: int) -> Callable[[], Any]:
    """JAX step of ``gru_char``: embedding gather, one ``lax.scan`` GRU layer, linear head, CE, Adam."""
    import chainrule

    model, x, y = R.gru_setup(chainrule, batch)

    def loss(p: dict, x: Any, y: Any) -> Any:
        e = p["0.weight"][x].transpose(1, 0, 2)  # (seq, batch, 64)
        h = _scan_rnn({k[2:]: v for k, v in p.items() if k.startswith("1.")}, "l0", e, "gru")
        logits = _linear(p, "2", h.transpose(1, 0, 2)).reshape(-1, 65)
        return _cross_entropy(logits, y)

    return _trainer(loss, _arrays(model), x.numpy(), y.numpy(), "adam", 2e-3)


def _makers() -> dict[str, Callable[[int], Callable[[], Any]]]:
    out: dict[str, Callable[[int], Callable[[], Any]]] = {}
    for name, wl in W.WORKLOADS.items():
        make = wl.make
        if name.endswith("_compiled"):
            continue
        if make is W.tiny_mlp or hasattr(make, "sizes"):
            out[name] = mlp_jax(make)
        elif hasattr(make, "channels"):
            out[name] = cnn_jax(make)
        elif hasattr(make, "shape"):
            out[name] = transformer_jax(make)
    out["lstm"], out["gru_char"] = lstm_jax, gru_jax
    return out


JAX_MAKERS = _makers()
