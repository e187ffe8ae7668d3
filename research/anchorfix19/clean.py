"""Clean baselines of the sweep's fits (same problems, no corruption).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/anchorfix19/clean.py
"""
import sys
import warnings

sys.argv = sys.argv[:1] + ["gaussian"]
src = open("research/anchorfix19/sweep.py").read().split("ICML_ALPHA = ")[0]
exec(src)
ICML_ALPHA = False
for law in ("polynomial", "gaussian"):
    d, k = QUICK["d"], QUICK["k"]
    theta, pools, _ = law_problem(law, d, k, QUICK["sizes"], 1)
    for alpha in (0.02, 0.1):
        for name, est in fits(k, alpha):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                est.fit(pools)
            w = parameter_errors(est.W_, est.s2_, est.p_, theta)["w_err"]
            warned = [str(c.message)[:100] for c in caught if issubclass(c.category, CorruptionWarning)]
            print(f"{law:<10} clean a {alpha:<4} {name:<22} W {w:.3f} warned {int(bool(warned))} {warned[:1]}",
                  flush=True)
