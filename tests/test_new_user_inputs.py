"""A researcher's first hour on their own data: each mistake ends in one
ValidationError (or one CLI line) naming the parameter and the value."""

import csv
import re

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_pools, make_tasks
from robust_mlr.cli import main
from robust_mlr.cli_data import read_csv_tasks
from robust_mlr.exceptions import ValidationError

from cli_helpers import cli_error


def _csv(path, columns=None, n_light=300, n_heavy=30, d=4, seed=0):
    """A CSV of light (t=3) and heavy (t=24) tasks of a two-component
    mixture; ``columns`` maps a feature index to a function of the rows
    (a constant or duplicated column)."""
    rng = np.random.default_rng(seed)
    sizes = np.r_[np.full(n_light, 3), np.full(n_heavy, 24)]
    W = np.linalg.qr(np.random.default_rng(9).standard_normal((d, 2)))[0]
    X = rng.standard_normal((sizes.sum(), d))
    for j, col in (columns or {}).items():
        X[:, j] = col(X)
    comp = np.repeat(rng.integers(0, 2, sizes.size), sizes)
    y = np.einsum("ij,ji->i", X, W[:, comp]) + 0.3 * rng.standard_normal(len(X))
    ids = np.repeat([f"t{i}" for i in range(sizes.size)], sizes)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task", *[f"f_{j}" for j in range(d)], "y"])
        w.writerows([i, *row, v] for i, row, v in zip(ids, X.tolist(), y.tolist()))
    return str(path)



@pytest.mark.parametrize("build, name", [
    (lambda X, y: MetaDataset(X, y, [0, 2, 4]), "X"),
    (lambda X, y: MetaDataset(X.real, y, [0, 2, 4]), "y"),
    (lambda X, y: MetaDataset.from_arrays(X, y.real, [5, 5, 7, 7]), "X"),
    (lambda X, y: MetaDataset.from_arrays(X.real, y, [5, 5, 7, 7]), "y"),
    (lambda X, y: MetaDataset.from_tasks([(X[:2].real, y[:2].real), (X[2:], y[2:].real)]),
     "task 1: X_i"),
    (lambda X, y: MetaDataset.from_tasks([(X[:2].real, y[:2]), (X[2:].real, y[2:])]),
     "task 0: y_i"),
])
def test_complex_data_is_refused_not_cast(build, name):
    """NumPy casts complex to real by dropping the imaginary parts with a
    mere warning; the constructors refuse it, naming the array."""
    X = np.arange(12.0).reshape(4, 3) + 0.5j
    y = np.arange(4.0) - 2j
    with pytest.raises(ValidationError, match=rf"^{name} is complex \(complex128, e\.g\. "):
        build(X, y)


def test_complex_query_is_refused_by_predict():
    theta = make_params(6, 2, rng=0)
    model = MetaLearner.icml(2, rng=0).fit(make_pools(theta, 2000, 2, 60, 32, 1000, 8, rng=1))
    support, X_query, _ = make_tasks(theta, 10, 5, rng=3).split_query()
    with pytest.raises(ValidationError, match=r"^X_query is complex"):
        model.predict(support, X_query + 1e-3j)
    assert model.predict(support, X_query).shape == (10,)


@pytest.mark.parametrize("preset", ["icml", "robust", "default"])
def test_heavy_pool_of_one_example_tasks_is_refused_naming_pool_and_need(preset):
    """One-example 'heavy' tasks carry no pair of examples: every clustering
    stage refuses them up front (before: a fit that went through with only a
    warning from a later stage, for the likelihood EM)."""
    theta = make_params(6, 2, rng=0)
    pools = make_pools(theta, 2000, 2, 60, 32, 1000, 8, rng=1)
    pools = pools.replace(heavy=make_tasks(theta, 120, 1, rng=5))
    learner = {"icml": MetaLearner.icml(2, rng=0), "robust": MetaLearner.robust(2, 0.05, rng=0),
               "default": MetaLearner(2, rng=0)}[preset]
    with pytest.raises(ValidationError, match=r"pool heavy: all 120 tasks have t_i=1 example; "
                                              r"clustering \(\w+\) needs heavy tasks of "
                                              r"t_i >= 2 examples"):
        learner.fit(pools)


