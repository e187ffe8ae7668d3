"""A fitted mixture as a JSON file that executes no code when read.

The model file of ``robust-mlr fit`` is one JSON object::

    {"format": "robust-mlr-model", "version": 1, "k": 4, "d": 32,
     "W": [[...], ...],          # d rows of k numbers: the regression vectors
     "s2": [...], "p": [...],    # noise variances and shares, k each
     "U": [[...], ...],          # d × k subspace basis (optional)
     "learner": {...}}           # how it was fitted (strings and numbers only)

``robust-mlr fit`` writes in ``learner`` the method, k, alpha, covariates,
seed, clustering stage and data path, and, when it read a CSV or Parquet
file, the columns it read as ``task_col`` and ``y_col`` (and ``pool_col``,
the column that named the pools) and the feature columns (the order of W's
rows) as ``features``: ``robust-mlr predict`` reads the same columns unless
told otherwise (skipping ``pool_col``), and a file's features by name. Every ``learner``
field is optional, so files written before these keys read as before.

Floats are written with Python's shortest round-trip representation, so a
model read back predicts exactly as the fitted learner. Reading parses JSON
and checks shapes and values; nothing is imported or executed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .exceptions import ValidationError
from .stages.prediction import MixturePredictor

__all__ = ["FittedMixture", "save_model", "load_model", "MODEL_FORMAT"]

#: Format name written in every model file.
MODEL_FORMAT = "robust-mlr-model"
_VERSION = 1


class FittedMixture(MixturePredictor):
    """Fitted meta-parameters read from a model file; predicts like the learner.

    Attributes
    ----------
    W_ : ndarray (d, k)
    s2_ : ndarray (k,)
    p_ : ndarray (k,)
    U_ : ndarray (d, k) or None
    learner : dict
        The fit's description, as written.
    """

    def __init__(self, W, s2, p, U=None, learner=None):
        self.W_, self.s2_, self.p_, self.U_ = W, s2, p, U
        self.learner = dict(learner or {})

    @property
    def k(self):
        """Number of components."""
        return self.W_.shape[1]

    def __repr__(self):
        how = ", ".join(f"{key}={self.learner[key]!r}" for key in ("method", "alpha", "data")
                        if key in self.learner)
        return f"FittedMixture(k={self.k}, d={self.W_.shape[0]}{', ' + how if how else ''})"


def save_model(model, path, learner=None):
    """Write a fitted learner's ``W_``, ``s2_``, ``p_`` (and ``U_``) as JSON.

    Parameters
    ----------
    model : MixturePredictor
        A fitted learner (or :class:`FittedMixture`).
    path : str or Path
    learner : dict, optional
        Strings and numbers describing the fit (method, k, alpha, data).

    Returns
    -------
    Path
    """
    model._check_fitted()
    W = np.asarray(model.W_, float)
    out = {"format": MODEL_FORMAT, "version": _VERSION, "k": int(W.shape[1]),
           "d": int(W.shape[0]), "W": W.tolist(), "s2": np.asarray(model.s2_, float).tolist(),
           "p": np.asarray(model.p_, float).tolist()}
    if getattr(model, "U_", None) is not None:
        out["U"] = np.asarray(model.U_, float).tolist()
    out["learner"] = dict(learner or {})
    path = Path(path)
    from .engine._files import atomic_write
    with atomic_write(path) as f:           # a failed write leaves the old file, or none
        f.write((json.dumps(out, indent=1) + "\n").encode())
    return path


def _matrix(m, key, shape, path):
    try:
        a = np.array(m[key], dtype=float)
    except (KeyError, TypeError, ValueError):
        raise ValidationError(f"{path}: model field {key!r} is missing or not numeric") from None
    if a.shape != shape:
        raise ValidationError(f"{path}: model field {key!r} has shape {a.shape}; expected "
                              f"{shape} of finite numbers")
    if not np.all(np.isfinite(a)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise ValidationError(f"{path}: model field {key!r} holds {a[bad]} at index "
                              f"{bad[0] if len(bad) == 1 else list(bad)}; expected finite "
                              f"numbers")
    return a


def load_model(path):
    """Read a model file written by :func:`save_model`.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    FittedMixture

    Raises
    ------
    ValidationError
        No such file, not JSON, another format or version, or fields of the
        wrong shape; the message names the path.
    """
    path = Path(path)
    try:
        m = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such model file") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: not a model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(m, dict) or m.get("format") != MODEL_FORMAT:
        raise ValidationError(f"{path}: not a {MODEL_FORMAT} file")
    if m.get("version") != _VERSION:
        raise ValidationError(f"{path}: model version {m.get('version')!r} is not supported "
                              f"(this reader reads version {_VERSION})")
    k, d = m.get("k"), m.get("d")
    if not (isinstance(k, int) and isinstance(d, int) and 1 <= k <= d):
        raise ValidationError(f"{path}: k={k!r} and d={d!r} must be integers with 1 <= k <= d")
    W = _matrix(m, "W", (d, k), path)
    s2 = _matrix(m, "s2", (k,), path)
    p = _matrix(m, "p", (k,), path)
    if np.any(s2 <= 0):
        raise ValidationError(f"{path}: model field 's2' must be positive, got {s2.tolist()}")
    if np.any(p < 0) or not math.isclose(p.sum(), 1.0, abs_tol=1e-9):
        raise ValidationError(f"{path}: model field 'p' must be a probability vector "
                              f"(nonnegative, summing to 1), got {p.tolist()}")
    U = _matrix(m, "U", (d, k), path) if "U" in m else None
    learner = m.get("learner") if isinstance(m.get("learner"), dict) else {}
    return FittedMixture(W, s2, p, U, learner)
