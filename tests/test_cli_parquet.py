"""``robust-mlr fit | predict`` on a Parquet file and with pools named by a
column (``--pool-col``): the same fit as the CSV file of the same numbers,
the same one-line errors, and options that do not apply refused."""

import csv
import json

import numpy as np
import pytest

from robust_mlr.cli import main
from robust_mlr.cli_data import read_csv_tasks
from robust_mlr.data import Pools

from cli_helpers import cli_error


def _table(seed=0, n_light=600, n_heavy=40, d=4):
    """Columns of a mixture of two regressions: string task ids, light
    tasks of 3 examples and heavy ones of 30."""
    rng = np.random.default_rng(seed)
    W = np.linalg.qr(np.random.default_rng(99).standard_normal((d, 2)))[0]
    sizes = np.r_[np.full(n_light, 3), np.full(n_heavy, 30)]
    comp = np.repeat(rng.integers(0, 2, sizes.size), sizes)
    X = rng.standard_normal((sizes.sum(), d))
    y = np.einsum("ij,ji->i", X, W[:, comp]) + 0.3 * rng.standard_normal(sizes.sum())
    cols = {"task": np.repeat([f"user{i}" for i in range(sizes.size)], sizes)}
    cols.update({f"x{j}": X[:, j] for j in range(d)})
    cols["y"] = y
    return cols


def _write_csv(path, cols):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(cols))
        w.writerows(zip(*(c.tolist() for c in cols.values())))
    return path


def _write_parquet(path, cols, **kw):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({k: pa.array(v) for k, v in cols.items()}), path, **kw)
    return path


def _model(path):
    """A model file's values, without the data path it names."""
    m = json.loads(open(path).read())
    m["learner"].pop("data")
    return m


def _fit(data, out, *more):
    assert main(["fit", str(data), "--k", "2", *more, "--out", str(out)]) == 0


def test_parquet_fit_and_predict_equal_those_of_the_csv(tmp_path, capsys):
    cols = _table()
    f_csv = _write_csv(tmp_path / "d.csv", cols)
    f_pq = _write_parquet(tmp_path / "d.parquet", cols, row_group_size=500)  # many groups
    for f in (f_csv, f_pq):
        _fit(f, tmp_path / f"{f.suffix[1:]}.json", "--heavy-min-size", "10")
        assert main(["predict", str(tmp_path / f"{f.suffix[1:]}.json"), str(f), "--out",
                     str(tmp_path / f"{f.suffix[1:]}_c.csv")]) == 0
    out = capsys.readouterr().out
    assert "features: x0, x1, x2, x3 (every column but 'task' and 'y')" in out
    assert _model(tmp_path / "csv.json") == _model(tmp_path / "parquet.json")
    assert ((tmp_path / "csv_c.csv").read_text() == (tmp_path / "parquet_c.csv").read_text())


def test_parquet_errors_name_the_file_column_and_row(tmp_path, capsys):
    cols = _table(n_light=60, n_heavy=4)
    fit = ["--k", "2", "--heavy-min-size", "10", "--out", str(tmp_path / "m.json")]
    f = _write_parquet(tmp_path / "d.parquet", cols)
    err = cli_error(capsys, ["fit", str(f), "--y-col", "Y", *fit])
    assert f"{f}: no response column 'Y'; the columns are task, x0, x1, x2, x3, y" in err
    assert "did you mean 'y'?" in err
    bad = dict(cols, x2=cols["x2"].copy())
    bad["x2"][39] = np.inf
    err = cli_error(capsys, ["fit", str(_write_parquet(tmp_path / "inf.parquet", bad)), *fit])
    assert "inf.parquet, row 40, column 'x2': inf is not a finite number" in err
    err = cli_error(capsys, ["fit", str(_write_parquet(tmp_path / "s.parquet", dict(
        cols, x1=cols["x1"].astype(str)))), *fit])
    assert "s.parquet, column 'x1': values of type string, not numbers" in err
    ids = cols["task"].astype(object)
    ids[7] = None
    err = cli_error(capsys, ["fit", str(_write_parquet(tmp_path / "n.parquet", dict(
        cols, task=ids))), *fit])
    assert "n.parquet, row 8, column 'task': missing value (null)" in err
    err = cli_error(capsys, ["fit", str(_write_parquet(tmp_path / "e.parquet", {
        k: v[:0] for k, v in cols.items()})), *fit])
    assert "e.parquet: no data rows" in err


