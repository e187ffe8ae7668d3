"""Augmented Lagrangian of the Burer–Monteiro Peng–Wei solver (private).

ℒ_β(Y; λ) of the (robust) Peng–Wei constraints over the factor Y ≥ 0
(Z = Y Yᵀ), its subproblems — L-BFGS-B on the free entries of Y, with an
optional stall rule — and the multiplier loop; used by
:func:`~robust_mlr.stages.clustering.burer_monteiro.solve_peng_wei_bm`,
whose module docstring gives the formulation.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, fmin_l_bfgs_b, minimize

from ..._threads import single_blas
from ...exceptions import SolverFailedError

#: Consecutive multiplier updates after which an augmented Lagrangian whose
#: violation and objective have both stopped moving, though infeasible, ends.
_FUTILE_UPDATES = 3


class Lagrangian:
    """Augmented Lagrangian of the (robust) Peng–Wei constraints over Y."""

    def __init__(self, op, k, robust, alpha, cap):
        self.op, self.k, self.robust = op, k, robust
        self.n = op.n
        self.mass = float(self.n - np.floor(alpha * self.n))
        self.cap = cap
        n = self.n
        # multipliers: rows (equality, or ≤ 1), trace, total mass (≥), diagonal (≤)
        self.lam = {"rows": np.zeros(n), "trace": 0.0, "total": 0.0, "diag": np.zeros(n)}
        self.beta = 1.0
        # relative penalty per family, so that each family's penalty curvature
        # ‖∇c‖² β_c is of the order of the cost's (≈ n in units of |D_ij|):
        # ‖∇ row_i‖² ≈ n, ‖∇ trace‖² = 4k, ‖∇ total‖² ≈ 4n², ‖∇ diag_i‖² ≈ 4k/n
        self.weight = {"rows": 1.0, "trace": n / k, "total": 1.0 / n, "diag": n / k}

    def constraints(self, Y):
        """Constraint values h (= 0) / g (≤ 0) at Y."""
        u = Y.sum(axis=0)
        c = {"rows": Y @ u - 1.0, "trace": float(np.sum(Y * Y)) - self.k}
        if self.robust:
            c["total"] = self.mass - float(u @ u)
            c["diag"] = np.einsum("ij,ij->i", Y, Y) - self.cap
        return c, u

    def shifted(self, c):
        """Multipliers after one first-order update, λ + β c (clipped at 0 for ≤)."""
        lam, b = self.lam, self.penalties()
        s = {f: lam[f] + b[f] * c[f] for f in c}
        if self.robust:
            s["rows"] = np.maximum(s["rows"], 0.0)
            s["total"] = max(s["total"], 0.0)
            s["diag"] = np.maximum(s["diag"], 0.0)
        return s

    def penalties(self):
        """β_c = β × the family's weight."""
        return {f: self.beta * w for f, w in self.weight.items()}

    def value_grad(self, Y):
        """ℒ_β(Y; λ) and its gradient.

        The same quantities as :meth:`constraints`, :meth:`shifted` and
        :meth:`_constraint_grad` together, fused: this runs once per
        L-BFGS-B evaluation, where the number of array operations, not
        their size, sets the cost at moderate n.

        Examples
        --------
        The gradient against central differences, with every multiplier
        nonzero:

        >>> from robust_mlr.stages.clustering.burer_monteiro import LowRankCost
        >>> rng = np.random.default_rng(0)
        >>> lag = Lagrangian(LowRankCost(*rng.standard_normal((2, 20, 3))), 2, True, 0.1, 0.3)
        >>> lag.lam = {"rows": rng.standard_normal(20), "trace": 0.3, "total": 0.5,
        ...            "diag": np.abs(rng.standard_normal(20))}
        >>> Y, E = rng.uniform(0, 0.4, (20, 4)), rng.standard_normal((20, 4))
        >>> fd = (lag.value_grad(Y + 1e-6 * E)[0] - lag.value_grad(Y - 1e-6 * E)[0]) / 2e-6
        >>> bool(abs(fd - np.sum(lag.value_grad(Y)[1] * E)) < 1e-6 * abs(fd))
        True
        """
        lam, beta, w, robust = self.lam, self.beta, self.weight, self.robust
        u = Y.sum(axis=0)
        G = self.op.matmul(Y, colsum=u)
        y = Y.ravel()
        f = float(y @ G.ravel())
        G *= 2.0
        b = beta * w["rows"]
        s = Y @ u
        s -= 1.0
        s *= b
        s += lam["rows"]
        if robust:
            np.maximum(s, 0.0, out=s)
        lr = lam["rows"]
        val = f + (float(s @ s) - float(lr @ lr)) / (2 * b)
        G += s[:, None] * u              # np.outer's products, by broadcasting
        G += Y.T @ s
        b = beta * w["trace"]
        t = lam["trace"] + b * (float(y @ y) - self.k)
        val += (t * t - lam["trace"] ** 2) / (2 * b)
        if robust:
            b = beta * w["total"]
            m = max(lam["total"] + b * (self.mass - float(u @ u)), 0.0)
            val += (m * m - lam["total"] ** 2) / (2 * b)
            G -= (2 * m) * u
            b = beta * w["diag"]
            d = np.einsum("ij,ij->i", Y, Y)
            d -= self.cap
            d *= b
            d += lam["diag"]
            np.maximum(d, 0.0, out=d)
            val += (float(d @ d) - float(lam["diag"] @ lam["diag"])) / (2 * b)
            d += t
            G += 2.0 * d[:, None] * Y
        else:
            G += (2.0 * t) * Y
        return val, G, f

    def objective(self, Y):
        """⟨D, Y Yᵀ⟩."""
        return float(np.sum(Y * self.op.matmul(Y)))

    def _constraint_grad(self, Y, u, s):
        """Σ_c s_c ∇c(Y) for the given multipliers s."""
        w = s["rows"]
        G = np.outer(w, u) + (Y.T @ w)[None, :] + 2 * s["trace"] * Y
        if self.robust:
            G -= 2 * s["total"] * u[None, :]
            G += 2 * s["diag"][:, None] * Y
        return G

    def residual(self, c):
        """Largest constraint violation (total mass per task)."""
        if not self.robust:
            return max(float(np.max(np.abs(c["rows"]))), abs(c["trace"]))
        return max(float(np.max(c["rows"])), 0.0, abs(c["trace"]), c["total"] / self.n,
                   float(np.max(c["diag"])))


