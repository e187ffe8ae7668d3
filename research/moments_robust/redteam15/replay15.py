"""``research/moments_robust/replay.py`` with the research-only
``screened_lever`` (and ``biased_lever``, ``tilde_tilt``) registered (same
arguments; see that script).

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam15/replay15.py --seed 1 --alpha 0.05 \\
        --no-clean --strategy 'search:2:{"light2": ["screened_lever", {...}]}'
"""
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screened  # noqa: F401,E402  (registers screened_lever)

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "replay.py"),
               run_name="__main__")