def test_a_file_named_parquet_that_is_not_one_is_refused(tmp_path, capsys):
    f = _write_parquet(tmp_path / "d.parquet", _table(n_light=60, n_heavy=4))
    fit = ["--k", "2", "--heavy-min-size", "10", "--out", str(tmp_path / "m.json")]
    text = tmp_path / "text.parquet"
    text.write_text("task,x0,y\nu1,1,2\n")
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    for bad in (text, cut):
        assert f"{bad}: not a readable Parquet file" in cli_error(capsys, ["fit", str(bad), *fit])
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_pools_by_a_column_equal_the_cut_by_size_they_agree_with(tmp_path, capsys, suffix):
    cols = _table()
    f_csv = _write_csv(tmp_path / "d.csv", cols)
    cut = Pools.from_dataset(read_csv_tasks(f_csv), 10, rng=np.random.default_rng(0))
    first = {float(ds.y[o]): name for name in Pools.names
             for ds in [cut[name]] for o in ds.offsets[:-1]}
    starts = np.r_[0, np.flatnonzero(cols["task"][1:] != cols["task"][:-1]) + 1]
    sizes = np.diff(np.r_[starts, cols["y"].size])
    cols["pool"] = np.repeat([first[float(cols["y"][s])] for s in starts], sizes)
    f = (_write_csv if suffix == ".csv" else _write_parquet)(tmp_path / f"p{suffix}", cols)
    _fit(f_csv, tmp_path / "size.json", "--heavy-min-size", "10")
    _fit(f, tmp_path / "col.json", "--pool-col", "pool")
    out = capsys.readouterr().out
    assert "pools by column 'pool'" in out and "but 'task', 'y' and 'pool'" in out
    by_col = _model(tmp_path / "col.json")
    assert by_col["learner"].pop("pool_col") == "pool"
    assert by_col == _model(tmp_path / "size.json")
    # predict skips the pool column the model was fitted with
    assert main(["predict", str(tmp_path / "col.json"), str(f)]) == 0
    assert main(["predict", str(tmp_path / "col.json"), str(f_csv)]) == 0


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_pool_column_errors_are_named(tmp_path, capsys, suffix):
    cols = _table(n_light=60, n_heavy=4)
    pool = np.full(cols["y"].size, "light1", dtype="<U8")
    pool[cols["task"] == "user3"] = "light2"
    pool[np.isin(cols["task"], [f"user{i}" for i in range(60, 64)])] = "heavy"
    write = _write_csv if suffix == ".csv" else _write_parquet
    fit = ["--k", "2", "--out", str(tmp_path / "m.json")]
    row = {".csv": "line 11", ".parquet": "row 10"}[suffix]
    bad = pool.copy()
    bad[9] = "Heavy"
    f = write(tmp_path / f"bad{suffix}", dict(cols, pool=bad))
    err = cli_error(capsys, ["fit", str(f), "--pool-col", "pool", *fit])
    assert (f"{f}, {row}, column 'pool': 'Heavy' is not a pool; the pool column holds "
            f"light1, heavy, light2") in err
    mixed = pool.copy()
    mixed[12] = "light2"                     # task user4 (rows 12..14) is light1
    f = write(tmp_path / f"mixed{suffix}", dict(cols, pool=mixed))
    err = cli_error(capsys, ["fit", str(f), "--pool-col", "pool", *fit])
    assert f"{f}, column 'pool': task user4 has rows in pool light2" in err
    assert "every row of a task needs the same pool" in err
    f = write(tmp_path / f"ok{suffix}", dict(cols, pool=pool))
    err = cli_error(capsys, ["fit", str(f), "--pool-col", "pool", "--heavy-min-size", "10",
                             *fit])
    assert "--pool-col pool and --heavy-min-size 10" in err and "not both" in err
    err = cli_error(capsys, ["fit", str(f), "--pool-col", "Pool", *fit])
    assert "no pool column 'Pool'" in err and "did you mean 'pool'?" in err


