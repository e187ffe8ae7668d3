"""Exceptions and warnings of :mod:`robust_mlr`.

Every exception subclasses a builtin so callers may catch broadly
(``except ValueError``) or precisely (``except EmptyClusterError``).
"""

import functools
import sys

__all__ = [
    "ValidationError",
    "NotFittedError",
    "not_fitted",
    "EmptyClusterError",
    "SolverFailedError",
    "ConvergenceWarning",
    "CorruptionWarning",
    "IdentifiabilityWarning",
    "DataWarning",
]


class ValidationError(ValueError):
    """Bad input: the message names the parameter and the value received."""


class NotFittedError(ValidationError, AttributeError):
    """A fitted attribute or prediction was asked of an unfitted estimator.

    Like scikit-learn's, it is both a ValueError and an AttributeError, so
    ``hasattr(model, "flagged_")`` is False before ``fit``. When scikit-learn
    has been imported, the error raised is also an instance of
    ``sklearn.exceptions.NotFittedError`` (:func:`not_fitted`), so either
    ``except`` clause catches it, without this package importing scikit-learn.
    """


def not_fitted(message):
    """A :class:`NotFittedError` to raise; also scikit-learn's
    ``NotFittedError`` when ``sklearn.exceptions`` is loaded.

    Examples
    --------
    >>> isinstance(not_fitted("not fitted yet"), NotFittedError)
    True
    """
    sk = sys.modules.get("sklearn.exceptions")
    base = getattr(sk, "NotFittedError", None)
    cls = NotFittedError if base is None else _with_sklearn(base)
    return cls(message)


@functools.lru_cache(maxsize=None)
def _with_sklearn(base):
    return type("NotFittedError", (NotFittedError, base),
                {"__module__": __name__, "__doc__": NotFittedError.__doc__})


class EmptyClusterError(ValueError):
    """A stage needs every component to own at least one task and one did not."""


# one class for both packages, so ``except SolverFailedError`` catches sos failures
from sos.exceptions import SolverFailedError  # noqa: E402


class ConvergenceWarning(UserWarning):
    """An iterative method or solver stopped without full accuracy."""


class CorruptionWarning(UserWarning):
    """The data look corrupted beyond the stated fraction α: some stage
    found more implausible tasks than αn plus the Binomial margin of the
    corrupted count, or its own stopping test did not pass within its
    removal budget. The estimates' guarantees assume the stated α."""


class IdentifiabilityWarning(UserWarning):
    """Some fitted components are too close for the light tasks to tell
    apart, and every failed test of the robust regression concerns one of
    them (too few light tasks, a stop rule the overlap of two close
    components fails); no heavy anchor tells these components apart either.
    Close components explain such failures without corruption, so the fit
    raises this instead of a :class:`CorruptionWarning`. The named
    components' estimates cannot be trusted either way (a fabricated
    heavy cluster can produce the same picture), though predictions, which
    average over the posterior, may still be good."""


class DataWarning(UserWarning):
    """The data break an assumption the fit was told to make: a feature
    that is zero on every row under ``covariates="isotropic"``, which
    assumes unit variance in every coordinate. The warning's ``zero``
    attribute lists those features (columns of X, from 0), so a caller that
    knows the columns' names can name them."""
