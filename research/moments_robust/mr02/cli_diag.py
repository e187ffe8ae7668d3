"""Run a script with mr02's level diagnostic (``diag.py``) hooked in:
    python3 research/moments_robust/mr02/cli_diag.py benchmarks/bench_covariate_laws.py --quick
    python3 research/moments_robust/mr02/cli_diag.py -m experiment run sine_wave --quick ..."""
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diag  # noqa: E402,F401  (installs the hooks)

if sys.argv[1] == "-m":
    from robust_mlr.cli import main  # noqa: E402
    sys.exit(main(sys.argv[2:]))
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
