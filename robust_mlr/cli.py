"""Command line: ``robust-mlr demo`` and ``robust-mlr experiment ...``.

User errors (an unknown attack or experiment, an out-of-range number) end as
argparse errors: one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block)."""

    def error(self, message):
        message = " ".join(str(message).splitlines())
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _alpha(text):
    """argparse type of a corruption fraction in [0, 0.5)."""
    from ._validation import check_alpha
    from .exceptions import ValidationError
    try:
        return check_alpha(float(text))
    except ValueError as exc:       # float() failures and ValidationError alike
        msg = str(exc) if isinstance(exc, ValidationError) else f"{text!r} is not a number"
        raise argparse.ArgumentTypeError(msg) from None


def _demo(args):
    from .demo import run
    run(seed=args.seed, quick=args.quick, out=args.out, attack=args.attack, alpha=args.alpha)
    return 0


def build_parser():
    """The argument parser (exposed for documentation and tests).

    Returns
    -------
    argparse.ArgumentParser
    """
    from . import __version__
    from .adversary import ATTACKS
    parser = _Parser(
        prog="robust-mlr",
        description="Robust meta-learning of mixed linear regression (Kong et al. 2020).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo", help="meta-learn the default problem; print a table and write a plot",
        description="Generate the default problem (d=32, k=4, n_L1=20000 tasks of t=2, "
                    "n_H=400 of t=128, n_L2=20000 of t=8), fit the learners, print their "
                    "errors and write demo.png.")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--quick", action="store_true", help="a smaller problem (seconds)")
    demo.add_argument("--out", default="demo_output", help="folder for the plot")
    demo.add_argument("--attack", default="fake_cluster", choices=["none", *sorted(ATTACKS)],
                      metavar="ATTACK",
                      help="attack name (see docs/adversary.md) or 'none' (default "
                           "fake_cluster); one of: none, " + ", ".join(sorted(ATTACKS)))
    demo.add_argument("--alpha", type=_alpha, default=0.05,
                      help="corrupted fraction per attacked pool, in [0, 0.5) (default 0.05)")
    demo.set_defaults(func=_demo)
    from .engine.cli import add_experiment_parser
    add_experiment_parser(sub)
    from .cli_data import add_data_parsers
    add_data_parsers(sub)
    return parser


def main(argv=None):
    """Entry point of the ``robust-mlr`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status; user errors exit with status 2 through argparse.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
