"""Ctrl-C on ``robust-mlr experiment run``: the first SIGINT cancels the
pending trials, stops the workers, keeps every finished row and exits 130
with one line; a second SIGINT exits at once; a rerun completes the sweep
with no duplicate row."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from robust_mlr.engine import read_results

HERE = Path(__file__).parent
ENV = dict(os.environ, OMP_NUM_THREADS="1",
           PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent),
                                       os.environ.get("PYTHONPATH", "")]))
N_TRIALS = 24

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _start(tmp_path, experiment, grid, workers):
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'experiment = "engine_helpers:{experiment}"\n[grid]\n{grid}\n')
    cmd = [sys.executable, "-m", "robust_mlr", "experiment", "run", str(sweep),
           "--workers", str(workers), "--out", str(tmp_path), "--no-progress", "--no-plot"]
    return cmd, subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_rows(path, n, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= n + 1:
            return
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached {n} rows")


def _children(pid):
    """Live child processes of ``pid`` (from /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if d.name.isdigit() and int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(d.name))
    return out


def _two_sigints(proc):
    """SIGINT, 1 s, SIGINT (if still running); the seconds until it ended."""
    t0 = time.time()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    return time.time() - t0


@pytest.mark.parametrize("workers", [1, 2])
def test_two_ctrl_c_end_the_sweep_keep_its_rows_and_it_resumes(tmp_path, workers):
    cmd, proc = _start(tmp_path, "SLOW", f"sleep = [0.25]\ni = {list(range(N_TRIALS))}",
                       workers)
    path = tmp_path / "sweep.csv"
    _wait_for_rows(path, 2, proc)
    kids = _children(proc.pid) if Path("/proc/self/stat").exists() else []
    took = _two_sigints(proc)
    err = proc.stderr.read().decode()
    assert took < 5 and proc.returncode == 130, (took, proc.returncode, err)
    rows = read_results(path)
    assert err.splitlines() == [f"interrupted: {len(rows)} trials saved; rerun to resume"]
    assert 2 <= len(rows) < N_TRIALS
    time.sleep(0.5)
    assert not [p for p in kids if Path(f"/proc/{p}").exists()
                and "Z" not in Path(f"/proc/{p}/stat").read_text().split(")")[-1][:3]]
    again = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    rows = read_results(path)
    assert len(rows) == N_TRIALS and len({r["trial_id"] for r in rows}) == N_TRIALS


def test_ctrl_c_just_after_the_line_changes_nothing(tmp_path):
    """A second Ctrl-C once the sweep has said its line (the user pressing
    again while it exits) found the interpreter shutting down: it printed a
    traceback from the pool's threads, or killed the process by SIGINT, or
    left the pool's semaphores to Python's resource tracker, which warned."""
    _, proc = _start(tmp_path, "SLOW", f"sleep = [0.25]\ni = {list(range(N_TRIALS))}", 2)
    _wait_for_rows(tmp_path / "sweep.csv", 2, proc)
    proc.send_signal(signal.SIGINT)
    line = proc.stderr.readline()
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = (line + proc.stderr.read()).decode()
    rows = read_results(tmp_path / "sweep.csv")
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.splitlines() == [f"interrupted: {len(rows)} trials saved; rerun to resume"]


def test_second_ctrl_c_exits_even_when_the_first_is_swallowed(tmp_path):
    """A trial that swallows KeyboardInterrupt keeps the first Ctrl-C from
    acting; the second ends the process at once anyway."""
    started = tmp_path / "started"
    _, proc = _start(tmp_path, "STUBBORN", f'sleep = [30]\nstarted = ["{started}"]', 1)
    deadline = time.time() + 60
    while not started.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert started.exists(), proc.stderr.read().decode()
    took = _two_sigints(proc)
    err = proc.stderr.read().decode()
    assert took < 3 and proc.returncode == 130, (took, proc.returncode, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err


def test_ctrl_c_before_the_command_starts_is_one_line(monkeypatch, capsys):
    """A Ctrl-C while the command line is still being built (its imports,
    the parser) ends with status 130 and one line, not a traceback."""
    from robust_mlr import cli

    def interrupted():
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert cli.main(["demo"]) == 130
    err = capsys.readouterr().err
    assert err == "interrupted\n"


def test_ctrl_c_at_a_terminal_on_a_local_dask_sweep_is_one_line(tmp_path):
    """A terminal's Ctrl-C reaches every process of its group, the local
    Dask cluster's workers too: each printed its own tracebacks (and the
    client's abandoned waits one each) around the one line the command says."""
    pytest.importorskip("dask.distributed")
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'experiment = "engine_helpers:SLOW"\n[grid]\nsleep = [0.3]\n'
                     f'i = {list(range(200))}\n')
    cmd = [sys.executable, "-m", "robust_mlr", "experiment", "run", str(sweep), "--dask",
           "local", "--workers", "2", "--out", str(tmp_path), "--no-progress", "--no-plot"]
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)        # its own group, as at a terminal
    try:
        _wait_for_rows(tmp_path / "sweep.csv", 4, proc, timeout=120)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read().decode()
    rows = read_results(tmp_path / "sweep.csv")
    assert proc.returncode == 130 and "Traceback" not in err, err
    # not one line more: the workers logged each task the closing cancelled
    assert err.splitlines() == [f"interrupted: {len(rows)} trials saved; rerun to resume"], err


@pytest.mark.parametrize("to_group", [True, False], ids=["terminal", "process"])
def test_ctrl_c_while_a_local_dask_cluster_starts_is_one_line(tmp_path, to_group):
    """The 2-4 s in which ``fit --dask local`` starts its cluster: the worker
    processes, still importing, each printed a traceback (a terminal's Ctrl-C
    reaches the whole group), and the start cancelled half-way left Dask's
    exit hook a cluster it failed to close, with 29 lines of traceback."""
    pytest.importorskip("dask.distributed")
    pools = tmp_path / "pools"
    made = subprocess.run([sys.executable, "-m", "robust_mlr", "generate", str(pools),
                           "--d", "4", "--k", "2", "--light1", "200", "2", "--heavy", "40",
                           "8", "--light2", "200", "2"], env=ENV, capture_output=True,
                          text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    cmd = [sys.executable, "-m", "robust_mlr", "fit", str(pools), "--k", "2", "--dask",
           "local", "--out", str(tmp_path / "m.json")]
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.time() + 60             # the first worker process is starting
        while time.time() < deadline and proc.poll() is None and not any(
                b"multiprocessing.spawn" in Path(f"/proc/{p}/cmdline").read_bytes()
                for p in _children(proc.pid) if Path(f"/proc/{p}").exists()):
            time.sleep(0.01)
        assert proc.poll() is None, proc.stderr.read().decode()
        if to_group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read().decode()
    assert proc.returncode == 130 and err == "interrupted\n", (proc.returncode, err)
    assert not (tmp_path / "m.json").exists()
    deadline = time.time() + 10                 # and no worker outlives the command
    while time.time() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("processes of the command's group outlived it")