@pytest.mark.parametrize("size, left", [(100, "0 heavy and 330 light"),
                                        (2, "330 heavy and 0 light")])
def test_heavy_min_size_is_named_as_typed(tmp_path, capsys, size, left):
    """The CLI names its flag, Python its parameter, for the same cut."""
    data = _csv(tmp_path / "d.csv")
    err = cli_error(capsys, ["fit", data, "--k", "2", "--heavy-min-size", str(size), "--out",
                              str(tmp_path / "m.json")])
    assert f"error: --heavy-min-size {size} leaves {left} tasks (task sizes 3..24)" in err
    assert "heavy_min_size" not in err
    one = read_csv_tasks(data)
    with pytest.raises(ValidationError, match=f"^heavy_min_size={size} leaves {left}"):
        Pools.from_dataset(one, size)
    with pytest.raises(ValidationError, match="heavy_min_size must be an integer, got '10'"):
        Pools.from_dataset(one, "10")


def test_cli_names_k_and_clustering_as_typed(tmp_path, capsys):
    data = _csv(tmp_path / "d.csv")
    out = ["--out", str(tmp_path / "m.json")]
    err = cli_error(capsys, ["fit", data, "--k", "7", "--heavy-min-size", "10", *out])
    assert "error: --k 7: more components than the 4 features of" in err and "k=7" not in err
    err = cli_error(capsys, ["fit", data, "--k", "2", "--heavy-min-size", "10",
                              "--clustering", "linkge", *out])
    assert "error: --clustering linkge: no such clustering stage (did you mean linkage?)" in err
    assert "stage object" not in err
    err = cli_error(capsys, ["generate", str(tmp_path / "g"), "--d", "3", "--k", "5",
                              "--light1", "50", "2", "--heavy", "10", "8", "--light2", "50", "4"])
    assert "error: --k 5: more components than the dimension --d 3" in err


@pytest.mark.parametrize("columns, needle", [
    ({3: lambda X: X[:, 1]}, "columns 'f_1', 'f_3' are linearly dependent"),
    ({2: lambda X: 0.0 * X[:, 2]}, "column 'f_2' is zero on every row: remove it"),
    ({0: lambda X: 1.0 + 0 * X[:, 0], 3: lambda X: 5.0 + 0 * X[:, 0]},
     "columns 'f_0', 'f_3' are linearly dependent"),
])
def test_singular_covariates_name_the_csv_columns(tmp_path, capsys, columns, needle):
    """A copied, zero or second constant column makes the covariates'
    second moment singular: the CLI names the columns by their header."""
    data = _csv(tmp_path / "d.csv", columns)
    for extra in ([], ["--alpha", "0.05"]):         # the ICML and the robust fit
        err = cli_error(capsys, ["fit", data, "--k", "2", "--heavy-min-size", "10", *extra,
                                  "--out", str(tmp_path / "m.json")])
        assert f"d.csv: the covariates' second moment is singular: {needle}" in err


def test_singular_covariates_name_the_features_in_python(tmp_path):
    one = read_csv_tasks(_csv(tmp_path / "d.csv", {3: lambda X: -2 * X[:, 0],
                                                   1: lambda X: 0 * X[:, 1]}))
    pools = Pools.from_dataset(one, 10, rng=0)
    with pytest.raises(ValidationError, match=r"feature 1 \(columns of X, from 0\) is zero on "
                                              r"every row: remove it; features 0, 3 \(columns "
                                              r"of X, from 0\) are linearly dependent"):
        MetaLearner.icml(2, covariates="estimate", rng=0).fit(pools)


