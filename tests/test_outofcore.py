"""The chunked on-disk format, the out-of-core ICML fit and the data CLI.

Out of core = in memory: the task labels are identical and every float
agrees to 1e-10. Both compute the same blocked sums (M̂, the normal
equations) and the same Cholesky solves; the only difference is the order
of the floating-point additions (per-chunk partial sums added in chunk
order), ~1e-15 relative on these well-conditioned designs, so 1e-10 is a
wide margin that still catches any change of method (a different task in a
sum moves W by ~1e-4).
"""
import json
import warnings

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, ValidationError, make_params, make_pools
from robust_mlr.chunked import ChunkedMetaDataset, open_pools, write_chunked
from robust_mlr.cli import main
from robust_mlr.modelfile import load_model, save_model
from robust_mlr.outofcore import fit_out_of_core
from robust_mlr.stages.clustering import TensorMoments

TOL = 1e-10


def _shards(ds, m):
    cuts = np.linspace(0, ds.n_tasks, m + 1).astype(int)
    return [ds.subset(np.arange(a, b)) for a, b in zip(cuts[:-1], cuts[1:])]


@pytest.fixture(scope="module")
def problem(tmp_path_factory):
    pools = make_pools(make_params(8, 3, rng=0), 6000, 2, 90, 64, 4000, 6, rng=1)
    root = tmp_path_factory.mktemp("pools")
    for name, m in (("light1", 3), ("heavy", 1), ("light2", 4)):
        write_chunked(root / name, _shards(pools[name], m))
    return pools, root


def test_round_trip_whole_tasks_and_bounded_chunks(tmp_path):
    sizes = np.random.default_rng(0).integers(1, 9, 300)      # ragged, t_i = 1..8
    data = MetaDataset(np.random.default_rng(1).standard_normal((sizes.sum(), 5)),
                       np.arange(sizes.sum(), dtype=float), np.r_[0, np.cumsum(sizes)])
    ds = ChunkedMetaDataset(write_chunked(tmp_path / "d", _shards(data, 3)))
    assert (ds.n_tasks, ds.dim, ds.n_examples, ds.n_shards) == (300, 5, data.n_examples, 3)
    np.testing.assert_array_equal(ds.sizes, data.sizes)
    mem = ds.to_memory()
    np.testing.assert_array_equal(mem.X, data.X)
    np.testing.assert_array_equal(mem.offsets, data.offsets)
    bound = 8 * 6 * 10                           # ten float64 rows of X and y
    chunks = list(ds.iter_chunks(chunk_bytes=bound))
    assert len(chunks) > 3
    assert all(c.X.nbytes + c.y.nbytes <= bound or c.n_tasks == 1 for c in chunks)
    np.testing.assert_array_equal(np.concatenate([c.y for c in chunks]), data.y)
    np.testing.assert_array_equal(np.concatenate([c.sizes for c in chunks]), data.sizes)
    f32 = ChunkedMetaDataset(write_chunked(tmp_path / "f", [data], dtype="float32"))
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32.to_memory().X, data.X.astype(np.float32))


def test_writer_is_atomic_and_will_not_clobber(tmp_path):
    data = make_pools(make_params(4, 2, rng=0), 50, 2, 10, 20, 10, 2, rng=1).light1

    def broken():
        yield data
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        write_chunked(tmp_path / "d", broken())
    assert list(tmp_path.iterdir()) == []
    write_chunked(tmp_path / "d", [data])
    with pytest.raises(ValidationError, match="exists"):
        write_chunked(tmp_path / "d", [data])
    write_chunked(tmp_path / "d", [data.subset(range(10))], overwrite=True)
    assert ChunkedMetaDataset(tmp_path / "d").n_tasks == 10
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_a_failed_write_chunked_leaves_no_folder_it_made(tmp_path):
    with pytest.raises(ValidationError, match="chunks is empty"):
        write_chunked(tmp_path / "new" / "sub" / "d", [])
    assert list(tmp_path.iterdir()) == []           # nor new/ nor new/sub/
    (tmp_path / "mine").mkdir()
    with pytest.raises(ValidationError, match="chunks is empty"):
        write_chunked(tmp_path / "mine" / "sub" / "d", [])
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]   # the user's own stays


