"""The base of the pipeline's stage objects (private module).

A stage declares its options in its constructor, stores them verbatim and
learns attributes ending in ``_``; its options are checked once, at ``fit``,
against ``_parameter_constraints``. A misspelled option fails at
construction with a :class:`~robust_mlr.exceptions.ValidationError` naming
the stage, the option and the valid ones. ``robust`` says whether the stage
is built to withstand the threat model's corrupted tasks; ``pool`` names the
pool it reads.
"""

from __future__ import annotations

import abc
import difflib

from .. import _params
from ..exceptions import ValidationError

__all__ = ["Stage", "make_stage"]


class Stage(_params.ParamsMixin, metaclass=abc.ABCMeta):
    """A pipeline stage: options in the constructor, ``fit``, attributes ``*_``."""

    #: Whether the stage is built for corrupted tasks (a class attribute, or a
    #: property where an option decides it).
    robust = False
    #: The pool the stage reads: ``"light1"``, ``"heavy"`` or ``"light2"``.
    pool = ""
    #: What the stage does in the pipeline (``"subspace"``, ``"clustering"``, ...).
    kind = "stage"

    def __init__(self):
        pass

    def _options(self):
        """The validated options, as a dict."""
        self._validate_params()
        return self.get_params(deep=False)


def make_stage(value, aliases, base):
    """A fresh stage object from a name in ``aliases`` or a stage object.

    Parameters
    ----------
    value : str or Stage
        An alias (``"filter"``) or a stage object, which is cloned so fitting
        never changes the caller's object.
    aliases : dict
        ``{name: (StageClass, preset options)}``.
    base : type
        The stage kind's base class (its ``kind`` names it in errors); any
        subclass, the user's own included, is accepted.

    Raises
    ------
    ValidationError
        An unknown alias or an object of the wrong kind.
    """
    kind = base.kind
    if isinstance(value, str):
        if value not in aliases:
            close = difflib.get_close_matches(value, list(aliases), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValidationError(f"{kind} method {value!r} unknown{hint}; choose from "
                                  f"{sorted(aliases)} or pass a stage object")
        cls, preset = aliases[value]
        return cls(**preset)
    if not isinstance(value, base):
        raise ValidationError(f"{kind} must be a name in {sorted(aliases)} or a {kind} stage "
                              f"object, got {value!r}")
    return type(value)(**value.get_params(deep=False))
