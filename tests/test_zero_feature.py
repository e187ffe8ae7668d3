"""A feature that is zero on every row under ``covariates="isotropic"``:
the fit warns (a DataWarning naming the feature, on the command line the
CSV column), because isotropic covariates have unit variance in every
coordinate; the covariates' estimate refuses such a feature outright."""

import warnings

import numpy as np
import pytest

from robust_mlr import (DataWarning, MetaLearner, Pools, fit_out_of_core,
                        write_chunked)
from robust_mlr.cli import main
from robust_mlr.cli_data import read_csv_tasks
from robust_mlr.exceptions import ValidationError

from test_new_user_inputs import _csv

_ZERO = {2: lambda X: 0.0 * X[:, 2]}


def _pools(tmp_path, columns=_ZERO):
    return Pools.from_dataset(read_csv_tasks(_csv(tmp_path / "d.csv", columns)), 10, rng=0)


@pytest.mark.parametrize("preset", [MetaLearner.icml, MetaLearner.robust])
def test_isotropic_fit_names_a_zero_feature(tmp_path, preset):
    pools = _pools(tmp_path)
    learner = preset(2, alpha=0.05 if preset is MetaLearner.robust else 0.0,
                     covariates="isotropic", rng=0)
    with pytest.warns(DataWarning, match=r"^feature 2 \(columns of X, from 0\) is zero on every "
                                         r"row, but covariates='isotropic' assumes unit "
                                         r"variance in every coordinate") as record:
        learner.fit(pools)
    [warning] = [w.message for w in record if w.category is DataWarning]
    assert warning.zero == [2]
    with pytest.raises(ValidationError, match=r"feature 2 \(columns of X, from 0\) is zero on "
                                              r"every row: remove it"):
        preset(2, alpha=0.0, covariates="estimate", rng=0).fit(pools)   # estimate refuses it


def test_isotropic_fit_of_nonzero_features_does_not_warn(tmp_path):
    pools = _pools(tmp_path, {2: lambda X: np.where(np.arange(len(X)) == 7, 1.0, 0.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)     # one nonzero entry: no warning
        MetaLearner.icml(2, covariates="isotropic", rng=0).fit(pools)


def test_cli_names_the_zero_csv_column(tmp_path, capsys):
    data = _csv(tmp_path / "d.csv", _ZERO)
    for extra in ([], ["--alpha", "0.05"]):             # the ICML and the robust fit
        assert main(["fit", data, "--k", "2", "--heavy-min-size", "10", "--covariates",
                     "isotropic", *extra, "--out", str(tmp_path / "m.json")]) == 0
        lines = [ln for ln in capsys.readouterr().err.splitlines() if "DataWarning" in ln]
        assert lines == ["robust-mlr: warning: DataWarning: column 'f_2' is zero on every "
                         "row, but --covariates isotropic assumes unit variance in every "
                         "coordinate (E[x xᵀ] = I): the fit is misspecified and W's entry "
                         "for it is not identified; remove it"], lines


def test_out_of_core_fit_names_the_pools_it_read(tmp_path):
    """The out-of-core fit reads only the heavy pool (in memory) for the
    check, and says so; with every pool in memory it says every row."""
    pools = _pools(tmp_path)
    dirs = {n: write_chunked(tmp_path / n, [pools[n]]) for n in pools.names}
    robust = MetaLearner.robust(2, 0.05, covariates="isotropic", rng=0)
    with pytest.warns(DataWarning, match=r"^feature 2 \(columns of X, from 0\) is zero on "
                                         r"every row of the heavy pool, but "):
        fit_out_of_core(robust, dirs["light1"], dirs["heavy"], dirs["light2"])
    with pytest.warns(DataWarning, match=r"is zero on every row, but "):
        fit_out_of_core(robust, pools.light1, pools.heavy, pools.light2)


@pytest.mark.parametrize("columns", [_ZERO, {2: lambda X: X[:, 1]}], ids=["zero", "duplicate"])
def test_out_of_core_icml_fit_of_a_rank_deficient_design_is_the_in_memory_fit(tmp_path,
                                                                              columns):
    """A zero (or duplicated) feature leaves every component's XᵀX singular:
    the chunked ICML fit gives the in-memory fit's minimum-norm estimate
    (after the zero feature's warning) instead of failing its Cholesky solve."""
    pools = _pools(tmp_path, columns)
    dirs = {n: write_chunked(tmp_path / n, [pools[n]]) for n in pools.names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        ref = MetaLearner.icml(2, covariates="isotropic", rng=0).fit(pools)
    for chunk_bytes in (64 << 20, 4000):             # one chunk, and many
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = fit_out_of_core(MetaLearner.icml(2, covariates="isotropic", rng=0),
                                  dirs["light1"], dirs["heavy"], dirs["light2"],
                                  chunk_bytes=chunk_bytes)
        zero = [w for w in caught if issubclass(w.category, DataWarning)
                and "is zero on every row of the heavy pool" in str(w.message)]
        assert len(zero) == (columns is _ZERO)
        np.testing.assert_array_equal(got.light_labels_, ref.light_labels_)
        np.testing.assert_allclose(got.W_, ref.W_, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(got.s2_, ref.s2_, rtol=1e-9)
    if columns is _ZERO:
        assert np.all(got.W_[2] == 0)                # minimum norm: nothing on the zero feature
    else:
        np.testing.assert_allclose(got.W_[1], got.W_[2], atol=1e-9)   # split evenly


def test_cli_out_of_core_fit_of_a_zero_feature_warns_and_writes_the_model(tmp_path, capsys):
    pools = _pools(tmp_path)
    for n in pools.names:
        write_chunked(tmp_path / "p" / n, [pools[n]])
    model = tmp_path / "m.json"
    assert main(["fit", str(tmp_path / "p"), "--k", "2", "--covariates", "isotropic",
                 "--out", str(model)]) == 0
    err = capsys.readouterr().err
    assert "DataWarning: feature 2 (columns of X, from 0) is zero on every row of the heavy " \
           "pool" in err and "error" not in err, err
    assert model.is_file()


_COPY = {2: lambda X: X[:, 1]}


@pytest.mark.parametrize("preset", [MetaLearner.icml, MetaLearner.robust])
def test_isotropic_fit_names_a_duplicated_feature(tmp_path, preset):
    """A copy of another column is as misspecified under isotropic
    covariates as a zero one (E[x xᵀ] is singular): it was fitted silently,
    while ``covariates="auto"`` refused it naming both columns."""
    pools = _pools(tmp_path, _COPY)
    learner = preset(2, alpha=0.05 if preset is MetaLearner.robust else 0.0,
                     covariates="isotropic", rng=0)
    with pytest.warns(DataWarning, match=r"^features 1, 2 \(columns of X, from 0\) are linearly "
                                         r"dependent on every row") as record:
        learner.fit(pools)
    [warning] = [w.message for w in record if w.category is DataWarning]
    assert warning.dependent == [1, 2]


def test_cli_names_the_duplicated_csv_columns(tmp_path, capsys):
    data = _csv(tmp_path / "d.csv", _COPY)
    assert main(["fit", data, "--k", "2", "--heavy-min-size", "10", "--covariates",
                 "isotropic", "--out", str(tmp_path / "m.json")]) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "DataWarning" in ln]
    assert lines == ["robust-mlr: warning: DataWarning: columns 'f_1', 'f_2' are linearly "
                     "dependent on every row (e.g. one a copy or a multiple of another), but "
                     "--covariates isotropic assumes E[x xᵀ] = I: the fit is misspecified and "
                     "W's entries for them are not identified; remove one of them"], lines