def _damage(path, how):
    man = path / "manifest.json"
    if how == "truncated":
        f = path / "shard-00001.X.npy"
        f.write_bytes(f.read_bytes()[:-8])
        return f, "truncated"
    if how == "missing shard":
        (path / "shard-00000.y.npy").unlink()
        return path / "shard-00000.y.npy", "missing shard file"
    if how == "foreign manifest":
        man.write_text(json.dumps({"format": "zarr", "version": 1}))
        return man, "format is 'zarr'"
    if how == "newer version":
        m = json.loads(man.read_text())
        man.write_text(json.dumps(dict(m, version=99)))
        return man, "version 99"
    if how == "not json":
        man.write_text("PK\x03\x04 zip bytes")
        return man, "not valid JSON"
    if how == "no manifest":
        man.unlink()
        return path, "no manifest.json"
    if how == "swapped shard":
        np.save(path / "shard-00000.X.npy", np.zeros((3, 4)))
        return path / "shard-00000.X.npy", "bytes"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["truncated", "missing shard", "foreign manifest",
                                 "newer version", "not json", "no manifest", "swapped shard"])
def test_damaged_or_foreign_directory_is_rejected_naming_the_path(tmp_path, how):
    data = make_pools(make_params(4, 2, rng=0), 60, 2, 10, 20, 10, 2, rng=1).light1
    path = write_chunked(tmp_path / "d", _shards(data, 2))
    bad, needle = _damage(path, how)
    with pytest.raises(ValidationError) as exc:
        ChunkedMetaDataset(path)
    msg = str(exc.value)
    assert str(bad) in msg and needle in msg and "\n" not in msg, msg


def test_a_file_is_not_a_dataset(tmp_path):
    f = tmp_path / "x.npy"
    np.save(f, np.zeros(3))
    with pytest.raises(ValidationError, match="not a directory"):
        ChunkedMetaDataset(f)


LEARNERS = {
    "icml": lambda: MetaLearner.icml(3, rng=2),
    "moments subspace": lambda: MetaLearner(3, subspace="moments", rng=2),
    "flag classification": lambda: MetaLearner(3, classification="flag", screen=None, rng=2),
    "average linkage": lambda: MetaLearner(3, clustering="average", rng=2),
    "tensor moments": lambda: MetaLearner(3, clustering=TensorMoments(), rng=2),
}


