"""``research/moments_robust/replay.py`` with this folder's ``hidden_lever``
registered (same arguments; run from the repository root):

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam17/replay17.py --seed 1 --alpha 0.01 \\
        --strategy 'search:2:JSON'

The strategies' ``direction`` is a path (from the repository root) to the
unit vector batch17.py saved: the clean fit's error of component 6, ⊥ span(W).
"""
import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import hidden  # noqa: F401,E402  (registers hidden_lever)
import wide  # noqa: F401,E402  (registers wide_lever)

runpy.run_path(os.path.join(here, "..", "replay.py"), run_name="__main__")
