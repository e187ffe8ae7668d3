"""Saves replace files atomically: SIGKILL during a save over an existing
file leaves a file that loads, with the old content or the new."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from robust_mlr import MetaDataset
from robust_mlr.engine.plotting import figure, save_figure

ROOT = Path(__file__).parents[1]
ENV = dict(os.environ, OMP_NUM_THREADS="1",
           PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))

# Re-saves datasets of 1.6 M random numbers (a second or so each) over one
# file; dataset i has y == i everywhere. Prints i after each save.
WRITER = """
import sys
import numpy as np
from robust_mlr import MetaDataset
rng = np.random.default_rng(0)
n = 200_000
X = rng.standard_normal((n, 8))
for i in range(10_000):
    MetaDataset(X, np.full(n, float(i)), [0, n // 2, n]).save(sys.argv[1])
    print(i, flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.7])
def test_sigkill_during_a_save_leaves_a_loadable_file(tmp_path, delay):
    path = tmp_path / "data.npz"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = proc.stdout.readline()           # one whole file exists; the next save runs
        assert first.strip() == b"0", proc.stderr.read().decode()
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    back = MetaDataset.load(path)
    assert back.n_tasks == 2 and back.X.shape == (200_000, 8)
    assert np.unique(back.y).size == 1           # one save's content, not a mix


def test_a_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "d.npz"
    a = MetaDataset(np.ones((4, 2)), np.arange(4.0), [0, 2, 4])
    a.save(path)
    class Unwritable:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("disk full halfway")

    bad = MetaDataset(np.ones((4, 2)), np.arange(4.0), [0, 2, 4])
    bad.y = Unwritable()                         # the save fails after writing X
    with pytest.raises(RuntimeError, match="disk full"):
        bad.save(path)
    assert np.array_equal(MetaDataset.load(path).y, a.y)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.npz"]   # no stray temporary


def test_figures_are_replaced_whole_and_quick_runs_get_their_own_name(tmp_path):
    from robust_mlr.engine.plotting import figure_suffix
    fig, _ = figure()
    (full,) = save_figure(fig, tmp_path, "study")
    with figure_suffix("-quick"):
        fig, _ = figure()
        (quick,) = save_figure(fig, tmp_path, "study")
    assert full.name == "study.png" and quick.name == "study-quick.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study-quick.png", "study.png"]
    assert full.read_bytes().startswith(b"\x89PNG")


def test_a_save_that_cannot_happen_names_the_callers_path(tmp_path):
    from robust_mlr import make_params, make_tasks
    data = make_tasks(make_params(4, 2, rng=0), 10, 3, rng=1)
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match=r"is a folder, not a file: '.*folder'"):
        data.save(tmp_path / "folder")
    with pytest.raises(FileNotFoundError, match=r"its folder does not exist: '.*nope/d.npz'"):
        data.save(tmp_path / "nope" / "d.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]      # no temporary left
