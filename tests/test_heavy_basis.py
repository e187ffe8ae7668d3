"""The heavy-augmented clustering basis (robust_mlr.stages.clustering.heavy_basis)."""

import numpy as np
import pytest

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


def test_an_alpha_share_of_heavy_tasks_cannot_put_its_direction_in_the_basis():
    # U is exact (d 32, k 4, t_H 4): the heavy moment off U is noise, and its
    # top k directions — the extra columns without the null test — give a
    # direction u ⊥ span(W) a chance weight, which ⌊αn⌋ exact-fit tasks
    # shifted along u (the red team's ``anchor_edge``, δ = 2) raise
    # (measured ‖Bᵀu‖ 0.39–0.64 on four seeds). With the null test no
    # direction stands above the noise edge of the moment with random task
    # signs, and the basis is U (measured for shifts up to 6).
    from robust_mlr import make_pools
    from robust_mlr.adversary import Poolwise, corrupt_pools
    rng = np.random.default_rng([0, 5])
    theta = make_params(32, 4, rng=rng)
    pools = make_pools(theta, 100, 2, 8000, 4, 100, 16, rng=rng)
    Q = np.linalg.qr(theta.W)[0]
    u = np.linalg.qr(np.column_stack([theta.W, np.eye(32)]))[0][:, 4]
    attack = Poolwise(heavy=("anchor_edge", dict(component=0, shift=2.0, pick="own")))
    bad = corrupt_pools(pools, attack, 0.05, theta=theta, rng=np.random.default_rng([0, 17]))
    assert np.linalg.norm(heavy_basis(bad.heavy, Q, 4, 0.05).T @ u) > 0.45     # 0.59
    B = heavy_basis(bad.heavy, Q, 4, 0.05, null_level=1.3, rng=0)
    np.testing.assert_allclose(B, Q)


def test_the_null_test_keeps_a_lost_direction_and_refuses_a_bad_level():
    from robust_mlr import ValidationError
    theta, heavy, Q = _problem()
    B = heavy_basis(heavy, Q[:, :2], 3, 0.05, null_level=1.3, rng=0)
    assert B.shape == (10, 3)                     # U and the lost direction only
    assert np.linalg.norm(Q[:, 2] @ B) > 0.99
    for bad in (0.0, -1.0, float("nan"), "high"):
        with pytest.raises(ValidationError, match="null_level"):
            heavy_basis(heavy, Q, 3, 0.05, null_level=bad)