def _assert_same(a, b):
    for name in ("heavy_labels_", "light_labels_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert (a.covariance_ is None) == (b.covariance_ is None)
    if b.covariance_ is not None:
        np.testing.assert_allclose(a.covariance_.Sigma, b.covariance_.Sigma, rtol=0, atol=TOL)
        np.testing.assert_array_equal(a.covariance_.info["kept"], b.covariance_.info["kept"])
    for name in ("U_", "W_tilde_", "r2_tilde_", "p_tilde_", "W_", "s2_", "p_"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=0, atol=TOL,
                                   err_msg=name)
    assert set(a.diagnostics_) == set(b.diagnostics_)
    np.testing.assert_array_equal(a.diagnostics_["classification"]["flagged"],
                                  b.diagnostics_["classification"]["flagged"])


@pytest.mark.parametrize("name", list(LEARNERS))
def test_out_of_core_fit_equals_the_in_memory_fit(problem, name):
    pools, root = problem
    want = LEARNERS[name]().fit(pools)
    got = fit_out_of_core(LEARNERS[name](), root / "light1", root / "heavy", root / "light2",
                          chunk_bytes=40_000)       # about 10 chunks per pool
    _assert_same(got, want)
    assert got.flagged_["light2"].shape == (pools.light2.n_tasks,)


@pytest.fixture(scope="module")
def correlated(tmp_path_factory):
    pools = make_pools(make_params(8, 3, rng=0), 6000, 2, 90, 64, 4000, 6,
                       x_dist="correlated", rng=1)
    root = tmp_path_factory.mktemp("correlated")
    for name, m in (("light1", 3), ("heavy", 2), ("light2", 4)):
        write_chunked(root / name, _shards(pools[name], m))
    return pools, root


@pytest.mark.parametrize("alpha, share", [(0.0, False), (0.05, False), (0.05, True),
                                          (0.05, "parted")])
def test_whitened_fit_out_of_core_equals_in_memory(correlated, alpha, share, monkeypatch):
    """Σ̂ as passes: the plain moment (alpha 0) and the trimmed estimate's
    rounds of scoring and re-estimating (alpha > 0) trim the same tasks;
    with the rounds on a share of the tasks (its cap lowered to ≈ 20 % of
    these pools) both draw the same share, and both read every task in the
    remaining rounds when the last round parts from the share's Σ̂ (forced
    here by a zero agreement)."""
    if share:
        monkeypatch.setattr("robust_mlr.covariates.ROUNDS_SAMPLE_PER_DIM", 1024)
    if share == "parted":
        monkeypatch.setattr("robust_mlr.covariates.SHARE_AGREEMENT", 0.0)
    pools, root = correlated
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # alpha > 0 with the ICML stages
        want = MetaLearner(3, covariates="estimate", alpha=alpha, rng=2).fit(pools)
        got = fit_out_of_core(MetaLearner(3, covariates="estimate", alpha=alpha, rng=2),
                              root / "light1", root / "heavy", root / "light2",
                              chunk_bytes=40_000)
    # clean pools: the calibrated trim leaves out only an excess over the bulk's tail (none here)
    assert (~want.covariance_.info["kept"]).sum() <= np.ceil(2 * alpha * 10090)
    _assert_same(got, want)


def test_in_memory_pools_are_one_chunk(problem):
    pools, _ = problem
    got = fit_out_of_core(MetaLearner.icml(3, rng=2), pools.light1, pools.heavy, pools.light2)
    _assert_same(got, MetaLearner.icml(3, rng=2).fit(pools))


@pytest.mark.parametrize("learner, needle", [
    (MetaLearner.robust(3, 0.05, subspace="hrpca"), "subspace=HRPCA has no out-of-core form"),
    (MetaLearner(3, regression="huber"), "regression=Huber has no out-of-core form"),
    (MetaLearner(3, classification="flag"), "screen=Screen has no out-of-core form"),
])
def test_stage_without_out_of_core_form_is_named(problem, learner, needle):
    _, root = problem
    with pytest.raises(ValidationError, match=needle):
        fit_out_of_core(learner, root / "light1", root / "heavy", root / "light2")


def test_dask_cluster_of_two_workers_gives_the_same_answer(correlated):
    """The passes with per-chunk arguments (the trimmed Σ̂) included."""
    distributed = pytest.importorskip("dask.distributed")
    _, root = correlated

    def fit(client=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)     # alpha > 0 with the ICML stages
            return fit_out_of_core(MetaLearner(3, covariates="estimate", alpha=0.05, rng=2),
                                   root / "light1", root / "heavy", root / "light2",
                                   chunk_bytes=40_000, client=client)
    want = fit()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        got = fit(client)
    _assert_same(got, want)    # partial sums added in chunk order: identical in practice


def test_model_file_round_trip_predicts_identically(problem, tmp_path):
    pools, _ = problem
    model = MetaLearner.icml(3, rng=2).fit(pools)
    back = load_model(save_model(model, tmp_path / "m.json", {"method": "icml"}))
    np.testing.assert_array_equal(back.W_, model.W_)
    np.testing.assert_array_equal(back.posterior(pools.light2), model.posterior(pools.light2))
    (tmp_path / "bad.json").write_text(json.dumps({"format": "pickle"}))
    with pytest.raises(ValidationError, match="bad.json: not a robust-mlr-model file"):
        load_model(tmp_path / "bad.json")


def _cli(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_cli_generate_fit_predict(tmp_path, capsys):
    d = tmp_path / "pools"
    assert main(["generate", str(d), "--d", "6", "--k", "2", "--light1", "3000", "2",
                 "--heavy", "60", "40", "--light2", "1500", "6", "--seed", "3",
                 "--dtype", "float32"]) == 0
    assert open_pools(d)["light2"].n_examples == 9000
    assert main(["fit", str(d), "--k", "2", "--out", str(tmp_path / "m.json")]) == 0
    out = capsys.readouterr().out
    assert "out of core" in out and "against the true parameters" in out
    w_err = float(out.split("w_err ")[1].split(",")[0])
    assert w_err < 0.2                         # measured 0.04-0.08 over seeds
    assert main(["predict", str(tmp_path / "m.json"), str(d / "light2"), "--holdout",
                 "--out", str(tmp_path / "p.csv")]) == 0
    assert "MSE" in capsys.readouterr().out
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 1501
    err = _cli(["predict", str(tmp_path / "m.json"), str(d)], capsys)
    assert "is a pools directory" in err and str(d / "light2") in err
    err = _cli(["generate", str(d), "--d", "6", "--k", "2", "--light1", "30", "2",
                "--heavy", "6", "40", "--light2", "15", "6"], capsys)
    assert "exists" in err


def test_cli_fit_csv_and_its_errors(tmp_path, capsys):
    pools = make_pools(make_params(4, 2, rng=0), 2000, 2, 40, 40, 1000, 6, rng=1)
    rows = [(f"u{i}", *x, y) for ds, base in ((pools.light1, 0), (pools.heavy, 10 ** 5),
                                                (pools.light2, 2 * 10 ** 5))
            for i, x, y in zip(base + ds.task_index, ds.X.tolist(), ds.y)]
    f = tmp_path / "data.csv"
    f.write_text("user,x0,x1,x2,x3,rating\n" + "\n".join(",".join(map(str, r)) for r in rows))
    assert main(["fit", str(f), "--k", "2", "--task-col", "user", "--y-col", "rating",
                 "--heavy-min-size", "20", "--out", str(tmp_path / "m.json")]) == 0
    assert "heavy: t >= 20" in capsys.readouterr().out
    err = _cli(["fit", str(f), "--k", "2", "--heavy-min-size", "20", "--out",
                str(tmp_path / "m.json")], capsys)
    assert "no task-id column 'task'" in err and "user, x0" in err
    # the file is read first, so the error can suggest a threshold from its task sizes
    err = _cli(["fit", str(f), "--k", "2", "--task-col", "user", "--y-col", "rating", "--out",
                "m.json"], capsys)
    assert "--heavy-min-size T is needed" in err and "the widest gap suggests" in err, err


def test_cli_rejects_a_truncated_dataset_in_one_line(problem, tmp_path, capsys):
    pools, _ = problem
    path = write_chunked(tmp_path / "d", _shards(pools.light2, 2))
    save_model(MetaLearner.icml(3, rng=2).fit(pools), tmp_path / "m.json")
    f = path / "shard-00001.y.npy"
    f.write_bytes(f.read_bytes()[:100])
    err = _cli(["predict", str(tmp_path / "m.json"), str(path)], capsys)
    assert str(f) in err and "truncated" in err


@pytest.mark.parametrize("array, value, needle", [
    ("X", np.nan, "row 5, column 2 holds nan"), ("y", -np.inf, "row 5 holds -inf")])
def test_a_non_finite_value_on_disk_is_named_by_file_row_and_column(problem, tmp_path, capsys,
                                                                   array, value, needle):
    # np.save writes a valid shard of the right size: only the values are wrong
    pools, _ = problem
    bad = tmp_path / "pools"
    for name in ("light1", "heavy", "light2"):
        write_chunked(bad / name, _shards(pools[name], 1))
    f = bad / "light2" / f"shard-00000.{array}.npy"
    a = np.load(f)
    a[(5, 2) if array == "X" else 5] = value
    np.save(f, a)
    with pytest.raises(ValidationError, match=needle):
        ChunkedMetaDataset(bad / "light2").to_memory()
    save_model(MetaLearner.icml(3, rng=2).fit(pools), tmp_path / "m.json")
    for argv in (["fit", str(bad), "--k", "3", "--out", str(tmp_path / "f.json")],
                 ["fit", str(bad), "--k", "3", "--alpha", "0.05", "--out",
                  str(tmp_path / "r.json")],
                 ["predict", str(tmp_path / "m.json"), str(bad / "light2")]):
        err = _cli(argv, capsys)
        assert f"{f}: {needle}, not a finite number" in err, err


def test_cli_fit_npz_and_predict_csv(tmp_path, capsys):
    pools = make_pools(make_params(4, 2, rng=0), 2000, 2, 40, 40, 1000, 6, rng=1)
    X = np.vstack([pools[n].X for n in ("light1", "heavy", "light2")])
    y = np.concatenate([pools[n].y for n in ("light1", "heavy", "light2")])
    sizes = np.concatenate([pools[n].sizes for n in ("light1", "heavy", "light2")])
    MetaDataset(X, y, np.r_[0, np.cumsum(sizes)]).save(tmp_path / "all.npz")
    assert main(["fit", str(tmp_path / "all.npz"), "--k", "2", "--heavy-min-size", "20",
                 "--out", str(tmp_path / "m.json")]) == 0
    ds = pools.light2
    f = tmp_path / "new.csv"
    f.write_text("task,a,b,c,d,y\n" + "\n".join(
        ",".join(map(str, (i, *x, v))) for i, x, v in zip(ds.task_index, ds.X.tolist(), ds.y)))
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "m.json"), str(f), "--holdout"]) == 0
    mse = float(capsys.readouterr().out.split("MSE ")[1].split()[0])
    # noise floor s² = 0.5; measured 0.54 here (0.54-0.64 over 3 seeds); one
    # vector for all tasks (the components' mean) gives 0.75, predicting 0 gives 1.0
    assert mse < 0.7


def test_bad_chunk_size_is_named(problem):
    _, root = problem
    with pytest.raises(ValidationError, match="chunk_bytes must be >= 1, got 0"):
        fit_out_of_core(MetaLearner.icml(3), root / "light1", root / "heavy", root / "light2",
                        chunk_bytes=0)
