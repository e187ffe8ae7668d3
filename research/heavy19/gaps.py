"""Median-mean gaps (clean standard errors) along every eigen-direction of the
attacked component's kept scores, and their cosines with its error."""
import numpy as np
from robust_mlr.data import MetaDataset
from robust_mlr.stages.regression import _heavy_anchor as H, _directional_median as DM

D = np.load("research/heavy19/logs/anchor_inputs_s2.npz")
heavy = MetaDataset(D["X"], D["y"], D["offsets"])
labels, target, W, s = D["labels"], D["target"], D["W"], D["s"]
CAP = {}
orig = DM.median_step
def spy(A, Wh, z, beta, mu, s2, n_dir=3):
    CAP.setdefault("calls", []).append((A, Wh, z, beta, mu, s2))
    return orig(A, Wh, z, beta, mu, s2, n_dir)
H.median_step = spy
H.heavy_anchor(heavy, labels, 4, 0.05, np.random.default_rng(2), None, None, target)
for c, (A, Wh, z, beta, mu, s2) in enumerate(CAP["calls"]):
    j = int(np.argmin(np.linalg.norm(mu[:, None] - W, axis=0)))
    err = mu - W[:, j]
    u = err / np.linalg.norm(err)
    E = DM.median_directions(A, Wh, z, z.shape[1])
    delta, sig = DM._medians(E, Wh, beta, mu)
    m = beta.shape[0]
    se = np.sqrt(np.pi / 2 - 1) * np.sqrt(s2) * np.median(sig, axis=0) / np.sqrt(m)
    g = delta / se
    ev = np.linalg.eigvalsh(z.T @ z / m)[::-1]
    top = np.argsort(-np.abs(g))[:5]
    print(f"comp {c}: err {np.linalg.norm(err)/s[0]:.4f} m {m}; top eigs {np.round(ev[:6], 2)}; "
          f"largest |gap|/se {np.round(g[top], 2)} at eig ranks {top.tolist()}, "
          f"cos with err {np.round(E[:, top].T @ u, 2)}")


def spatial_median(A, Wh, beta, start, iters=200):
    """argmin_c Σ_i ‖L_iᵀ(β_i − c)‖ (Weiszfeld in the tasks' own metrics)."""
    c = start.copy()
    for _ in range(iters):
        r = np.linalg.norm(np.einsum("nji,nj->ni", Wh, np.einsum("nij,nj->ni", A, beta - c)), axis=1)
        wgt = 1.0 / np.maximum(r, 1e-9)
        c_new = np.linalg.solve(np.einsum("n,nij->ij", wgt, A), np.einsum("n,nij,nj->i", wgt, A, beta))
        if np.linalg.norm(c_new - c) < 1e-12:
            break
        c = c_new
    return c


print("oracle / spatial-median direction gaps:")
for c, (A, Wh, z, beta, mu, s2) in enumerate(CAP["calls"]):
    j = int(np.argmin(np.linalg.norm(mu[:, None] - W, axis=0)))
    err = mu - W[:, j]
    u = err / np.linalg.norm(err)
    sm = spatial_median(A, Wh, beta, mu)
    e = (mu - sm) / np.linalg.norm(mu - sm)
    m = beta.shape[0]
    out = []
    for v in (u, e):
        delta, sig = DM._medians(v[:, None], Wh, beta, mu)
        se = np.sqrt(np.pi / 2 - 1) * np.sqrt(s2) * np.median(sig, axis=0) / np.sqrt(m)
        out.append(float(delta[0] / se[0]))
    print(f"comp {c}: along err {out[0]:+.2f} se; along mu-sm {out[1]:+.2f} se (cos with err "
          f"{e @ u:+.2f}); ||sm - w||/s {np.linalg.norm(sm - W[:, j]) / s[0]:.4f} "
          f"||mu-sm||/s {np.linalg.norm(mu - sm) / s[0]:.4f}")


