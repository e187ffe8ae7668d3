"""argparse value types shared by the command-line modules (private)."""

from __future__ import annotations

import argparse
import difflib

__all__ = ["positive_int", "nonnegative_int", "alpha_value", "closest"]


def closest(word, choices):
    """The choice ``word`` most likely meant (the same but for case, else
    the closest spelling, else the one choice it begins, e.g. ``fake`` for
    ``fake_cluster``; case ignored), or None."""
    lower = {c.lower(): c for c in choices}
    if word.lower() in lower:
        return lower[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lower), n=1)
    if close:
        return lower[close[0]]
    begun = [c for c in lower if word and c.startswith(word.lower())]
    return lower[begun[0]] if len(begun) == 1 else None


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
