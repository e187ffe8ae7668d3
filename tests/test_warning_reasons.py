"""A CorruptionWarning says why: where the robust regression's test fails
because a component had too few heavy tasks to anchor (clean data with a
small component at a large α do this too), the message names the
component, its count, the count needed and the two pools' floors."""

import warnings

from robust_mlr import CorruptionWarning, MetaLearner, make_params, make_pools


def test_an_unanchored_component_is_named_in_the_warning():
    # clean Gaussian default-size pools; component 1 draws 82 of the 400
    # heavy tasks, one fewer than an anchor needs at alpha = 0.1
    pools = make_pools(make_params(32, 4, rng=1), 20_000, 2, 400, 128, 20_000, 8,
                       x_dist="gaussian", rng=101)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MetaLearner.robust(4, 0.1, rng=1).fit(pools)
    said = [str(w.message) for w in caught if issubclass(w.category, CorruptionWarning)]
    assert len(said) == 1
    assert "component 1 has 82 usable heavy tasks, fewer than the 83 its anchor needs" in said[0]
    assert "the light pool alone allows 0.51·s against the heavy pool's 0.12·s" in said[0]
