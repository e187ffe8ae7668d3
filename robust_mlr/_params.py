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
:func:`boolean`, :func:`text`, :func:`real_or`, :func:`mapping`, :func:`seed`.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import numbers

import numpy as np

from ._validation import check_float, check_int
from .exceptions import ValidationError

__all__ = ["ParamsMixin", "unknown_option", "integer", "real", "one_of", "boolean", "text",
           "real_or", "mapping", "seed"]


def unknown_option(owner, name, valid):
    """The one-line error for an option ``name`` that ``owner`` does not have."""
    close = difflib.get_close_matches(str(name), list(valid), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ValidationError(f"{owner} has no option {name!r}{hint}; valid options: "
                           f"{', '.join(valid) if valid else 'none'}")


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
        try:
            known = not isinstance(value, bool) and value in registry
        except TypeError:                  # unhashable
            known = False
        if not known:
            raise ValidationError(f"{kind} {value!r} unknown (parameter {name}); "
                                  f"choose from {sorted(registry)}")
    return check


def boolean():
    """True or False."""
    def check(value, name):
        if not isinstance(value, (bool, np.bool_)):
            raise ValidationError(f"{name} must be True or False, got {value!r}")
    return check


def text(none=False):
    """A string (or None when ``none``)."""
    def check(value, name):
        if not (isinstance(value, str) or (none and value is None)):
            raise ValidationError(f"{name} must be a string{' or None' if none else ''}, "
                                  f"got {value!r}")
    return check


def real_or(word, min_val=None):
    """The string ``word`` or a finite real number ``>= min_val``."""
    number = real(min_val)

    def check(value, name):
        if value == word and isinstance(value, str):
            return
        try:
            number(value, name)
        except ValidationError:
            raise ValidationError(f"{name} must be {word!r} or a number >= {min_val}, "
                                  f"got {value!r}") from None
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


def _checked_init(cls, init):
    """Wrap ``init`` so an unknown keyword option raises a ValidationError
    naming the class, the option and the valid ones (not a TypeError)."""
    names = [p for p in inspect.signature(init).parameters if p != "self"]

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        for key in kwargs:
            if key not in names:
                raise unknown_option(cls.__name__, key, names)
        init(self, *args, **kwargs)
    return __init__


class ParamsMixin:
    """``get_params``, ``set_params``, ``__repr__`` and ``_validate_params``;
    a subclass's ``__init__`` rejects an unknown option with a
    :class:`ValidationError` naming it and the valid ones."""

    _parameter_constraints: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:                      # inherited: checked under this class's name
            init = getattr(cls.__init__, "__wrapped__", cls.__init__)
        cls.__init__ = _checked_init(cls, init)

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
            Also return the parameters of parameters that are themselves
            objects with ``get_params`` (stage objects), as
            ``"<name>__<option>"``.

        Returns
        -------
        dict
            ``{name: value}`` for every argument of ``__init__``.
        """
        out = {name: getattr(self, name) for name in self._get_param_names()}
        if deep:
            for name, value in list(out.items()):
                if hasattr(value, "get_params") and not isinstance(value, type):
                    out.update((f"{name}__{key}", val)
                               for key, val in value.get_params(deep=True).items())
        return out

    def set_params(self, **params):
        """Set parameters by name; values are validated at ``fit``.

        Parameters
        ----------
        **params
            Parameter values, keyed by ``__init__`` argument names, or
            ``"<name>__<option>"`` for an option of a stage object (a stage
            given by its alias is first replaced by its object).

        Returns
        -------
        self

        Raises
        ------
        ValidationError
            A name is not a parameter of this estimator or of its stage.
        """
        valid = self._get_param_names()
        nested = {}
        for name, value in params.items():
            head, sep, rest = name.partition("__")
            if head not in valid:
                raise unknown_option(type(self).__name__, head, valid)
            if sep:
                nested.setdefault(head, {})[rest] = value
            else:
                setattr(self, name, value)
        for head, sub in nested.items():
            obj = self._nested_object(head)
            obj.set_params(**sub)
            setattr(self, head, obj)
        return self

    def _nested_object(self, name):
        """The object behind parameter ``name`` whose options are being set."""
        value = getattr(self, name)
        if not hasattr(value, "set_params"):
            raise ValidationError(f"parameter {name}={value!r} of {type(self).__name__} "
                                  f"has no options to set")
        return value

    def __repr__(self):
        sig = inspect.signature(type(self).__init__).parameters
        parts = []
        for name, value in self.get_params(deep=False).items():
            default = sig[name].default
            if default is inspect.Parameter.empty or not _same(value, default):
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __sklearn_tags__(self):
        """scikit-learn's tags (read only by scikit-learn >= 1.6, which this
        imports): fitted on pools of tasks, not on an (X, y) pair."""
        from sklearn.utils import Tags, TargetTags
        return Tags(estimator_type=None, target_tags=TargetTags(required=False),
                    requires_fit=True, non_deterministic=False)

    def _validate_params(self):
        """Check each parameter against its entry of ``_parameter_constraints``
        (that every parameter has one is a test of the estimator's suite).

        Raises
        ------
        ValidationError
            Naming the first offending parameter and its value.
        """
        for name, value in self.get_params(deep=False).items():
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
