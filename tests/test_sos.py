"""The sos core against known answers, brute force and a peer."""
import itertools

import numpy as np
import pytest

import sos
from sos.basis import gram_map

SOLVER_TOL = {"SCS": 2e-3, "CLARABEL": 1e-5, "MOSEK": 1e-5}


def _solvers():
    return sos.available_solvers()


def test_basis_sizes_and_order():
    for n, d in [(1, 3), (3, 2), (4, 4), (10, 2)]:
        b = sos.MonomialBasis(n, d)
        assert len(b) == b.size_check
        assert np.all(b.exponents.sum(1) == d)
        assert len({tuple(e) for e in b.exponents}) == len(b)
    full = sos.MonomialBasis(3, 2, homogeneous=False)
    assert len(full) == full.size_check == 10 and full.exponents[0].sum() == 0


def test_gram_map_matches_brute_force_expansion():
    b = sos.MonomialBasis(3, 2)
    A, out = gram_map(b)
    G = np.random.default_rng(0).standard_normal((len(b), len(b)))
    G = G + G.T
    V = np.random.default_rng(1).standard_normal((7, 3))
    m = b.evaluate(V)
    direct = np.einsum("pi,ij,pj->p", m, G, m)
    via = sos.form_values(A @ G.ravel(), out, V)
    np.testing.assert_allclose(via, direct, rtol=1e-12)


@pytest.mark.parametrize("m", [2, 3, 4, 6])
def test_power_form_is_the_moment_form(m):
    X = np.random.default_rng(m).standard_normal((50, 4))
    w = np.random.default_rng(9).random(50)
    c = sos.power_form(X, m, w)
    V = np.random.default_rng(2).standard_normal((6, 4))
    np.testing.assert_allclose(sos.form_values(c, sos.MonomialBasis(4, m), V),
                               w @ (X @ V.T) ** m, rtol=1e-10)


def test_product_forms_rowwise():
    rng = np.random.default_rng(0)
    D1, D2 = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    one = sos.MonomialBasis(3, 1)
    P, two = sos.product_forms(D1, one, D2, one)
    V = rng.standard_normal((4, 3))
    np.testing.assert_allclose(sos.form_values(P, two, V).T, (D1 @ V.T) * (D2 @ V.T),
                               rtol=1e-12)


def _motzkin():
    b = sos.MonomialBasis(3, 6)
    c = np.zeros(len(b))
    for e, v in {(4, 2, 0): 1, (2, 4, 0): 1, (0, 0, 6): 1, (2, 2, 2): -3}.items():
        c[b.index(e)] = v
    return c


def test_motzkin_is_nonnegative_but_not_sos():
    c = _motzkin()
    V = np.random.default_rng(0).standard_normal((20000, 3))
    assert sos.form_values(c, sos.MonomialBasis(3, 6), V).min() >= -1e-12   # nonnegative
    gamma, _ = sos.sos_lower_bound(c, 3, 6, solver="CLARABEL")
    assert gamma < -1e-4                       # not SoS: the certified bound is negative
    assert not sos.is_sos(c, 3, 6, solver="CLARABEL")
    assert sos.is_sos(c, 3, 6, r=1, solver="CLARABEL")   # (x²+y²+z²)·M is SoS


@pytest.mark.parametrize("k", [2, 4, 6, 10])
def test_gaussian_certified_fourth_moment_tends_to_three(k):
    X = np.random.default_rng(k).standard_normal((100_000, k))
    cert = sos.certify_moment_bound(X, 4)
    # the empirical max over the sphere exceeds 3 by O(sqrt(k/n)·sd) ≈ 0.1 at k = 10
    assert 2.95 < cert.bound < 3.3
    assert cert.rigorous_bound >= cert.bound and cert.residual < 1e-5


def _numerical_max(X, m, starts=40, iters=100, seed=0):
    """max of mean <x, v>^m over the unit sphere by projected power iterations."""
    V = np.random.default_rng(seed).standard_normal((starts, X.shape[1]))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    for _ in range(iters):
        P = X @ V.T
        V = ((P ** (m - 1)).T @ X)
        V /= np.linalg.norm(V, axis=1, keepdims=True)
    return float(((X @ V.T) ** m).mean(0).max())


