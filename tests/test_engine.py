import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from robust_mlr.engine import (expand_grid, format_summary, get_experiment, load_toml,
                               read_results, run_sweep, summarize, trial_seed)

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import engine_helpers as H  # noqa: E402


def _metrics(path):
    rows = read_results(path)
    return {r["trial_id"]: (r["seed"], r["mean"], r["first"]) for r in rows}


def test_grid_and_seeds_are_deterministic():
    assert expand_grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    s = trial_seed("e", '{"a":1}', 0)
    assert s == trial_seed("e", '{"a":1}', 0)
    assert len({trial_seed("e", '{"a":1}', r) for r in range(50)}) == 50
    assert s != trial_seed("f", '{"a":1}', 0)


def test_serial_run_writes_one_row_per_trial_and_resumes(tmp_path):
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    rows = read_results(path)
    assert len(rows) == 9 and {r["status"] for r in rows} == {"ok"}
    before = path.read_bytes()
    run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    assert path.read_bytes() == before           # nothing redone, nothing duplicated
    summ = summarize(rows, H.FAST.metrics)
    assert [s["mu"] for s in summ] == [0.0, 1.0, 2.0]
    for s in summ:                               # mean of 3 x 200 N(mu,1): se ≈ 0.04
        assert abs(s["mean_mean"] - s["mu"]) < 0.25


def test_one_and_two_workers_give_identical_metrics(tmp_path):
    p1 = run_sweep(H.FAST, tmp_path / "one", workers=1, progress=False, quiet=True)
    p2 = run_sweep(H.FAST, tmp_path / "two", workers=2, progress=False, quiet=True)
    assert _metrics(p1) == _metrics(p2)


def test_failures_are_recorded_and_counted(tmp_path):
    path = run_sweep(H.FAILING, tmp_path, workers=1, progress=False, quiet=True)
    rows = read_results(path)
    failed = [r for r in rows if r["status"] == "failed"]
    assert len(failed) == 2 and "planned failure" in failed[0]["error"]
    counts = {s["mu"]: (s["n_ok"], s["n_failed"]) for s in summarize(rows, H.FAILING.metrics)}
    assert counts == {0.0: (2, 0), 1.0: (0, 2)}


