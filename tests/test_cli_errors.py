"""Command-line user errors end as one argparse line with exit status 2."""
import subprocess
import sys
from importlib.metadata import version

import pytest

import robust_mlr
from robust_mlr.cli import main


@pytest.mark.parametrize("argv, needle", [
    (["demo", "--attack", "nope"], "invalid choice: 'nope'"),
    (["demo", "--attack", "fake"], "invalid choice: 'fake' (did you mean 'fake_cluster'?"),
    (["demo", "--alpha", "0.7"], "alpha must be < 0.5, got 0.7"),
    (["demo", "--alpha", "-0.1"], "alpha must be >= 0"),
    (["demo", "--alpha", "half"], "'half' is not a number"),
    (["demo", "--seed", "1.5"], "'1.5' is not an integer"),
    (["experiment", "run", "nope"], "experiment 'nope' unknown"),
    (["experiment", "run", "no_such_module:X"], "No module named 'no_such_module'"),
    (["experiment", "run", "missing.toml"], "missing.toml"),
    (["experiment", "run", "icml_fig3", "--workers", "0"], "must be >= 1, got 0"),
    (["experiment", "run", "icml_fig3", "--workers", "2", "--dask", "tcp://127.0.0.1:9"],
     "--workers 2: the Dask scheduler at --dask tcp://127.0.0.1:9 runs the trials on its own "
     "workers"),              # ignored without a word: the scheduler has its own workers
    (["experiment", "run", "robustnes"], "(did you mean 'robustness'?)"),
    (["experiment", "plot", "missing.csv"], "results file missing.csv does not exist"),
    (["generate", "never_written", "--d", "4", "--k", "2", "--light1", "100", "1",
      "--heavy", "20", "8", "--light2", "100", "4"], "--light1 T=1"),
    (["generate", "never_written", "--d", "4", "--k", "2", "--light1", "100", "2",
      "--heavy", "20", "1", "--light2", "100", "1"], "heavy tasks need T >= 2"),
])
def test_user_errors_are_one_line_with_status_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err, err


def test_bad_toml_is_a_user_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("experiment = \n")
    with pytest.raises(SystemExit) as exc:
        main(["experiment", "run", str(bad)])
    assert exc.value.code == 2 and str(bad) in capsys.readouterr().err


def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"robust-mlr {version('robust-mlr')}"
    assert robust_mlr.__version__ == version("robust-mlr")


def test_console_error_has_no_traceback():
    r = subprocess.run([sys.executable, "-m", "robust_mlr", "demo", "--alpha", "0.7"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr


def test_an_error_after_parsing_names_the_command(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--quick", "--out", str(tmp_path / "file" / "sub")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith("robust-mlr demo: error: --out folder"), err
