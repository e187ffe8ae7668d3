"""Hostile uses of the experiment engine: concurrent writers, hand-edited
results, kills at every point, and a user folder named ``experiments``."""
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from robust_mlr import MetaDataset
from robust_mlr.engine import read_results, run_sweep
from robust_mlr.engine.storage import ResultsFile, ResultsFileBusyError

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import engine_helpers as H  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]
                                                  + [os.environ.get("PYTHONPATH", "")]))


def _cli(*args):
    return [sys.executable, "-m", "robust_mlr", "experiment", "run", *args,
            "--no-progress", "--no-plot"]


def _wait_for_rows(path, n, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= n + 1:
            return
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode())
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {n} rows")


# ------------------------------------------------------------ one writer per file
def test_second_writer_refuses_while_the_first_runs(tmp_path):
    gate = tmp_path / "gate"                     # the first run's trials wait for this file
    sweep = tmp_path / "gated.toml"
    sweep.write_text(f'experiment = "engine_helpers:GATED"\n[grid]\n'
                     f'gate = ["{gate}"]\ni = [0, 1, 2]\n')
    exp = H.GATED.with_grid(grid={"gate": [str(gate)], "i": [0, 1, 2]}, name="gated")
    first = subprocess.Popen(_cli(str(sweep), "--workers", "1", "--out", str(tmp_path)),
                             env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path = tmp_path / "gated.csv"
    try:
        _wait_for_rows(path, 0, first)           # header written: the lock is held
        with pytest.raises(ResultsFileBusyError, match=str(path)):
            run_sweep(exp, tmp_path, workers=1, progress=False, quiet=True)
        second = subprocess.run(_cli(str(sweep), "--workers", "1", "--out", str(tmp_path)),
                                env=ENV, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stderr
        assert second.stderr.count("\n") == 1 and str(path) in second.stderr, second.stderr
        gate.touch()
        assert first.wait(timeout=120) == 0
    finally:
        gate.touch()
        if first.poll() is None:
            first.kill()
            first.wait()
    rows = read_results(path)                    # 3 trials, each exactly once
    assert len(rows) == 3 and len({r["trial_id"] for r in rows}) == 3
    run_sweep(exp, tmp_path, workers=1, progress=False, quiet=True)   # lock released


# ------------------------------------------------------------ hand-edited CSV files
def test_stray_quote_line_is_reported_and_hides_nothing(tmp_path):
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(4, b'"\n')                      # becomes line 5 of the file
    path.write_bytes(b"".join(lines))
    with pytest.warns(UserWarning, match=r"line 5\b"):
        rows = read_results(path)
    assert len(rows) == 9
    size = path.stat().st_size
    with pytest.warns(UserWarning, match=r"line 5\b"):
        run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    assert path.stat().st_size == size           # the rerun appends nothing


def test_unparsable_and_duplicated_rows_are_reported(tmp_path):
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2:2] = [b"garbage,with,too,few,fields\n"]
    lines.append(lines[1])                       # a duplicated trial (line 12)
    path.write_bytes(b"".join(lines))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        rows = read_results(path)
    msgs = " | ".join(str(w.message) for w in rec)
    assert "line 3" in msgs and "line 12" in msgs and "duplicate" in msgs
    assert len(rows) == 9 and len({r["trial_id"] for r in rows}) == 9


def test_a_damaged_row_is_said_once_per_run(tmp_path, capsys):
    from robust_mlr.cli import main
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2][:20] + b'"broken\n'       # a middle row, damaged by hand
    path.write_bytes(b"".join(lines))
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        assert main(["experiment", "run", "engine_helpers:FAST", "--workers", "1",
                     "--no-progress", "--out", str(tmp_path)]) == 0
    said = capsys.readouterr().err.splitlines() + [str(w.message) for w in rec]
    assert len([m for m in said if "line 3" in m]) == 1, said


