"""What a finished run leaves behind: metrics.json, history, pictures, report.txt; tables for the terminal."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .config import DEFAULT_LR, learning_rate
from .run import CHECKPOINT, METRICS, write_json, write_text, writing

__all__ = ["compute_metrics", "confusion_matrix", "format_confusion", "format_metrics", "draw_pictures",
           "write_report", "describe_model", "count_parameters", "finish", "quality_warnings", "diverged",
           "constant_baseline", "network_title", "network_labels"]


def count_parameters(model: Any) -> int:
    """Number of scalar parameters of ``model``."""
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


def network_title(sess: Any) -> str:
    """The title of network.svg: the model in one line and the dataset."""
    cfg = sess.cfg
    if cfg["dataset"] == "csv" and cfg["data_root"]:
        return f"{describe_model(sess)} on {os.path.basename(cfg['data_root'])} (target {cfg['target']})"
    return f"{describe_model(sess)} on {sess.split.name}"


def network_labels(sess: Any) -> dict[str, Any]:
    """Neuron labels for network.svg: a CSV run's column and class names; the one logit of a binary logistic
    model; otherwise the diagram's x₀…/ŷ₀… (feature and class indices)."""
    s, cfg = sess.split, sess.cfg
    out: dict[str, Any] = {}
    csv = cfg["dataset"] == "csv"
    if csv and s.feature_names:
        out["input_labels"] = list(s.feature_names)
    if cfg["model"] == "logistic" and s.num_classes == 2:
        out["output_labels"] = [f"z → P({(s.class_names or ['0', '1'])[1]})"]
    elif csv and s.task == "classification" and s.class_names:
        out["output_labels"] = list(s.class_names)
    elif csv and s.task == "regression" and sess.target_dim == 1:
        out["output_labels"] = [str(cfg["target"])]
    return out


def compute_metrics(sess: Any) -> dict[str, Any]:
    """Loss and metrics of the current weights on train/val/test, under plain keys."""
    out: dict[str, Any] = {}
    for part in ("test", "val", "train"):
        for k, v in sess.trainer.evaluate(sess.loader(part)).items():
            out[f"{part}_{k}"] = float(v)
    hist = sess.trainer.history
    out.update(epochs=len(hist), best_epoch=sess.best_epoch, seconds=round(sess.seconds, 3),
               parameters=count_parameters(sess.model), dataset=sess.cfg["dataset"], model=sess.cfg["model"],
               stop_reason=hist.stop_reason, blas_threads=sess.used_threads)
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


def draw_pictures(sess: Any, run: str, retry: str | None = None) -> tuple[list[str], list[str]]:
    """network.svg, graph.svg and curves.png in ``run`` (each written atomically); returns the paths
    written and notes about pictures left out (a picture left out is also removed, so none is stale)."""
    from .. import viz

    notes, written = [], []
    model, s = sess.model, sess.split
    path = os.path.join(run, "network.svg")
    with writing(path, retry):
        viz.draw_network(model, path, input_size=tuple(s.input_shape), title=network_title(sess),
                         **network_labels(sess))
    written.append(path)
    was = model.training
    model.eval()
    try:
        n = min(8, len(s.x_train))
        loss = sess.loss_fn(model(s.x_train[:n]), s.y_train[:n])
        loss.backward()
        path = os.path.join(run, "graph.svg")
        with writing(path, retry):
            viz.draw_graph(loss, path, params=model, title=f"Computation graph of the loss on {n} training samples")
        written.append(path)
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was)
    path = os.path.join(run, "curves.png")
    skipped = None
    if not len(sess.trainer.history):
        skipped = "curves.png was not drawn: the run has no finished epoch yet."
    else:
        try:
            with writing(path, retry):
                viz.plot_history(sess.trainer.history, path)
            written.append(path)
        except ImportError:
            skipped = ("curves.png was not drawn: drawing curves needs matplotlib, a requirement of chainrule that "
                       "is missing from this environment (`python -m pip install matplotlib` installs it); "
                       "history.csv has the numbers.")
    if skipped is not None:
        if os.path.isfile(path):  # a picture of an older state of the run would be stale
            with writing(path, retry):
                os.remove(path)
            skipped += " The old curves.png was removed."
        notes.append(skipped)
    return written, notes


def _threads(n: int) -> str:
    return f"{n} BLAS thread{'s' if n != 1 else ''}"


def _target_note(sess: Any) -> str:
    st = getattr(sess, "target_stats", None)
    if not st:
        return ""
    pairs = ", ".join(f"mean {m:.6g}, std {d:.6g}" for m, d in zip(st["mean"], st["std"]))
    return (f" on the standardized target (y − mean) / std ({pairs}); the metrics are in the target's own "
            "units")


