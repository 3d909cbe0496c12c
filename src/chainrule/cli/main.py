"""`chainrule` command line: argument parsing, dispatch, and turning user mistakes into one paragraph."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import textwrap
import warnings
from collections.abc import Sequence

from ..errors import UserError
from .config import SPECS, parse_int_list

__all__ = ["main", "build_parser"]

EXIT_USER_ERROR = 2

_EPILOG = """\
examples:
  chainrule train                                   the seed's MLP on the bundled digits (>= 95% test accuracy)
  chainrule train --dataset moons --hidden 16,16 --epochs 100 --out runs/moons
  chainrule train --config my.toml --lr 1e-3        flags override the config file
  chainrule evaluate runs/moons                     test metrics and confusion matrix
  chainrule predict runs/moons --input points.csv   predictions and class probabilities
  chainrule resume runs/moons                       continue an interrupted run exactly
  chainrule serve runs --open                       watch the runs live, and the playground, in the browser
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """A usage error: the usage line, one paragraph with a "did you mean" where one is close, exit
        status 2 (argparse's convention)."""
        self.print_usage(sys.stderr)
        hint = f"Run `{self.prog} --help` for the list of options."
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}.{self._suggest(message)} {hint}\n")

    def _suggest(self, message: str) -> str:
        """`` Did you mean --hidden (not --hiden)?`` for a misspelt flag or choice (else "")."""
        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if m:
            choices = [c.strip().strip("'") for c in m.group(2).split(",")]
            close = difflib.get_close_matches(m.group(1), choices, n=1, cutoff=0.6)
            return f" Did you mean {close[0]!r}?" if close else ""
        m = re.match(r"unrecognized arguments: (.*)$", message)
        if m:
            flags = [s for a in self._actions for s in a.option_strings if s.startswith("--")]
            out = []
            for word in m.group(1).split():
                close = difflib.get_close_matches(word.split("=")[0], flags, n=1, cutoff=0.75) \
                    if word.startswith("-") else []
                if close:
                    out.append(f"{close[0]} (not {word.split('=')[0]})")
            return f" Did you mean {', '.join(out)}?" if out else ""
        return ""


def _ints(text: str) -> list[int]:
    try:
        return parse_int_list(text)
    except UserError as e:
        raise argparse.ArgumentTypeError(str(e).rstrip(".")) from None


def _add_train_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="TOML file of config keys (flags given here override it)")
    p.add_argument("--out", metavar="DIR", help="run directory (default: runs/<dataset>-<model>-<time>)")
    p.add_argument("--force", action="store_true", help="replace the run in a non-empty --out directory")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors and the final result")
    g = p.add_argument_group("configuration (also settable in the --config file, with underscores)")
    for s in SPECS:
        flags = ["--" + s.key.replace("_", "-")] + (["--root"] if s.key == "data_root" else [])
        default = f" (default: {s.default})" if s.default not in (None, False) else ""
        if s.type == "ints":
            default = f" (default: {','.join(map(str, s.default))})"
        help_text = s.help + default
        if s.type == "bool":
            g.add_argument(*flags, dest=s.key, action=argparse.BooleanOptionalAction, default=None, help=help_text)
            continue
        kw: dict = {"dest": s.key, "default": None, "help": help_text}
        if s.type == "ints":
            kw.update(type=_ints, metavar="N,N")
        elif s.type == "int":
            kw.update(type=int, metavar="N")
        elif s.type == "float":
            kw.update(type=float, metavar="X")
        elif s.choices:
            kw.update(choices=s.choices)
        else:
            kw.update(metavar="PATH" if s.key == "data_root" else s.key.upper())
        g.add_argument(*flags, **kw)