def skew_direction(A, Wh, z):
    """Parameter direction of the scores' contracted third moment mean ‖z_i‖²z_i
    (mapped as the eigenvectors are)."""
    m = z.shape[0]
    zc = z - z.mean(0)
    g = np.einsum("n,ni->i", np.einsum("ni,ni->n", zc, zc), zc) / m
    M = np.einsum("nij,njk->ik", Wh, A) / m
    e = np.linalg.solve(M, g)
    return e / np.linalg.norm(e)


print("third-moment direction gaps:")
for c, (A, Wh, z, beta, mu, s2) in enumerate(CAP["calls"]):
    j = int(np.argmin(np.linalg.norm(mu[:, None] - W, axis=0)))
    u = (mu - W[:, j]) / np.linalg.norm(mu - W[:, j])
    e = skew_direction(A, Wh, z)
    m = beta.shape[0]
    delta, sig = DM._medians(e[:, None], Wh, beta, mu)
    se = np.sqrt(np.pi / 2 - 1) * np.sqrt(s2) * np.median(sig, axis=0) / np.sqrt(m)
    hub = DM._huber(e[:, None], Wh, beta, mu, np.sqrt(s2), delta)
    mu2 = mu + e * hub[0]
    print(f"comp {c}: along skew dir {delta[0] / se[0]:+.2f} se (cos with err {e @ u:+.2f}); "
          f"Huber-replaced err {np.linalg.norm(mu2 - W[:, j]) / s[0]:.4f}")


from scipy.stats import chi2
print("norms ||z_i||^2 of the scores and Huber along the true error:")
mask = D["mask"]
for c, (A, Wh, z, beta, mu, s2) in enumerate(CAP["calls"]):
    j = int(np.argmin(np.linalg.norm(mu[:, None] - W, axis=0)))
    u = (mu - W[:, j]) / np.linalg.norm(mu - W[:, j])
    n2 = np.einsum("ni,ni->n", z, z)
    bad = mask[labels == c]
    delta, sig = DM._medians(u[:, None], Wh, beta, mu)
    hub = DM._huber(u[:, None], Wh, beta, mu, np.sqrt(s2), delta)
    m, d = z.shape
    print(f"comp {c}: clean ||z||^2 max {n2[~bad].max():.1f} q.99 {np.quantile(n2[~bad], .99):.1f}; "
          f"corrupted min {n2[bad].min() if bad.any() else np.nan:.1f} median "
          f"{np.median(n2[bad]) if bad.any() else np.nan:.1f}; chi2_d isf 1e-3/m {chi2.isf(1e-3 / m, d):.1f}"
          f" 1e-4/m {chi2.isf(1e-4 / m, d):.1f}; Huber along err -> "
          f"{np.linalg.norm(mu + u * hub[0] - W[:, j]) / s[0]:.4f}, median -> "
          f"{np.linalg.norm(mu + u * delta[0] - W[:, j]) / s[0]:.4f}")


print("along the light-heavy disagreement (target - mu):")
for c, (A, Wh, z, beta, mu, s2) in enumerate(CAP["calls"]):
    j = int(np.argmin(np.linalg.norm(mu[:, None] - W, axis=0)))
    u = (mu - W[:, j]) / np.linalg.norm(mu - W[:, j])
    e = target[:, c] - mu
    e /= np.linalg.norm(e)
    m = beta.shape[0]
    delta, sig = DM._medians(e[:, None], Wh, beta, mu)
    se = np.sqrt(np.pi / 2 - 1) * np.sqrt(s2) * np.median(sig, axis=0) / np.sqrt(m)
    hub = DM._huber(e[:, None], Wh, beta, mu, np.sqrt(s2), delta)
    print(f"comp {c}: light err {np.linalg.norm(target[:, c] - W[:, j]) / s[0]:.4f}, cos(target-mu, -err) "
          f"{-e @ u:+.2f}, gap {delta[0] / se[0]:+.2f} se, Huber-replaced err "
          f"{np.linalg.norm(mu + e * hub[0] - W[:, j]) / s[0]:.4f}")