def augmented_lagrangian(lag, Y, tol, scale, max_outer, max_inner, size, ftol=1e-14,
                         stall=None, settle=None):
    """Multiplier updates and L-BFGS-B subproblems (relative-decrease
    tolerance ``ftol``) from Y (and the current multipliers and penalty of
    ``lag``) until feasible and stationary, or feasible with a settled
    objective. With ``stall`` (a number of steps w), a subproblem also ends
    when its value has fallen by at most tol/10 (relative) over its last w
    steps; the multiplier update and the stopping test are unchanged, so
    the stall only decides when the next update comes. The run also ends
    when, infeasible, neither the violation (by 10 %) nor the objective (by
    tol, relatively) has moved for ``_FUTILE_UPDATES`` updates: a larger
    penalty would only inflate the multipliers. With ``settle`` (above
    tol), a feasible run whose KKT residual is within 10 tol also ends
    when an update moves the objective by at most ``settle`` relatively.
    Returns (Y, updates, L-BFGS-B iterations)."""
    prev, f_prev, iters, futile = np.inf, np.inf, 0, 0
    settle = tol if settle is None else settle
    for outer in range(max_outer):
        Y, val, nit = subproblem(lag, Y, max_inner, tol * scale * 1e-2, ftol,
                                  None if stall is None else Stall(stall, 0.1 * tol))
        iters += nit
        if not (np.isfinite(val) and np.all(np.isfinite(Y))):
            raise SolverFailedError(f"Burer–Monteiro solver ({size}): non-finite iterate "
                                    f"after {outer + 1} augmented-Lagrangian updates")
        c, _ = lag.constraints(Y)
        res = lag.residual(c)
        lag.lam = lag.shifted(c)
        kkt = kkt_residual(lag, Y)
        f = lag.objective(Y)
        # stop when feasible and stationary, or feasible and the objective has
        # settled (the KKT residual then only decides "optimal"/"inaccurate")
        if res <= tol and (kkt <= tol or abs(f - f_prev) <= tol * max(1.0, abs(f))):
            break
        # feasible, "optimal" within 10 tol, and the objective moves by less
        # than the caller needs (an escape's re-solve: the gain that keeps a step)
        if res <= tol and kkt <= 10 * tol and abs(f - f_prev) <= settle * max(1.0, abs(f)):
            break
        # infeasible, and neither the violation nor the objective moved: the
        # subproblem cannot follow the penalty (a flat direction; L-BFGS-B
        # ends in an abnormal line search), and raising it further only
        # inflates the multipliers (measured: β 5e7, multipliers 1e7, 60
        # updates, 15× the clean time); stop after a few such updates
        stuck = res > tol and res > 0.9 * prev and abs(f - f_prev) <= tol * max(1.0, abs(f))
        futile = futile + 1 if stuck else 0
        if futile >= _FUTILE_UPDATES:
            break
        f_prev = f
        if res > tol and res > 0.25 * prev:       # too slow towards feasibility
            lag.beta = min(5.0 * lag.beta, 1e8 * scale)
        prev = res
    return Y, outer + 1, iters


