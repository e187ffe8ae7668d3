"""Replay strategies on the default problem with the pooling's diagnostics:
the seventh red team's probe (``research/redteam/redteam7/probe.py``), with
this folder's ``run`` first on the path.

    PYTHONPATH=$PWD:research/redteam/redteam8 OMP_NUM_THREADS=1 \\
        python3 research/redteam/redteam8/probe.py --alpha 0.05 --draws 0,1 \\
        '{"heavy": ["gate_seeded", {"component": 0}], "light2": ["gate_match", {"component": 0}]}'
"""

import runpy
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

if __name__ == "__main__":
    runpy.run_path(str(_HERE.parent / "redteam7" / "probe.py"), run_name="__main__")
