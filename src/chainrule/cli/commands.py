"""The subcommands: train, resume, evaluate, predict, draw, summary, serve. Each returns an exit status."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from ..errors import UserError
from . import artifacts as A
from .config import SPECS, learning_rate, resolve, to_toml
from .run import (
    CHECKPOINT,
    CONFIG,
    check_new_run_dir,
    create_run_dir,
    default_run_dir,
    load_checkpoint,
    read_run_config,
    require_run,
    write_text,
)

__all__ = ["COMMANDS"]


def _say(quiet: bool, *parts: Any) -> None:
    if not quiet:
        print(*parts, flush=True)


def _show_progress(quiet: bool) -> bool:
    return not quiet and bool(getattr(sys.stdout, "isatty", lambda: False)())


def _header(sess: Any) -> str:
    s = sess.split
    what = f"{s.num_classes} classes" if s.task == "classification" else "regression"
    return (f"{s.name}: {len(s.x_train)} train / {len(s.x_val)} val / {len(s.x_test)} test samples, "
            f"input {'x'.join(map(str, s.input_shape))}, {what}\n"
            f"model: {A.describe_model(sess)}, {A.count_parameters(sess.model):,} parameters; "
            f"{sess.cfg['optimizer']} lr {learning_rate(sess.cfg):g}, {sess.cfg['schedule']} schedule, "
            f"up to {sess.cfg['epochs']} epochs; {sess.used_threads} BLAS thread{'s' if sess.used_threads != 1 else ''}")


def _result_lines(sess: Any, metrics: dict[str, Any], run: str, wall: float) -> str:
    if "test_accuracy" in metrics:
        main = (f"test accuracy {metrics['test_accuracy']:.2%} (loss {metrics['test_loss']:.4f}), "
                f"val accuracy {metrics['val_accuracy']:.2%}")
    else:
        main = (f"test MSE {metrics['test_mse']:.4g}, MAE {metrics['test_mae']:.4g}, R² {metrics['test_r2']:.4f}; "
                f"val MSE {metrics['val_mse']:.4g}")
    early = " (early stopping kept the best weights)" if str(metrics.get("stop_reason")).startswith("Early") else ""
    total = metrics["seconds"]
    if sess.prior_seconds > 0:  # resumed: most of the training happened in earlier commands
        here = max(0.0, total - sess.prior_seconds)
        timing = (f"trained in {total:.2f} s over all sessions ({here:.2f} s of it in this one; this command took "
                  f"{wall:.1f} s)")
    else:
        timing = f"trained in {total:.2f} s ({wall:.1f} s in all)"
    return (f"{main}\nbest epoch {metrics['best_epoch']} of {metrics['epochs']}{early}; {timing}\n"
            f"run saved to {run}  (report: {os.path.join(run, 'report.txt')})")


def _finish(sess: Any, run: str, quiet: bool, t0: float, save: bool = True) -> int:
    if save:
        sess.save(os.path.join(run, CHECKPOINT), status="done")
    metrics, notes, warnings = A.finish(sess, run)
    for n in notes:
        _say(quiet, f"note: {n}")
    failed = bool(warnings) and warnings[0].startswith("training diverged")
    for w in warnings if not failed else []:
        print(f"chainrule: warning: {w}", file=sys.stderr, flush=True)
    print(_result_lines(sess, metrics, run, time.perf_counter() - t0), flush=True)
    stop = sess.trainer.history.stop_reason
    if stop and stop.startswith("NaNGuard"):
        print(f"chainrule: training diverged. {stop}", file=sys.stderr)
        return 1
    if failed:
        print(f"chainrule: {warnings[0]}", file=sys.stderr)
        return 1
    return 0


# --- train / resume -----------------------------------------------------------------------------------
def _join_mpi() -> tuple[bool, int]:
    """Under ``mpiexec -n N`` (N > 1): join the MPI process group; returns (distributed, rank).
    Only rank 0 writes the run directory and prints; every rank trains its share of each batch."""
    from .. import distributed as dist

    if dist.launched_world_size() <= 1:
        return False, 0
    if not dist.is_initialized():
        try:
            dist.init_process_group(backend="mpi")
        except RuntimeError as e:  # started by mpiexec without mpi4py
            raise UserError(str(e)) from None
    return dist.get_world_size() > 1, dist.get_rank()


def cmd_train(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    cfg = resolve({s.key: getattr(args, s.key) for s in SPECS}, args.config)
    distributed, rank = _join_mpi()
    quiet = args.quiet or rank != 0
    run = args.out or default_run_dir(cfg)
    if rank == 0:
        check_new_run_dir(run, args.force)
    from .session import Session

    progress = _show_progress(quiet)
    # data and model errors come before any write
    sess = Session(cfg, quiet=quiet, progress=progress, distributed=distributed)
    _warn(sess, rank)
    _say(quiet, _header(sess))
    if distributed:
        _say(quiet, f"distributed: {sess.world} MPI processes, {cfg['batch_size'] // sess.world} samples of each "
             f"batch of {cfg['batch_size']} per process; rank 0 writes the run")
    if rank == 0:
        create_run_dir(run, args.force)
        write_text(os.path.join(run, CONFIG), to_toml(cfg))
    return _fit_and_finish(sess, run, args.quiet, t0)


def _fit_and_finish(sess: Any, run: str, quiet: bool, t0: float) -> int:
    try:
        sess.fit(run)
    except KeyboardInterrupt:
        if sess.rank != 0:
            return 130
        print(f"\nchainrule: interrupted after epoch {sess.trainer.epoch}; `chainrule resume {run}` continues "
              "from the last finished epoch exactly.", file=sys.stderr)
        return 130
    if sess.rank != 0:  # the results (metrics, history, pictures, report) are rank 0's to write
        return 0
    return _finish(sess, run, quiet, t0)


def cmd_resume(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    run = args.run
    require_run(run)
    distributed, rank = _join_mpi()
    quiet = args.quiet or rank != 0
    ckpt = load_checkpoint(run, required=False)   # every rank reads it (a shared file system across hosts)
    cfg = read_run_config(run, ckpt)
    from .session import Session

    sess = Session(cfg, quiet=quiet, progress=_show_progress(quiet), distributed=distributed,
                   standardize_target=_standardized(ckpt))
    done = False
    if ckpt is None:
        _say(quiet, f"{run}: no checkpoint yet (stopped before its first epoch ended); starting it again")
    else:
        _restore(sess, ckpt, run)
        done = ckpt.get("status") == "done"
        t = sess.trainer
        if done:
            _say(quiet, f"{run}: the run is complete ({t.epoch} epochs); rewriting its results")
        else:
            _say(quiet, f"{run}: resuming after epoch {t.epoch} of {cfg['epochs']}")
    if done:
        return _finish(sess, run, args.quiet, t0, save=False) if rank == 0 else 0
    return _fit_and_finish(sess, run, args.quiet, t0)


def _standardized(ckpt: dict[str, Any] | None) -> bool:
    """Whether the run trained on standardized regression targets (every run since they were introduced)."""
    data = ckpt.get("data") if ckpt is not None else None
    return not isinstance(data, dict) or "target_standardize" in data


def _warn(sess: Any, rank: int = 0) -> None:
    if rank == 0:
        for w in sess.warnings:
            print(f"chainrule: warning: {w}", file=sys.stderr, flush=True)


def _restore(sess: Any, ckpt: dict[str, Any], run: str, weights_only: bool = False) -> None:
    """Load the checkpoint into the session; explain a mismatch with the run's config."""
    from ..io import CheckpointError

    try:
        if weights_only:
            sess.load_weights(ckpt, run)
        else:
            sess.restore(ckpt, run)
    except (CheckpointError, ValueError, KeyError, RuntimeError, TypeError) as e:
        saved = ckpt.get("config") if isinstance(ckpt.get("config"), dict) else {}
        changed = [f"{k} ({saved[k]!r} in the checkpoint, {v!r} in {CONFIG})" for k, v in sess.cfg.items()
                   if k in saved and saved[k] != v]
        msg = str(e) if isinstance(e, UserError) else (
            f"The checkpoint {os.path.join(run, CHECKPOINT)!r} does not fit the model, optimizer or schedule built "
            f"from {os.path.join(run, CONFIG)!r} ({type(e).__name__}: {e}).")
        if changed:
            msg += (f" {os.path.join(run, CONFIG)} was edited after the checkpoint was written: "
                    f"{'; '.join(changed)}. Put those values back, or train a new run with the new config.")
        raise CheckpointError(msg) from None


