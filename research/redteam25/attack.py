"""Red team of the covariate-calibrated subspace filter (calib18).

Builds corrupted pools (light 1 only, ⌊αn⌋ tasks) in the current tree and
pickles them, then fits MetaLearner.robust on them with whichever library is
on PYTHONPATH:

    PYTHONPATH=$PWD python3 research/redteam25/attack.py gen  CONFIGS      # build pools
    PYTHONPATH=$PWD python3 research/redteam25/attack.py fit  CONFIGS new  # new + 'off'
    PYTHONPATH=/tmp/wt-old python3 research/redteam25/attack.py fit CONFIGS old

CONFIGS: a file of lines  shape law alpha seed family key=val ...
shape quick (d 16, k 3) or full (d 32, k 4, the default problem); family:
  lib        corrupt_pools(attack=NAME) at α(1 − f), plus f·α lever tasks
  fake       tasks with clean-law covariates and y = g·sd(y)·vᵀx_w (a fake
             component along v ⟂ span W in whitened coordinates; v 'heavy' =
             the direction ⟂ W of largest clean covariate tail weight, or
             'rand'), plus f·α lever tasks in other tasks
  none       no corruption (the clean reference at this α)
  fakelever  the same tasks are spike and lever: x₁ = s + a, x₂ = s − a
             (x̃ = √2 a along U), y = g·sd(y)·vᵀx_w
Lever tasks: x₁ = s + a, x₂ = s − a, s the task's mean, a along a random unit
vector of span(W_w, v) with ‖Uᵀx̃‖² = mult·Q (Q the clean 1 − b quantile) for a
fraction 1 − z of them and a = 0 (x̃ = 0, lowering the median) for z;
y from a clean component.
"""
import os, sys, pickle, json, warnings, time
import numpy as np
from scipy.stats import chi2
sys.path.insert(0, "benchmarks")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
CACHE = "/tmp/rt25cache"


def parse(line):
    f = line.split()
    cfg = dict(shape=f[0], law=f[1], alpha=float(f[2]), seed=int(f[3]), family=f[4])
    for kv in f[5:]:
        k, v = kv.split("=")
        try:
            v = float(v)
        except ValueError:
            pass
        cfg[k] = v
    return cfg


def key(line):
    return "_".join(line.split()).replace("=", "-").replace(".", "p")


def tail_weight_np(tau, b):
    med = np.median(tau)
    Q = np.quantile(tau, 1 - b)
    return np.minimum(tau, Q).mean() / med


