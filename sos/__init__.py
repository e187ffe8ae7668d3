"""sos: sum-of-squares and moment-relaxation machinery on cvxpy.

* :mod:`sos.basis` — monomial bases, index maps, multiplication tables;
* :mod:`sos.forms` — forms as coefficient vectors, built from data with BLAS;
* :mod:`sos.constraints` — "this form is SoS" / "nonnegative on the sphere";
* :mod:`sos.certificates` — certified m-th moment bounds, SoS lower bounds;
* :mod:`sos.pseudo` — moment/localising matrices, pseudo-expectations;
* :mod:`sos.subsets` — vectorised index maps over subsets (Boolean monomials);
* :mod:`sos.solvers` — SCS default, Clarabel, MOSEK (licence detected), status checks.

The names below are loaded on first use (PEP 562), so importing ``sos`` for
its bases, forms or exceptions does not import cvxpy.
"""

import importlib

from .exceptions import SolverFailedError, SolverInaccurateWarning, SosValidationError

_WHERE = {
    "basis": ("MonomialBasis", "gram_map", "multinomial", "product_table"),
    "certificates": ("MomentCertificate", "certify_moment_bound", "flattening_bound", "is_sos",
                     "sos_lower_bound"),
    "constraints": ("multiply_by_sphere", "nonneg_on_sphere", "sos_form"),
    "forms": ("form_values", "monomials", "moment_coefficients", "power_form", "product_forms",
              "sphere_form"),
    "pseudo": ("MomentRelaxation", "PseudoExpectation", "poly"),
    "solvers": ("available_solvers", "mosek_available", "solve"),
    "subsets": ("SubsetIndex",),
}
_MODULE = {name: module for module, names in _WHERE.items() for name in names}

__all__ = [name for names in _WHERE.values() for name in names] + [
    "SolverFailedError", "SolverInaccurateWarning", "SosValidationError"]


def __getattr__(name):
    if name not in _MODULE:
        raise AttributeError(f"module 'sos' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_MODULE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
