"""Why the small-heavy identical-task fit raises: heavy labels of the replaced tasks and the
clustering estimates, read off the learner after the exception.

    python3 research/redteam/redteam4/inspect_emptycluster.py
"""
import sys, numpy as np
import rt4common
from robust_mlr import MetaLearner
from robust_mlr.metrics import match_components
calls = []
def fit2(pools, theta, alpha, seed=0, **kw):
    calls.append(1)
    if len(calls) == 1:
        return {"w_err":0,"s2_err":0,"p_err":0,"warned":0,"time":1.0,"raised":"","warnings":[]}, None
    m = MetaLearner.robust(theta.k, alpha, rng=seed)
    try:
        m.fit(pools)
    except Exception as e:
        print(type(e).__name__)
    lab = m.heavy_labels_
    print("p_tilde", np.round(m.p_tilde_, 3))
    print("labels of replaced heavy tasks:", dict(zip(*np.unique(lab[idx], return_counts=True))))
    print("labels of all heavy tasks:", dict(zip(*np.unique(lab, return_counts=True))))
    Wt = m.W_tilde_
    err = np.linalg.norm(Wt[:, match_components(Wt, theta.W)] - theta.W, axis=0) / theta.s
    print("W_tilde errors per true component", np.round(err, 3))
    sys.exit(0)
rt4common.fit = fit2
sys.argv = ["degenerate.py", "0.05", "0", "smallheavy", "heavy:identical:3"]
exec(compile(open("degenerate.py").read(), "degenerate.py", "exec"))