def test_a_run_refused_beside_a_users_csv_leaves_no_lock_file(tmp_path):
    from robust_mlr import ValidationError
    own = tmp_path / "fast.csv"
    own.write_text("task,x0,y\nuser0,1.0,2.0\n")
    for overwrite in (False, True):
        with pytest.raises(ValidationError, match="is not a results file"):
            run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True,
                      overwrite=overwrite)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["fast.csv"]
    assert own.read_text() == "task,x0,y\nuser0,1.0,2.0\n"


def test_error_messages_with_newlines_stay_on_one_line(tmp_path):
    store = ResultsFile(tmp_path / "r.csv", ["a"], ["m"])
    with store.session():
        store.append({"trial_id": "x", "error": 'line one\nline "two"\r\n', "param.a": 1})
    assert (tmp_path / "r.csv").read_bytes().count(b"\n") == 2
    (row,) = read_results(tmp_path / "r.csv")
    assert row["error"] == 'line one line "two"'


# ------------------------------------------------------------ kills at every point
@pytest.mark.parametrize("torn", [b"", b"experiment,tri", b"experiment,trial_id,replicate,"])
def test_kill_during_header_write_resumes(tmp_path, torn):
    (tmp_path / "fast.csv").write_bytes(torn)
    (tmp_path / ".fast.csv.999.tmp").write_bytes(torn)   # killed before its rename
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    rows = read_results(path)
    assert len(rows) == 9 and len({r["trial_id"] for r in rows}) == 9
    assert not (tmp_path / ".fast.csv.999.tmp").exists()


def _descendants(pid):
    """Live (non-zombie) processes below ``pid``, from /proc."""
    children = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_sigkill_of_a_parallel_run_leaves_no_orphans(tmp_path):
    proc = subprocess.Popen(_cli("engine_helpers:SLOW", "--workers", "2", "--out",
                                 str(tmp_path)), env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        _wait_for_rows(tmp_path / "slow.csv", 2, proc)
        kids = _descendants(proc.pid)
        assert len(kids) >= 3                    # two workers and the resource tracker
    finally:
        proc.kill()
        proc.wait()
    deadline = time.time() + 10                  # the workers' watchdog polls every 0.2 s
    while time.time() < deadline and any(_alive(p) for p in kids):
        time.sleep(0.1)
    survivors = [p for p in kids if _alive(p)]
    for p in survivors:                          # clean up before failing
        os.kill(p, signal.SIGKILL)
    assert not survivors, f"orphans outlived the killed run: {survivors}"
    r = subprocess.run(_cli("engine_helpers:SLOW", "--workers", "2", "--out", str(tmp_path)),
                       env=ENV, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    rows = read_results(tmp_path / "slow.csv")
    assert len(rows) == 20 and len({r["trial_id"] for r in rows}) == 20


# ------------------------------------------------------------ paths load what was saved
@pytest.mark.parametrize("name", ["exp.v2", "plain", "data.npz"])
def test_save_then_load_reads_exactly_that_path(tmp_path, name):
    rng = np.random.default_rng(0)
    a = MetaDataset(rng.standard_normal((6, 2)), rng.standard_normal(6), [0, 3, 6])
    b = MetaDataset(rng.standard_normal((4, 2)), rng.standard_normal(4), [0, 2, 4])
    b.save(tmp_path / "exp.npz")                 # a decoy numpy's suffix rule would pick
    b.save(tmp_path / "plain.npz")
    a.save(tmp_path / name)
    back = MetaDataset.load(tmp_path / name)
    assert np.array_equal(back.X, a.X) and np.array_equal(back.offsets, a.offsets)
    assert (tmp_path / name).exists()


# ------------------------------------------------------------ studies cannot be shadowed
@pytest.mark.parametrize("package", [True, False])
def test_a_user_folder_named_experiments_does_not_hide_the_studies(tmp_path, package):
    mine = tmp_path / "experiments"
    mine.mkdir()
    if package:
        (mine / "__init__.py").write_text("")
    (mine / "icml_fig3.py").write_text("raise SystemExit('the user module was imported')\n")
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "-m", "robust_mlr", "experiment", "list"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    names = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    assert {"icml_fig3", "robustness", "clustering_comparison"} <= names
