"""The playground: a small chainrule network trained on a 2-D dataset in a thread of the server process.

A :class:`Playground` is one browser tab's model. It is built by the same code as ``chainrule train``
(:class:`chainrule.cli.session.Session` from a run configuration), so what the page shows is a real chainrule
model, optimizer and schedule, and its export is a run checkpoint ``chainrule evaluate`` accepts. Its thread
takes a few mini-batch steps per tick and publishes a :meth:`snapshot`: the decision surface over a grid of the
input plane, every hidden neuron's output over a coarser grid, the weights and their gradients ∂L/∂w, losses.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import time
import traceback
from typing import Any

import numpy as np

from ..errors import UserError
from .settings import DATASETS, LIMITS, NEURON_GRID, check_params, run_config, surface, write_csv

__all__ = ["Playground", "check_params", "LIMITS", "DATASETS"]

class Playground:
    """One tab's network: built from settings, trained by its own thread, read by :meth:`snapshot`."""

    def __init__(self, params: dict[str, Any]) -> None:
        """Build the data, model, optimizer and schedule of ``params`` (see :func:`check_params`)."""
        self.params = check_params(params)
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self.playing = False
        self.pending_steps = 0
        self.error: str | None = None
        self.closed = False
        self.build = 0  # which model: reset makes a new one (the page ignores snapshots of an older one)
        self.last_seen = time.monotonic()
        self._tmp = tempfile.TemporaryDirectory(prefix="chainrule-playground-")
        self._build()
        self._snap = self._compute_snapshot()
        self.thread = threading.Thread(target=self._loop, name="chainrule-playground", daemon=True)
        self.thread.start()

    # --- construction ------------------------------------------------------------------------------
    def _build(self) -> None:
        from ..cli.session import Session

        p = self.params
        self.build = getattr(self, "build", 0) + 1
        csv = None
        if p["dataset"] in ("surface", "custom"):
            csv = os.path.join(self._tmp.name, "points.csv")
            if p["dataset"] == "surface":
                x, y = surface(p["n_samples"], p["noise"], p["seed"])
                write_csv(csv, x, y, integer=False)
            else:
                pts = np.asarray(p["points"], dtype=np.float64)
                write_csv(csv, pts[:, :2], pts[:, 2].astype(np.int64), integer=True)
        self.cfg = run_config(p, csv)
        self.sess = Session(self.cfg)
        s = self.sess.split
        if s.input_shape != (2,):
            raise UserError(f"playground: the dataset must have 2 input features, got {s.input_shape}.")
        self.task = s.task
        # the playground has no validation: the run config's small val part trains too
        self.x_train = np.concatenate([s.x_train.numpy(), s.x_val.numpy()])
        self.y_train = np.concatenate([s.y_train.numpy(), s.y_val.numpy()])
        self.x_test, self.y_test = s.x_test.numpy(), s.y_test.numpy()
        pts = np.concatenate([self.x_train, self.x_test])
        lo, hi = pts.min(0), pts.max(0)
        pad = 0.1 * (hi - lo) + 0.2
        self.bounds = [float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])]
        self.rng = np.random.default_rng(p["seed"])
        self.order = self.rng.permutation(len(self.x_train))
        self.pos = 0
        self.step_count = 0
        self.history: list[dict[str, float]] = []
        self.linears = [m for m in self.sess.model.modules() if type(m).__name__ == "Linear"]
        self.grid = self._grid(p["grid"])
        self.neuron_grid = self._grid(NEURON_GRID)
        self.steps_per_epoch = max(1, math.ceil(len(self.x_train) / p["batch_size"]))
        if self.task == "regression":
            ys = np.concatenate([self.y_train, self.y_test]).ravel()
            self.y_range = float(max(abs(ys.min()), abs(ys.max()), 1e-6))

    def _grid(self, n: int) -> Any:
        from .. import from_numpy
        x0, x1, y0, y1 = self.bounds
        xs = np.linspace(x0, x1, n, dtype=np.float32)
        ys = np.linspace(y1, y0, n, dtype=np.float32)  # row 0 is the top of the picture
        gx, gy = np.meshgrid(xs, ys)
        return from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))

    def data(self) -> dict[str, Any]:
        """The points (train and test, in the model's standardized input space) and the plane's bounds."""
        def pts(x: np.ndarray, y: np.ndarray) -> list[list[float]]:
            return [[round(float(a), 4), round(float(b), 4), round(float(np.ravel(t)[0]), 4)]
                    for (a, b), t in zip(x.tolist(), y.reshape(len(y), -1))]
        s = self.sess.split
        return {"task": self.task, "classes": s.num_classes, "bounds": self.bounds, "train": pts(self.x_train, self.y_train),
                "test": pts(self.x_test, self.y_test), "layers": [2, *self.params["hidden"],
                                                               s.num_classes if self.task == "classification" else 1],
                "y_range": getattr(self, "y_range", None), "params": self.params,
                "steps_per_epoch": self.steps_per_epoch, "build": self.build}

    # --- training ------------------------------------------------------------------------------------
    def train_step(self) -> float:
        """One mini-batch step of the chainrule model (forward, loss, backward, optimizer, schedule)."""
        from .. import from_numpy
        bs = self.params["batch_size"]
        if self.pos >= len(self.order):
            self.order, self.pos = self.rng.permutation(len(self.x_train)), 0
            if self.sess.scheduler is not None and self._interval() == "epoch":
                self.sess.scheduler.step()
        idx = self.order[self.pos:self.pos + bs]
        self.pos += len(idx)
        model, opt = self.sess.model, self.sess.optimizer
        model.train()
        opt.zero_grad()
        loss = self.sess.loss_fn(model(from_numpy(self.x_train[idx])), from_numpy(self.y_train[idx]))
        loss.backward()
        opt.step()
        if self.sess.scheduler is not None and self._interval() == "step":
            self.sess.scheduler.step()
        self.step_count += 1
        return float(loss.item())

    def _interval(self) -> str:
        return "epoch" if self.cfg["schedule"] in ("step", "none") else "step"

    def tick(self) -> None:
        """``steps_per_tick`` training steps, then a new snapshot (called by the thread, or by a benchmark)."""
        with self.lock:  # a reset, an export or a control waits for the tick to end (a few milliseconds)
            losses = [self.train_step() for _ in range(self.params["steps_per_tick"])]
            snap = self._compute_snapshot(sum(losses) / len(losses))
            self._snap = snap
            self.version += 1
            self.changed.notify_all()

    def _loop(self) -> None:
        while True:
            with self.lock:
                while not self.closed and not self.playing and self.pending_steps == 0:
                    self.changed.wait(1.0)
                if self.closed:
                    return
                if self.pending_steps:
                    self.pending_steps -= 1
            try:
                self.tick()
            except Exception as e:  # the page shows it; the server keeps running
                with self.lock:
                    self.error = f"training step {self.step_count + 1} failed: {type(e).__name__}: {e}"
                    self.playing, self.pending_steps = False, 0
                    self._snap = {**self._snap, "error": self.error, "playing": False,
                                  "trace": traceback.format_exc(limit=4)}
                    self.version += 1
                    self.changed.notify_all()
            if self.playing:
                time.sleep(0.002)  # let the request threads in

    # --- control -------------------------------------------------------------------------------------
    def control(self, action: str) -> None:
        """``play``, ``pause`` or ``step`` (one tick)."""
        with self.lock:
            if action in ("play", "step") and self.error:
                raise UserError(f"playground: {self.error}. Reset to start again.")
            if action == "play":
                self.playing = True
            elif action == "pause":
                self.playing = False
            elif action == "step":
                self.playing = False
                self.pending_steps += 1
            else:
                raise UserError(f"playground: unknown action {action!r}; use play, pause, step or reset.")
            self._snap = {**self._snap, "playing": self.playing}
            self.version += 1
            self.changed.notify_all()

    def reset(self, params: dict[str, Any] | None = None) -> None:
        """Rebuild data and model from ``params`` (default: the current settings); paused, step 0."""
        new = check_params(params if params is not None else self.params)
        with self.lock:
            old = self.params
            self.params = new
            try:
                self._build()
            except Exception:
                self.params = old
                self._build()
                raise
            self.playing, self.pending_steps, self.error = False, 0, None
            self._snap = self._compute_snapshot()
            self.version += 1
            self.changed.notify_all()

    def close(self) -> None:
        """Stop the thread and remove the temporary files."""
        with self.lock:
            self.closed = True
            self.changed.notify_all()
        self.thread.join(timeout=5)
        self._tmp.cleanup()

    def snapshot(self) -> tuple[int, dict[str, Any]]:
        """(version, the latest snapshot)."""
        with self.lock:
            return self.version, self._snap

    # --- the picture ---------------------------------------------------------------------------------
    def _forward_layers(self, x: Any) -> tuple[list[np.ndarray], np.ndarray]:
        """Hidden activations (one array per hidden layer) and the output of the model on ``x`` (eval mode)."""
        from .. import no_grad
        model = self.sess.model
        hidden = []
        was = model.training
        model.eval()
        try:
            with no_grad():
                h = x
                for name, m in model.named_children():
                    h = m(h)
                    if name.startswith("act"):
                        hidden.append(h.numpy())
        finally:
            model.train(was)
        return hidden, h.numpy()

    def _surface_values(self, out: np.ndarray) -> np.ndarray:
        """Per grid point: p(class 1) for two classes, the regression output scaled to [-1, 1]; for more
        classes the predicted class plus its probability (k + p)."""
        if self.task == "regression":  # targets and outputs are standardized (as `chainrule train` does)
            return np.clip(out[:, 0] / self.y_range, -1, 1)
        z = out - out.max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        if p.shape[1] == 2:
            return p[:, 1]
        return p.argmax(1) + p.max(1) * 0.999

    def _test_metrics(self) -> dict[str, float]:
        from .. import from_numpy, no_grad
        model = self.sess.model
        was = model.training
        model.eval()
        try:
            with no_grad():
                out = model(from_numpy(self.x_test))
                loss = float(self.sess.loss_fn(out, from_numpy(self.y_test)).item())
        finally:
            model.train(was)
        o = out.numpy()
        if self.task == "classification":
            return {"test_loss": loss, "test_accuracy": float((o.argmax(1) == self.y_test).mean())}
        y = self.y_test.ravel()
        r2 = 1 - float(((o.ravel() - y) ** 2).sum()) / max(float(((y - y.mean()) ** 2).sum()), 1e-12)
        return {"test_loss": loss, "test_r2": r2}

    def _compute_snapshot(self, train_loss: float | None = None) -> dict[str, Any]:
        _, out = self._forward_layers(self.grid)
        surface = self._surface_values(out)
        hidden, small = self._forward_layers(self.neuron_grid)
        if self.task == "classification":  # each output neuron: its class probability, 0..1 -> -1..1
            z = np.exp(small - small.max(1, keepdims=True))
            outputs = [_q(2 * p - 1, -1, 1) for p in (z / z.sum(1, keepdims=True)).T]
        else:
            outputs = [_q(np.clip(small[:, 0] / self.y_range, -1, 1), -1, 1)]
        neurons = []
        for h in hidden:
            scale = np.abs(h).max(0)
            scale[scale == 0] = 1.0
            neurons.append({"scale": [round(float(v), 4) for v in scale],
                            "values": [_q(h[:, j] / scale[j], -1, 1) for j in range(h.shape[1])]})
        layers = []
        for lin in self.linears:
            w, g = lin.weight, lin.weight.grad
            layers.append({"w": np.round(w.detach().numpy(), 4).tolist(), "b": np.round(lin.bias.detach().numpy(), 4).tolist(),
                           "gw": None if g is None else np.round(g.numpy(), 6).tolist()})
        metrics = self._test_metrics()
        lr = float(self.sess.optimizer.param_groups[0]["lr"])
        epoch = self.step_count / self.steps_per_epoch
        if train_loss is not None:
            self.history.append({"step": self.step_count, "epoch": round(epoch, 3), "train_loss": train_loss, **metrics})
            if len(self.history) > 4000:
                self.history = self.history[::2]
        lo, hi = (-1.0, 1.0) if self.task == "regression" else (0.0, float(max(2, self.sess.split.num_classes or 2)))
        if self.task == "classification" and (self.sess.split.num_classes or 2) == 2:
            hi = 1.0
        return {"build": self.build, "step": self.step_count, "epoch": round(epoch, 3), "lr": lr, "train_loss": train_loss,
                **metrics, "playing": self.playing, "error": self.error, "grid": self.params["grid"],
                "surface": _q(surface, lo, hi), "surface_range": [lo, hi], "neuron_grid": NEURON_GRID,
                "neurons": neurons, "outputs": outputs, "layers": layers}

    # --- export --------------------------------------------------------------------------------------
    def checkpoint_bytes(self) -> bytes:
        """A run checkpoint of the current weights (status "done") that ``chainrule evaluate`` accepts."""
        path = os.path.join(self._tmp.name, "checkpoint.safetensors")
        with self.lock:
            self.sess.seconds = 0.0
            self.sess.save(path, status="done")
        with open(path, "rb") as f:
            return f.read()

    def points_csv(self) -> bytes | None:
        """The CSV the custom and surface datasets train from (None for the built-in generators)."""
        path = os.path.join(self._tmp.name, "points.csv")
        if self.params["dataset"] not in ("surface", "custom") or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def network_svg(self) -> str:
        """The network diagram of the current weights (chainrule.viz.draw_network)."""
        from ..viz import draw_network
        with self.lock:
            return draw_network(self.sess.model, input_size=(2,), title=f"playground: {self.params['dataset']}, "
                                f"step {self.step_count}", input_labels=["x1", "x2"])

    def script(self) -> str:
        """A short Python script in chainrule's PyTorch API that rebuilds this network and training."""
        from .script import training_script
        return training_script(self.params, self.cfg, self.step_count)


def _q(values: np.ndarray, lo: float, hi: float) -> str:
    """Values in [lo, hi] quantized to bytes 0..255 and base64-encoded (the page decodes them)."""
    import base64
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=lo, posinf=hi, neginf=lo)
    b = np.clip(np.round((v - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)
    return base64.b64encode(b.tobytes()).decode("ascii")