def _open(run: str, finite: bool = False) -> tuple[Any, dict[str, Any]]:
    """A session with the run's final (or latest) weights loaded, in eval mode. Weights holding nan or
    inf are a CheckpointError when ``finite`` (evaluate, predict, draw), else a note."""
    require_run(run)
    ckpt = load_checkpoint(run, required=False)
    cfg = read_run_config(run, ckpt)   # a folder that is not a run at all: say so first
    if ckpt is None:
        ckpt = load_checkpoint(run)
    from .session import Session

    sess = Session(cfg, standardize_target=_standardized(ckpt))
    _restore(sess, ckpt, run, weights_only=True)
    from .run_schema import describe_nonfinite, nonfinite_weights
    if bad := nonfinite_weights(ckpt["trainer"]["model"]):
        from ..io import CheckpointError
        if finite:
            raise CheckpointError(describe_nonfinite(bad, os.path.join(run, CHECKPOINT)).capitalize() + ".")
        print(f"note: {describe_nonfinite(bad, os.path.join(run, CHECKPOINT))}", file=sys.stderr)
    from ..train import History
    sess.trainer.history = History()
    sess.trainer.history.load_state_dict(ckpt["trainer"]["history"])
    if ckpt.get("status") != "done":
        print(f"note: {run} is unfinished (interrupted after epoch {ckpt['trainer'].get('epoch')}); using the "
              f"weights of that epoch. `chainrule resume {run}` completes it.", file=sys.stderr)
    return sess, ckpt


