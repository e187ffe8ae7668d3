"""What ``robust-mlr fit`` says about the columns it read and the covariates
it fitted: a CSV's unnamed index column, written by pandas'
``DataFrame.to_csv``, was fitted as a feature named '' without a word, and
the summary did not say whether the covariates were whitened."""

import csv
import json
import re

import numpy as np
import pytest

from robust_mlr.cli import main

from cli_helpers import cli_error


def _write_csv(path, index=False, scale=1.0, seed=0, n_light=600, n_heavy=40, d=4,
               index_name=""):
    """Two regressions, light and heavy tasks; with ``index`` a first column
    without a name holding the row number (pandas' ``df.to_csv()``); feature
    x0 multiplied by ``scale``."""
    rng = np.random.default_rng(seed)
    W = np.linalg.qr(np.random.default_rng(99).standard_normal((d, 2)))[0]
    sizes = np.r_[np.full(n_light, 3), np.full(n_heavy, 30)]
    comp = rng.integers(0, 2, sizes.size)
    row = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([index_name] * index + ["task", *[f"x{j}" for j in range(d)], "y"])
        for i, (t, c) in enumerate(zip(sizes, comp)):
            X = rng.standard_normal((t, d))
            y = X @ W[:, c] + 0.3 * rng.standard_normal(t)
            X[:, 0] *= scale
            for x, yi in zip(X.tolist(), y.tolist()):
                w.writerow([row] * index + [f"user{i}", *x, yi])
                row += 1
    return path


def _fit(tmp_path, data, *options):
    model = tmp_path / "m.json"
    assert main(["fit", str(data), "--k", "2", "--heavy-min-size", "10", "--out", str(model),
                 *options]) == 0
    return model


def test_a_leading_unnamed_index_column_is_skipped_with_a_note(tmp_path, capsys):
    """The index pandas writes is a row number: as a feature it added a
    dimension (d = 5) that grows along the file."""
    model = _fit(tmp_path, _write_csv(tmp_path / "indexed.csv", index=True))
    out = capsys.readouterr().out
    assert "d=4" in out.splitlines()[0], out
    assert ("  features: x0, x1, x2, x3 (every column but 'task' and 'y'; column 1, which has "
            "no name, skipped as a row index, as pandas' DataFrame.to_csv writes one)\n") in out
    assert json.loads(model.read_text())["learner"]["features"] == ["x0", "x1", "x2", "x3"]
    # predict skips it the same way, and a file without it meets the same model
    for name, index in (("indexed.csv", True), ("plain.csv", False)):
        data = _write_csv(tmp_path / name, index=index, seed=1)
        assert main(["predict", str(model), str(data)]) == 0
    assert capsys.readouterr().out.count("predict: 640 tasks") == 2


def test_the_index_pandas_read_and_wrote_again_is_skipped(tmp_path, capsys):
    """A CSV read by ``pd.read_csv`` and written back with ``index=False``
    keeps its row index as a column named 'Unnamed: 0': it was fitted as a
    feature (d = 5), growing along the file."""
    data = _write_csv(tmp_path / "again.csv", index=True, index_name="Unnamed: 0")
    model = _fit(tmp_path, data)
    out = capsys.readouterr().out
    assert "d=4" in out.splitlines()[0], out
    assert ("'Unnamed: 0' skipped as a row index, as pandas' DataFrame.to_csv (under the "
            "name read_csv gives it) writes one)\n") in out, out
    assert json.loads(model.read_text())["learner"]["features"] == ["x0", "x1", "x2", "x3"]


