"""``research/moments_robust/replay.py`` with the research-only
``biased_lever`` registered (same arguments; see that script).

    PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam14 \\
        OMP_NUM_THREADS=1 python3 research/moments_robust/redteam14/replay14.py --seed 1 \\
        --alpha 0.05 --no-clean --strategy 'search:2:{"light2": ["biased_lever", {...}]}'
"""
import os
import runpy

import biased  # noqa: F401  (registers biased_lever)

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "replay.py"),
               run_name="__main__")