def test_pairwise_differences_sos_is_tight_and_flattening_is_loose():
    """Known answer: for X − X' with N(0, I_10) rows (law N(0, 2I), true max → 12),
    the degree-4 SoS bound matches the true maximum; the flattening is ≈ (k+2)/3 larger."""
    rng = np.random.default_rng(3)
    D = rng.standard_normal((3000, 10)) - rng.standard_normal((3000, 10))
    cert = sos.certify_moment_bound(D, 4)
    true_max = _numerical_max(D, 4)
    assert cert.bound == pytest.approx(true_max, rel=0.01)
    flat = sos.flattening_bound(D, 4)
    assert flat / cert.bound == pytest.approx(12 / 3, rel=0.2)


def test_sixth_moment_certificate():
    X = np.random.default_rng(0).standard_normal((50_000, 3))
    cert = sos.certify_moment_bound(X, 6)
    assert 14 < cert.bound < 16.5                 # E<x, v>^6 = 15 for N(0, I)
    assert cert.bound <= sos.flattening_bound(X, 6) + 1e-6


@pytest.mark.parametrize("solver", _solvers())
def test_catalogue_on_every_installed_solver(solver):
    tol = SOLVER_TOL[solver]
    X = np.random.default_rng(1).standard_normal((5000, 3))
    ref = sos.certify_moment_bound(X, 4, solver="CLARABEL").bound
    assert sos.certify_moment_bound(X, 4, solver=solver).bound == pytest.approx(ref, rel=tol)
    # triangle max-cut: degree-2 relaxation 2.25, degree-4 exact 2
    for degree, value in [(2, 2.25), (4, 2.0)]:
        R = sos.MomentRelaxation(3, degree, boolean=True)
        cut = {}
        for i, j in itertools.combinations(range(3), 2):
            for key, c in sos.poly(3, {(i,): 1, (j,): 1, (i, j): -2}).items():
                cut[key] = cut.get(key, 0) + c
        E = R.solve(R.expectation(cut), sense="max", solver=solver)
        assert E(cut) == pytest.approx(value, abs=10 * tol)


def test_mosek_skips_cleanly_or_solves():
    if not sos.mosek_available():
        with pytest.raises(sos.SolverFailedError, match="no MOSEK licence"):
            sos.certify_moment_bound(np.eye(3), 4, solver="MOSEK")
    else:                                          # pragma: no cover - needs a licence
        assert sos.certify_moment_bound(np.eye(3), 4, solver="MOSEK").bound > 0


def test_pseudo_expectation_object():
    R = sos.MomentRelaxation(3, 2, boolean=True)
    R.add_equality(sos.poly(3, {(0,): 1, (1,): 1, (2,): 1, (): -1}))     # exactly one is 1
    E = R.solve(R.expectation(sos.poly(3, {(0,): 1})), sense="max", solver="CLARABEL")
    assert E(sos.poly(3, {(0,): 1})) == pytest.approx(1.0, abs=1e-6)
    M = E.moment_matrix()
    assert np.linalg.eigvalsh(M)[0] > -1e-6 and M[0, 0] == pytest.approx(1.0)


def test_peer_sumofsquares_agrees():
    pytest.importorskip("SumOfSquares")
    from sos.peer import sumofsquares_moment_bound
    for seed, k in [(0, 2), (1, 3)]:
        X = np.random.default_rng(seed).standard_normal((300, k)) * [1.0, 2.0, 0.5][:k]
        ours = sos.certify_moment_bound(X, 4, solver="CLARABEL").bound
        assert ours == pytest.approx(sumofsquares_moment_bound(X, 4), rel=1e-4)


def test_bad_inputs():
    with pytest.raises(sos.SosValidationError, match="even"):
        sos.certify_moment_bound(np.eye(3), 3)
    with pytest.raises(sos.SosValidationError, match="finite"):
        sos.certify_moment_bound(np.full((3, 2), np.nan), 4)
    with pytest.raises(sos.SosValidationError, match="coefficients"):
        import cvxpy as cp
        sos.sos_form(cp.Variable(3), 3, 4)
