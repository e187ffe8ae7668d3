"""The scikit-learn estimator protocol without depending on scikit-learn.

:class:`ParamsMixin` gives ``get_params`` / ``set_params`` / ``__repr__`` by
introspecting ``__init__``'s signature (so ``sklearn.base.clone`` and grid
searches work on an estimator whose ``__init__`` only stores its arguments),
and ``_validate_params``, which checks every parameter against the class's
``_parameter_constraints``: ``{name: constraint}``, where a constraint is a
callable ``(value, name) -> None`` raising :class:`ValidationError` that names
the parameter and the value. Validation happens at ``fit``, as in
scikit-learn: ``__init__`` and ``set_params`` never raise.

Constraint factories: :func:`integer`, :func:`real`, :func:`one_of`,
:func:`mapping`, :func:`seed`.
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from ._validation import check_float, check_int
from .exceptions import ValidationError

__all__ = ["ParamsMixin", "integer", "real", "one_of", "mapping", "seed"]


def integer(min_val=None, none=False):
    """An integer ``>= min_val`` (or None when ``none``)."""
    def check(value, name):
        if not (none and value is None):
            check_int(value, name, min_val=min_val)
    return check


def real(min_val=None, max_val=None, *, include_min=True, include_max=True, none=False):
    """A finite real number in the stated interval (or None when ``none``)."""
    lo, hi = "[" if include_min else "(", "]" if include_max else ")"
    low = "-inf" if min_val is None else min_val
    high = "inf" if max_val is None else max_val
    span = f"{lo}{low}, {high}{hi}"

    def check(value, name):
        if none and value is None:
            return
        try:
            check_float(value, name, min_val=min_val, max_val=max_val, include_min=include_min,
                        include_max=include_max)
        except ValidationError:
            raise ValidationError(f"{name} must be a number in {span}"
                                  f"{' or None' if none else ''}, got {value!r}") from None
    return check


def one_of(registry, kind):
    """A key of ``registry`` (read at validation time, so later entries count)."""
    def check(value, name):
        if not isinstance(value, str) or value not in registry:
            raise ValidationError(f"{kind} {value!r} unknown (parameter {name}); "
                                  f"choose from {sorted(registry)}")
    return check


def mapping():
    """None or a dict with string keys (options handed to a stage)."""
    def check(value, name):
        if value is None:
            return
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ValidationError(f"{name} must be None or a dict of keyword options, "
                                  f"got {value!r}")
    return check


def seed():
    """None, a non-negative integer, a SeedSequence or a Generator."""
    def check(value, name):
        if value is None or isinstance(value, (np.random.Generator, np.random.SeedSequence)):
            return
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0:
            return
        raise ValidationError(f"{name} must be None, a non-negative int, a SeedSequence or "
                              f"a numpy Generator, got {value!r}")
    return check


class ParamsMixin:
    """``get_params``, ``set_params``, ``__repr__`` and ``_validate_params``."""

    _parameter_constraints: dict = {}

    @classmethod
    def _get_param_names(cls):
        """Names of ``__init__``'s parameters, in signature order."""
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    def get_params(self, deep=True):
        """The estimator's parameters.

        Parameters
        ----------
        deep : bool
            Accepted for scikit-learn compatibility; no parameter is itself
            an estimator, so it changes nothing.

        Returns
        -------
        dict
            ``{name: value}`` for every argument of ``__init__``.
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set parameters by name; values are validated at ``fit``.

        Parameters
        ----------
        **params
            Parameter values, keyed by ``__init__`` argument names.

        Returns
        -------
        self

        Raises
        ------
        ValidationError
            A name is not a parameter of this estimator.
        """
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValidationError(f"{name!r} is not a parameter of "
                                      f"{type(self).__name__}; valid: {valid}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        sig = inspect.signature(type(self).__init__).parameters
        parts = []
        for name, value in self.get_params().items():
            default = sig[name].default
            if default is inspect.Parameter.empty or not _same(value, default):
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _validate_params(self):
        """Check each parameter against its entry of ``_parameter_constraints``
        (that every parameter has one is a test of the estimator's suite).

        Raises
        ------
        ValidationError
            Naming the first offending parameter and its value.
        """
        for name, value in self.get_params().items():
            if name in self._parameter_constraints:   # coverage is enforced by a test
                self._parameter_constraints[name](value, name)


def _same(a, b):
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
