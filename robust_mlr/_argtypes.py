"""argparse value types shared by the command-line modules (private)."""

from __future__ import annotations

import argparse

__all__ = ["positive_int", "nonnegative_int", "alpha_value"]


def _integer(text, low, what):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"{what} must be >= {low}, got {value}")
    return value


def positive_int(text):
    """A count >= 1."""
    return _integer(text, 1, "the value")


def nonnegative_int(text):
    """A seed: an integer >= 0."""
    return _integer(text, 0, "seed")


def alpha_value(text):
    """A corruption fraction in [0, 0.5)."""
    from ._validation import check_alpha
    from .exceptions import ValidationError
    try:
        return check_alpha(float(text))
    except ValueError as exc:       # float() failures and ValidationError alike
        msg = str(exc) if isinstance(exc, ValidationError) else f"{text!r} is not a number"
        raise argparse.ArgumentTypeError(msg) from None
