"""Command line: ``robust-mlr demo`` and ``robust-mlr experiment ...``.

User errors (an unknown attack or experiment, an out-of-range number, a path
that cannot be written, a damaged file) end as one line on stderr,
``robust-mlr: error: ...``, and exit status 2, never a traceback. Warnings
print as one line each. Ctrl-C stops a command with one line and exit
status 130 (a sweep first saves its finished trials); a second Ctrl-C exits
at once. A reader that closes stdout early (``robust-mlr fit ... | head``)
ends the command quietly with status 141, as SIGPIPE would, keeping the
files it wrote.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import difflib
import os
import re
import signal
import sys
import threading
import warnings

from ._argtypes import alpha_value, closest, nonnegative_int

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block) and
    that takes no abbreviated option (``--alph 0.05`` is refused with the
    option it resembles: an abbreviation would silently change meaning
    when a later option shares its prefix)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):
        message = " ".join(str(message).splitlines())
        wrong = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        close = wrong and closest(wrong.group(1), re.findall(r"'([^']*)'", wrong.group(2)))
        if close:
            message = message.replace(" (choose from ", f" (did you mean {close!r}? choose "
                                                        f"from ", 1)
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        """Parse ``args``; an unknown option is reported by the command it
        was given to, with the closest option that command has."""
        args, extras = self.parse_known_args(args, namespace)
        if extras:
            parser = _command_parser(self, args)
            options = _option_strings(parser)
            hints = []
            for word in extras:
                close = difflib.get_close_matches(word.split("=")[0], options, n=1)
                if word.startswith("-") and close:
                    hints.append(f"{word.split('=')[0]}: did you mean {close[0]}?")
            hint = f" ({'; '.join(hints)})" if hints else ""
            parser.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return args


def _subparsers(parser):
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def _command_parser(parser, args):
    """The innermost (sub)command parser that ``args`` selected."""
    for action in _subparsers(parser):
        name = getattr(args, action.dest, None) if action.dest != argparse.SUPPRESS else None
        if name in action.choices:
            return _command_parser(action.choices[name], args)
    return parser


def _option_strings(parser):
    return [o for a in parser._actions for o in a.option_strings]


def _demo(args):
    from .demo import run
    from .engine._files import check_writable_file
    check_writable_file(os.path.join(args.out, "demo.png"), "plot file", "--out folder")
    flags = _command_flags(args.parser)
    run(seed=args.seed, quick=args.quick, out=args.out, attack=args.attack, alpha=args.alpha,
        wording=lambda text: _as_typed(text, flags))
    return 0


class _ShortWarning:
    """``warnings.showwarning`` of the command line: one line, no source (cut
    only past 1000 characters: the package's own warnings end with their
    advice, which a shorter cut lost), with the options of ``flags`` named
    as the user types them (:func:`_as_typed`). An instance pickles with its
    flags, so worker processes print warnings the same way."""

    def __init__(self, flags=None):
        self.flags = dict(flags or {})

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        text = _as_typed(" ".join(str(message).split()), self.flags)
        if len(text) > 1000:
            text = text[:997] + "..."
        try:
            (file or sys.stderr).write(f"robust-mlr: warning: {category.__name__}: {text}\n")
        except OSError:                                  # pragma: no cover
            pass


#: Python advice in the package's messages and its command-line form, used
#: when the command has the option (the key of the pair).
_PHRASES = {"MetaLearner.robust(k, alpha)": ("method", "--method robust")}

_QUOTED = r"'[^']*'|\"[^\"]*\""
_VALUE = _QUOTED + r"|[-+\w.]*\w"


def _command_flags(parser):
    """``{dest: (option string, converter or choices)}`` of the options of
    ``parser`` that take a value (the long spelling)."""
    flags = {}
    for action in parser._actions:
        if action.option_strings and action.nargs != 0 and action.dest != "help":
            flags[action.dest] = (max(action.option_strings, key=len), action.type,
                                  action.choices)
    return flags


def _accepts(spec, value):
    """Whether ``value`` (a Python literal from a message) is a value the
    option takes: a quoted string for a text option, one the option's type
    converts, one of its choices. A bare name for a text option is a class
    or stage in a listing (``clustering=Linkage``), not a typed value."""
    _, convert, choices = spec
    quoted = value[:1] in "'\"" and value[:1] == value[-1:] and len(value) > 1
    text = value[1:-1] if quoted else value
    if choices is not None:
        return text in choices
    if convert is None:
        return quoted
    try:
        convert(text)
    except (argparse.ArgumentTypeError, ValueError, TypeError):
        return False
    return True


def _as_typed(text, flags):
    """``text`` with the Python spellings of the command's options as typed:
    ``name=value`` becomes ``--name value`` when the option takes that value
    (not within a list of sizes such as ``(n=28, k=2)``), a bare
    ``snake_case`` option name becomes its flag (``heavy_min_size`` ->
    ``--heavy-min-size``), and Python advice the command line cannot follow
    becomes its option (:data:`_PHRASES`)."""
    if not flags:
        return text
    for phrase, (dest, cli_form) in _PHRASES.items():
        if dest in flags:
            text = text.replace(phrase, cli_form)
    names = "|".join(sorted(map(re.escape, flags), key=len, reverse=True))

    def typed(match):
        name, value, others = match.group(1), match.group(2), match.group(3) or ""
        spec = flags[name]
        if value is None:
            return spec[0] if "_" in name else match.group(0)
        before, after = text[:match.start()], text[match.end():]
        alternatives = re.findall(_QUOTED, others)
        if (not all(_accepts(spec, v) for v in [value, *alternatives])
                or re.search(r"\w=[^\s,;]*, $", before)
                or re.match(r", \w+=", after)):     # one of a size's parts: (n=28, k=2)
            return match.group(0)
        for v in alternatives:                      # clustering='linkage' or 'em'
            others = others.replace(v, v[1:-1], 1)
        return f"{spec[0]} {value.strip(chr(34) + chr(39))}{others}"
    return re.sub(rf"(?<![\w.-])({names})(?:=({_VALUE})((?:,? or (?:{_QUOTED}))*))?"
                  rf"(?![\w(=])", typed, text)


#: What a second Ctrl-C says: during a sweep, whose rows are saved as they
#: finish, that they are; elsewhere nothing about trials.
_AGAIN = b"interrupted again: exiting now\n"
_INTERRUPT = {"said": False, "again": _AGAIN}
_AGAIN_SWEEP = b"interrupted again: exiting now; finished trials are saved, rerun to resume\n"


def _say(text):
    """Print one line on stderr (at most once per process for interruptions)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _first_sigint(signum, frame):
    signal.signal(signal.SIGINT, _second_sigint)
    raise KeyboardInterrupt


