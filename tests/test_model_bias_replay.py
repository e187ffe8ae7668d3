"""The pull trim's replay of the model-bias draws: a light pool of at most
``KEEP_DRAWS_ROWS`` rows keeps each block's drawn responses and weights,
a larger one (a pool on disk) keeps each block's stream state and draws
the block again when the trim reads it. Both must give the same trimmed
ratios and the same fit, bit for bit (the prediction of Kong, Somani,
Kakade, Oh 2020's heavy anchor, read without the ⌊αn⌋ tasks along b̂).
The default problem's light-2 pool is ten blocks, so the replay restores
ten different stream states."""

import warnings

import numpy as np
import pytest

from robust_mlr import MetaLearner
from robust_mlr.generator import default_problem
from robust_mlr.stages.regression import _misclass

ALPHA = 0.05


def _fit(pools, monkeypatch, keep_rows):
    """The robust fit with ``KEEP_DRAWS_ROWS`` = ``keep_rows``, and how many
    block-sum helpers the model bias built (one per pass, plus one per block
    drawn again)."""
    built = []

    class Counting(_misclass.BlockSums):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(_misclass, "KEEP_DRAWS_ROWS", keep_rows)
        m.setattr(_misclass, "BlockSums", Counting)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MetaLearner.robust(4, ALPHA, rng=0).fit(pools)
    return model, len(built)


@pytest.mark.parametrize("seed", [0])
def test_replayed_draws_equal_kept_draws(seed, monkeypatch):
    _, pools = default_problem(rng=seed)
    kept, n_kept = _fit(pools, monkeypatch, _misclass.KEEP_DRAWS_ROWS)
    replayed, n_replayed = _fit(pools, monkeypatch, 0)       # every pool replays
    a, b = kept.diagnostics_["regression"]["anchor"], replayed.diagnostics_["regression"]["anchor"]
    # the trim ran (finite trimmed ratios) and the second fit drew blocks again
    assert np.all(np.isfinite(a["mse_ratio_trimmed"]))
    assert n_replayed >= n_kept + 10
    for key in ("mse_ratio", "mse_ratio_trimmed", "predicted_bias", "pull", "light_weight"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    for attr in ("W_", "s2_", "p_", "U_", "light_labels_"):
        np.testing.assert_array_equal(getattr(kept, attr), getattr(replayed, attr), err_msg=attr)
