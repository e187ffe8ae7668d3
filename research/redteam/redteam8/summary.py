"""Worst fit per target of the eighth red team's CSVs: the fifth red team's
table (``research/redteam/redteam5/summary.py``)."""

import runpy
from pathlib import Path

summarise = runpy.run_path(str(Path(__file__).resolve().parents[1] / "redteam5" / "summary.py"),
                           run_name="redteam5_summary")["summarise"]
