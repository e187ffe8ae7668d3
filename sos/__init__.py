"""sos: sum-of-squares and moment-relaxation machinery on cvxpy.

* :mod:`sos.basis` — monomial bases, index maps, multiplication tables;
* :mod:`sos.forms` — forms as coefficient vectors, built from data with BLAS;
* :mod:`sos.constraints` — "this form is SoS" / "nonnegative on the sphere";
* :mod:`sos.certificates` — certified m-th moment bounds, SoS lower bounds;
* :mod:`sos.pseudo` — moment/localising matrices, pseudo-expectations;
* :mod:`sos.solvers` — SCS default, Clarabel, MOSEK (licence detected), status checks.
"""

from .basis import MonomialBasis, gram_map, multinomial, product_table
from .certificates import (MomentCertificate, certify_moment_bound, flattening_bound,
                           is_sos, sos_lower_bound)
from .constraints import multiply_by_sphere, nonneg_on_sphere, sos_form
from .exceptions import SolverFailedError, SolverInaccurateWarning, SosValidationError
from .forms import form_values, monomials, moment_coefficients, power_form, product_forms, sphere_form
from .pseudo import MomentRelaxation, PseudoExpectation, poly
from .solvers import available_solvers, mosek_available, solve

__all__ = ["MonomialBasis", "gram_map", "multinomial", "product_table", "MomentCertificate",
           "certify_moment_bound", "flattening_bound", "is_sos", "sos_lower_bound",
           "multiply_by_sphere", "nonneg_on_sphere", "sos_form", "SolverFailedError",
           "SolverInaccurateWarning", "SosValidationError", "form_values", "monomials",
           "moment_coefficients", "power_form", "product_forms", "sphere_form",
           "MomentRelaxation", "PseudoExpectation", "poly", "available_solvers",
           "mosek_available", "solve"]
