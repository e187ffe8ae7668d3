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
