"""``robust-mlr experiment list | run | plot``.

A name that resolves to no study, a sweep file with an unknown key, a
results file another run holds, a results location that cannot be written,
a file of the wrong shape, a plot that does not fit the file, or ``--dask``
without Dask is a user error: reported through the subcommand's parser (one
line, exit status 2) before any trial runs where it can be known then.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .._argtypes import positive_int
from ..exceptions import ValidationError
from ._files import OutputPathError, check_writable_dir, check_writable_file
from .storage import ResultsFileBusyError

__all__ = ["add_experiment_parser"]

# What resolving a name, module:ATTR or .toml file raises on bad user input.
_LOOKUP_ERRORS = (ValidationError, ImportError, AttributeError, OSError, ValueError)


def _resolve(args, spec):
    from .registry import get_experiment
    try:
        return get_experiment(spec)
    except _LOOKUP_ERRORS as exc:       # tomllib.TOMLDecodeError is a ValueError
        args.parser.error(str(exc) if isinstance(exc, ValidationError)
                          else f"experiment {spec}: {type(exc).__name__}: {exc}")


def _list(args):
    from .registry import available_experiments
    for name, exp in available_experiments().items():
        first = (exp.description.strip().splitlines() or [""])[0]
        n_full = len(exp.trials())
        n_quick = len(exp.trials(quick=True))
        print(f"{name:24s} {first}  [{n_full} trials; --quick {n_quick}]")
        params = []                     # what a sweep file's [grid] may set
        for point in exp.points() + exp.points(quick=True):
            params += [k for k in point if k not in params]
        print(f"{'':24s} grid parameters: {', '.join(params)}")
    return 0


def _run(args):
    from .plotting import figure_suffix
    from .runner import SweepInterrupted, check_dask, results_path, run_sweep
    from .storage import read_said_results
    if args.workers is not None and args.dask not in (None, "local", ""):
        # a remote scheduler runs the trials on its own workers: the number was ignored
        args.parser.error(f"--workers {args.workers}: the Dask scheduler at --dask {args.dask} "
                          f"runs the trials on its own workers; the option sets the local "
                          f"processes, or the workers of --dask local")
    exp = _resolve(args, args.name)
    try:
        check_dask(args.dask)
        check_writable_file(results_path(exp, args.out, args.quick), "results file",
                            "--out folder")
        path = run_sweep(exp, args.out, quick=args.quick, workers=args.workers,
                         dask=args.dask, progress=not args.no_progress,
                         overwrite=args.overwrite)
    except (ResultsFileBusyError, ValidationError, OutputPathError, ImportError) as exc:
        args.parser.error(str(exc))
    except OSError as exc:
        if args.dask is None or exc.filename is not None:     # a file: main() names it
            raise
        args.parser.error(f"--dask {args.dask}: {exc}")   # no scheduler at that address
    if exp.plot is not None and not args.no_plot:
        try:
            with figure_suffix("-quick" if args.quick else ""):
                for p in exp.plot(read_said_results(path), Path(args.out)):
                    print(f"figure: {p}")
        except (KeyError, IndexError, TypeError, ValueError) as exc:     # the rows stay saved
            warnings.warn(f"the plot of experiment {exp.name} failed on these rows "
                          f"({type(exc).__name__}: {exc}); the rows are in {path}",
                          UserWarning, stacklevel=2)
        except KeyboardInterrupt:       # every trial is saved: a rerun only draws
            raise SweepInterrupted(path, len(exp.trials(args.quick)),
                                   "draw the figure") from None
    return 0


def _plot(args):
    from .plotting import figure_suffix
    from .storage import read_results
    if not Path(args.results).exists():
        args.parser.error(f"results file {args.results} does not exist")
    try:
        rows = read_results(args.results)
    except (OSError, ValidationError) as exc:
        args.parser.error(str(exc))
    if not rows:
        print(f"{args.results}: no trials")
        return 1
    if args.experiment is None:             # the study named in the file's rows
        from .registry import get_experiment
        name = rows[0]["experiment"]
        try:
            exp = get_experiment(name)
        except _LOOKUP_ERRORS:              # a sweep file's rows carry the file's name
            args.parser.error(f"{args.results}: its trials are of experiment {name!r}, which "
                              f"is not a study (the name of a sweep file?): pass --experiment "
                              f"with the study or the sweep file that ran them, e.g. "
                              f"--experiment {name}.toml")
    else:
        exp = _resolve(args, args.experiment)
    if exp.plot is None:
        print(f"experiment {exp.name} defines no plot")
        return 1
    out = Path(args.out) if args.out else Path(args.results).parent
    try:
        check_writable_dir(out, "figure folder")
    except OutputPathError as exc:
        args.parser.error(str(exc))
    quick = Path(args.results).stem.endswith("-quick")
    try:
        with figure_suffix("-quick" if quick else ""):
            paths = exp.plot(rows, out)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        studies = sorted({str(r.get("experiment")) for r in rows})
        args.parser.error(f"the plot of experiment {exp.name} cannot draw {args.results} "
                          f"(trials of {', '.join(studies)}): {type(exc).__name__}: {exc}")
    for p in paths:
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
    p.set_defaults(func=_list, parser=p)
    p = esub.add_parser("run", help="run (or resume) a sweep",
                        description="Run every unfinished trial of NAME and append it to "
                                    "OUT/NAME.csv; a rerun with the same settings resumes "
                                    "a killed sweep, one with other settings (grid, "
                                    "replicates) is refused unless --overwrite.")
    p.add_argument("name", help="experiment name, module:ATTR, or a sweep .toml file")
    p.add_argument("--quick", action="store_true", help="the small smoke-test size (< 1 min)")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="local worker processes, also those of --dask local (default: all "
                        "cores; 1 = in process); not with a remote --dask scheduler")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run on a Dask scheduler at ADDRESS, or 'local' for a local cluster")
    p.add_argument("--out", default="results", help="results folder (default: results)")
    p.add_argument("--overwrite", action="store_true",
                   help="start OUT/NAME.csv over instead of resuming it (its rows are removed)")
    p.add_argument("--no-plot", action="store_true", help="do not draw the figures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_run, parser=p)
    p = esub.add_parser("plot", help="draw the figures of a results file")
    p.add_argument("results", help="a results CSV written by 'experiment run'")
    p.add_argument("--experiment", help="experiment whose plot to use (default: from the file)")
    p.add_argument("--out", help="folder for the figures (default: beside the results)")
    p.set_defaults(func=_plot, parser=p)
