"""One's own attack and repeated corruption: each mistake is one clear line."""

import numpy as np
import pytest

from robust_mlr import ValidationError, make_params, make_pools
from robust_mlr.adversary import ATTACKS, Attack, Targeted, corrupt_pools, register


@pytest.fixture(scope="module")
def problem():
    theta = make_params(8, 2, rng=0)
    return theta, make_pools(theta, 200, 2, 40, 16, 100, 4, rng=1)


class Mine(Attack):
    name, stage, targets = "mine_test_attack", "clustering", ("heavy",)

    def craft(self, data, idx, ctx, rng):
        n = int(data.sizes[idx].sum())
        return rng.standard_normal((n, data.dim)), rng.standard_normal(n)


def test_register_refuses_to_replace_a_built_in_attack():
    built_in = ATTACKS["fake_cluster"]
    evil = type("Evil", (Mine,), {"name": "fake_cluster"})
    with pytest.raises(ValidationError, match=r"^attack name 'fake_cluster' is a built-in attack "
                                              r"\(FakeCluster\); give Evil another name$"):
        register(evil)
    assert ATTACKS["fake_cluster"] is built_in
    try:                                   # one's own name: re-running the cell replaces it
        first = register(type("Own", (Mine,), {"name": "own_test_attack"}))
        second = register(type("Own", (Mine,), {"name": "own_test_attack"}))
        assert ATTACKS["own_test_attack"] is second is not first
    finally:
        ATTACKS.pop("own_test_attack", None)


def test_corrupting_a_corrupted_pool_again_is_refused_and_masks_are_kept(problem):
    theta, pools = problem
    once = corrupt_pools(pools, "random_labels", 0.05, theta=theta, targets=["heavy"], rng=0)
    with pytest.raises(ValidationError, match=r"^pool 'heavy' is already corrupted \(2 tasks "
                                              r"replaced\); .*Poolwise"):
        corrupt_pools(once, "random_labels", 0.05, theta=theta, rng=1)
    first = corrupt_pools(pools, "subspace_spike", 0.05, theta=theta, rng=0)
    both = corrupt_pools(first, "fake_cluster", 0.05, theta=theta, rng=1)   # another pool: fine
    for pool in both.names:
        np.testing.assert_array_equal(both.masks[pool], both[pool].components == -1)
    assert [int(both.masks[p].sum()) for p in both.names] == [10, 2, 0]


def test_targeted_takes_one_pool_name(problem):
    theta, pools = problem
    t = Targeted("random_labels", "heavy")
    assert t.targets == ("heavy",)
    out = corrupt_pools(pools, t, 0.05, theta=theta, rng=0)
    assert [int(out.masks[p].sum()) for p in out.names] == [0, 2, 0]
    with pytest.raises(ValidationError, match=r"pools \['hevy'\] unknown"):
        Targeted("random_labels", "hevy")


@pytest.mark.parametrize("chosen, message", [
    (lambda n_bad, n: np.zeros(n_bad, int), r"choose returned task 0 more than once$"),
    (lambda n_bad, n: -np.arange(1, n_bad + 1), r"choose returned task -1; the pool's tasks are "
                                                r"0\.\.39$"),
    (lambda n_bad, n: np.arange(n_bad) + n, r"choose returned task 40; the pool's tasks are "
                                            r"0\.\.39$"),
    (lambda n_bad, n: np.arange(n_bad) + 0.5, r"choose returned indices of dtype float64; "
                                              r"expected integers$"),
    (lambda n_bad, n: np.arange(n_bad + 5), r"choose returned 7 tasks; the budget is 2$"),
])
def test_a_wrong_choice_of_tasks_is_named(problem, chosen, message):
    theta, pools = problem

    class Chooser(Mine):
        def choose(self, data, n_bad, ctx, rng):
            return chosen(n_bad, data.n_tasks)

    with pytest.raises(RuntimeError, match=r"^attack mine_test_attack: " + message):
        corrupt_pools(pools, Chooser(), 0.05, theta=theta, rng=0)


def test_a_misspelled_stage_is_refused_where_it_is_written():
    with pytest.raises(ValidationError, match=r"^attack BadStage: stage 'clustring' unknown "
                                              r"\(did you mean 'clustering'\?\); stages are "
                                              r"subspace, clustering, regression, "
                                              r"preprocessing, generic$"):
        type("BadStage", (Mine,), {"stage": "clustring"})
    assert Targeted(Mine(), "auto").targets == ("heavy",)
