"""What a finished run leaves behind: metrics.json, history, pictures, report.txt; tables for the terminal."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .run import CHECKPOINT, METRICS, write_json, write_text

__all__ = ["compute_metrics", "confusion_matrix", "format_confusion", "format_metrics", "draw_pictures",
           "write_report", "describe_model", "count_parameters", "finish"]


def count_parameters(model: Any) -> int:
    """Number of scalar parameters of ``model`` (the sum of every parameter's ``numel``)."""
    return int(sum(p.numel() for p in model.parameters()))


def describe_model(sess: Any) -> str:
    """``mlp 64-128-64-10 (relu, dropout 0.1)``: the model in one line."""
    cfg, s = sess.cfg, sess.split
    n_in = "x".join(map(str, s.input_shape))
    n_out = s.num_classes if s.task == "classification" else sess.target_dim
    kind = cfg["model"]
    if kind == "logistic" and s.num_classes == 2:
        n_out = 1
    widths = [n_in]
    if kind == "cnn":
        widths += [f"conv{c}" for c in cfg["channels"]]
    if kind in ("mlp", "cnn", "rnn", "lstm", "gru"):
        widths += [str(h) for h in cfg["hidden"]]
    text = f"{kind} {'-'.join([*widths, str(n_out)])}"
    if kind in ("mlp", "cnn"):
        opts = [cfg["activation"]]
        if cfg["dropout"]:
            opts.append(f"dropout {cfg['dropout']:g}")
        if cfg["norm"] != "none":
            opts.append(f"{cfg['norm']} norm")
        if cfg["residual"]:
            opts.append("residual")
        text += f" ({', '.join(opts)})"
    return text


def compute_metrics(sess: Any) -> dict[str, Any]:
    """Loss and metrics of the current weights on train/val/test, under plain keys."""
    out: dict[str, Any] = {}
    for part in ("test", "val", "train"):
        for k, v in sess.trainer.evaluate(sess.loader(part)).items():
            out[f"{part}_{k}"] = float(v)
    hist = sess.trainer.history
    out.update(epochs=len(hist), best_epoch=sess.best_epoch, seconds=round(sess.seconds, 3),
               parameters=count_parameters(sess.model), dataset=sess.cfg["dataset"], model=sess.cfg["model"],
               stop_reason=hist.stop_reason)
    return out


def confusion_matrix(sess: Any, part: str = "test") -> np.ndarray:
    """Counts ``m[true, predicted]`` on a split (classification only)."""
    s = sess.split
    x, y = getattr(s, f"x_{part}"), getattr(s, f"y_{part}").numpy()
    pred = sess.trainer.predict(x, batch_size=1024).numpy().argmax(1)
    k = s.num_classes
    return np.bincount(y * k + pred, minlength=k * k).reshape(k, k)


def format_confusion(m: np.ndarray, names: list[str] | None) -> str:
    """A text table: rows are true classes, columns predicted classes."""
    k = len(m)
    names = [str(n) for n in (names or range(k))]
    short = [n if len(n) <= 8 else n[:7] + "." for n in names]
    w = max(4, max(len(str(int(m.max()))), max(map(len, short))) + 1)
    label = "true\\pred"
    lw = max(len(label), max(len(n) for n in short)) + 1
    lines = [label.ljust(lw) + "".join(n.rjust(w) for n in short) + "   recall"]
    for i in range(k):
        total = m[i].sum()
        recall = f"{m[i, i] / total:7.1%}" if total else "      -"
        lines.append(short[i].ljust(lw) + "".join(str(int(v)).rjust(w) for v in m[i]) + "  " + recall)
    return "\n".join(lines)


def format_metrics(metrics: dict[str, Any], parts: tuple[str, ...] = ("train", "val", "test")) -> str:
    """A small table: one row per split, one column per metric."""
    names = [k.split("_", 1)[1] for k in metrics if k.startswith(parts[-1] + "_")]
    lines = ["split  " + "".join(n.rjust(11) for n in names)]
    for p in parts:
        if f"{p}_loss" not in metrics:
            continue
        cells = []
        for n in names:
            v = metrics.get(f"{p}_{n}")
            cells.append(("-" if v is None else f"{v:.2%}" if n == "accuracy" else f"{v:.4g}").rjust(11))
        lines.append(p.ljust(7) + "".join(cells))
    return "\n".join(lines)


def draw_pictures(sess: Any, run: str) -> list[str]:
    """network.svg, graph.svg and curves.png in ``run``; returns notes about pictures left out."""
    from .. import viz

    notes = []
    model, s = sess.model, sess.split
    viz.draw_network(model, os.path.join(run, "network.svg"), input_size=tuple(s.input_shape),
                     title=f"{describe_model(sess)} on {s.name}")
    was = model.training
    model.eval()
    try:
        n = min(8, len(s.x_train))
        loss = sess.loss_fn(model(s.x_train[:n]), s.y_train[:n])
        loss.backward()
        viz.draw_graph(loss, os.path.join(run, "graph.svg"), params=model,
                       title=f"Computation graph of the loss on {n} training samples")
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was)
    if len(sess.trainer.history):
        try:
            viz.plot_history(sess.trainer.history, os.path.join(run, "curves.png"))
        except ImportError:
            notes.append("curves.png was skipped: drawing curves needs matplotlib (pip install chainrule[plot]); "
                         "history.csv has the numbers.")
    return notes


