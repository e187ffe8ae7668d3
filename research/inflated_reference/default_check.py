"""The probe's threshold (probe.py, variant "other") on the default problem:
the eighth red team's worst rows replayed with it (research/example_clip/replay_rows.py
does the fits; its clean fit is printed first).

    PYTHONPATH=$PWD:research/redteam/redteam8:research/example_clip:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21 \\
        OMP_NUM_THREADS=1 python3 research/inflated_reference/default_check.py CSV [CSV ...] --top 5 --by w_err
"""
import sys

import probe
import replay_rows
from robust_mlr.stages.regression import robust as _robust

if __name__ == "__main__":
    _robust.candidate_directions = probe.candidate_directions
    replay_rows.main()
    print("inflated (component, own-median count, other-reference count), last fits:", probe.LOG[-8:])