def test_a_column_pandas_named_unnamed_past_the_first_is_refused(tmp_path, capsys):
    rows = list(csv.reader(open(_write_csv(tmp_path / "a.csv"), newline="")))
    rows[0][3] = "Unnamed: 3"               # task, x0, x1, 'Unnamed: 3', x3, y
    bad = tmp_path / "lost.csv"
    with open(bad, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    err = cli_error(capsys, ["fit", str(bad), "--k", "2", "--heavy-min-size", "10", "--out",
                             str(tmp_path / "m.json")])
    assert ("lost.csv: column 4 of 6 is named 'Unnamed: 3', pandas' name for a column "
            "without one") in err, err
    assert "read it with pd.read_csv(f, index_col=0) or write it with index=False" in err
    assert not (tmp_path / "m.json").exists()


def test_an_unnamed_column_past_the_first_is_refused_by_position(tmp_path, capsys):
    rows = list(csv.reader(open(_write_csv(tmp_path / "a.csv"), newline="")))
    rows[0][2] = ""                         # task, x0, '', x2, x3, y
    bad = tmp_path / "blank.csv"
    with open(bad, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    err = cli_error(capsys, ["fit", str(bad), "--k", "2", "--heavy-min-size", "10", "--out",
                             str(tmp_path / "m.json")])
    assert "blank.csv: column 3 of 6 has no name in the header; give it a name" in err
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("scale, option, said", [
    (1.0, "auto", "not whitened (--covariates auto: their estimated second moment passed "
                  "the isotropy test)"),
    (4.0, "auto", "whitened by their estimated second moment (condition number"),
    (1.0, "isotropic", "not whitened (--covariates isotropic: taken as isotropic)"),
    (1.0, "estimate", "whitened by their estimated second moment (condition number"),
])
def test_the_fit_says_whether_the_covariates_were_whitened(tmp_path, capsys, scale, option,
                                                           said):
    """``--covariates auto`` whitens only covariates that fail the isotropy
    test: the summary says which happened (x0 four times the others' scale
    has condition number ~16)."""
    _fit(tmp_path, _write_csv(tmp_path / "d.csv", scale=scale), "--covariates", option)
    out = capsys.readouterr().out
    assert f"  covariates: {said}" in out, out
    if said.startswith("whitened"):
        assert f"; --covariates {option})\n" in out, out


def test_the_index_column_pandas_writes_to_parquet_is_skipped(tmp_path, capsys):
    """``DataFrame.to_parquet`` writes an index other than 0, 1, 2, ... as a
    column ``__index_level_0__`` and names it the index in the file's pandas
    metadata: it was fitted as a feature (d = 5, Σ̂'s condition number
    ~1e7)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = list(csv.reader(open(_write_csv(tmp_path / "a.csv"), newline="")))
    columns = {"task": pa.array([r[0] for r in rows[1:]])}
    columns.update((h, pa.array([float(r[j]) for r in rows[1:]]))
                   for j, h in enumerate(rows[0]) if j)
    columns["__index_level_0__"] = pa.array(np.arange(len(rows) - 1) * 2)
    meta = {"index_columns": ["__index_level_0__"], "column_indexes": [], "columns": []}
    table = pa.table(columns).replace_schema_metadata({b"pandas": json.dumps(meta).encode()})
    data = tmp_path / "a.parquet"
    pq.write_table(table, data)
    model = _fit(tmp_path, data)
    out = capsys.readouterr().out
    assert "d=4" in out.splitlines()[0], out
    assert "; '__index_level_0__' skipped as a row index, as pandas' DataFrame.to_parquet " \
           "writes one)\n" in out, out
    assert json.loads(model.read_text())["learner"]["features"] == ["x0", "x1", "x2", "x3"]
    assert main(["predict", str(model), str(data)]) == 0


@pytest.mark.parametrize("given, fix", [
    ("dataset", "Pools.from_dataset(data, heavy_min_size)"),
    ("array", "MetaDataset.from_arrays(X, y, task_ids)"),
])
def test_a_fit_given_other_than_pools_names_the_call_that_makes_them(tmp_path, given, fix):
    """A new user's first call is fit(data) on one meta-dataset or on a
    table: the error said only what it got."""
    from robust_mlr import MetaLearner, Pools, ValidationError
    from robust_mlr.cli_data import read_csv_tasks
    data = read_csv_tasks(str(_write_csv(tmp_path / "a.csv")))
    arg = data if given == "dataset" else np.zeros((4, 3))
    with pytest.raises(ValidationError, match=r"got (MetaDataset|ndarray); .*" + re.escape(fix)):
        MetaLearner.robust(2, 0.05, rng=0).fit(arg)
    assert isinstance(Pools.from_dataset(data, 10, rng=0), Pools)


def test_the_size_threshold_is_suggested_from_the_task_sizes(tmp_path, capsys):
    """Light tasks of 3 examples, heavy of 30: without --heavy-min-size, or
    with one above every task, the error suggests the size past the widest
    gap; in Python the same advice names heavy_min_size."""
    from robust_mlr import Pools, ValidationError
    from robust_mlr.cli_data import read_csv_tasks
    data = _write_csv(tmp_path / "a.csv")
    out = str(tmp_path / "m.json")
    err = cli_error(capsys, ["fit", str(data), "--k", "2", "--out", out])
    assert "(task sizes 3..30; the widest gap suggests --heavy-min-size 30;" in err, err
    err = cli_error(capsys, ["fit", str(data), "--k", "2", "--heavy-min-size", "50", "--out", out])
    assert ("leaves 0 heavy and 640 light tasks (task sizes 3..30); need at least 1 heavy and "
            "2 light tasks (the sizes' widest gap suggests --heavy-min-size 30)") in err, err
    with pytest.raises(ValidationError, match=r"suggests heavy_min_size=30\)"):
        Pools.from_dataset(read_csv_tasks(str(data)), 50, rng=0)


def test_predict_without_out_says_how_to_write_the_components(tmp_path, capsys):
    model = _fit(tmp_path, _write_csv(tmp_path / "a.csv"))
    capsys.readouterr()
    assert main(["predict", str(model), str(tmp_path / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert "(--out FILE writes each task's component and its probability)" in out, out