def subproblem(lag, Y, max_inner, gtol, ftol, callback):
    """min ℒ_β(Y; λ) over Y ≥ 0 by L-BFGS-B on the free entries only.

    An entry is free when positive or when its gradient is negative (a
    projected-gradient step would move it); the others stay at 0. At a
    stationary point most of Y's n·r entries are such zeros (a task lives
    in one or two columns), and L-BFGS-B's own work per step is linear in
    the number of variables it sees, so this is 3–5× fewer. When the run
    ends, zeros whose gradient has turned below −``gtol`` are freed and the
    run continues, within ``max_inner`` steps in all; stationarity is then
    that of the full problem (the caller's KKT residual reads every entry).
    Returns (Y, ℒ value, L-BFGS-B iterations).

    Examples
    --------
    From a start where every zero is held at 0 by a positive gradient (rows
    over-full); held there, the run would stop with a projected gradient
    of 3.8:

    >>> from robust_mlr.stages.clustering.burer_monteiro import DenseCost
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(30)
    >>> lag = Lagrangian(DenseCost((x[:, None] - x[None]) ** 2), 3, True, 0.1, 0.3)
    >>> lag.beta = 3.0
    >>> Y0 = rng.uniform(0, 0.5, (30, 5)) * (rng.random((30, 5)) < 0.3)
    >>> bool(np.all(lag.value_grad(Y0)[1][Y0 == 0] > 0))
    True
    >>> Y, val, nit = subproblem(lag, Y0, 5000, 1e-9, 1e-15, None)
    >>> G = lag.value_grad(Y)[1]
    >>> bool(np.max(np.abs(Y - np.maximum(Y - G, 0))) < 1e-5), bool(np.any((Y0 == 0) & (Y > 0)))
    (True, True)
    """
    n, r = Y.shape
    y = Y.ravel().copy()
    # (ℒ, ∇ℒ) at y, the start of the next run: L-BFGS-B's first evaluation
    # is at its start, which is here either Y or the end of the last run
    # (its last evaluation, unless a line search failed and stepped back)
    val, G, _ = lag.value_grad(Y)
    G = G.ravel()
    free = (y > 0) | (G < 0)
    used, start = 0, not np.any(y[~free])      # Y ≥ 0: the zeros are what is held
    while True:
        idx = np.flatnonzero(free)
        # the full factor of an evaluation: entries off ``idx`` stay 0, so
        # one array serves every evaluation of this run
        z = np.zeros(n * r)
        Z = z.reshape(n, r)
        last = {"v": y[idx], "value": val, "grad": G, "start": start}
        start = True

        def fun(v, idx=idx, z=z, Z=Z, last=last):
            if last.pop("start", False) and np.array_equal(v, last["v"]):
                return last["value"], last["grad"][idx]     # y: already evaluated
            z[idx] = v
            value, grad, _ = lag.value_grad(Z)
            last["v"], last["value"], last["grad"] = v, value, grad.ravel()
            return value, last["grad"][idx]
        # L-BFGS-B's own BLAS calls are tiny: threads only add contention
        with single_blas():
            x, val, nit = lbfgsb(fun, y[idx], maxiter=max_inner - used, gtol=gtol, ftol=ftol,
                                 maxcor=20, callback=callback)
        used += nit
        y = np.zeros(n * r)
        y[idx] = x
        if used >= max_inner or not np.isfinite(val) or getattr(callback, "stopped", False):
            break
        if np.array_equal(x, last["v"]):
            val, G = last["value"], last["grad"]
        else:
            val, G, _ = lag.value_grad(y.reshape(n, r))
            G = G.ravel()
        enter = ~free & (G < -gtol)
        if not enter.any():                 # the free set grows every round: terminates
            break
        free |= enter
    return y.reshape(n, r), val, used


