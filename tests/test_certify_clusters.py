"""certify_clusters: exact answers in one and two dimensions, a planted merge,
bad inputs and the solver-failure message."""
import numpy as np
import pytest
import sos

from robust_mlr import MetaDataset, SolverFailedError, ValidationError, make_params, make_tasks
from robust_mlr.stages.clustering import certify_clusters


def _one_dim(n=40, t=6, seed=0):
    """d = 1 tasks: the statistic is the task mean of y·x itself."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n * t, 1))
    y = 0.7 * X[:, 0] + rng.standard_normal(n * t)
    return MetaDataset(X, y, np.arange(n + 1) * t)


def test_one_dimension_matches_the_central_moment_and_the_reference_formula():
    """In 1-D the maximum over v = ±1 is the 4th central moment of the task
    means (SoS is exact for univariate forms), and R = 3 ((1 − 1/n) λ)² with
    λ the mean within-task variance / t (ddof 1) — computed here by hand."""
    n, t = 40, 6
    data = _one_dim(n, t)
    res = certify_clusters(data, np.ones((1, 1)), np.zeros(n, int), 1)
    yx = (data.y * data.X[:, 0]).reshape(n, t)
    x = yx.mean(axis=1)
    fourth = np.mean((x - x.mean()) ** 4)
    lam = np.mean(yx.var(axis=1, ddof=1)) / t
    # SCS at eps 1e-6 on an O(1)-scaled problem: 1e-4 relative is ample
    assert res.bound[0] == pytest.approx(fourth, rel=1e-4)
    assert res.witness[0] == pytest.approx(fourth, rel=1e-9)
    assert res.noise_eig[0] == pytest.approx(lam, rel=1e-12)
    assert res.reference[0] == pytest.approx(3 * ((1 - 1 / n) * lam) ** 2, rel=1e-12)
    assert res.ratio[0] == pytest.approx(res.bound[0] / res.reference[0])
    assert res.n_groups == t and res.m == 4


def test_two_dimensions_bound_equals_brute_force_maximum_and_outliers_are_ignored():
    """Binary quartics: nonnegative ⇔ SoS (Hilbert), so the certificate equals
    the maximum over a fine grid of angles (grid error ≤ 1e-5 relative);
    tasks labelled −1 do not enter."""
    theta = make_params(6, 2, rng=3)
    data = make_tasks(theta, 80, 8, rng=4)
    U = np.linalg.qr(theta.W)[0]
    lab = data.components.copy()
    lab[:5] = -1
    res = certify_clusters(data, U, lab, 2, rng=0)
    assert res.sizes.sum() == 75
    x = (data.chunk_means(8) @ U).mean(axis=0)
    ang = np.linspace(0, np.pi, 20001)
    V = np.stack([np.cos(ang), np.sin(ang)])
    for c in range(2):
        Xc = x[lab == c] - x[lab == c].mean(axis=0)
        brute = np.max(np.mean((Xc @ V) ** 4, axis=0))
        assert res.bound[c] == pytest.approx(brute, rel=1e-4)
        assert brute * (1 - 1e-6) <= res.witness[c] <= res.bound[c] * (1 + 1e-6)


def test_merged_clusters_have_a_large_ratio_and_true_clusters_stay_small():
    """Planted merge at k = 4, t_H = 32, n_H = 400 (clusters of ≈ 100 tasks).
    Theory: a 50/50 merge with unit centre gap raises the ratio to
    ≈ 1 + Δ²/(2λ) + Δ⁴/(48λ²) ≈ 21 (λ ≈ 1.5/32); a true cluster has population
    ratio ≤ 1 + 4/32 plus sampling excess. Measured over 12 seeds
    (benchmarks/bench_sos_relaxations.py d): clean max 2.44, merged min 23.4;
    thresholds 5 and 12 leave ≥ 2x margin both ways."""
    theta = make_params(16, 4, rng=0)
    U = np.linalg.qr(theta.W)[0]
    for seed in (100, 101, 102):
        data = make_tasks(theta, 400, 32, rng=seed)
        z = data.components
        good = certify_clusters(data, U, z, 4, rng=seed)
        merged_lab = np.where(z == 1, 0, np.where(z > 1, z - 1, z))
        merged = certify_clusters(data, U, merged_lab, 3, rng=seed)
        assert np.all(good.ratio < 5), good.ratio
        assert merged.ratio[0] > 12, merged.ratio
        # the two untouched clusters are the same points: same certificates
        np.testing.assert_allclose(merged.bound[1:], good.bound[2:], rtol=1e-3)
        # the best direction found is within 1 % of the certified bound
        assert np.all(good.witness <= good.bound * (1 + 1e-6))
        assert np.all(good.witness >= 0.99 * good.bound)


def test_bad_inputs_name_the_parameter():
    theta = make_params(6, 2, rng=0)
    data = make_tasks(theta, 30, 4, rng=1)
    U = np.linalg.qr(theta.W)[0]
    z = data.components
    with pytest.raises(ValidationError, match="labels must have shape"):
        certify_clusters(data, U, z[:-1], 2)
    with pytest.raises(ValidationError, match="labels must lie in"):
        certify_clusters(data, U, np.where(z == 0, 2, z), 2)
    with pytest.raises(ValidationError, match="min_size=20"):
        certify_clusters(data, U, z, 2, min_size=20)
    with pytest.raises(ValidationError, match="m must be even"):
        certify_clusters(data, U, z, 2, m=3)
    with pytest.raises(ValidationError, match="n_groups"):
        certify_clusters(data, U, z, 2, n_groups=5)
    with pytest.raises(ValidationError, match="U has shape"):
        certify_clusters(data, U[:-1], z, 2)
    one = make_tasks(theta, 30, 1, rng=1)
    with pytest.raises(ValidationError, match="t_H >= 2"):
        certify_clusters(one, U, z, 2)


def test_solver_failure_names_the_cluster(monkeypatch):
    theta = make_params(6, 2, rng=0)
    data = make_tasks(theta, 30, 4, rng=1)
    U = np.linalg.qr(theta.W)[0]

    def fail(*args, **kwargs):
        raise SolverFailedError("SCS returned status 'infeasible'")

    monkeypatch.setattr(sos, "certify_moment_bound", fail)     # what certify_clusters calls
    with pytest.raises(SolverFailedError, match="cluster 0 .*SCS"):
        certify_clusters(data, U, data.components, 2)


def test_sixth_moment_and_witness_cap():
    """m = 6 runs (Gram 20 × 20 at k_dim = 4) with reference 15 λ³ (1 − 1/n)³,
    and a witness stopped by max_iter warns but stays a lower bound."""
    from robust_mlr.exceptions import ConvergenceWarning
    theta = make_params(8, 4, rng=0)
    data = make_tasks(theta, 200, 16, rng=1)
    U = np.linalg.qr(theta.W)[0]
    z = data.components
    res = certify_clusters(data, U, z, 4, m=6, rng=0)
    n_c = np.bincount(z, minlength=4)
    np.testing.assert_allclose(res.reference, 15 * ((1 - 1 / n_c) * res.noise_eig) ** 3)
    assert np.all(res.witness <= res.bound * (1 + 1e-6))
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        capped = certify_clusters(data, U, z, 4, rng=0, max_iter=1)
    assert np.all(capped.witness <= capped.bound * (1 + 1e-6))