def write_report(sess: Any, run: str, metrics: dict[str, Any], conf: np.ndarray | None, notes: list[str],
                 retry: str | None = None) -> str:
    """Write RUN/report.txt (atomically) and return its text."""
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
        f"loss       {type(sess.loss_fn).__name__}{_target_note(sess)}",
        f"optimizer  {cfg['optimizer']}, lr {learning_rate(cfg):g}, weight decay {cfg['weight_decay']:g}, "
        f"batch size {cfg['batch_size']}, schedule {sched}",
        f"training   {metrics['epochs']} epochs, best epoch {metrics['best_epoch']} (weights of the best epoch kept), "
        f"{metrics['seconds']:.1f} s",
        f"stopped    {stop}",
        f"threads    {_threads(sess.used_threads)} for matrix products ({sess.threads_why})", "",
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
    write_text(os.path.join(run, "report.txt"), text, retry)
    return text


def constant_baseline(sess: Any) -> tuple[float | None, float | None]:
    """(training loss, test accuracy) of the best constant prediction: the class frequencies of the training
    split (cross-entropy = their entropy; accuracy = the test share of the most common class), or the mean
    of the standardized target (MSE 1). None where it is not known."""
    s = sess.split
    if s.task == "classification":
        y_train, y_test = s.y_train.numpy().ravel(), s.y_test.numpy().ravel()  # text: one class per position
        p = np.bincount(y_train, minlength=s.num_classes) / max(1, y_train.size)
        nz = p[p > 0]
        test = np.bincount(y_test, minlength=s.num_classes)
        return float(-(nz * np.log(nz)).sum()), float(test.max() / max(1, test.sum()))
    if getattr(sess, "target_stats", None) and type(sess.loss_fn).__name__ == "MSELoss":
        return 1.0, None
    return None, None


def diverged(sess: Any, metrics: dict[str, Any]) -> str | None:
    """Why the run counts as diverged (exit status 1), or None: the training loss blew up to more than ten
    times that of a constant prediction, and the final model is no better than one or its test loss is
    still more than ten times that."""
    loss0, acc0 = constant_baseline(sess)
    losses = [v for v in sess.trainer.history["train_loss"] if v == v] if len(sess.trainer.history) else []
    if loss0 is None or not losses or max(losses) <= 10 * loss0:
        return None
    test_loss = metrics.get("test_loss", float("nan"))
    useless = (acc0 is not None and metrics.get("test_accuracy", 1.0) <= acc0 + 1e-9
               or metrics.get("test_r2", 1.0) <= 0)
    if not useless and not test_loss > 10 * loss0:
        return None
    result = ("the final model is no better than a constant prediction" if useless
              else f"the final test loss is {test_loss:.4g}")
    lr, usual = learning_rate(sess.cfg), DEFAULT_LR[sess.cfg["model"]]
    return (f"training diverged: the training loss reached {max(losses):.4g} (a constant prediction scores "
            f"{loss0:.4g}) and {result}. The learning rate "
            f"{lr:g} is too large for this model: try --lr {usual if lr > usual else lr / 10:g}, or add "
            "--grad-clip 1.")


def quality_warnings(metrics: dict[str, Any], majority: float | None = None) -> list[str]:
    """Warnings about a finished run that trained but learned nothing useful (``majority``: the test accuracy
    of always predicting the most common class)."""
    out = []
    acc = metrics.get("test_accuracy")
    if majority is not None and acc is not None and acc <= majority + 1e-9:
        out.append(f"the model is no better than always predicting the most common class (test accuracy "
                   f"{acc:.2%}, that class's share {majority:.2%}). Train longer (--epochs), try another --lr or "
                   "--model, or check that the features can predict the labels.")
    for part in ("test", "val"):
        r2 = metrics.get(f"{part}_r2")
        if r2 is not None and r2 == r2 and r2 < 0:
            out.append(f"the model predicts the {part} split worse than the mean of the training targets would "
                       f"(R² {r2:.3f} < 0). Train longer (--epochs), try another --lr or --model, or check "
                       "that the features can predict the target.")
            break
    return out


def finish(sess: Any, run: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """Write metrics.json, history.csv/json, the pictures and report.txt for the current (final) weights,
    each atomically; return the metrics, notes about pictures left out, and warnings about the result.
    A write that fails (a full disk) is a one-paragraph UserError saying how to write them again."""
    retry = f"chainrule resume {run}"  # a finished run's resume rewrites its results
    metrics = compute_metrics(sess)
    warnings = quality_warnings(metrics, constant_baseline(sess)[1])
    failure = diverged(sess, metrics)
    if failure is not None:
        warnings = [failure]
    write_json(os.path.join(run, METRICS), metrics, retry)
    for name, save in (("history.csv", sess.trainer.history.to_csv), ("history.json", sess.trainer.history.to_json)):
        with writing(os.path.join(run, name), retry):
            save(os.path.join(run, name))
    _, notes = draw_pictures(sess, run, retry)
    conf = confusion_matrix(sess) if sess.task == "classification" and sess.split.name != "text" else None
    write_report(sess, run, metrics, conf, notes + [f"warning: {w}" for w in warnings], retry)
    return metrics, notes, warnings
