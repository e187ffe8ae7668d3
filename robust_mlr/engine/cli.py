"""``robust-mlr experiment list | run | plot``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["add_experiment_parser"]


def _list(args):
    from .registry import available_experiments
    for name, exp in available_experiments().items():
        first = (exp.description.strip().splitlines() or [""])[0]
        n_full = len(exp.trials())
        n_quick = len(exp.trials(quick=True))
        print(f"{name:24s} {first}  [{n_full} trials; --quick {n_quick}]")
    return 0


def _run(args):
    from .registry import get_experiment
    from .runner import run_sweep
    from .storage import read_results
    exp = get_experiment(args.name)
    path = run_sweep(exp, args.out, quick=args.quick, workers=args.workers, dask=args.dask,
                     progress=not args.no_progress)
    if exp.plot is not None and not args.no_plot:
        for p in exp.plot(read_results(path), Path(args.out)):
            print(f"figure: {p}")
    return 0


def _plot(args):
    from .registry import get_experiment
    from .storage import read_results
    rows = read_results(args.results)
    if not rows:
        print(f"{args.results}: no trials")
        return 1
    exp = get_experiment(args.experiment or rows[0]["experiment"])
    if exp.plot is None:
        print(f"experiment {exp.name} defines no plot")
        return 1
    out = Path(args.out) if args.out else Path(args.results).parent
    for p in exp.plot(rows, out):
        print(f"figure: {p}")
    return 0


def add_experiment_parser(sub):
    """Add the ``experiment`` command to the top-level subparsers."""
    exp = sub.add_parser("experiment", help="list, run and plot studies",
                         description="Sweeps of (parameters × seeds) with resumable, "
                                     "tidy CSV results.")
    esub = exp.add_subparsers(dest="exp_command", metavar="ACTION")
    esub.required = True
    p = esub.add_parser("list", help="list the available experiments")
    p.set_defaults(func=_list)
    p = esub.add_parser("run", help="run (or resume) a sweep",
                        description="Run every unfinished trial of NAME and append it to "
                                    "OUT/NAME.csv; a rerun resumes a killed sweep.")
    p.add_argument("name", help="experiment name, module:ATTR, or a sweep .toml file")
    p.add_argument("--quick", action="store_true", help="the small smoke-test size (< 1 min)")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: all cores; 1 = in process)")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run on a Dask scheduler at ADDRESS, or 'local' for a local cluster")
    p.add_argument("--out", default="results", help="results folder (default: results)")
    p.add_argument("--no-plot", action="store_true", help="do not draw the figures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_run)
    p = esub.add_parser("plot", help="draw the figures of a results file")
    p.add_argument("results", help="a results CSV written by 'experiment run'")
    p.add_argument("--experiment", help="experiment whose plot to use (default: from the file)")
    p.add_argument("--out", help="folder for the figures (default: beside the results)")
    p.set_defaults(func=_plot)
