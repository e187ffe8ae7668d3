"""Eighth red team: the fifth red team's driver (``research/redteam/redteam5/run.py``)
with this folder's grid (``grid.py``: the seventh red team's groups plus a
``gates`` group, the heavy anchor's gates ridden with the defender's code).

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam8 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        python3 research/redteam/redteam8/run.py --alpha 0.05 --sizes fixed --fits 150 \\
        --seed 0 --out research/redteam/redteam8/results
    python3 research/redteam/redteam8/run.py --summarise research/redteam/redteam8/results

The ``grid`` and ``summary`` modules it imports are this folder's (first on
the path); ``build_problem`` is re-exported for the replay scripts.
"""

import runpy
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))
_driver = runpy.run_path(str(_HERE.parent / "redteam5" / "run.py"), run_name="redteam5_driver")
build_problem = _driver["build_problem"]

if __name__ == "__main__":
    _driver["main"]()
