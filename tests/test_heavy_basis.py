"""The heavy-augmented clustering basis (robust_mlr.stages.clustering.heavy_basis)."""

import numpy as np

from robust_mlr import make_params, make_tasks
from robust_mlr.data import MetaDataset
from robust_mlr.stages.clustering import heavy_basis


def _problem(seed=1):
    theta = make_params(10, 3, rng=0)
    return theta, make_tasks(theta, 300, 64, rng=seed), np.linalg.qr(theta.W)[0]


def test_basis_is_orthonormal_and_starts_with_U():
    theta, heavy, Q = _problem()
    B = heavy_basis(heavy, Q, 3, 0.05)
    assert B.shape == (10, 6)
    np.testing.assert_allclose(B.T @ B, np.eye(6), atol=1e-10)
    np.testing.assert_allclose(B[:, :3], Q)


def test_a_lost_direction_comes_back_and_junk_tasks_cannot_take_its_slot():
    # U lost the third direction of span(W). Twenty extreme tasks (≈ 7 % of
    # the pool, above α n = 15 but within the trimmed count αn + 3√(αn) + 1)
    # push orthogonal junk directions with huge energy: trimming leaves
    # them out, and the lost direction is back in the basis.
    theta, heavy, Q = _problem()
    rng = np.random.default_rng(4)
    junk = np.linalg.qr(np.hstack([Q, rng.standard_normal((10, 3))]))[0][:, 3:]
    tasks = [(heavy.X[heavy.offsets[i]:heavy.offsets[i + 1]],
              heavy.y[heavy.offsets[i]:heavy.offsets[i + 1]]) for i in range(280)]
    for j in range(20):
        X = rng.standard_normal((64, 10))
        X[:, :] += 30 * np.outer(np.sign(rng.standard_normal(64)), junk[:, j % 3])
        tasks.append((X, 30 * np.sign(X @ junk[:, j % 3])))
    bad = MetaDataset.from_tasks(tasks)
    B = heavy_basis(bad, Q[:, :2], 3, 0.05)
    assert np.linalg.norm(Q[:, 2] @ B) > 0.98


def test_no_room_left_returns_U():
    theta, heavy, Q = _problem()
    full = np.linalg.qr(np.random.default_rng(0).standard_normal((10, 10)))[0]
    np.testing.assert_array_equal(heavy_basis(heavy, full, 3, 0.05), full)


def test_blockwise_half_means_equal_the_one_shot_ones(monkeypatch):
    from robust_mlr.stages.clustering import basis, projected_chunks
    theta, heavy, Q = _problem()
    P = np.linalg.qr(np.random.default_rng(0).standard_normal((10, 7)))[0]
    monkeypatch.setattr(basis, "BLOCK_BYTES", 3000)          # blocks of a few tasks
    np.testing.assert_allclose(basis._half_means(heavy, P), projected_chunks(heavy, P, 2),
                               rtol=1e-12, atol=1e-12)
