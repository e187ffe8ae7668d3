"""The robust learner (Kong, Somani, Kakade, Oh, NeurIPS 2020) out of core.

Its stages read the light pools only by blocked passes and row gathers, and
out of core those reads come from the chunked files: the same blocks in the
same order with the same float64 values. The fit is therefore the in-memory
fit bit for bit — screening, the filter PCA's rounds and restarts, the
heavy clustering, flagging, the regression filter's later rounds and the
heavy anchor — which is what these tests check (array equality, not a
tolerance: any change of method or of block order would show). Whitened
covariates are multiplied block by block instead of as one array, which
may move a float by a rounding unit on another BLAS: there the floats are
checked to 1e-10.
"""
import json
import warnings

import numpy as np
import pytest

from robust_mlr import MetaLearner, ValidationError, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.chunked import open_pools, write_chunked
from robust_mlr.cli import main
from robust_mlr.outofcore import fit_out_of_core

FITTED = ("U_", "W_tilde_", "r2_tilde_", "p_tilde_", "W_", "s2_", "p_")


def _write(pools, root):
    for name, m in (("light1", 3), ("heavy", 1), ("light2", 4)):
        cuts = np.linspace(0, pools[name].n_tasks, m + 1).astype(int)
        write_chunked(root / name, [pools[name].subset(np.arange(a, b))
                                    for a, b in zip(cuts[:-1], cuts[1:])])
    return root


