"""A resumed sweep's progress bar counts from the trials already saved, so
the user sees that the rerun resumed (and how much is left)."""
import sys
from pathlib import Path

from robust_mlr.engine import read_results, run_sweep

sys.path.insert(0, str(Path(__file__).parent))
import engine_helpers as H  # noqa: E402


def test_progress_of_a_resumed_sweep_starts_at_the_saved_trials(tmp_path, capsys):
    path = run_sweep(H.FAST, tmp_path, workers=1, progress=False, quiet=True)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:5]))                   # header + 4 of the 9 trials
    capsys.readouterr()
    run_sweep(H.FAST, tmp_path, workers=1, progress=True, quiet=True)
    err = capsys.readouterr().err
    assert "4/9" in err and "9/9" in err and "0/5" not in err, err
    assert len(read_results(path)) == 9