def write_report(sess: Any, run: str, metrics: dict[str, Any], conf: np.ndarray | None, notes: list[str]) -> str:
    """Write RUN/report.txt (data, model, optimizer, stop reason, metrics, files) and return its text."""
    cfg, s = sess.cfg, sess.split
    sizes = f"{len(s.x_train)} train / {len(s.x_val)} val / {len(s.x_test)} test samples"
    what = (f"{s.num_classes} classes" if s.task == "classification" else "regression")
    sched = cfg["schedule"] + (f" ({cfg['warmup']} warmup epochs)" if cfg["schedule"] == "warmup-cosine" else "")
    stop = metrics.get("stop_reason") or f"ran all {cfg['epochs']} epochs"
    lines = [
        "chainrule run report", "====================", "",
        f"run        {run}",
        f"dataset    {s.name}: {sizes}, input {'x'.join(map(str, s.input_shape))}, {what}",
        f"model      {describe_model(sess)}, {metrics['parameters']:,} parameters",
        f"loss       {type(sess.loss_fn).__name__}",
        f"optimizer  {cfg['optimizer']}, lr {cfg['lr']:g}, weight decay {cfg['weight_decay']:g}, "
        f"batch size {cfg['batch_size']}, schedule {sched}",
        f"training   {metrics['epochs']} epochs, best epoch {metrics['best_epoch']} (weights of the best epoch kept), "
        f"{metrics['seconds']:.1f} s",
        f"stopped    {stop}", "",
        format_metrics(metrics), "",
    ]
    if conf is not None:
        lines += ["confusion matrix on the test split (rows: true class, columns: predicted class)",
                  format_confusion(conf, s.class_names), ""]
    files = sorted(f for f in os.listdir(run) if not f.startswith("."))
    files = sorted(set(files) | {"report.txt", METRICS, CHECKPOINT})
    lines += ["files      " + ", ".join(files)]
    lines += [f"note       {n}" for n in notes]
    text = "\n".join(lines) + "\n"
    write_text(os.path.join(run, "report.txt"), text)
    return text


def finish(sess: Any, run: str) -> tuple[dict[str, Any], list[str]]:
    """Write metrics.json, history.csv/json, the pictures and report.txt for the current (final) weights."""
    metrics = compute_metrics(sess)
    write_json(os.path.join(run, METRICS), metrics)
    sess.trainer.history.to_csv(os.path.join(run, "history.csv"))
    sess.trainer.history.to_json(os.path.join(run, "history.json"))
    notes = draw_pictures(sess, run)
    conf = confusion_matrix(sess) if sess.task == "classification" and sess.split.name != "text" else None
    write_report(sess, run, metrics, conf, notes)
    return metrics, notes