def _both(pools, root, alpha, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")              # corruption findings, alike in both
        want = MetaLearner.robust(3, alpha, rng=2, **kw).fit(pools)
        got = fit_out_of_core(MetaLearner.robust(3, alpha, rng=2, **kw), root / "light1",
                              root / "heavy", root / "light2", chunk_bytes=40_000)
    return got, want


def _assert_identical(got, want, tol=0.0):
    for name in ("heavy_labels_", "light_labels_"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    for name in FITTED:
        if tol:
            np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=0,
                                       atol=tol, err_msg=name)
        else:
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    for pool in ("light1", "heavy", "light2"):
        np.testing.assert_array_equal(got.flagged_[pool], want.flagged_[pool], err_msg=pool)
    g, w = got.diagnostics_, want.diagnostics_
    assert g["subspace"]["run_iterations"] == w["subspace"]["run_iterations"]
    assert [c.get("iterations") for c in g["regression"]["components"]] == \
        [c.get("iterations") for c in w["regression"]["components"]]


THETA = make_params(8, 3, rng=0)


@pytest.fixture(scope="module")
def clean():
    # light2 holds 72 000 rows: more than one window of the reads that gather
    # scattered rows (the decision sample, a component's rows), so those
    # reads span several windows and shards
    return make_pools(THETA, 6000, 2, 90, 64, 12000, 6, rng=1)


@pytest.fixture(scope="module")
def small():
    return make_pools(THETA, 6000, 2, 90, 64, 4000, 6, rng=1)


# each case drives other stages past their first round: the light1 spike makes
# the filter PCA remove tasks over several rounds and restarts; the centre shift
# at alpha 0.15 sends the regression filter into later rounds on a component's
# gathered rows (on the smaller pools: 18 s on the larger); heavy-tailed values
# are screened out of every pool
CASES = {"clean": (None, 0.05), "subspace spike": ("subspace_spike", 0.05),
         "centre shift": ("centre_shift", 0.15), "heavy tailed": ("heavy_tailed", 0.05)}


@pytest.mark.parametrize("case", list(CASES))
def test_robust_fit_out_of_core_is_the_in_memory_fit(clean, small, tmp_path, case):
    attack, alpha = CASES[case]
    base = small if case == "centre shift" else clean
    pools = base if attack is None else corrupt_pools(base, attack, alpha, theta=THETA,
                                                      rng=3)
    got, want = _both(pools, _write(pools, tmp_path), alpha)
    _assert_identical(got, want)
    d = want.diagnostics_
    if case == "subspace spike":
        assert max(d["subspace"]["run_iterations"]) > 2
    if case == "centre shift":
        assert max(c["iterations"] for c in d["regression"]["components"]) > 1
    if case == "heavy tailed":
        assert all(d["screen"][p]["n_removed"] > 0 for p in ("light1", "heavy", "light2"))


@pytest.mark.parametrize("share", [False, True, "parted"])
def test_whitened_robust_fit_out_of_core(tmp_path, share, monkeypatch):
    """Correlated covariates: ``covariates="auto"`` decides on its random sample
    of tasks (gathered from the files), then Σ̂ by blocked passes (its rounds
    but the last on a share of the tasks when the cap is lowered, all on
    every task when the last round parts from the share's Σ̂) and every
    block whitened as it is read."""
    if share:
        monkeypatch.setattr("robust_mlr.covariates.ROUNDS_SAMPLE_PER_DIM", 1024)
    if share == "parted":
        monkeypatch.setattr("robust_mlr.covariates.SHARE_AGREEMENT", 0.0)
    pools = make_pools(THETA, 6000, 2, 90, 64, 4000, 6, x_dist="correlated", rng=1)
    got, want = _both(pools, _write(pools, tmp_path), 0.05)
    assert want.covariance_ is not None
    _assert_identical(got, want, tol=1e-10)
    np.testing.assert_allclose(got.covariance_.Sigma, want.covariance_.Sigma, rtol=0,
                               atol=1e-10)


def test_robust_fit_without_screen(clean, tmp_path):
    got, want = _both(clean, _write(clean, tmp_path), 0.05, screen=None)
    _assert_identical(got, want)


def test_dask_cluster_of_two_workers_gives_the_same_answer(clean, tmp_path):
    """With a client the fit runs as one task on a worker, reading the files."""
    distributed = pytest.importorskip("dask.distributed")
    root = _write(clean, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = fit_out_of_core(MetaLearner.robust(3, 0.05, rng=2), root / "light1",
                               root / "heavy", root / "light2")
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            learner = MetaLearner.robust(3, 0.05, rng=2)
            got = fit_out_of_core(learner, root / "light1", root / "heavy", root / "light2",
                                  client=client)
            # the fit's warnings are raised here, not printed in a worker's log
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fit_out_of_core(MetaLearner.robust(3, 0.4, rng=2), root / "light1",
                                root / "heavy", root / "light2", client=client)
    assert got is learner
    _assert_identical(got, want)
    assert any("alpha=0.4 is not below the component share" in str(w.message)
               for w in caught), [str(w.message) for w in caught]


def test_cli_fit_robust_on_a_pools_directory(tmp_path, capsys):
    d = tmp_path / "pools"
    assert main(["generate", str(d), "--d", "6", "--k", "2", "--light1", "3000", "2",
                 "--heavy", "60", "40", "--light2", "1500", "6", "--seed", "3",
                 "--dtype", "float32"]) == 0
    assert main(["fit", str(d), "--k", "2", "--alpha", "0.05", "--method", "robust",
                 "--out", str(tmp_path / "m.json")]) == 0
    out = capsys.readouterr().out
    assert "out of core" in out and "against the true parameters" in out
    src = open_pools(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from robust_mlr import Pools
        want = MetaLearner.robust(2, 0.05, rng=0).fit(
            Pools(*(src[n].to_memory() for n in ("light1", "heavy", "light2"))))
    model = json.loads((tmp_path / "m.json").read_text())
    np.testing.assert_array_equal(np.array(model["W"]), want.W_)


def test_other_robust_stages_are_named(clean, tmp_path):
    root = _write(clean, tmp_path)
    with pytest.raises(ValidationError, match="subspace=HRPCA has no out-of-core form"):
        fit_out_of_core(MetaLearner.robust(3, 0.05, subspace="hrpca"), root / "light1",
                        root / "heavy", root / "light2")


def test_pools_smaller_than_the_covariate_decision_sample(tmp_path):
    # fewer than 2048·d examples in all: the covariate decision reads every task, and the
    # rows on disk must be read in for it (they were handed over as they are and divided)
    pools = make_pools(make_params(4, 3, rng=0), 1000, 2, 45, 32, 1000, 4, rng=1)
    assert sum(pools[n].n_examples for n in ("light1", "heavy", "light2")) < 2048 * 4
    got, want = _both(pools, _write(pools, tmp_path / "p"), 0.05)
    _assert_identical(got, want)
    assert main(["fit", str(tmp_path / "p"), "--k", "3", "--alpha", "0.05", "--out",
                 str(tmp_path / "m.json")]) == 0


def test_spilled_statistics_leave_no_open_file(tmp_path):
    # the out-of-core robust fit spills per-task statistics to temporary
    # files; each must be closed when its array goes, not left to the
    # garbage collector's ResourceWarning (a new user's finding under -W error)
    import subprocess
    import sys
    root = _write(make_pools(THETA, 3000, 2, 60, 64, 3000, 6, rng=3), tmp_path)
    code = ("import warnings, gc\n"
            "from robust_mlr import MetaLearner\n"
            "from robust_mlr.outofcore import fit_out_of_core\n"
            "warnings.simplefilter('ignore')\n"
            "warnings.simplefilter('always', ResourceWarning)\n"
            f"m = fit_out_of_core(MetaLearner.robust(3, 0.05, rng=2), r'{root}/light1', "
            f"r'{root}/heavy', r'{root}/light2', chunk_bytes=40_000)\n"
            "del m\n"
            "gc.collect()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ResourceWarning" not in proc.stderr, proc.stderr[-2000:]
