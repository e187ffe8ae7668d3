"""How far the planted fake-component direction v (whitened coordinates of
the builder; also mapped by Σ̂^{∓1/2}) lies in the fitted U, new vs covariate
scale off, on pickled pools (run attack.py gen first).

    PYTHONPATH=$PWD python3 research/redteam25/spike_capture.py "CONFIG LINE" ...
"""
import pickle, sys, os, warnings, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from attack import CACHE, key, parse
from robust_mlr import MetaLearner
from robust_mlr.stages.subspace import robust_pca as rp
for line in sys.argv[1:]:
    cfg = parse(line)
    b = pickle.load(open(f"{CACHE}/{key(line)}.pkl", "rb"))
    X = np.asarray(b["pools"].light1.X); ev, Q = np.linalg.eigh(np.cov(X.T))
    maps = dict(v=np.eye(len(ev)), Sih_v=(Q / np.sqrt(ev)) @ Q.T, Sh_v=(Q * np.sqrt(ev)) @ Q.T)
    for name, marg in (("new", 1.1), ("off", float("inf"))):
        rp.COVARIATE_MARGIN = marg
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = MetaLearner.robust(b["theta"].W.shape[1], cfg["alpha"], rng=cfg["seed"]).fit(b["pools"])
        U = np.linalg.qr(m.U_)[0]
        out = " ".join(f"{k}={np.linalg.norm(U.T @ (M @ b['v'])) / np.linalg.norm(M @ b['v']):.3f}"
                       for k, M in maps.items())
        print(f"{line:<48} {name}  ||U^T v||: {out}", flush=True)
