"""Warnings on the command line name options as the user types them
(``--alpha 0.05``), not in their Python spelling (``alpha=0.05``); the
library's own messages keep the Python spelling."""

import warnings

import pytest

from robust_mlr import MetaLearner, Pools
from robust_mlr.cli import main
from robust_mlr.cli_data import read_csv_tasks

from test_new_user_inputs import _csv


def _warnings(err):
    return [line for line in err.splitlines() if line.startswith("robust-mlr: warning: ")]


def test_fit_warnings_name_the_flags_typed(tmp_path, capsys):
    """The ICML learner asked for alpha > 0 warns that it is not robust: on
    the command line the warning names --alpha and the --method that
    defends, in Python the parameter and MetaLearner.robust."""
    data = _csv(tmp_path / "d.csv")
    assert main(["fit", data, "--k", "2", "--heavy-min-size", "10", "--method", "icml",
                 "--alpha", "0.05", "--out", str(tmp_path / "m.json")]) == 0
    lines = _warnings(capsys.readouterr().err)
    assert any(line.startswith("robust-mlr: warning: UserWarning: --alpha 0.05 but these "
                               "stages are not robust to it: subspace=MomentPCA (robust: filter, hrpca); ")
               and line.endswith("; without a stage option, --method robust builds the "
                                 "defended learner")
               for line in lines), lines
    assert not any("alpha=" in line or "MetaLearner" in line for line in lines), lines
    pools = Pools.from_dataset(read_csv_tasks(data), 10, rng=0)
    with pytest.warns(UserWarning, match=r"^alpha=0\.05 but these stages are not robust to "
                                         r"it: .*; without a stage option, "
                                         r"MetaLearner\.robust\(k, alpha\) builds"):
        MetaLearner.icml(2, alpha=0.05, rng=0).fit(pools)


def test_k_in_a_warning_is_the_flag_but_sizes_stay_as_they_are(tmp_path, capsys):
    """``for k=3 components`` names the option; a problem size such as
    ``(n=28, k=2)`` is a list of sizes, not an option, and stays."""
    data = _csv(tmp_path / "d.csv", n_heavy=4)
    assert main(["fit", data, "--k", "3", "--heavy-min-size", "10", "--out",
                 str(tmp_path / "m.json")]) == 0
    lines = _warnings(capsys.readouterr().err)
    assert ("robust-mlr: warning: UserWarning: the heavy pool has n_H=4 tasks for --k 3 "
            "components (fewer than 2k): clusters, hence W, cannot be trusted") in lines, lines


def test_the_warning_format_keeps_other_texts(tmp_path, capsys, monkeypatch):
    """Only ``name=value`` with a value the option takes is rewritten: a
    stage listing (``clustering=Linkage``), a size list and prose stay."""
    def fit(self, pools):
        warnings.warn("stages subspace=MomentPCA, clustering=Linkage; try "
                      "clustering='linkage' or 'em'; size (n=28, k=2, rank=4); heavy_min_size=10 "
                      "and chunk_mb; k components; covariates=\"estimate\"; "
                      "covariates='nope'", UserWarning)
        raise KeyboardInterrupt                     # the warning is all this test needs
    monkeypatch.setattr(MetaLearner, "fit", fit)
    data = _csv(tmp_path / "d.csv")
    assert main(["fit", data, "--k", "2", "--heavy-min-size", "10", "--out",
                 str(tmp_path / "m.json")]) == 130
    assert capsys.readouterr().err == (
        "robust-mlr: warning: UserWarning: stages subspace=MomentPCA, clustering=Linkage; "
        "try --clustering linkage or em; size (n=28, k=2, rank=4); --heavy-min-size 10 and "
        "--chunk-mb; k components; --covariates estimate; covariates='nope'\ninterrupted\n")


def test_demo_notes_name_alpha_as_typed(tmp_path, capsys):
    """The demo prints its fits' warnings below the table: on the command
    line they name --alpha, in Python (``demo.run``) the parameter."""
    from robust_mlr.demo import run
    assert main(["demo", "--quick", "--alpha", "0.3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "CorruptionWarning: the data look corrupted beyond what --alpha 0.3 and the " \
           "defences allow" in out and "alpha=" not in out, out
    notes = run(quick=True, alpha=0.3, out=tmp_path, quiet=True)["warnings"]
    assert any("beyond what alpha=0.3 and the defences allow" in n for n in notes), notes


def test_an_abbreviated_option_is_refused_with_the_full_one(capsys):
    """``--alph 0.05`` was taken as ``--alpha``: an abbreviation changes
    meaning silently once another option shares its prefix."""
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--quick", "--alph", "0.05"])
    assert exc.value.code == 2
    assert "--alph: did you mean --alpha?" in capsys.readouterr().err