def test_misspelled_attack_parameter_names_attack_parameter_and_closest():
    """Every way of building an attack with a misspelled parameter (the class,
    the registry, a pool-wise spec, the red team's strategy) says which."""
    from robust_mlr.adversary import ComponentShift, Poolwise, corrupt_pools, get_attack
    want = (r"^attack 'component_shift' \(ComponentShift\) has no option 'shfit' \(did you "
            r"mean 'shift'\?\); valid options: component, shift, direction, noise, pick$")
    for build in (lambda: ComponentShift(shfit=2.0), lambda: get_attack("component_shift",
                                                                        shfit=2.0),
                  lambda: Poolwise(light2=("component_shift", {"shfit": 2.0}))):
        with pytest.raises(ValidationError, match=want):
            build()
    with pytest.raises(ValidationError, match=r"attack 'poolwise' \(Poolwise\) has no option "
                                              r"'haevy' \(did you mean 'heavy'\?\)"):
        Poolwise(haevy="fake_cluster")
    theta = make_params(6, 2, rng=0)
    pools = make_pools(theta, 200, 2, 40, 16, 200, 4, rng=1)
    bad = corrupt_pools(pools, get_attack("component_shift", shift=2.0), 0.05, theta=theta,
                        rng=2)                                        # the right name works
    assert bad.masks["light2"].sum() == 10


def _plotted_trial(point, rng):
    return {"value": float(point["mu"] + rng.standard_normal())}


def _plot_value(rows, out):
    from robust_mlr.engine.plotting import figure, save_figure
    fig, axes = figure(1)
    axes[0].plot([r["mu"] for r in rows], [r["value"] for r in rows])
    return save_figure(fig, out, rows[0]["experiment"])


def _plotted():
    from robust_mlr.engine import Experiment
    return Experiment(name="plotted", func=_plotted_trial, grid={"mu": [0.0, 1.0]},
                      metrics=("value",), replicates=1, plot=_plot_value)


PLOTTED = _plotted()


@pytest.mark.parametrize("command", ["demo", "experiment"])
def test_ctrl_c_during_the_final_plot_is_one_line_and_status_130(tmp_path, monkeypatch,
                                                                 capsys, command):
    """The plot is the last step of demo and experiment run: a Ctrl-C there
    ends like one anywhere else in the command (the rows stay saved)."""
    import matplotlib.figure
    drawn = []

    def interrupted(self, *args, **kwargs):
        drawn.append(self)
        raise KeyboardInterrupt
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", interrupted)
    argv = (["demo", "--quick", "--attack", "none", "--out", str(tmp_path)]
            if command == "demo" else
            ["experiment", "run", "test_new_user_inputs:PLOTTED", "--workers", "1",
             "--no-progress", "--out", str(tmp_path)])
    assert main(argv) == 130 and drawn
    captured = capsys.readouterr()
    said = ("interrupted" if command == "demo" else
            "interrupted: all 2 trials saved; rerun to draw the figure")
    assert captured.err.splitlines()[-1] == said and "Traceback" not in captured.err
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob(".*.tmp"))
    if command == "experiment":
        from robust_mlr.engine import read_results
        assert len(read_results(tmp_path / "plotted.csv")) == 2


def _interrupted_summary(rows):
    raise KeyboardInterrupt


def _summarised():
    from robust_mlr.engine import Experiment
    return Experiment(name="summarised", func=_plotted_trial, grid={"mu": [0.0, 1.0]},
                      metrics=("value",), replicates=1, summary=_interrupted_summary)


SUMMARISED = _summarised()


def test_ctrl_c_during_the_summary_says_every_trial_is_saved(tmp_path, capsys):
    argv = ["experiment", "run", "test_new_user_inputs:SUMMARISED", "--workers", "1",
            "--no-progress", "--out", str(tmp_path)]
    assert main(argv) == 130
    assert capsys.readouterr().err.splitlines() == [
        "interrupted: all 2 trials saved; rerun to print the summary"]


