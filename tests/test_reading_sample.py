"""Which tasks the light-2 readings read on a large component: a share drawn
from the learner's seed *and* the data, so that knowing the seed does not
tell an adversary where no reading looks (docs/robust_pipeline.md,
"References the adversary cannot write into")."""

import numpy as np
import pytest

from robust_mlr import make_params, make_tasks
from robust_mlr.stages.regression import FilterRegression
from robust_mlr.threat import ThreatModel


@pytest.fixture(scope="module")
def pool():
    theta = make_params(4, 1, rng=0)
    # one component of 50 000 tasks: above the 40 000 the readings read whole
    return make_tasks(theta, 50_000, 2, rng=1)


def _entropy(data, seed=0):
    stage = FilterRegression().fit(data, np.zeros(data.n_tasks, int), 1,
                                   threat=ThreatModel(0.05), rng=seed)
    clip = stage.info_["example_clip"]
    return clip["read_entropy"], clip["read"]


def test_the_share_read_follows_the_data_as_well_as_the_seed(pool):
    first, read = _entropy(pool)
    assert first is not None and read[0] > 0           # a share was drawn and read
    # the same data and seed read the same tasks
    assert _entropy(pool)[0] == first
    # one response of one task moved by 1e-9: the generator's word (the
    # seed's) is the same, the data's digest and so the whole draw are not —
    # the tasks read were not known before the data were
    y = pool.y.copy()
    y[12_345] += 1e-9
    moved = type(pool)(pool.X, y, pool.offsets, pool.components)
    other = _entropy(moved)[0]
    assert other[0] == first[0] and other[1:] != first[1:]
    # another seed, the same data: another draw
    assert _entropy(pool, seed=1)[0][0] != first[0]
