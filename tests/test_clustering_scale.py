"""The scalable clustering paths: blocked H with closed-form medians, the
projected chunk means, blocked re-admission, and the BM path of sdp_cluster
against the SCS path."""
import numpy as np
import pytest

from robust_mlr import make_params, make_tasks, metrics
from robust_mlr.stages.clustering import (LowRankCost, distance_matrix, linkage,
                                           projected_chunks, sdp_cluster)
from robust_mlr.stages.clustering import factored


def _heavy(n=30, t=40, seed=1):
    theta = make_params(6, 3, rng=0)
    return make_tasks(theta, n, t, rng=seed), np.linalg.qr(theta.W)[0]


def test_projected_chunks_equal_projected_chunk_means():
    data, U = _heavy()
    np.testing.assert_allclose(projected_chunks(data, U, 4), data.chunk_means(4) @ U,
                               atol=1e-12)


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5])
def test_blocked_h_equals_the_median_of_the_split_estimates(monkeypatch, L):
    """Many small blocks (one row at a time for part of the sizes) and the
    closed-form medians give the direct median of the L split matrices."""
    data, U = _heavy()
    monkeypatch.setattr(linkage, "BLOCK_BYTES", 8 * L * data.n_tasks * 7)   # 7-row blocks
    H = distance_matrix(data, U, L=L)
    B = data.chunk_means(2 * L) @ U
    stack = np.stack([((B[l][:, None] - B[l][None]) * (B[l + L][:, None] - B[l + L][None])
                       ).sum(-1) for l in range(L)])
    np.testing.assert_allclose(H, np.median(stack, axis=0), atol=1e-10)
    assert np.array_equal(H, H.T)


def test_blocked_assignment_matches_a_dense_computation(monkeypatch):
    """Row blocks of 50 entries give the dense median rule exactly."""
    rng = np.random.default_rng(0)
    P, Q = rng.standard_normal((2, 40, 3))
    op = LowRankCost(P, Q)
    D = op.dense()
    labels = np.repeat([0, 1, 2, -1], 10)
    which = np.flatnonzero(labels < 0)
    monkeypatch.setattr(factored, "BLOCK_ENTRIES", 50)
    got = factored.assign_blocked(labels, op, 3, which, robust=False)
    med = np.column_stack([np.median(D[np.ix_(which, np.flatnonzero(labels == c))], axis=1)
                           for c in range(3)])
    np.testing.assert_array_equal(got[which], np.argmin(med, axis=1))
    np.testing.assert_array_equal(got[:30], labels[:30])


def test_bm_path_matches_scs_path():
    """Same heavy tasks, Peng–Wei by SCS (cvxpy) and by BM: the same
    clustering and the same objective within 1e-3 (SCS runs at eps = 1e-4)."""
    theta = make_params(16, 4, rng=0)
    heavy = make_tasks(theta, 60, 128, rng=2)
    U = np.linalg.qr(theta.W)[0]
    scs = sdp_cluster(heavy, U, 4, solver="SCS", rng=0)
    bm = sdp_cluster(heavy, U, 4, rng=0)
    assert bm.info["solver"]["solver"] == "BM" and bm.info["cost"] == "low-rank"
    assert metrics.clustering_accuracy(bm.labels, scs.labels, 4) == 1.0
    assert abs(bm.objective - scs.objective) <= 1e-3 * max(1.0, abs(scs.objective))


def test_bm_refuses_the_sos_relaxation():
    data, U = _heavy()
    with pytest.raises(ValueError, match="BM"):
        sdp_cluster(data, U, 3, relaxation="sos", solver="BM")
