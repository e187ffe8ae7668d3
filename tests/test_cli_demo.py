import re
import subprocess
import sys
import warnings
from pathlib import Path

from robust_mlr.cli import main
from robust_mlr.demo import run


def test_demo_quick_runs_and_writes_plot(tmp_path):
    res = run(quick=True, out=tmp_path, quiet=True, seed=1)
    assert Path(res["plot"]).exists()
    rows = res["rows"]
    robust = next(v for name, v in rows.items() if name.startswith("robust"))
    icml = next(v for name, v in rows.items() if name.startswith("ICML 2020, fake"))
    assert rows["ICML 2020, clean data"]["cluster_acc"] >= 0.95
    assert robust["cluster_acc"] >= 0.95 and robust["flag_recall"] >= 0.5
    assert robust["w_err"] < icml["w_err"]


def test_cli_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "demo" in out


def test_readme_quickstart_runs():
    """The README's Python quickstart is executed as written, and warns of
    nothing (its clean fit succeeds; a warning there would need explaining)."""
    text = (Path(__file__).parents[1] / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(block, "README.md", "exec"), {})


def test_module_entry_point(tmp_path):
    r = subprocess.run([sys.executable, "-m", "robust_mlr", "demo", "--quick", "--out",
                        str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "w_err" in r.stdout and (tmp_path / "demo.png").exists()
    assert "attack fake_cluster on α = 0.05 of the tasks of the heavy pool" in r.stdout


def test_demo_without_attack_fits_the_clean_icml_learner_once(tmp_path):
    res = run(quick=True, out=tmp_path, quiet=True, seed=1, attack="none")
    assert list(res["rows"]) == ["ICML 2020, clean data", "robust α=0.05, clean data",
                                 "oracle θ"]


def test_demo_reports_a_crashed_fit_and_goes_on(tmp_path, capsys):
    """Finite values that overflow when squared crash the ICML fit: the table
    shows '-' for it, one line says why, and the robust fit and plot follow."""
    res = run(quick=True, out=tmp_path, seed=1, attack="extreme_values")
    out = capsys.readouterr().out
    icml, robust = "ICML 2020, extreme_values α=0.05", "robust, extreme_values α=0.05"
    assert res["rows"][icml] == {} and res["rows"][robust]["w_err"] < 0.2
    assert f"crashed ({icml}): SolverFailedError" in out
    assert Path(res["plot"]).exists()


def test_demo_notes_keep_the_warnings_advice(tmp_path):
    """A fit's warning is printed whole below the table: its advice comes
    last, and a cut at a fixed width lost it ("... the clustering Lin...")."""
    notes = run(quick=True, out=tmp_path, quiet=True, seed=0)["warnings"]
    clusters = [n for n in notes if "the heavy clusters have sizes" in n]
    assert clusters and not any(n.endswith("...") for n in notes), notes
    assert all("did not separate the components" in n for n in clusters), clusters
