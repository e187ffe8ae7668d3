"""A scripted fuzz of bad inputs, as a new user types them.

Command line: every user error ends as ONE line ``robust-mlr ...: error:
...`` naming the bad thing, exit status 2, no traceback, and nothing is
computed or written first. API: every bad argument is a ValidationError (or
a clear OSError) naming the parameter or the path. All cases fail before any
fit, so the file runs in seconds.
"""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, Pools, ValidationError, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.cli import main
from robust_mlr.engine import load_toml, read_results, run_sweep

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import engine_helpers as H  # noqa: E402

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


# ------------------------------------------------------------------ fixtures
def _results(tmp):
    """A genuine results file of the small FAST study."""
    return run_sweep(H.FAST, tmp / "res", workers=1, progress=False, quiet=True)


def _file(tmp, name, data):
    p = tmp / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(p)


def _toml(tmp, text):
    return _file(tmp, "sweep.toml", text)


FAST = 'experiment = "engine_helpers:FAST"\n'

# (id, argv builder, needle in the one error line)
CLI_CASES = [
    ("seed-negative", lambda t: ["demo", "--seed", "-1"], "seed must be >= 0, got -1"),
    ("seed-word", lambda t: ["demo", "--seed", "abc"], "'abc' is not an integer"),
    ("seed-float", lambda t: ["demo", "--seed", "2.5"], "'2.5' is not an integer"),
    ("alpha-half", lambda t: ["demo", "--alpha", "0.5"], "alpha must be < 0.5"),
    ("alpha-nan", lambda t: ["demo", "--alpha", "nan"], "alpha must be finite"),
    ("alpha-inf", lambda t: ["demo", "--alpha", "inf"], "alpha must be finite"),
    ("alpha-empty", lambda t: ["demo", "--alpha", ""], "'' is not a number"),
    ("attack-unknown", lambda t: ["demo", "--attack", "meteor"], "invalid choice: 'meteor'"),
    ("demo-extra-arg", lambda t: ["demo", "now"], "unrecognized arguments: now"),
    ("demo-out-is-file", lambda t: ["demo", "--out", _file(t, "f", "x")],
     "exists and is not a folder"),
    ("demo-out-under-file", lambda t: ["demo", "--out", _file(t, "f", "x") + "/sub"],
     "cannot be created"),
    ("demo-out-proc", lambda t: ["demo", "--out", "/proc/robust-mlr-nope"], "cannot be created"),
    ("demo-png-is-folder", lambda t: (os.makedirs(t / "o" / "demo.png"),
                                      ["demo", "--out", str(t / "o")])[1], "is a folder"),
    ("unknown-command", lambda t: ["train"], "invalid choice: 'train'"),
    ("experiment-no-action", lambda t: ["experiment"], "required: ACTION"),
    ("run-unknown", lambda t: ["experiment", "run", "icml_fig99"],
     "experiment 'icml_fig99' unknown"),
    ("run-bad-module", lambda t: ["experiment", "run", "nosuchpkg:X"], "nosuchpkg"),
    ("run-bad-attr", lambda t: ["experiment", "run", "engine_helpers:NOPE"], "NOPE"),
    ("run-not-experiment", lambda t: ["experiment", "run", "engine_helpers:slow"],
     "not an Experiment"),
    ("workers-zero", lambda t: ["experiment", "run", "icml_fig3", "--workers", "0"],
     "must be >= 1, got 0"),
    ("workers-negative", lambda t: ["experiment", "run", "icml_fig3", "--workers", "-3"],
     "must be >= 1, got -3"),
    ("workers-word", lambda t: ["experiment", "run", "icml_fig3", "--workers", "all"],
     "'all' is not an integer"),
    ("run-out-is-file", lambda t: ["experiment", "run", "engine_helpers:FAST", "--out",
                                   _file(t, "f", "x")], "exists and is not a folder"),
    ("run-csv-is-folder", lambda t: (os.makedirs(t / "o" / "fast.csv"),
                                     ["experiment", "run", "engine_helpers:FAST", "--out",
                                      str(t / "o")])[1], "is a folder"),
    ("run-out-proc", lambda t: ["experiment", "run", "engine_helpers:FAST", "--out",
                                "/proc/robust-mlr-nope"], "cannot be created"),
    ("run-over-foreign-csv", lambda t: (os.makedirs(t / "o"),
                                        _file(t / "o", "fast.csv", "a,b\n1,2\n"),
                                        ["experiment", "run", "engine_helpers:FAST", "--out",
                                         str(t / "o")])[2], "fast.csv"),
    ("run-over-torn-foreign", lambda t: (os.makedirs(t / "o"),
                                         _file(t / "o", "fast.csv", "hello"),
                                         ["experiment", "run", "engine_helpers:FAST", "--out",
                                          str(t / "o")])[2], "not a results file"),
    ("toml-missing", lambda t: ["experiment", "run", str(t / "none.toml")], "none.toml"),
    ("toml-syntax", lambda t: ["experiment", "run", _toml(t, "experiment = \n")],
     "is not valid TOML"),
    ("toml-no-experiment", lambda t: ["experiment", "run", _toml(t, "replicates = 2\n")],
     "the key 'experiment'"),
    ("toml-replicate-typo", lambda t: ["experiment", "run", _toml(t, FAST + "replicate = 2\n")],
     "unknown key(s) 'replicate'; the valid keys are experiment, name, replicates, grid"),
    ("toml-grid-typo", lambda t: ["experiment", "run", _toml(t, FAST + "[grid]\nmuu = [1.0]\n")],
     "grid key(s) 'muu' are not parameters of experiment fast; its parameters are mu"),
    ("toml-grid-missing", lambda t: ["experiment", "run", _toml(
        t, 'experiment = "engine_helpers:SLOW"\n[grid]\nsleep = [0.1]\n')],
     "grid lacks the parameter(s) i"),
    ("toml-grid-empty", lambda t: ["experiment", "run", _toml(t, FAST + "[grid]\nmu = []\n")],
     "'mu' have no values"),
    ("toml-grid-not-table", lambda t: ["experiment", "run", _toml(t, FAST + "grid = 3\n")],
     "grid must be a table"),
    ("toml-replicates-zero", lambda t: ["experiment", "run", _toml(t, FAST + "replicates = 0\n")],
     "replicates must be an integer >= 1, got 0"),
    ("toml-replicates-text", lambda t: ["experiment", "run",
                                        _toml(t, FAST + 'replicates = "two"\n')],
     "replicates must be an integer >= 1, got 'two'"),
    ("toml-name-slash", lambda t: ["experiment", "run", _toml(t, FAST + 'name = "a/b"\n')],
     "name must be a non-empty string without slashes"),
    ("toml-unknown-study", lambda t: ["experiment", "run",
                                      _toml(t, 'experiment = "nope"\n')], "'nope' unknown"),
    ("toml-is-folder", lambda t: (os.makedirs(t / "d.toml"),
                                  ["experiment", "run", str(t / "d.toml")])[1], "d.toml"),
    ("plot-missing", lambda t: ["experiment", "plot", str(t / "none.csv")], "none.csv"),
    ("plot-folder", lambda t: ["experiment", "plot", str(t)], "is a folder"),
    ("plot-empty", lambda t: ["experiment", "plot", _file(t, "e.csv", "")], "the file is empty"),
    ("plot-foreign", lambda t: ["experiment", "plot", _file(t, "f.csv", "a,b\n1,2\n")],
     "is not a results file of 'experiment run'"),
    ("plot-headerless", lambda t: ["experiment", "plot", _file(
        t, "h.csv", "\n".join(_results(t).read_text().splitlines()[1:]) + "\n")],
     "lacks the column(s)"),
    ("plot-binary", lambda t: ["experiment", "plot", _file(t, "b.csv", bytes(range(256)))],
     "b.csv"),
    ("plot-other-plotter", lambda t: ["experiment", "plot", str(_results(t)),
                                      "--experiment", "icml_fig3"],
     "the plot of experiment icml_fig3 cannot draw"),
    ("plot-unknown-plotter", lambda t: ["experiment", "plot", str(_results(t)),
                                        "--experiment", "nope"], "'nope' unknown"),
    ("plot-out-is-file", lambda t: ["experiment", "plot", str(_results(t)), "--experiment",
                                    "icml_fig3", "--out", _file(t, "f", "x")],
     "exists and is not a folder"),
]


