"""The heavy anchor's filter caps its removal budget at m - 1 on a component of
few tasks (it would otherwise empty it). When it does remove all but one, the
one task's own fit is the estimate and every ratio at it is 0: that is not a
test the component's tasks passed, and the record must not say it did
(Kong, Somani, Kakade, Oh 2020: the anchor is a robust mean of the heavy
tasks' fits, which one task is not)."""
import warnings

from robust_mlr import CorruptionWarning, MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools


def test_the_warning_names_an_exhausted_component():
    # d = 8, k = 3, 20 heavy tasks: anchor_starve then edge placement on
    # light 2 leaves a component 5 heavy tasks against a removal limit of 5
    theta = make_params(8, 3, rng=3)
    pools = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=103)
    pools = corrupt_pools(pools, "anchor_starve", 0.05, theta=theta, targets=("heavy",), rng=7)
    pools = corrupt_pools(pools, "edge_placement", 0.05, theta=theta, targets=("light2",),
                          rng=107)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MetaLearner.robust(3, 0.05, rng=5).fit(pools)
    said = [str(w.message) for w in caught if issubclass(w.category, CorruptionWarning)]
    assert any("all but one: they never agreed" in m for m in said), said
