"""Exceptions and warnings of :mod:`sos` (subclassing builtins)."""

__all__ = ["SolverFailedError", "SolverInaccurateWarning", "SosValidationError"]


class SosValidationError(ValueError):
    """Bad input to an SoS construction (names the parameter and value)."""


class SolverFailedError(RuntimeError):
    """A solve failed or was infeasible; the message names solver and size."""


class SolverInaccurateWarning(UserWarning):
    """The solver returned an ``*_inaccurate`` status."""