def lbfgsb(fun, x0, *, maxiter, gtol, ftol, maxcor, callback=None):
    """min fun over x ≥ 0 by SciPy's L-BFGS-B: (x, value, iterations).

    ``fun`` returns the value and the gradient. The routine and its options
    (``maxcor``, relative decrease ``ftol``, projected-gradient ``gtol``)
    are those of ``minimize(method="L-BFGS-B")`` with ``Bounds(0, inf)``.
    Where SciPy's compiled step has the interface of SciPy 1.15 on,
    :func:`_drive_setulb` calls it directly (the same step, the same
    evaluations, so the same iterates; without SciPy's per-evaluation
    wrappers and its per-variable bounds loop, a fixed cost of each of the
    solve's thousands of steps). Otherwise, without a ``callback`` it is
    reached through ``fmin_l_bfgs_b``, which takes the bounds as pairs
    (``minimize`` first turns a ``Bounds`` into pairs by a Python pass over
    every variable), and with one (:class:`Stall`: it reads the step's
    value and may raise StopIteration) through ``minimize``, which hands
    every SciPy release from 1.11 on the same intermediate result.

    Examples
    --------
    >>> x, value, nit = lbfgsb(lambda x: (float(np.sum((x + 1) ** 2)), 2 * (x + 1)),
    ...                        np.ones(3), maxiter=50, gtol=1e-10, ftol=1e-12, maxcor=5)
    >>> x.tolist(), value
    ([0.0, 0.0, 0.0], 3.0)

    SciPy's own driver (where the compiled step is not the one this module
    drives) gives the same:

    >>> import sys
    >>> here = sys.modules[lbfgsb.__module__]
    >>> kept, here._SETULB = here._SETULB, None
    >>> try:
    ...     y, v, _ = lbfgsb(lambda x: (float(np.sum((x + 1) ** 2)), 2 * (x + 1)),
    ...                      np.ones(3), maxiter=50, gtol=1e-10, ftol=1e-12, maxcor=5)
    ... finally:
    ...     here._SETULB = kept
    >>> y.tolist(), v
    ([0.0, 0.0, 0.0], 3.0)
    """
    if _SETULB is not None:
        got = _drive_setulb(fun, x0, maxiter=maxiter, gtol=gtol, ftol=ftol, maxcor=maxcor,
                            callback=callback)
        if got is not None:
            return got
    if callback is not None:
        sol = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(0.0, np.inf),
                       callback=callback, options={"maxiter": maxiter, "gtol": gtol,
                                                   "ftol": ftol, "maxcor": maxcor})
        return sol.x, float(sol.fun), int(sol.nit)
    x, value, info = fmin_l_bfgs_b(fun, x0, bounds=[(0.0, None)] * np.size(x0), m=maxcor,
                                   factr=ftol / np.finfo(float).eps, pgtol=gtol,
                                   maxiter=maxiter)
    return x, float(value), int(info["nit"])