@pytest.mark.parametrize("pool_of_short", ["light1", "heavy"])
def test_a_one_example_task_that_a_stage_splits_is_named_by_its_id(tmp_path, capsys,
                                                                    pool_of_short):
    """Light-1 and heavy tasks are split in two (subspace, clustering): a task
    of one example there is named by the user's id, not by an index in its pool."""
    cols = _table(n_light=60, n_heavy=4)
    pool = np.full(cols["y"].size, "light1", dtype="<U8")
    pool[np.isin(cols["task"], [f"user{i}" for i in range(30, 60)])] = "light2"
    pool[np.isin(cols["task"], [f"user{i}" for i in range(60, 64)])] = "heavy"
    short = "user5" if pool_of_short == "light1" else "user61"
    rows = np.flatnonzero(cols["task"] == short)[1:]           # keep its first example
    keep = np.setdiff1d(np.arange(pool.size), rows)
    f = _write_csv(tmp_path / "d.csv", {**{c: v[keep] for c, v in cols.items()},
                                         "pool": pool[keep]})
    err = cli_error(capsys, ["fit", str(f), "--pool-col", "pool", "--k", "2", "--alpha", "0.05",
                             "--out", str(tmp_path / "m.json")])
    assert f"task {short} is in pool {pool_of_short} with 1 example" in err, err
    assert "so they need 2 or more" in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_column_named_for_two_roles_is_named_and_predict_names_a_missing_pool_column(
        tmp_path, capsys, suffix):
    cols = _table(n_light=60, n_heavy=4)
    pool = np.full(cols["y"].size, "light1", dtype="<U8")
    pool[np.isin(cols["task"], [f"user{i}" for i in range(60, 64)])] = "heavy"
    pool[np.isin(cols["task"], [f"user{i}" for i in range(30, 60)])] = "light2"
    f = (_write_csv if suffix == ".csv" else _write_parquet)(tmp_path / f"p{suffix}",
                                                             dict(cols, pool=pool))
    fit = ["--k", "2", "--out", str(tmp_path / "m.json")]
    for opts, said in ((["--pool-col", "y"], "--pool-col y is also the response column "
                                             "(--y-col y, the default)"),
                       (["--pool-col", "pool", "--task-col", "y"],
                        "--task-col y is also the response column (--y-col y, the default)"),
                       (["--pool-col", "pool", "--y-col", "pool"],
                        "--y-col pool is also the pool column (--pool-col pool)")):
        err = cli_error(capsys, ["fit", str(f), *opts, *fit])
        assert f"robust-mlr fit: error: {said}; the task-id, response and pool columns " \
               f"must be three different columns" in err
    _fit(f, tmp_path / "m.json", "--pool-col", "pool")
    capsys.readouterr()                      # the fit's report and warnings
    model = str(tmp_path / "m.json")
    err = cli_error(capsys, ["predict", model, str(f), "--pool-col", "nonexist"])
    assert (f"{f}: no pool column 'nonexist'; the columns are task, x0, x1, x2, x3, y, "
            f"pool") in err
    err = cli_error(capsys, ["predict", model, str(f), "--task-col", "pool"])
    assert "--task-col pool is also the pool column (--pool-col pool from the model)" in err


def test_options_that_do_not_apply_to_the_input_are_refused(tmp_path, capsys):
    cols = _table(n_light=60, n_heavy=4)
    f = _write_csv(tmp_path / "d.csv", cols)
    npz = tmp_path / "d.npz"
    read_csv_tasks(f).save(npz)
    fit = ["--k", "2", "--heavy-min-size", "10", "--out", str(tmp_path / "m.json")]
    for opt in (["--task-col", "user"], ["--y-col", "rating"], ["--pool-col", "pool"]):
        err = cli_error(capsys, ["fit", str(npz), *opt, *fit])
        assert f"{' '.join(opt)}: {npz} is an .npz, read by position" in err
    err = cli_error(capsys, ["fit", str(f), "--chunk-mb", "8", *fit])
    assert "--chunk-mb 8" in err and "in memory" in err
    _fit(f, tmp_path / "m.json", "--heavy-min-size", "10")
    capsys.readouterr()
    err = cli_error(capsys, ["predict", str(tmp_path / "m.json"), str(npz), "--y-col", "y"])
    assert f"--y-col y: {npz} is an .npz, read by position" in err
    err = cli_error(capsys, ["predict", str(tmp_path / "m.json"), str(tmp_path), "--task-col",
                             "task"])
    assert f"--task-col task: {tmp_path} is a directory, read by position" in err
    err = cli_error(capsys, ["predict", str(tmp_path / "m.json"), str(f), "--chunk-mb", "8"])
    assert "--chunk-mb 8" in err


def test_without_pyarrow_the_error_names_the_extra(tmp_path):
    import subprocess
    import sys
    f = tmp_path / "d.parquet"
    f.write_bytes(b"PAR1")
    code = ("import sys; sys.modules['pyarrow'] = None; from robust_mlr.cli import main; "
            f"main(['fit', {str(f)!r}, '--k', '2', '--heavy-min-size', '5', '--out', "
            f"{str(tmp_path / 'm.json')!r}])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "pip install 'robust-mlr[parquet]'" in proc.stderr
