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


def test_demo_at_alpha_zero_says_no_attack_and_draws(tmp_path, capsys):
    """``--alpha 0`` replaces no task: the header says so plainly, not the
    name of an attack applied to nothing; the table and plot follow."""
    assert main(["demo", "--quick", "--alpha", "0", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("; no attack (α = 0)"), out
    assert "fake_cluster" not in out and "robust α=0, clean data" in out
    assert (tmp_path / "demo.png").exists()


def test_an_attack_at_the_full_alpha_warns_with_its_count_of_clean_removals(tmp_path):
    """subspace_spike replaces exactly ⌊αn⌋ = 600 light-1 tasks at α = 0.1;
    the filter removes 680 (417 of them, and 263 clean tasks), past the
    limit αn + 3√(αn) + 1 = 674: the warning says the count holds clean
    tasks too (it read as more corruption than α)."""
    notes = run(quick=True, out=tmp_path, quiet=True, attack="subspace_spike", alpha=0.1)[
        "warnings"]
    spike = [n for n in notes if "subspace removed 680 tasks > 674" in n]
    assert spike and all("clean tasks removed with corrupted ones count too" in n
                         for n in spike), notes