def _find_setulb():
    """SciPy's compiled L-BFGS-B step where it has the interface this module
    drives (SciPy ≥ 1.15, ``setulb(m, x, l, u, nbd, f, g, factr, pgtol, wa,
    iwa, task, lsave, isave, dsave, maxls, ln_task)``), else None."""
    try:
        from scipy.optimize import _lbfgsb
        step = _lbfgsb.setulb
    except (ImportError, AttributeError):
        return None
    doc = (getattr(step, "__doc__", None) or "").replace(" ", "")
    if not doc.startswith("setulb(m,x,l,u,nbd,f,g,factr,pgtol,wa,iwa,task,lsave,isave,"
                          "dsave,maxls,ln_task)"):
        return None
    return step


_SETULB = _find_setulb()
#: The step's final states (SciPy's codes: convergence, stop, warning,
#: abnormal); any other, or a run that never asked for f, is a step this
#: module does not know, and :func:`lbfgsb` hands the solve to SciPy.
_ENDINGS = (4, 5, 6, 8)
#: SciPy's defaults for L-BFGS-B, kept by :func:`_drive_setulb`.
_MAXFUN, _MAXLS = 15000, 20


def _drive_setulb(fun, x0, *, maxiter, gtol, ftol, maxcor, callback=None):
    """SciPy's ``_minimize_lbfgsb`` loop for bounds 0 ≤ x < ∞, its defaults
    (``maxfun`` 15 000, ``maxls`` 20) and a ``fun`` returning (value,
    gradient): the same calls of the compiled step with the same arguments,
    and, like SciPy's memoizing wrapper, ``fun`` evaluated once per distinct
    point (on a copy), so the iterates, the value returned and the
    iteration count are SciPy's bit for bit. A ``callback`` is handed each
    step's (x, fun) and ends the run by raising StopIteration, as in
    ``minimize``. Returns (x, value, iterations), or None when the step
    ended in a state SciPy's driver does not end in, or never asked for f
    (a release whose step keeps this signature but not its task codes):
    :func:`lbfgsb` then runs SciPy's own driver.

    Examples
    --------
    Against SciPy's own driver, on the solver's robust Lagrangian (every
    multiplier nonzero) to the end, at an iteration cap, and with a
    :class:`Stall` callback:

    >>> from scipy.optimize import fmin_l_bfgs_b
    >>> from robust_mlr.stages.clustering.burer_monteiro import LowRankCost
    >>> rng = np.random.default_rng(0)
    >>> lag = Lagrangian(LowRankCost(*rng.standard_normal((2, 40, 3))), 3, True, 0.1, 0.3)
    >>> lag.lam = {"rows": rng.standard_normal(40), "trace": 0.3, "total": 0.5,
    ...            "diag": np.abs(rng.standard_normal(40))}
    >>> lag.beta = 3.0
    >>> fun = lambda v: lag.value_grad(v.reshape(40, 5))[:2]
    >>> x0 = rng.uniform(0, 0.4, 200)
    >>> def same(a, b):
    ...     return bool(np.array_equal(a[0], b[0])) and a[1:] == b[1:]
    >>> for maxiter in (3, 5000):
    ...     x, f, info = fmin_l_bfgs_b(fun, x0, bounds=[(0.0, None)] * 200, m=20,
    ...                                factr=1e-14 / np.finfo(float).eps, pgtol=1e-9,
    ...                                maxiter=maxiter)
    ...     ours = _drive_setulb(fun, x0, maxiter=maxiter, gtol=1e-9, ftol=1e-14, maxcor=20)
    ...     print(info["nit"] == 3 if maxiter == 3 else info["warnflag"] == 0,
    ...           same(ours, (x, float(f), info["nit"])))
    True True
    True True
    >>> sol = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(0.0, np.inf),
    ...                callback=Stall(3, 1e-4), options={"maxiter": 5000, "gtol": 1e-12,
    ...                                                  "ftol": 1e-15, "maxcor": 20})
    >>> stall = Stall(3, 1e-4)
    >>> ours = _drive_setulb(fun, x0, maxiter=5000, gtol=1e-12, ftol=1e-15, maxcor=20,
    ...                      callback=stall)
    >>> stall.stopped, same(ours, (sol.x, float(sol.fun), sol.nit))
    (True, True)
    """
    m = int(maxcor)
    x = np.array(np.clip(np.asarray(x0, dtype=float).ravel(), 0.0, np.inf), dtype=np.float64)
    n = x.size
    nbd = np.ones(n, np.int32)                 # lower bound only
    low, up = np.zeros(n), np.zeros(n)
    f = np.array(0.0)
    g = np.zeros(n)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m)
    iwa = np.zeros(3 * n, np.int32)
    task, ln_task = np.zeros(2, np.int32), np.zeros(2, np.int32)
    lsave, isave, dsave = np.zeros(4, np.int32), np.zeros(44, np.int32), np.zeros(29)
    factr = ftol / np.finfo(float).eps
    seen, nfev, nit = None, 0, 0
    while True:
        g = g.astype(np.float64)
        _SETULB(m, x, low, up, nbd, f, g, factr, gtol, wa, iwa, task, lsave, isave, dsave,
                _MAXLS, ln_task)
        if task[0] == 3:                       # f and g wanted at x
            if seen is None or not np.array_equal(x, seen):
                seen = x.copy()
                value, grad = fun(x.copy())
                if not np.isscalar(value):
                    value = np.asarray(value).item()
                fg = (value, np.atleast_1d(grad))
                nfev += 1
            f, g = fg
        elif task[0] == 1:                     # a new iterate
            nit += 1
            if callback is not None:
                try:
                    callback(_Step(x, f))
                except StopIteration:
                    task[0], task[1] = 5, 505
            if nit >= maxiter:
                task[0], task[1] = 5, 504
            elif nfev > _MAXFUN:
                task[0], task[1] = 5, 502
        else:
            break
    if nfev == 0 or task[0] not in _ENDINGS:
        return None                            # not the step this loop drives: SciPy's own
    return x, float(f), nit