def _second_sigint(signum, frame):
    if not _INTERRUPT["said"]:
        os.write(2, _INTERRUPT["again"])
    os._exit(130)


def _ignore_late_sigint():
    """Exit hook: once an interruption is reported, ignore Ctrl-C for what
    is left of the interpreter's shutdown.

    Registered when this module is imported, before the modules a command
    imports (multiprocessing, Dask) register theirs, it runs after them:
    their hooks, which may wait (threads, a cluster's processes), still end
    at a second Ctrl-C (:func:`_second_sigint`, status 130, quietly). After
    the exit hooks Python restores SIGINT's default action, and a Ctrl-C
    there killed the process by the signal instead of status 130; ignoring
    it keeps the status (nothing in that last part waits).
    """
    if _INTERRUPT["said"] and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


atexit.register(_ignore_late_sigint)


@contextlib.contextmanager
def _cli_runtime(parser=None):
    """Ctrl-C policy and one-line warnings for the duration of a command
    (naming the options of ``parser`` as typed)."""
    main_thread = threading.current_thread() is threading.main_thread()
    old_sig = signal.getsignal(signal.SIGINT) if main_thread else None
    old_show = warnings.showwarning
    if main_thread and old_sig is signal.default_int_handler:
        signal.signal(signal.SIGINT, _first_sigint)
    sweep = parser is not None and parser.prog.endswith(" experiment run")
    _INTERRUPT["again"] = _AGAIN_SWEEP if sweep else _AGAIN
    warnings.showwarning = _ShortWarning(_command_flags(parser) if parser else None)
    try:
        yield
    finally:
        warnings.showwarning = old_show
        # once an interruption is reported the process is on its way out: a
        # further Ctrl-C during shutdown (a loaded machine can take a second
        # to unwind the workers) still ends it with status 130, not by SIGINT
        if main_thread and old_sig is not None and not _INTERRUPT["said"]:
            signal.signal(signal.SIGINT, old_sig)


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
    demo.add_argument("--seed", type=nonnegative_int, default=0,
                      help="random seed >= 0 (default 0)")
    demo.add_argument("--quick", action="store_true", help="a smaller problem (seconds)")
    demo.add_argument("--out", default="demo_output", help="folder for the plot")
    demo.add_argument("--attack", default="fake_cluster", choices=["none", *sorted(ATTACKS)],
                      metavar="ATTACK",
                      help="attack name (see docs/adversary.md) or 'none' (default "
                           "fake_cluster); one of: none, " + ", ".join(sorted(ATTACKS)))
    demo.add_argument("--alpha", type=alpha_value, default=0.05,
                      help="corrupted fraction per attacked pool, in [0, 0.5) (default 0.05)")
    demo.set_defaults(func=_demo, parser=demo)
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
        Exit status: 0, 1 (nothing to do), 130 (interrupted), 141 (stdout
        closed by its reader); user errors exit with status 2 through
        :class:`SystemExit`.
    """
    try:                    # a Ctrl-C before the command's own policy: one line too
        from .engine._files import OutputPathError
        from .engine.runner import SweepInterrupted
        from .exceptions import ValidationError
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    parser = getattr(args, "parser", parser)        # errors name the command given
    with _cli_runtime(parser):
        try:
            return args.func(args)
        except SweepInterrupted as exc:
            _INTERRUPT["said"] = True
            _say(str(exc))
            return 130
        except KeyboardInterrupt:
            _INTERRUPT["said"] = True
            _say("interrupted")
            return 130
        except BrokenPipeError:         # `robust-mlr ... | head`: the reader stopped reading
            return _reader_gone()
        except (ValidationError, OutputPathError) as exc:
            _fail(parser, str(exc))
        except OSError as exc:          # a file or folder the user named
            where = f" {exc.filename}" if exc.filename else ""
            _fail(parser, f"cannot use{where}: {exc.strerror or exc}")


def _reader_gone():
    """Exit quietly, as a command killed by SIGPIPE would (status 141), when
    the program reading stdout has closed it: what the command wrote to its
    files stays; stdout goes to /dev/null so that the interpreter's final
    flush raises nothing more."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141


def _fail(parser, message):
    message = " ".join(str(message).split())
    parser.exit(2, f"{parser.prog}: error: {message}\n")


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