@pytest.mark.parametrize("build, needle", [c[1:] for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_cli_user_error_is_one_line_exit_2(tmp_path, capsys, build, needle):
    argv = build(tmp_path)
    capsys.readouterr()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")
                    if p.suffix != ".lock")
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("robust-mlr") and ": error: " in err, err
    assert needle in err, err
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")
                   if p.suffix != ".lock")     # the lock is taken before reading
    assert after == before                     # refused before writing anything


def test_dask_missing_is_one_line_and_leaves_no_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)    # import fails
    with pytest.raises(SystemExit) as exc:
        main(["experiment", "run", "engine_helpers:FAST", "--dask", "local",
              "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "robust-mlr[dask]" in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(ROOT_USER or os.name != "posix", reason="root ignores permissions")
@pytest.mark.parametrize("command", ["demo", "run"])
def test_read_only_output_folder_is_one_line(tmp_path, capsys, command):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        argv = (["demo", "--out", str(ro)] if command == "demo" else
                ["experiment", "run", "engine_helpers:FAST", "--out", str(ro)])
        with pytest.raises(SystemExit) as exc:
            main(argv)
    finally:
        ro.chmod(0o700)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "not writable" in err and str(ro) in err, err


def test_results_with_a_bom_still_read_and_plot(tmp_path, capsys):
    path = _results(tmp_path)
    path.write_bytes("\ufeff".encode() + path.read_bytes())       # saved by a spreadsheet
    assert len(read_results(path)) == 9
    main(["experiment", "plot", str(path), "--experiment", "engine_helpers:FAST"])
    assert "defines no plot" in capsys.readouterr().out


def test_quick_run_names_its_csv_and_figure_quick(tmp_path, capsys):
    assert main(["experiment", "run", "robust_pca_bad_example", "--quick", "--workers", "2",
                 "--out", str(tmp_path)]) == 0          # with the bar and its stage probe
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "robust_pca_bad_example-quick.csv" in names, names
    assert "robust_pca_bad_example-quick.png" in names and \
        "robust_pca_bad_example.png" not in names, names
    main(["experiment", "plot", str(tmp_path / "robust_pca_bad_example-quick.csv")])
    assert "robust_pca_bad_example.png" not in {p.name for p in tmp_path.iterdir()}


# ------------------------------------------------------------------ API
def _pools():
    theta = make_params(4, 2, rng=0)
    return theta, make_pools(theta, 60, 2, 12, 16, 60, 4, rng=0)


def _ds(**kw):
    rng = np.random.default_rng(0)
    args = dict(X=rng.standard_normal((5, 2)), y=rng.standard_normal(5), offsets=[0, 2, 5])
    args.update(kw)
    return lambda: MetaDataset(**args)


def _load(tmp, data):
    return lambda: MetaDataset.load(_file(tmp, "d.npz", data))


def _saved(tmp):
    p = tmp / "ok.npz"
    MetaDataset(np.ones((3, 2)), np.arange(3.0), [0, 1, 3]).save(p)
    return p.read_bytes()


def _npz(**arrays):
    import io
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _flip(data, at):
    b = bytearray(data)
    b[at] ^= 0xFF
    return bytes(b)


# (id, builder of a zero-argument call, needle)
API_CASES = [
    ("X-1d", lambda t: _ds(X=np.ones(5)), "X must be 2-dimensional"),
    ("X-text", lambda t: _ds(X=[["a", "b"]] * 5), "X could not be converted"),
    ("X-nan", lambda t: _ds(X=np.full((5, 2), np.nan)), "X"),
    ("y-length", lambda t: _ds(y=np.ones(4)), "y has 4 entries but X has 5 rows"),
    ("offsets-start", lambda t: _ds(offsets=[1, 2, 5]), "offsets must start at 0"),
    ("offsets-float", lambda t: _ds(offsets=[0.0, 2.0, 5.0]), "offsets must be a 1-D integer"),
    ("offsets-empty-task", lambda t: _ds(offsets=[0, 2, 2, 5]), "task 1 has t_i=0"),
    ("components-shape", lambda t: _ds(components=[0, 1, 1]), "components has shape (3,)"),
    ("pool-heavy-empty", lambda t: (lambda th, p: lambda: Pools(
        p.light1, p.heavy.subset([]), p.light2))(*_pools()), "pool heavy is empty"),
    ("pool-light1-empty", lambda t: (lambda th, p: lambda: Pools(
        p.light1.subset([]), p.heavy, p.light2))(*_pools()), "pool light1 is empty"),
    ("pool-light2-empty", lambda t: (lambda th, p: lambda: Pools(
        p.light1, p.heavy, p.light2.subset([])))(*_pools()), "pool light2 is empty"),
    ("pool-not-dataset", lambda t: (lambda th, p: lambda: Pools(
        p.light1, np.ones((3, 4)), p.light2))(*_pools()), "pool heavy must be a MetaDataset"),
    ("load-empty", lambda t: _load(t, b""), "is empty (0 bytes)"),
    ("load-text", lambda t: _load(t, "X,y\n1,2\n"), "is not a numpy .npz archive"),
    ("load-truncated", lambda t: _load(t, _saved(t)[:-40]), "is not a numpy .npz archive"),
    ("load-half", lambda t: _load(t, _saved(t)[:len(_saved(t)) // 2]),
     "is not a numpy .npz archive"),
    ("load-flipped-data", lambda t: _load(t, _flip(_saved(t), 60)), "d.npz"),
    ("load-foreign-npz", lambda t: _load(t, _npz(a=np.ones(2))),
     "lacks the array(s) X, y, offsets"),
    ("load-missing-offsets", lambda t: _load(t, _npz(X=np.ones((2, 2)), y=np.ones(2))),
     "lacks the array(s) offsets"),
    ("load-extra-array", lambda t: _load(t, _npz(X=np.ones((2, 2)), y=np.ones(2),
                                                 offsets=np.array([0, 2]), z=np.ones(1))),
     "unexpected array(s) z"),
    ("load-objects", lambda t: _load(t, _npz(X=np.array([{}], dtype=object), y=np.ones(1),
                                             offsets=np.array([0, 1]))),
     "holds Python objects"),
    ("load-inconsistent", lambda t: _load(t, _npz(X=np.ones((2, 2)), y=np.ones(3),
                                                  offsets=np.array([0, 2]))),
     "is inconsistent: y has 3 entries"),
    ("load-npy", lambda t: _load(t, (np.save(t / "a.npy", np.ones(3)),
                                     (t / "a.npy").read_bytes())[1]),
     "is not a numpy .npz archive"),
    ("settings-unknown", lambda t: (lambda th, p: lambda: corrupt_pools(
        p, "fake_cluster", 0.1, theta=th, settings={"alpah": 0.1}))(*_pools()),
     "settings has unknown key(s) 'alpah'; the adversary reads only alpha, flag_level, clip, thresholds"),
    ("settings-not-dict", lambda t: (lambda th, p: lambda: corrupt_pools(
        p, "fake_cluster", 0.1, theta=th, settings=[("alpha", 0.1)]))(*_pools()),
     "settings must be a dict"),
    ("corrupt-alpha", lambda t: (lambda th, p: lambda: corrupt_pools(
        p, "fake_cluster", 0.6, theta=th))(*_pools()), "alpha must be < 0.5"),
    ("corrupt-attack", lambda t: (lambda th, p: lambda: corrupt_pools(
        p, "meteor", 0.1, theta=th))(*_pools()), "meteor"),
    ("learner-k", lambda t: (lambda th, p: lambda: MetaLearner(0).fit(p))(*_pools()),
     "k must be >= 1, got 0"),
    ("learner-stage", lambda t: (lambda th, p: lambda: MetaLearner(
        2, subspace="nope").fit(p))(*_pools()), "subspace: subspace method 'nope' unknown"),
    ("learner-alpha", lambda t: (lambda th, p: lambda: MetaLearner.robust(
        2, 0.7).fit(p))(*_pools()), "alpha must be a number in [0.0, 0.5), got 0.7"),
    ("learner-rng", lambda t: (lambda th, p: lambda: MetaLearner(2, rng=-1).fit(p))(*_pools()),
     "rng must be None"),
    ("params-d", lambda t: lambda: make_params(0, 2), "d must be >= 1, got 0"),
    ("read-results-foreign", lambda t: lambda: read_results(_file(t, "f.csv", "a,b\n1,2\n")),
     "f.csv is not a results file"),
    ("read-results-empty", lambda t: lambda: read_results(_file(t, "e.csv", "")), "e.csv"),
    ("toml-typo-api", lambda t: lambda: load_toml(_toml(t, FAST + "replicate = 2\n")),
     "unknown key(s) 'replicate'"),
]


@pytest.mark.parametrize("build, needle", [c[1:] for c in API_CASES],
                         ids=[c[0] for c in API_CASES])
def test_api_bad_input_is_a_validation_error_naming_it(tmp_path, build, needle):
    call = build(tmp_path)
    with pytest.raises(ValidationError) as exc:
        call()
    assert needle in str(exc.value), str(exc.value)


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_api_unreadable_path_is_an_oserror_naming_it(tmp_path, what):
    path = tmp_path / "d.npz"
    if what == "folder":
        path.mkdir()
    with pytest.raises(OSError) as exc:
        MetaDataset.load(path)
    assert str(path) in str(exc.value)


def test_the_fuzz_has_at_least_fifty_cases():
    assert len(CLI_CASES) + len(API_CASES) >= 50


def test_a_non_numeric_metric_cell_is_reported_not_dropped_silently(tmp_path):
    from robust_mlr.engine import ResultsFileWarning, summarize
    path = _results(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    head = lines[0].rstrip("\n").split(",")
    cells = lines[1].rstrip("\n").split(",")
    cells[head.index("mean")] = "NA"
    lines[1] = ",".join(cells) + "\n"
    path.write_text("".join(lines))
    with pytest.warns(ResultsFileWarning, match=r"mean: 1 cell\(s\) such as 'NA'"):
        summary = summarize(read_results(path), ["mean", "first"])
    assert sum(s["n_ok"] for s in summary) == 9


def test_a_text_metric_gets_no_warning():
    import warnings
    from robust_mlr.engine import summarize
    rows = [{"experiment": "e", "trial_id": str(i), "status": "ok", "mu": 1, "m": 0.5,
             "note": "{}"} for i in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (s,) = summarize(rows, ["m", "note"])
    assert s["m_mean"] == 0.5 and s["n_ok"] == 3


@pytest.mark.parametrize("make, needle", [
    (lambda: MetaLearner(2, subspace_kw={"clip": 3}), "MetaLearner has no option 'subspace_kw'"),
    (lambda: MetaLearner.robust(2, 0.05, flag_levl=1e-3), "has no option 'flag_levl'"),
    (lambda: MetaLearner.icml(2).set_params(clustering__linkag="x"),
     "Linkage has no option 'linkag'"),
    (lambda: MetaLearner.robust(2, 0.05).set_params(regression__huber_c=1),
     "FilterRegression has no option 'huber_c'"),
])
def test_misspelled_stage_options_raise_naming_them(make, needle):
    with pytest.raises(ValidationError, match=needle):
        make()