class _Step:
    """The intermediate result a callback reads: ``x`` and ``fun``."""

    __slots__ = ("x", "fun")

    def __init__(self, x, fun):
        self.x, self.fun = x, fun


class Stall:
    """L-BFGS-B callback ending the run (StopIteration) once the value has
    fallen by at most ``rel`` × max(1, |f|) over the last ``window`` steps.

    Examples
    --------
    >>> from types import SimpleNamespace as step
    >>> stall = Stall(3, 1e-6)
    >>> for f in (10.0, 9.0, 8.0, 7.0, 6.0, 6.0 - 1e-6, 6.0 - 2e-6):
    ...     stall(step(fun=f))              # the window still holds a fall of 1
    >>> stall(step(fun=6.0 - 3e-6))         # 3e-6 over 3 steps ≤ 1e-6 · 6
    Traceback (most recent call last):
    StopIteration
    """

    def __init__(self, window, rel):
        self.window, self.rel, self.values, self.stopped = window, rel, [], False

    def __call__(self, intermediate_result):
        f = float(intermediate_result.fun)
        self.values.append(f)
        if (len(self.values) > self.window
                and self.values[-self.window - 1] - f <= self.rel * max(1.0, abs(f))):
            self.stopped = True
            raise StopIteration


def kkt_residual(lag, Y, DY=None):
    """Projected-gradient norm of the Lagrangian at the current multipliers."""
    DY = lag.op.matmul(Y) if DY is None else DY
    G = 2.0 * DY + lag._constraint_grad(Y, Y.sum(axis=0), lag.lam)
    return float(np.linalg.norm(Y - np.maximum(Y - G, 0.0))
                 / (1.0 + np.linalg.norm(2.0 * DY)))
