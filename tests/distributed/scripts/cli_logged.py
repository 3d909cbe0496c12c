"""``chainrule ARGS`` under mpiexec, logging every file each rank creates or replaces.

Usage: cli_logged.py LOGDIR [--stop-after EPOCH] -- ARGS...   Writes LOGDIR/rank<R>.log (one path a line).
``--stop-after`` interrupts every rank (KeyboardInterrupt) after that epoch's checkpoint, as Ctrl-C would.
"""

from __future__ import annotations

import builtins
import os
import sys


def run() -> None:
    logdir, rest = sys.argv[1], sys.argv[2:]
    stop_after = None
    if rest[0] == "--stop-after":
        stop_after, rest = int(rest[1]), rest[2:]
    args = rest[1:] if rest[0] == "--" else rest
    rank = int(os.environ.get("PMI_RANK", os.environ.get("OMPI_COMM_WORLD_RANK", "0")))
    _open, _os_open, _replace, _makedirs = builtins.open, os.open, os.replace, os.makedirs
    log = _open(os.path.join(logdir, f"rank{rank}.log"), "a", buffering=1)


    def note(path: object) -> None:
        full = os.path.abspath(os.fspath(path))
        if "__pycache__" not in full.split(os.sep):  # compiled-code caches (numba's, like .pyc) are not output
            log.write(full + "\n")


    def open_(file, mode="r", *a, **k):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
            note(file)
        return _open(file, mode, *a, **k)


    def os_open(path, flags, *a, **k):  # type: ignore[no-untyped-def]
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            note(path)
        return _os_open(path, flags, *a, **k)


    def replace(src, dst, *a, **k):  # type: ignore[no-untyped-def]
        note(dst)
        return _replace(src, dst, *a, **k)


    def makedirs(name, *a, **k):  # type: ignore[no-untyped-def]
        if not os.path.isdir(name):
            note(name)
        return _makedirs(name, *a, **k)


    builtins.open, os.open, os.replace, os.makedirs = open_, os_open, replace, makedirs

    from chainrule.cli import main
    from chainrule.cli.session import SaveEachEpoch

    if stop_after is not None:
        _end = SaveEachEpoch.on_epoch_end

        def on_epoch_end(self, trainer, epoch, logs):  # type: ignore[no-untyped-def]
            _end(self, trainer, epoch, logs)
            if epoch == stop_after:
                raise KeyboardInterrupt

        SaveEachEpoch.on_epoch_end = on_epoch_end  # type: ignore[method-assign]

    sys.exit(main(args))


if __name__ == "__main__":
    run()
