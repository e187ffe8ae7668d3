import numpy as np
import pytest

from robust_mlr import MetaLearner, ValidationError, make_params, make_pools, metrics
from robust_mlr.adversary import ATTACKS, Targeted, budget, corrupt_pools, get_attack

ALPHAS = [0.0, 0.004, 0.01, 0.02, 0.05, 0.1, 0.3, 0.49]


@pytest.fixture(scope="module")
def problem():
    theta = make_params(10, 3, rng=0)
    return theta, make_pools(theta, 300, 2, 60, 24, 200, 6, rng=1)


def test_budget_is_floor():
    assert budget(0.05, 100) == 5 and budget(0.05, 19) == 0 and budget(0.0, 10) == 0
    assert budget(0.1, 30) == 3       # no float round-down surprise
    with pytest.raises(ValidationError, match="alpha"):
        budget(0.5, 10)
    with pytest.raises(ValidationError, match="alpha"):
        budget(-0.1, 10)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_every_attack_respects_budget_shape_finiteness(problem, name):
    theta, pools = problem
    for alpha in ALPHAS:
        out = corrupt_pools(pools, name, alpha, theta=theta, targets=("light1", "heavy", "light2"),
                            rng=3)
        for pool in ("light1", "heavy", "light2"):
            orig, new, mask = pools[pool], out[pool], out.masks[pool]
            assert mask.sum() <= np.floor(alpha * orig.n_tasks + 1e-9)
            assert mask.sum() == budget(alpha, orig.n_tasks)
            np.testing.assert_array_equal(new.offsets, orig.offsets)
            assert new.X.shape == orig.X.shape and np.all(np.isfinite(new.X))
            assert np.all(np.isfinite(new.y))
            keep = np.repeat(~mask, orig.sizes)
            np.testing.assert_array_equal(new.X[keep], orig.X[keep])   # clean tasks untouched
            np.testing.assert_array_equal(new.y[keep], orig.y[keep])
            assert np.all(new.components[mask] == -1)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_every_attack_is_deterministic_given_rng(problem, name):
    theta, pools = problem
    a = corrupt_pools(pools, name, 0.1, theta=theta, rng=11)
    b = corrupt_pools(pools, name, 0.1, theta=theta, rng=11)
    for pool in ("light1", "heavy", "light2"):
        np.testing.assert_array_equal(a[pool].X, b[pool].X)
        np.testing.assert_array_equal(a[pool].y, b[pool].y)
        np.testing.assert_array_equal(a.masks[pool], b.masks[pool])


def test_tiny_pools(problem):
    theta, _ = problem
    tiny = make_pools(theta, 3, 2, 2, 8, 3, 4, rng=0)
    for name in ATTACKS:
        out = corrupt_pools(tiny, name, 0.3, theta=theta,
                            targets=("light1", "heavy", "light2"), rng=0)
        assert out.masks["heavy"].sum() == 0                      # ⌊0.3·2⌋ = 0
        assert out.masks["light1"].sum() == 0                     # ⌊0.3·3⌋ = 0
        out = corrupt_pools(tiny, name, 0.34, theta=theta, targets=("light1",), rng=0)
        assert out.masks["light1"].sum() == 1                     # ⌊0.34·3⌋ = 1


def test_default_targets_follow_the_stage(problem):
    theta, pools = problem
    out = corrupt_pools(pools, "subspace_spike", 0.1, theta=theta, rng=0)
    assert out.masks["light1"].sum() == 30 and not out.masks["heavy"].any()
    t = Targeted("leverage", "auto")
    assert t.targets == ("light2",)
    out = corrupt_pools(pools, Targeted("random_labels", ["heavy"]), 0.1, theta=theta, rng=0)
    assert out.masks["heavy"].sum() == 6 and not out.masks["light1"].any()


def test_unknown_attack_and_missing_theta(problem):
    _, pools = problem
    with pytest.raises(ValidationError, match="attack 'nope' unknown"):
        get_attack("nope")
    with pytest.raises(ValidationError, match="pass theta"):
        corrupt_pools(pools, "fake_cluster", 0.1, rng=0)


def test_a_function_as_attack_says_how_to_bring_ones_own(problem):
    theta, pools = problem

    def my_attack(data, alpha, rng=None, ctx=None):
        return data

    with pytest.raises(ValidationError, match=r"^attack <function .*my_attack.*> is neither a "
                                              r"name nor an Attack: pass a name .* or an instance "
                                              r"of a subclass of robust_mlr\.adversary\.Attack "
                                              r"that implements craft\(data, idx, ctx, rng\)$"):
        corrupt_pools(pools, my_attack, 0.1, theta=theta, rng=0)
    with pytest.raises(ValidationError, match=r"^attack FakeCluster is a class; pass an "
                                              r"instance, FakeCluster\(\.\.\.\)$"):
        corrupt_pools(pools, type(get_attack("fake_cluster")), 0.1, theta=theta, rng=0)


def test_sign_flip_only_negates_y(problem):
    theta, pools = problem
    out = corrupt_pools(pools, "sign_flip", 0.1, theta=theta, rng=0)
    m = np.repeat(out.masks["heavy"], pools.heavy.sizes)
    np.testing.assert_array_equal(out.heavy.y[m], -pools.heavy.y[m])
    np.testing.assert_array_equal(out.heavy.X, pools.heavy.X)


def test_spike_statistic_points_orthogonal_to_W():
    """The crafted y·x halves average to c v with v ⊥ span(W)."""
    theta = make_params(12, 3, rng=0)
    pools = make_pools(theta, 4000, 2, 10, 4, 10, 2, rng=1)
    out = corrupt_pools(pools, "subspace_spike", 0.05, theta=theta, rng=2)
    bad = out.light1.subset(out.masks["light1"])
    b = bad.chunk_means(2)
    C = b[0].T @ b[1] / bad.n_tasks                    # ≈ c² v vᵀ
    vals, vecs = np.linalg.eigh((C + C.T) / 2)
    v = vecs[:, -1]
    Q = np.linalg.qr(theta.W)[0]
    assert np.linalg.norm(Q.T @ v) < 0.2               # mostly orthogonal to span(W)
    lam_k = np.linalg.eigvalsh(theta.moment)[-3]
    assert vals[-1] == pytest.approx(3 * lam_k / 0.05, rel=0.3)


def test_stage_attacks_break_the_non_robust_pipeline():
    """One attack per stage raises the ICML pipeline's error ≥ 5× at α = 0.05."""
    theta = make_params(32, 4, rng=0)
    pools = make_pools(theta, 20000, 2, 400, 128, 20000, 8, rng=100)

    def err(P):
        m = MetaLearner(4, rng=0).fit(P)
        return metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]

    base = err(pools)
    for name in ("subspace_spike", "fake_cluster", "leverage"):
        bad = corrupt_pools(pools, name, 0.05, theta=theta, rng=1)
        assert err(bad) >= 5 * base, name


def test_attack_statistics_figure(tmp_path):
    from robust_mlr.adversary.plotting import plot_attack_gallery
    path = plot_attack_gallery(tmp_path, attacks=["subspace_spike", "fake_cluster"])
    assert path.stat().st_size > 0
