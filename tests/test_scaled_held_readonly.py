"""The scaled blocks a screened pool holds while the learner's stages read it
(robust_mlr._scaled.held) are shared by every read: they are read-only, so a
reader that wrote into one would raise instead of changing what every later
read sees."""
import numpy as np
import pytest

from robust_mlr import make_params, make_pools
from robust_mlr._scaled import ScaledTasks, held
from robust_mlr._segments import task_blocks


def _pool():
    theta = make_params(4, 2, rng=0)
    light2 = make_pools(theta, 50, 2, 10, 16, 300, 4, rng=1).light2
    return ScaledTasks(light2, np.arange(light2.n_tasks), 1.7, 0.9)


def test_held_blocks_are_read_only_and_unchanged():
    data = _pool()
    off = data.offsets
    blocks = [(int(off[a]), int(off[e])) for a, e in task_blocks(off, data._row_bytes)]
    fresh = [data._block(lo, hi) for lo, hi in blocks]
    with held(data):
        for (lo, hi), (X0, y0) in zip(blocks, fresh):
            X, y = data._block(lo, hi)
            assert data._held_block(lo, hi) is not None        # the held one, not a copy
            np.testing.assert_array_equal(X, X0)
            np.testing.assert_array_equal(y, y0)
            with pytest.raises(ValueError):
                X[0, 0] = 1.0
            with pytest.raises(ValueError):
                y[0] = 1.0
    # dropped on exit: blocks are scaled afresh and writable again
    X, _ = data._block(*blocks[0])
    assert X.flags.writeable