def test_experiment_list_names_each_studys_grid_parameters(capsys):
    assert main(["experiment", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("icml_fig3 "))
    assert lines[at + 1].split() == ["grid", "parameters:", "k,", "t_H"]


def test_a_csv_with_only_its_header_is_one_line(tmp_path, capsys):
    data = tmp_path / "empty.csv"
    data.write_text("task,f_0,f_1,y\n")
    err = cli_error(capsys, ["fit", str(data), "--k", "2", "--heavy-min-size", "10",
                              "--out", str(tmp_path / "m.json")])
    assert f"{data}: no data rows below the header" in err
    with pytest.raises(ValidationError, match="heavy_min_size=10: the meta-dataset has no tasks"):
        Pools.from_dataset(MetaDataset.from_arrays(np.zeros((0, 2)), np.zeros(0), []), 10)


def test_a_column_named_in_another_case_is_suggested(tmp_path, capsys):
    data = _csv(tmp_path / "d.csv")
    text = open(data).read().replace("task,", "Task,", 1)
    open(data, "w").write(text)
    err = cli_error(capsys, ["fit", data, "--k", "2", "--heavy-min-size", "10",
                              "--out", str(tmp_path / "m.json")])
    assert "no task-id column 'task'; the columns are Task, f_0" in err
    assert "(did you mean 'Task'?)" in err


def test_task_ids_that_cannot_be_ordered_are_named():
    with pytest.raises(ValidationError, match="task_ids must be labels of one kind that sort "
                                              r"\(numbers or strings\), got NoneType, int"):
        MetaDataset.from_arrays(np.ones((4, 2)), np.ones(4), [None, 1, None, 1])


def _warning_trial(point, rng):
    import warnings
    warnings.warn(f"trial {point['i']} says\nthis over two lines", UserWarning)
    return {"value": float(rng.standard_normal())}


def _warning():
    from robust_mlr.engine import Experiment
    return Experiment(name="warning", func=_warning_trial, grid={"i": [0, 1]},
                      metrics=("value",), replicates=1)


WARNING = _warning()


def test_worker_warnings_print_as_one_line_like_the_parents(tmp_path, capfd):
    """With worker processes a trial's warning keeps the command line's
    one-line format (not Python's default of the message and the source line
    that raised it); the same warning from the other trial (another number)
    is counted in one line at the end."""
    assert main(["experiment", "run", "test_new_user_inputs:WARNING", "--workers", "2",
                 "--no-progress", "--out", str(tmp_path)]) == 0
    err = capfd.readouterr().err
    lines = [ln for ln in err.splitlines() if "says" in ln or "warnings.warn" in ln]
    first = re.fullmatch(r"robust-mlr: warning: UserWarning: (trial [01] says this over two "
                         r"lines)", lines[0])
    assert len(lines) == 2 and first, err
    assert lines[1] == (f"robust-mlr: warning: UserWarning: the warning '{first.group(1)}' "
                        f"came 1 more time(s) in this sweep's trials (with other numbers)"), err


def test_misspelled_attack_name_suggests_the_closest():
    from robust_mlr.adversary import corrupt_pools
    theta = make_params(6, 2, rng=0)
    pools = make_pools(theta, 200, 2, 40, 16, 200, 4, rng=1)
    with pytest.raises(ValidationError, match=r"^attack 'fake_clutser' unknown \(did you mean "
                                              r"'fake_cluster'\?\); choose from \["):
        corrupt_pools(pools, "fake_clutser", 0.05, theta=theta, rng=2)


def test_a_folder_that_is_no_dataset_says_what_fit_reads(tmp_path, capsys):
    """Before: any folder without the three pool folders was called 'one
    meta-dataset' and asked for --heavy-min-size."""
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "demo.png").write_bytes(b"")
    out = ["--out", str(tmp_path / "m.json")]
    for extra in ([], ["--heavy-min-size", "10"]):
        err = cli_error(capsys, ["fit", str(tmp_path / "plots"), "--k", "2", *extra, *out])
        assert (f"error: {tmp_path / 'plots'}: not a pools directory (light1, heavy, light2 "
                f"folders) nor a chunked meta-dataset (no manifest.json)") in err, err
    (tmp_path / "part" / "light1").mkdir(parents=True)
    (tmp_path / "part" / "heavy").mkdir()
    err = cli_error(capsys, ["fit", str(tmp_path / "part"), "--k", "2", *out])
    assert (f"error: {tmp_path / 'part'}: has light1/, heavy/ but no light2/; a pools "
            f"directory holds all of light1/, heavy/, light2/") in err, err