def build(cfg):
    from bench_covariate_laws import law_problem, QUICK, FULL
    from robust_mlr import MetaDataset
    from robust_mlr.adversary import corrupt_pools
    sh = dict(quick=QUICK, full=FULL)[cfg["shape"]]
    d, k, alpha, seed = sh["d"], sh["k"], cfg["alpha"], cfg["seed"]
    theta, pools, _ = law_problem(cfg["law"], d, k, sh["sizes"], seed)
    L1 = pools.light1
    n, off = L1.n_tasks, np.asarray(L1.offsets)
    assert np.all(np.diff(off) == 2)
    m = int(np.floor(alpha * n))
    rng = np.random.default_rng(1000 + seed + int(1e4 * alpha))
    X0 = np.array(L1.X, float)
    S = np.cov(X0.T)
    ev, Qm = np.linalg.eigh(S)
    Sh, Sih = (Qm * np.sqrt(ev)) @ Qm.T, (Qm / np.sqrt(ev)) @ Qm.T
    Ww = np.linalg.qr(Sh @ theta.W)[0]                      # span W, whitened
    Xw = X0 @ Sih
    xt = (Xw[0::2] - Xw[1::2]) / np.sqrt(2)                  # clean x̃ (h = 1)
    b = min(4 * alpha, 0.25)
    P = np.eye(d) - Ww @ Ww.T
    # spike direction ⟂ W: heaviest clean covariate tail (coordinates and random) or random
    cands = [P @ e for e in np.eye(d)] + [P @ rng.standard_normal(d) for _ in range(200)]
    cands = [c / np.linalg.norm(c) for c in cands if np.linalg.norm(c) > 1e-6]
    if cfg.get("v", "heavy") == "heavy":
        tw = [tail_weight_np((xt @ c) ** 2, b) for c in cands]
        v = cands[int(np.argmax(tw))]
        vtw = float(max(tw))
    else:
        v = cands[d + 1]
        vtw = float(tail_weight_np((xt @ v) ** 2, b))
    Uguess = Ww
    Qc = float(np.quantile(np.sum((xt @ Uguess) ** 2, 1), 1 - b))
    X, y = X0.copy(), np.array(L1.y, float)
    ysd = float(np.std(y))
    fam = cfg["family"]
    f = float(cfg.get("f", 0.0))
    idx = rng.permutation(n)
    info = dict(v_tw=vtw, Qc=Qc)
    if fam == "lib":
        m_s = int(np.floor(alpha * (1 - f) * n))
        if m_s > 0:
            bad = corrupt_pools(pools, cfg["attack"], m_s / n, theta=theta, targets=["light1"],
                                rng=seed + 7)
            X, y = np.array(bad.light1.X, float), np.array(bad.light1.y, float)
            pools = bad
            mask = np.asarray(bad.masks["light1"], bool)
            idx = np.concatenate([np.flatnonzero(~mask)[rng.permutation(int((~mask).sum()))]])
            m_l = m - int(mask.sum())
        else:
            m_l = m
        spike_idx, lever_idx = np.array([], int), idx[:m_l]
    elif fam == "fake":
        m_s = int(np.floor(m * (1 - f)))
        spike_idx, lever_idx = idx[:m_s], idx[m_s:m]
    elif fam == "fakelever":
        spike_idx, lever_idx = idx[:m], idx[:m]
    elif fam == "none":
        spike_idx, lever_idx = np.array([], int), np.array([], int)
    else:
        raise ValueError(fam)
    # levers
    mult, z = float(cfg.get("mult", 1.3)), float(cfg.get("z", 0.0))
    basis = np.linalg.qr(np.column_stack([Ww, v]))[0] if cfg.get("ldir", "Wv") == "Wv" else Ww
    nz = int(np.floor(z * len(lever_idx)))
    for j, i in enumerate(lever_idx):
        xa, xb = Xw[2 * i], Xw[2 * i + 1]
        s = (xa + xb) / 2
        if j < nz:
            a = np.zeros(d)
        else:
            u = basis @ rng.standard_normal(basis.shape[1])
            u /= np.linalg.norm(u)
            # ‖Uᵀx̃‖² = 2‖Uᵀa‖² = mult·Q
            a = u * np.sqrt(mult * Qc / 2) / max(np.linalg.norm(Uguess.T @ u), 0.3)
            a += (xa - xb) / 2 - basis @ (basis.T @ (xa - xb) / 2)   # keep the rest clean
        X[2 * i], X[2 * i + 1] = (s + a) @ Sh, (s - a) @ Sh
        if i not in set(spike_idx.tolist()):
            c = rng.integers(k)
            y[2 * i:2 * i + 2] = X[2 * i:2 * i + 2] @ theta.W[:, c] + theta.s[c] * rng.standard_normal(2)
    g = float(cfg.get("g", 2.0))
    for i in spike_idx:
        xw = X[2 * i:2 * i + 2] @ Sih
        y[2 * i:2 * i + 2] = g * ysd * (xw @ v) + 0.1 * ysd * rng.standard_normal(2)
    bad = pools.replace(light1=MetaDataset(X, y, L1.offsets))
    return theta, bad, info, Ww, v


def main():
    mode, cfile = sys.argv[1], sys.argv[2]
    lines = [l.strip() for l in open(cfile) if l.strip() and not l.startswith("#")]
    if mode == "gen":
        for line in lines:
            path = os.path.join(CACHE, key(line) + ".pkl")
            if os.path.exists(path):
                continue
            theta, bad, info, Ww, v = build(parse(line))
            with open(path, "wb") as fh:
                pickle.dump(dict(theta=theta, pools=bad, info=info, v=v), fh)
        return
    tag = sys.argv[3]
    from robust_mlr import MetaLearner, CorruptionWarning, metrics
    variants = [tag]
    rp = None
    if tag == "new":
        from robust_mlr.stages.subspace import robust_pca as rp
        variants = ["new", "off"]
        orig = rp._covariate_scale
        scales = []
        def spy(*a):
            r = orig(*a)
            scales.append(r)
            return r
        rp._covariate_scale = spy
    for line in lines:
        cfg = parse(line)
        with open(os.path.join(CACHE, key(line) + ".pkl"), "rb") as fh:
            blob = pickle.load(fh)
        theta, pools = blob["theta"], blob["pools"]
        for var in variants:
            if rp is not None:
                rp.COVARIATE_MARGIN = float("inf") if var == "off" else 1.1
                scales.clear()
            k = theta.W.shape[1]
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    model = MetaLearner.robust(k, cfg["alpha"], rng=cfg["seed"]).fit(pools)
                except Exception as e:          # an error is a result too
                    print(json.dumps(dict(line=line, var=var, error=repr(e)[:200])), flush=True)
                    continue
            warned = any(issubclass(w.category, CorruptionWarning) for w in caught)
            dg = model.diagnostics_["subspace"]
            Uh = model.U_
            sub = metrics.subspace_error(Uh, theta)
            werr = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
            out = dict(line=line, var=var, sub=round(sub, 4), w=round(werr, 4),
                       removed=int(dg["removed"]), limit=int(dg["limit"]), warned=int(warned),
                       passed=dg.get("passed"), sec=round(time.perf_counter() - t0, 1),
                       v_tw=round(blob["info"]["v_tw"], 3))
            if rp is not None and var == "new":
                out["cov_scale_max"] = round(max(scales), 3) if scales else None
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
