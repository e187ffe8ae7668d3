"""Validation helpers used at the public edge (private module)."""

from __future__ import annotations

import difflib
import numbers

import numpy as np

from .exceptions import ValidationError


def check_rng(rng):
    """Turn ``rng`` (None, int, SeedSequence or Generator) into a Generator once."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def check_int(value, name, *, min_val=None, max_val=None):
    """Return ``value`` as int after checking type and range; errors name ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValidationError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if min_val is not None and value < min_val:
        raise ValidationError(f"{name} must be >= {min_val}, got {value}")
    if max_val is not None and value > max_val:
        raise ValidationError(f"{name} must be <= {max_val}, got {value}")
    return value


def check_float(value, name, *, min_val=None, max_val=None, include_min=True,
                include_max=True):
    """Return ``value`` as a finite float inside the stated interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValidationError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValidationError(f"{name} must be finite, got {value}")
    if min_val is not None and (value < min_val or (not include_min and value == min_val)):
        op = ">=" if include_min else ">"
        raise ValidationError(f"{name} must be {op} {min_val}, got {value}")
    if max_val is not None and (value > max_val or (not include_max and value == max_val)):
        op = "<=" if include_max else "<"
        raise ValidationError(f"{name} must be {op} {max_val}, got {value}")
    return value


def check_alpha(alpha, name="alpha"):
    """A corruption fraction in [0, 0.5)."""
    return check_float(alpha, name, min_val=0.0, max_val=0.5, include_max=False)


def check_array(a, name, *, ndim=None, shape=None, finite=True, dtype=float):
    """Convert to an ndarray and check ``ndim``, ``shape`` and finiteness
    (complex values are refused for a real ``dtype``, never cast)."""
    check_real(a, name, dtype)
    try:
        arr = np.asarray(a, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name} could not be converted to a {dtype.__name__} array: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValidationError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape)):
            if want is not None and want != got:
                raise ValidationError(
                    f"{name} has shape {arr.shape}; expected {want} along axis {axis}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValidationError(
            f"{name} contains a non-finite value {arr[tuple(bad)]} at index {tuple(int(b) for b in bad)}")
    return arr


def check_real(a, name, dtype=float):
    """Refuse complex ``a`` where a real ``dtype`` is wanted: NumPy's cast would
    drop the imaginary parts with only a warning."""
    if np.issubdtype(np.dtype(dtype), np.complexfloating) or not np.iscomplexobj(a):
        return
    z = np.asarray(a)
    bad = np.argwhere(z.imag != 0)
    where = (f", e.g. {z[tuple(bad[0])]} at index {tuple(int(b) for b in bad[0])}"
             if bad.size else "")
    raise ValidationError(f"{name} is complex ({z.dtype}{where}); the model is real: pass "
                          f"real numbers (the real parts, if the imaginary ones are noise)")


def check_k_d(k, d, name_k="k"):
    """Check 1 <= k <= d."""
    k = check_int(k, name_k, min_val=1)
    if k > d:
        raise ValidationError(f"{name_k}={k} exceeds the dimension d={d}; need k <= d")
    return k


def lookup(registry, name, kind):
    """``registry[name]`` or a ValidationError listing the choices."""
    try:
        return registry[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), list(registry), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValidationError(f"{kind} {name!r} unknown{hint}; choose from "
                              f"{sorted(registry)}") from None
