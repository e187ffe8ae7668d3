"""Command line: ``robust-mlr demo`` and ``robust-mlr experiment ...``."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _demo(args):
    from .demo import run
    run(seed=args.seed, quick=args.quick, out=args.out, attack=args.attack, alpha=args.alpha)
    return 0


def build_parser():
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="robust-mlr",
        description="Robust meta-learning of mixed linear regression (Kong et al. 2020).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo", help="meta-learn the default problem; print a table and write a plot",
        description="Generate the default problem (d=32, k=4, n_L1=20000 tasks of t=2, "
                    "n_H=400 of t=128, n_L2=20000 of t=8), fit the learners, print their "
                    "errors and write demo.png.")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--quick", action="store_true", help="a smaller problem (seconds)")
    demo.add_argument("--out", default="demo_output", help="folder for the plot")
    demo.add_argument("--attack", default="fake_cluster",
                      help="attack name (see docs/adversary.md) or 'none' (default fake_cluster)")
    demo.add_argument("--alpha", type=float, default=0.05,
                      help="corrupted fraction per attacked pool (default 0.05)")
    demo.set_defaults(func=_demo)
    try:
        from .engine.cli import add_experiment_parser
    except ImportError:          # pragma: no cover - engine ships with the package
        add_experiment_parser = None
    if add_experiment_parser is not None:
        add_experiment_parser(sub)
    return parser


def main(argv=None):
    """Entry point of the ``robust-mlr`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