def test_sigkill_then_rerun_loses_and_duplicates_nothing(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "robust_mlr", "experiment", "run", "engine_helpers:SLOW",
           "--workers", "1", "--out", str(tmp_path), "--no-progress", "--no-plot"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path = tmp_path / "slow.csv"
    deadline = time.time() + 120
    while time.time() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= 6:      # header + 5 rows
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = path.read_bytes()
    complete = before[:before.rfind(b"\n") + 1]
    n_before = complete.count(b"\n") - 1
    assert 5 <= n_before < 20, "the sweep must be killed mid-way"
    r = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    after = path.read_bytes()
    assert after.startswith(complete)                       # finished rows byte-identical
    rows = read_results(path)
    assert len(rows) == 20 and len({r["trial_id"] for r in rows}) == 20


def test_partial_last_line_is_dropped_and_rerun(tmp_path):
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    data = path.read_bytes()
    cut = data[:-7]                                          # simulate a torn last write
    path.write_bytes(cut)
    run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    assert len(read_results(path)) == 9
    assert path.read_bytes().startswith(cut[:cut.rfind(b"\n") + 1])


def test_changed_columns_are_refused(tmp_path):
    run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    other = H.FAST.with_grid(grid={"mu": [0.0], "extra": [1]})
    with pytest.raises(ValueError, match="has columns"):
        run_sweep(other, tmp_path, workers=1, progress=False, quiet=True)


def test_summary_prints_zero_spread_as_zero():
    rows = [{"experiment": "x", "status": "ok", "mu": 0.0, "v": 0.1}] * 3
    table = format_summary(summarize(rows, ("v",)))
    assert table.splitlines()[-1].split()[-1] == "0.1±0", table       # not ±9.8e-18


def test_toml_sweep(tmp_path):
    cfg = tmp_path / "mine.toml"
    cfg.write_text('experiment = "engine_helpers:FAST"\nreplicates = 2\n[grid]\nmu = [5.0]\n')
    exp = load_toml(cfg)
    assert exp.name == "mine" and len(exp.trials()) == 2
    path = run_sweep(exp, tmp_path, workers=1, progress=False, quiet=True)
    assert all(abs(r["mean"] - 5) < 0.5 for r in read_results(path))


def test_the_sweep_file_of_the_docs_loads(tmp_path):
    text = (Path(__file__).parents[1] / "docs" / "experiments.md").read_text()
    block = re.search(r"^```toml\n(# my_sweep\.toml.*?)^```", text, re.S | re.M).group(1)
    (tmp_path / "my_sweep.toml").write_text(block)
    exp = load_toml(tmp_path / "my_sweep.toml")
    assert exp.name == "fig3_mine" and len(exp.trials()) == 30      # as the page says


def test_a_sweep_named_as_the_study_has_the_seeds_of_its_committed_rows(tmp_path):
    # the seeds derive from the sweep's name, as docs/experiments.md says: the
    # committed rows of docs/results/baselines.csv come back under
    # name = "baselines", and another name draws other seeds
    import csv
    rows = list(csv.DictReader(open(HERE.parent / "docs" / "results" / "baselines.csv")))
    grid = "".join(f"{k[6:]} = [{rows[0][k] if k[6:] != 'attack' else repr(rows[0][k])}]\n"
                   for k in rows[0] if k.startswith("param."))
    seeds = {}
    for name in ("baselines", "bl_one"):
        cfg = tmp_path / "bl.toml"
        cfg.write_text(f'experiment = "baselines"\nname = "{name}"\nreplicates = 3\n'
                       f'[grid]\n{grid}')
        seeds[name] = {t.seed for t in load_toml(cfg).trials()}
    same_point = {int(r["seed"]) for r in rows
                  if all(r[k] == rows[0][k] for k in r if k.startswith("param."))}
    assert seeds["baselines"] == same_point and len(same_point) == 3
    assert not seeds["bl_one"] & same_point
    doc = " ".join((HERE.parent / "docs" / "experiments.md").read_text().split())
    assert "is the experiment name the trial seeds derive from" in doc


def test_toml_value_of_another_kind_than_the_study_uses_is_refused(tmp_path):
    cfg = tmp_path / "typo.toml"
    cfg.write_text('experiment = "engine_helpers:FAST"\n[grid]\nmu = [0.5, "1"]\n')
    with pytest.raises(ValueError, match=r"grid key 'mu' has the value '1' \(text\); the "
                                         r"study's own values of 'mu' are a number"):
        load_toml(cfg)


def test_toml_fraction_where_the_study_counts_is_refused(tmp_path):
    """k = [2.5] for a study whose k values are whole numbers ran its trials
    as 'ok' on a number no study means; a whole float (4.0) is still one."""
    cfg = tmp_path / "frac.toml"
    cfg.write_text('experiment = "icml_fig3"\n[grid]\nk = [4, 2.5]\nt_H = [64]\n')
    with pytest.raises(ValueError, match=r"grid key 'k' has the value 2.5; the study's own "
                                         r"values of 'k' are whole numbers"):
        load_toml(cfg)
    cfg.write_text('experiment = "icml_fig3"\n[grid]\nk = [4.0]\nt_H = [64]\n')
    assert len(load_toml(cfg).trials()) > 0
    cfg.write_text('experiment = "engine_helpers:FAST"\n[grid]\nmu = [0.5]\n')
    assert len(load_toml(cfg).trials()) > 0                 # a study's fractional values


def test_plotting_a_sweep_files_results_names_the_option_it_needs(tmp_path, capsys):
    """The rows of a sweep file's run carry the file's name, which is no
    study: 'experiment plot' said only "experiment 'mine' unknown"."""
    from robust_mlr.cli import main
    cfg = tmp_path / "mine.toml"
    cfg.write_text('experiment = "icml_fig3"\nreplicates = 1\n[grid]\nk = [4]\nt_H = [64]\n')
    assert main(["experiment", "run", str(cfg), "--workers", "1", "--no-progress",
                 "--no-plot", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["experiment", "plot", str(tmp_path / "mine.csv")])
    err = capsys.readouterr().err
    assert "its trials are of experiment 'mine', which is not a study" in err, err
    assert "--experiment mine.toml" in err
    assert main(["experiment", "plot", str(tmp_path / "mine.csv"), "--experiment",
                 str(cfg)]) == 0
    assert (tmp_path / "mine.png").exists()


def test_a_one_point_sweep_draws_its_figure_without_a_legend_warning(tmp_path, capsys):
    """One (k, t_H) point reaches no t_min: the t_min panel has nothing to
    label, and matplotlib warned "No artists with labels found" on run and
    on plot."""
    import warnings
    from robust_mlr.cli import main
    cfg = tmp_path / "one.toml"              # t_H = 8 is far below any t_min at k = 4
    cfg.write_text('experiment = "icml_fig3"\nreplicates = 1\n[grid]\nk = 4\nt_H = [8]\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["experiment", "run", str(cfg), "--workers", "1", "--no-progress",
                     "--out", str(tmp_path)]) == 0
        assert main(["experiment", "plot", str(tmp_path / "one.csv"), "--experiment",
                     str(cfg)]) == 0
    said = capsys.readouterr().err + "".join(str(w.message) for w in caught)
    assert "legend" not in said, said
    assert (tmp_path / "one.png").stat().st_size > 0


def test_a_failing_study_summary_or_plot_warns_and_keeps_the_rows(tmp_path, capsys):
    from robust_mlr.cli import main
    assert main(["experiment", "run", "engine_helpers:BROKEN", "--workers", "1",
                 "--no-progress", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "the summary of experiment broken failed on these rows (KeyError" in err, err
    assert "the plot of experiment broken failed on these rows (ValueError: cannot draw)" in err
    assert "Traceback" not in err and len(read_results(tmp_path / "broken.csv")) == 1


def test_dask_local_cluster(tmp_path):
    pytest.importorskip("dask.distributed")
    p1 = run_sweep(H.FAST, tmp_path / "serial", workers=1, progress=False, quiet=True)
    p2 = run_sweep(H.FAST, tmp_path / "dask", workers=2, dask="local", progress=False,
                   quiet=True)
    assert _metrics(p1) == _metrics(p2)


def test_registry_lists_the_studies():
    assert get_experiment("icml_fig3").name == "icml_fig3"
    with pytest.raises(ValueError, match="unknown"):
        get_experiment("nope")


@pytest.mark.parametrize("name", ["icml_fig3", "icml_fig2", "attack_gallery",
                                  "robust_pca_bad_example", "mlr_subspace",
                                  "clustering_comparison", "clustering_attacks_400",
                                  "tH_nH_tradeoff", "sos_exact_tradeoff", "robustness", "baselines",
                                  "clustering_scaling",
                                  # by module until the entry point is installed
                                  "experiments.tH_nH_tradeoff:EXPERIMENT",
                                  "experiments.adaptive:EXPERIMENT",
                                  "experiments.sine_wave:EXPERIMENT"])
def test_quick_studies_run_and_plot(tmp_path, name):
    """Every study's --quick size runs, summarises and plots (studies never rot)."""
    exp = get_experiment(name)
    path = run_sweep(exp, tmp_path, quick=True, workers=1, progress=False, quiet=True)
    rows = read_results(path)
    assert rows and all(r["status"] == "ok" for r in rows), [r["error"] for r in rows]
    if exp.summary is not None:
        assert exp.summary(rows)
    if exp.plot is not None:
        for fig in exp.plot(rows, tmp_path):
            assert Path(fig).stat().st_size > 0


def test_warnings_of_a_local_dask_sweep_are_one_line_each(tmp_path):
    """The workers of a local Dask cluster print on the user's terminal: in
    the command line's one-line format, as the process pool's workers do
    (they printed Python's two lines, file, line and source)."""
    pytest.importorskip("dask.distributed")
    here = Path(__file__).parent
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
        [str(here), str(here.parent), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "-m", "robust_mlr", "experiment", "run",
                        "engine_helpers:WARNS", "--dask", "local", "--workers", "1", "--out",
                        str(tmp_path), "--no-progress", "--no-plot"], env=env,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if "planned warning" in line]
    assert len(lines) == 2 and re.fullmatch(r"robust-mlr: warning: UserWarning: planned "
                                            r"warning [01]", lines[0]), r.stderr
    assert lines[1].startswith("robust-mlr: warning: UserWarning: the warning 'planned "
                               "warning "), r.stderr       # the other: said once (below)
    assert "warnings.warn(" not in r.stderr, r.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_a_warning_every_trial_gives_is_said_once_per_sweep(tmp_path, workers):
    """Every trial of a study warning the same thing with other numbers (the
    attack gallery's tiny single-linkage cluster) printed it once per trial:
    it is said once, with one line counting the rest; another message is
    still said."""
    here = Path(__file__).parent
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
        [str(here), str(here.parent), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "-m", "robust_mlr", "experiment", "run",
                        "engine_helpers:WARNS_ALIKE", "--workers", str(workers), "--out",
                        str(tmp_path), "--no-progress", "--no-plot"], env=env,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 3, r.stderr
    sizes = r"the heavy clusters have sizes \[\d, \d+\]: one is small"
    said = sorted(lines[:2])                    # in the order the trials finished
    assert said[1] == "robust-mlr: warning: UserWarning: the light tasks are too few"
    assert re.fullmatch(f"robust-mlr: warning: UserWarning: {sizes}", said[0]), r.stderr
    assert re.fullmatch(f"robust-mlr: warning: UserWarning: the warning '{sizes}' came 5 "
                        r"more time\(s\) in this sweep's trials \(with other numbers\)",
                        lines[-1]), r.stderr
    assert len(read_results(tmp_path / "warns_alike.csv")) == 6


def _run_cli(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent),
                                                       os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "robust_mlr", "experiment", "run", *args,
                           "--workers", "1", "--no-progress", "--no-plot"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_a_sweep_file_rerun_with_another_grid_is_refused_not_appended(tmp_path):
    """Resuming is by trial id: an edited sweep file appended its new trials
    to the old ones, one file then holding two experiments. Its settings are
    recorded beside the file; other settings are one error line naming the
    file and what differs; --overwrite starts over; the same settings resume."""
    cfg = tmp_path / "mine.toml"
    cfg.write_text('experiment = "engine_helpers:FAST"\nreplicates = 1\n[grid]\nmu = [0.0]\n')
    path = tmp_path / "mine.csv"
    assert _run_cli(str(cfg), "--out", str(tmp_path)).returncode == 0
    before = path.read_bytes()
    cfg.write_text('experiment = "engine_helpers:FAST"\nreplicates = 2\n[grid]\n'
                   'mu = [0.0, 1.0]\n')
    r = _run_cli(str(cfg), "--out", str(tmp_path))
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert str(path) in r.stderr and "replicates 1 there, 2 now" in r.stderr, r.stderr
    assert "mu [0.0] there, [0.0, 1.0] now" in r.stderr and "--overwrite" in r.stderr
    assert path.read_bytes() == before                      # nothing appended
    assert _run_cli(str(cfg), "--out", str(tmp_path), "--overwrite").returncode == 0
    rows = read_results(path)
    assert sorted((r["mu"], r["replicate"]) for r in rows) == [(0.0, 0), (0.0, 1),
                                                              (1.0, 0), (1.0, 1)]
    after = path.read_bytes()
    assert _run_cli(str(cfg), "--out", str(tmp_path)).returncode == 0
    assert path.read_bytes() == after                       # same settings: resumed, no row


def test_run_sweep_with_another_grid_is_refused_and_overwrite_starts_over(tmp_path):
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    before = path.read_bytes()
    for grid in ({"mu": [0.0, 1.0, 2.0, 3.0]}, {"mu": [0.0]}):     # grown, shrunk
        with pytest.raises(ValueError, match=r"fast\.csv was run with other settings "
                                             r"\(mu \[0\.0, 1\.0, 2\.0\] there"):
            run_sweep(H.FAST.with_grid(grid=grid), tmp_path, workers=1, progress=False,
                      quiet=True)
        assert path.read_bytes() == before
    run_sweep(H.FAST.with_grid(grid={"mu": [0.0]}), tmp_path, workers=1, progress=False,
              quiet=True, overwrite=True)
    assert {r["mu"] for r in read_results(path)} == {0.0} and len(read_results(path)) == 3


def test_a_results_file_without_recorded_settings_resumes_only_its_own_trials(tmp_path):
    """A file written before settings were recorded: trials all in this sweep
    resume (and the settings are recorded); trials of another grid refuse."""
    path = run_sweep(H.FAST.with_grid(grid={"mu": [0.0]}), tmp_path, workers=1,
                     progress=False, quiet=True)
    settings = tmp_path / "fast.settings.json"
    settings.unlink()
    run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    assert len(read_results(path)) == 9 and settings.exists()
    settings.unlink()
    with pytest.raises(ValueError, match=r"fast\.csv holds 6 trial\(s\) that are not in "
                                         r"this sweep"):
        run_sweep(H.FAST.with_grid(grid={"mu": [0.0]}), tmp_path, workers=1,
                  progress=False, quiet=True)


def test_a_sweep_run_by_another_version_resumes_with_one_warning(tmp_path):
    """The settings record the package version; a bug-fix release resumes a
    sweep an earlier one started (not refused), saying so once with both
    versions, and each row keeps the version that ran it."""
    import json
    import warnings
    from robust_mlr import __version__
    from robust_mlr.engine import ResultsFileWarning
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    settings = tmp_path / "fast.settings.json"
    recorded = json.loads(settings.read_text())
    assert recorded["version"] == __version__
    settings.write_text(json.dumps(dict(recorded, version="0.0.1")))
    import csv
    with open(path, newline="") as f:
        header, *cells = list(csv.reader(f))
    for row in cells:
        row[header.index("version")] = "0.0.1"
    with open(path, "w", newline="") as f:                  # two trials left to run
        csv.writer(f, lineterminator="\n").writerows([header, *cells[:-2]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    said = [str(w.message) for w in caught if issubclass(w.category, ResultsFileWarning)]
    assert len(said) == 1 and "robust-mlr 0.0.1" in said[0] \
        and f"robust-mlr {__version__}" in said[0] and str(path) in said[0], said
    versions = [r["version"] for r in read_results(path)]
    assert sorted(versions) == sorted(["0.0.1"] * 7 + [__version__] * 2), versions
    assert json.loads(settings.read_text())["version"] == __version__
    with warnings.catch_warnings():                         # the same version: silent
        warnings.simplefilter("error")
        run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)


def test_a_damaged_settings_file_costs_no_rows(tmp_path):
    """Unreadable settings were refused with only --overwrite (which removes
    the rows) as the way on: a file whose trials all belong to the sweep
    resumes with one warning and its settings rewritten; one with other
    trials is still refused."""
    import json
    import warnings
    from robust_mlr.engine import ResultsFileWarning
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    settings = tmp_path / "fast.settings.json"
    settings.write_text("garbage")
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-2]))                    # two trials left to run
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    said = [str(w.message) for w in caught if issubclass(w.category, ResultsFileWarning)]
    assert len(said) == 1 and f"its settings {settings} cannot be read" in said[0], said
    assert len(read_results(path)) == 9 and json.loads(settings.read_text())["replicates"] == 3
    settings.write_text("garbage")
    with pytest.raises(ValueError, match=r"fast\.csv holds 6 trial\(s\) that are not in "
                                         r"this sweep .*cannot be read"):
        run_sweep(H.FAST.with_grid(grid={"mu": [0.0]}), tmp_path, workers=1,
                  progress=False, quiet=True)
    assert len(read_results(path)) == 9


def test_a_rerun_says_what_it_took_from_the_file(tmp_path, capsys):
    """A rerun of a finished sweep printed its table as if it had run it
    (and started its workers for nothing): it says it ran nothing, and a
    resumed one how many trials were already there."""
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False)
    assert "nothing to run" not in capsys.readouterr().out
    run_sweep(H.FAST, tmp_path, workers=2, progress=False)
    assert (f"nothing to run: all 9 trials were already in {path} (--overwrite runs them "
            f"again)") in capsys.readouterr().out
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-2]))
    run_sweep(H.FAST, tmp_path, workers=1, progress=False)
    assert f"resumed: 7 of 9 trials were already in {path}" in capsys.readouterr().out


def test_overwrite_replaces_only_a_results_file(tmp_path):
    """--overwrite removes a sweep's rows, never a user's own CSV of that name."""
    own = tmp_path / "fast.csv"
    own.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"fast\.csv is not a results file .*move it "
                                         r"yourself or use another --out"):
        run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True, overwrite=True)
    assert own.read_text() == "a,b\n1,2\n"