def build_parser() -> argparse.ArgumentParser:
    """The ``chainrule`` command's argument parser: one subcommand each for train, evaluate, predict..."""
    parser = _Parser(prog="chainrule", description="Train, evaluate and inspect neural networks with chainrule.",
                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"chainrule {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)
    parser.set_defaults(_commands=sub.choices)

    p = sub.add_parser("train", help="train a model and write a run directory",
                       usage="%(prog)s [--config FILE] [--out DIR] [--force] [--quiet] [--dataset NAME] [options]")
    _add_train_flags(p)

    p = sub.add_parser("evaluate", help="metrics on the test split (confusion matrix for classifiers)")
    p.add_argument("run", metavar="RUN", help="run directory written by `chainrule train`")
    p.add_argument("--split", choices=("test", "val", "train"), default="test", help="which split (default: test)")

    p = sub.add_parser("predict", help="predict a CSV or .npy file of raw features")
    p.add_argument("run", metavar="RUN", help="run directory written by `chainrule train`")
    p.add_argument("--input", "-i", required=True, metavar="FILE", help="CSV (with or without header) or .npy")
    p.add_argument("--output", "-o", metavar="FILE", help="write the predictions as CSV here (default: stdout)")

    p = sub.add_parser("resume", help="continue an interrupted run exactly where its last epoch ended")
    p.add_argument("run", metavar="RUN", help="run directory written by `chainrule train`")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors and the final result")

    p = sub.add_parser("draw", help="(re)draw the run's pictures: network.svg, graph.svg, curves.png")
    p.add_argument("run", metavar="RUN", help="run directory written by `chainrule train`")

    p = sub.add_parser("summary", help="layer table: names, output shapes, parameter counts")
    p.add_argument("run", metavar="RUN", help="run directory written by `chainrule train`")

    p = sub.add_parser("serve", help="local web app: live run dashboards and a playground that trains live")
    p.add_argument("folder", metavar="FOLDER", nargs="?", default="runs",
                   help="folder whose run directories are shown (default: runs)")
    p.add_argument("--port", type=int, default=8000, metavar="N", help="port to listen on (default: 8000; 0: any)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    return parser


def _version() -> str:
    from .. import __version__
    return __version__


def _print_error(message: str) -> None:
    text = " ".join(str(message).split())
    print(textwrap.fill(f"chainrule: error: {text}", width=100, break_long_words=False,
                        break_on_hyphens=False), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `chainrule` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the subcommand's parser, whose --help lists its options
            sub = getattr(args, "_commands", {}).get(getattr(args, "command", None), parser)
            sub.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as e:  # --help, --version, usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_USER_ERROR)
    from . import commands
    try:
        with warnings.catch_warnings():
            # overflow in a diverging run: NaNGuard stops it and says so in one paragraph
            warnings.simplefilter("ignore", RuntimeWarning)
            return commands.COMMANDS[args.command](args)
    except UserError as e:
        _defer_to_rank0()
        _print_error(str(e))
        _abort_other_ranks(EXIT_USER_ERROR)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("\nchainrule: interrupted. A run continues from its last finished epoch with "
              "`chainrule resume RUN`.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `chainrule predict ... | head`
        return 0
    except OSError as e:  # a file operation no command anticipated (a full disk...): still one paragraph
        from .run import FULL_DISK, write_failure
        _print_error(write_failure(e.filename, e) if e.errno in FULL_DISK else
                     f"A file operation failed: {e}. Check the path, its permissions and the disk, then run the "
                     "command again.")
        _abort_other_ranks(EXIT_USER_ERROR)
        return EXIT_USER_ERROR


def _defer_to_rank0() -> None:
    """Under mpiexec, an error every rank meets is printed once, by rank 0 (see distributed.defer_to_rank0)."""
    dist = sys.modules.get("chainrule.distributed")
    if dist is not None and dist.is_initialized():
        from ..distributed._group import defer_to_rank0

        defer_to_rank0()


def _abort_other_ranks(code: int) -> None:
    """Under mpiexec, an error on one rank ends every rank (the others would wait for it forever)."""
    dist = sys.modules.get("chainrule.distributed")
    if dist is not None and dist.is_initialized() and dist.get_world_size() > 1:
        dist.abort(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