def test_a_text_column_is_named_as_a_feature_the_user_may_not_mean(tmp_path, capsys):
    """Every column but the task id and the response is a feature: a text
    column (a country, a date) is refused with that reminder; an empty cell
    or text in the response column is only 'not a number'."""
    rows = [f"t{i // 3},FR,{0.1 * i},{i}" for i in range(30)]
    data = tmp_path / "d.csv"
    data.write_text("task,country,f_0,y\n" + "\n".join(rows) + "\n")
    err = cli_error(capsys, ["fit", str(data), "--k", "1", "--heavy-min-size", "3", "--out",
                              str(tmp_path / "m.json")])
    assert err.endswith(f"error: {data}, line 2, column 'country': 'FR' is not a number; "
                        f"every column but the task-id and response columns is a feature: "
                        f"remove a column that is not one (see robust-mlr fit --help)\n"), err
    data.write_text("task,f_0,y\n" + "\n".join(r.replace(",FR", "") for r in rows[:-1]) +
                    "\nt9,0.5,high\n")
    with pytest.raises(ValidationError, match=r"line 31, column 'y': 'high' is not a number$"):
        read_csv_tasks(data)


@pytest.mark.parametrize("argv, want", [
    (["demo", "--attack", "fakecluster"],
     "argument --attack: invalid choice: 'fakecluster' (did you mean 'fake_cluster'? choose "
     "from 'none', "),
    (["fit", "d.csv", "--k", "2", "--out", "m.json", "--covariates", "Isotropic"],
     "argument --covariates: invalid choice: 'Isotropic' (did you mean 'isotropic'? choose "
     "from 'auto', 'isotropic', 'estimate') (see robust-mlr fit --help)"),
    (["fit", "d.csv", "--k", "2", "--heavy-min-size", "10", "--out", "m.json", "--clustering",
      "EM"], "--clustering EM: no such clustering stage (did you mean em?); choose from "),
])
def test_a_misspelled_choice_suggests_the_closest(tmp_path, capsys, argv, want):
    """A choice typed in another case or misspelled names the one meant."""
    if argv[0] == "fit":
        argv[1] = _csv(tmp_path / "d.csv")
        argv[argv.index("--out") + 1] = str(tmp_path / "m.json")
    assert want in cli_error(capsys, argv)


def test_predicted_components_join_back_on_the_users_task_column(tmp_path, capsys):
    """The per-task output of a CSV names its ids by the CSV's own task-id
    column (before: always 'task'), so the rows join back on it."""
    data = _csv(tmp_path / "d.csv")
    text = open(data).read().replace("task,", "user_id,", 1)
    open(data, "w").write(text)
    model, out = str(tmp_path / "m.json"), tmp_path / "c.csv"
    common = ["--task-col", "user_id"]
    assert main(["fit", data, "--k", "2", "--heavy-min-size", "10", *common, "--out",
                 model]) == 0
    assert main(["predict", model, data, *common, "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "user_id,component,probability" and lines[1].startswith("t0,")
    assert len(lines) == 331


def test_fit_with_another_k_than_the_generated_truth_says_it_is_not_compared(tmp_path,
                                                                            capsys):
    """A pools directory from ``generate`` carries its true parameters and
    ``fit`` prints the errors against them; a fit with another k printed
    nothing in their place."""
    d = tmp_path / "pools"
    assert main(["generate", str(d), "--d", "4", "--k", "2", "--light1", "600", "2",
                 "--heavy", "40", "16", "--light2", "300", "6"]) == 0
    assert main(["fit", str(d), "--k", "3", "--out", str(tmp_path / "m.json")]) == 0
    out = capsys.readouterr().out
    assert ("against the true parameters: not compared (params.json has k=2, d=4; this "
            "fit k=3, d=4)") in out, out
