"""The same certificate computed with the peer SumOfSquares.py (picos + sympy),
for comparisons in tests and benchmarks. Needs ``pip install sumofsquares``."""

from __future__ import annotations

from .basis import MonomialBasis
from .forms import power_form

__all__ = ["sumofsquares_moment_bound"]


def sumofsquares_moment_bound(X, m=4, solver="cvxopt"):
    """min B s.t. B·||v||^m − (1/n) Σ_i ⟨x_i, v⟩^m is SoS, built symbolically by
    SumOfSquares.py from the same moment form. Returns B."""
    import sympy as sy
    from SumOfSquares import SOSProblem
    k = X.shape[1]
    basis, c = MonomialBasis(k, m), power_form(X, m)
    v = sy.symbols(f"v0:{k}")
    t = sy.symbols("t")
    p = sum(float(ci) * sy.prod([vi ** int(e) for vi, e in zip(v, ex)])
            for ci, ex in zip(c, basis.exponents))
    prob = SOSProblem()
    prob.add_sos_constraint(t * sum(vi ** 2 for vi in v) ** (m // 2) - p, list(v))
    tv = prob.sym_to_var(t)
    prob.set_objective("min", tv)
    prob.solve(solver=solver)
    return float(tv.value)
