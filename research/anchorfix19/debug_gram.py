# Instrumentation used to find the singular Gram (prints the per-task and summed eigenvalues at the failure; run against main).
import sys, numpy as np
sys.argv = ["x"]
import robust_mlr.stages.regression._heavy_anchor as H
orig = H._whitened_filter
def wrap(A, At, Ct, Wh, b, beta, *a, **kw):
    try:
        return orig(A, At, Ct, Wh, b, beta, *a, **kw)
    except np.linalg.LinAlgError:
        lam = np.linalg.eigvalsh(A)
        print("m0", A.shape[0], "min eig per task (sorted first 12):", np.sort(lam[:, 0])[:12])
        print("max eig", np.median(lam[:, -1]))
        cl = np.linalg.eigvalsh(Ct)
        print("Ct max eig top:", np.sort(cl[:, -1])[-5:], "Ct min", np.sort(cl[:,0])[:5])
        print("Ct sum eig", np.linalg.eigvalsh(Ct.sum(0)))
        print("At sum eig", np.linalg.eigvalsh(At.sum(0)))
        raise
H._whitened_filter = wrap
exec(open("research/anchorfix19/repro.py").read().replace("for cov in (\"estimate\", \"auto\", \"isotropic\")", "for cov in (\"estimate\",)").replace("traceback.print_exc(limit=-3)", "pass"))