# --- evaluate / predict / draw / summary -------------------------------------------------------------------
def cmd_evaluate(args: argparse.Namespace) -> int:
    sess, _ = _open(args.run, finite=True)
    part = args.split
    res = sess.trainer.evaluate(sess.loader(part))
    metrics = {f"{part}_{k}": float(v) for k, v in res.items()}
    s = sess.split
    print(f"{args.run}: {A.describe_model(sess)} on {s.name}, {part} split ({len(getattr(s, 'x_' + part))} samples)")
    print(A.format_metrics(metrics, parts=(part,)))
    if sess.task == "classification" and s.name != "text":  # (a character model's table would be vocab x vocab)
        print(f"\nconfusion matrix ({part} split; rows: true class, columns: predicted class)")
        print(A.format_confusion(A.confusion_matrix(sess, part), s.class_names))
    if bad := [k for k, v in metrics.items() if v != v or v in (float("inf"), float("-inf"))]:
        print(f"warning: {', '.join(bad)} is not finite: the model's outputs overflow on the {part} split (its "
              "weights are finite but too large); the run diverged. Train again with a lower --lr.", file=sys.stderr)
        return 1
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from .predict import predict_file

    sess, ckpt = _open(args.run, finite=True)
    text, n = predict_file(sess, ckpt["data"], args.input)
    if args.output:
        write_text(args.output, text, retry="the same chainrule predict command")
        print(f"wrote {n} predictions to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_draw(args: argparse.Namespace) -> int:
    sess, _ = _open(args.run, finite=True)
    written, notes = A.draw_pictures(sess, args.run, retry=f"chainrule draw {args.run}")
    for p in written:
        print(f"wrote {p}")
    for n in notes:
        print(f"note: {n}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from ..train import summary

    sess, _ = _open(args.run)
    print(f"{args.run}: {A.describe_model(sess)} on {sess.split.name}")
    if sess.split.name == "text":  # a language model reads character ids: show it one real window
        print(summary(sess.model, input_data=sess.split.x_test[:1]))
        return 0
    print(summary(sess.model, (1, *sess.split.input_shape)))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """``chainrule serve``: the local web app (imported only here)."""
    from ..serve import serve

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a port number; give one from 1 to 65535 (or 0 for any free port).")
    return serve(args.folder, host=args.host, port=args.port, open_browser=args.open)


COMMANDS = {"train": cmd_train, "resume": cmd_resume, "evaluate": cmd_evaluate, "predict": cmd_predict,
            "draw": cmd_draw, "summary": cmd_summary, "serve": cmd_serve}
