"""Solver layer: default SCS, Clarabel and MOSEK selectable, honest status."""

from __future__ import annotations

import functools
import time
import warnings

import cvxpy as cp

from .exceptions import SolverFailedError, SolverInaccurateWarning, SosValidationError

__all__ = ["available_solvers", "mosek_available", "solve", "default_solver"]

_OK = {cp.OPTIMAL}
_INACCURATE = {cp.OPTIMAL_INACCURATE}


@functools.lru_cache(maxsize=1)
def mosek_available():
    """True when MOSEK is installed *and* licensed (tried on a one-variable LP)."""
    if "MOSEK" not in cp.installed_solvers():
        return False
    x = cp.Variable()
    try:
        cp.Problem(cp.Minimize(x), [x >= 1]).solve(solver="MOSEK")
        return True
    except Exception:
        return False


def available_solvers():
    """SDP-capable solvers usable here (MOSEK only with a licence)."""
    out = [s for s in ("SCS", "CLARABEL") if s in cp.installed_solvers()]
    if mosek_available():
        out.append("MOSEK")
    return out


def default_solver():
    """SCS: open source and first-order, so it scales to the large SDPs here."""
    return "SCS"


def _size(problem):
    data = problem.size_metrics
    return (f"{data.num_scalar_variables} scalar variables, "
            f"{data.num_scalar_eq_constr} equality and {data.num_scalar_leq_constr} "
            f"inequality rows")


def solve(problem: cp.Problem, solver=None, verbose=False, **opts):
    """Solve and check the status.

    Parameters
    ----------
    problem : cvxpy.Problem
    solver : {"SCS", "CLARABEL", "MOSEK"}, optional
        Default SCS. Asking for MOSEK without a licence raises with a message
        naming the fallback.
    **opts
        Passed to the solver (e.g. ``eps`` for SCS).

    Returns
    -------
    dict
        ``solver``, ``status``, ``value``, ``time`` (seconds), ``size``.

    Raises
    ------
    SolverFailedError
        Infeasible, unbounded or failed solves (names solver and size).
    SosValidationError
        The solver rejects an option of ``opts`` (a misspelled name).

    Warns
    -----
    SolverInaccurateWarning
        For ``optimal_inaccurate``.
    """
    solver = (solver or default_solver()).upper()
    if solver == "MOSEK" and not mosek_available():
        raise SolverFailedError("MOSEK was requested but no MOSEK licence was found; "
                                "use solver='SCS' (default, open source) or 'CLARABEL'")
    given = bool(opts)
    if solver == "SCS":
        opts.setdefault("eps", 1e-6)
        opts.setdefault("max_iters", 20000)
    t0 = time.perf_counter()
    try:
        problem.solve(solver=solver, verbose=verbose, **opts)
    except cp.error.SolverError as exc:
        raise SolverFailedError(f"{solver} failed on a problem with {_size(problem)}: {exc}") from exc
    except TypeError as exc:              # the solver's own check of its keyword options
        if not given:
            raise
        raise SosValidationError(f"{solver} rejects a solver option ({exc})") from None
    elapsed = time.perf_counter() - t0
    status = problem.status
    if status in _INACCURATE:
        warnings.warn(f"{solver} returned {status} on a problem with {_size(problem)}",
                      SolverInaccurateWarning, stacklevel=2)
    elif status not in _OK:
        raise SolverFailedError(f"{solver} returned status {status!r} on a problem with "
                                f"{_size(problem)}")
    return {"solver": solver, "status": status, "value": problem.value, "time": elapsed,
            "size": _size(problem)}
