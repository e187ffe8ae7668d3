"""Which directions carry the clipped test's reading (research only: it
wraps private functions of the regression stage, nothing is changed).

For each component: the clipped ratio, the ratio restricted to each kind of
direction (inflated: eigenvectors of the first round's per-example moment M
beyond 1.2 × its median eigenvalue; moment: the top ones of M; gradient: of
the gradient covariance C; excess: of M^{-1/2} C M^{-1/2}; spike: spike
directions; the kinds are orthonormalised in this order, so a later kind
is what is left beyond the earlier ones), the share
of the top direction in each kind, and the same reading with the clip off
(κ = ∞, the unclipped scores on the same directions), next to the filter's
own ratio.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/law_reference/clean15/directions.py \\
        CONFIG:seed:alpha [COMPONENT ...]
"""
import sys
import warnings

import numpy as np

sys.path.insert(0, "research/law_reference/clean15")
from probe import config  # noqa: E402

from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.stages.regression import _clipped_test, _example_clip, robust  # noqa: E402

STATE = {}
KINDS = ("inflated", "moment", "gradient", "excess", "spike")


def wrap():
    cand, orth, ratios = robust.candidate_directions, _example_clip.orthonormal, \
        _clipped_test.ClippedScores.ratios

    def candidate_directions(*a, **kw):
        out = cand(*a, **kw)
        if STATE.get("full"):                    # every direction: the whole space
            out = [np.eye(D.shape[0]) if D.shape[1] else D for D in out]
        STATE["widths"] = [D.shape[1] for D in out]
        STATE["groups"] = []
        return out

    def orthonormal(V, tol=1e-6):
        c = len(STATE["groups"])
        w = STATE["widths"][c]
        if STATE.get("full"):
            first = ["all"] * w
        elif hasattr(_clipped_test, "INFLATED") and w:     # 0d92f7f on
            t = _clipped_test.TOP
            first = (["inflated"] * (w - 3 * t) + ["moment"] * t + ["gradient"] * t
                     + ["excess"] * t)
        else:                                              # 6dea264
            first = ["moment"] * (w // 2) + ["gradient"] * (w - w // 2)
        kinds = np.array(first + ["spike"] * (V.shape[1] - w))
        if V.shape[1]:
            R = np.linalg.qr(V / np.maximum(np.linalg.norm(V, axis=0), 1e-300))[1]
            kinds = kinds[:R.shape[0]][np.abs(np.diag(R)) > tol]
        STATE["groups"].append(kinds)
        return orth(V, tol)

    def ratios_(self, d):
        STATE["scores"], STATE["d"] = self, d
        return ratios(self, d)

    robust.candidate_directions = candidate_directions
    _example_clip.orthonormal = orthonormal
    _clipped_test.ClippedScores.ratios = ratios_


def reading(S, c, d, cols):
    m, n = int(S.m[c]), S.n[c]
    cols = np.asarray(cols)
    mean = S.g1[c, :m] / n
    C = (S.g2[c, :m, :m] / n - np.outer(mean, mean))[np.ix_(cols, cols)]
    lam_r, U = np.linalg.eigh((S.R[c, :m, :m] / S.rw[c])[np.ix_(cols, cols)])
    root = U / np.sqrt(np.maximum(lam_r, 1e-12 * lam_r[-1]))
    lam, V = np.linalg.eigh(root.T @ C @ root)
    a = root @ V[:, -1]
    return lam[-1] / (1 + 2 * np.sqrt(d / n)) ** 2, a / np.linalg.norm(a)


def fit(name, seed, alpha, clip):
    _example_clip.CLIP = clip
    theta, pools, kw = config(name, seed)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(theta.k, alpha, rng=seed, **kw).fit(pools)
    S, groups = STATE["scores"], STATE["groups"]
    comps = m.diagnostics_["regression"]["components"]
    return S, groups, comps, STATE["d"]


def full(name, seed, alpha, which):
    """The clipped reading over the whole space (every direction), with and
    without the filter's trace normalisation max(tr A/d, 1)."""
    STATE["full"] = True
    for clip in (_clipped_test.CLIP, 1e300):
        S, groups, comps, d = fit(name, seed, alpha, clip)
        for c in which or range(S.k):
            m = int(S.m[c])
            if not m or S.n[c] < 2:
                continue
            n = S.n[c]
            mean = S.g1[c, :m] / n
            C = S.g2[c, :m, :m] / n - np.outer(mean, mean)
            lam_r, U = np.linalg.eigh(S.R[c, :m, :m] / S.rw[c])
            root = U / np.sqrt(np.maximum(lam_r, 1e-12 * lam_r[-1]))
            A = root.T @ C @ root
            lam = np.linalg.eigvalsh(A)
            edge = (1 + 2 * np.sqrt(d / n)) ** 2
            print(f"  comp {c} {'clipped' if clip < 1e300 else 'unclipped'} all {m} directions: "
                  f"top/edge {lam[-1] / edge:.4f}, tr A/d {lam.mean():.4f}, "
                  f"top/(edge max(tr A/d, 1)) {lam[-1] / edge / max(lam.mean(), 1):.4f}; "
                  f"filter {comps[c].get('top_eig_over_edge', float('nan')):.4f}")
    STATE["full"] = False


def main():
    if sys.argv[1] == "--full":
        spec = sys.argv[2].split(":")
        wrap()
        print(f"{sys.argv[2]} (whole space)")
        full(spec[0], int(spec[1]), float(spec[2]), [int(c) for c in sys.argv[3:]])
        return
    spec = sys.argv[1].split(":")
    name, seed, alpha = spec[0], int(spec[1]), float(spec[2])
    wrap()
    clip0 = _clipped_test.CLIP
    S, groups, comps, d = fit(name, seed, alpha, clip0)
    Su, _, _, _ = fit(name, seed, alpha, 1e300)
    which = [int(c) for c in sys.argv[2:]] or [c for c in range(S.k) if S.m[c]]
    print(f"{name} seed {seed} alpha {alpha}  (kept tasks n, directions m)")
    for c in which:
        m = int(S.m[c])
        if not m or S.n[c] < 2:
            continue
        lam, a = reading(S, c, d, np.arange(m))
        lam_u = reading(Su, c, d, np.arange(m))[0]
        kinds = groups[c]
        share = {k: float(np.sum(a[kinds == k] ** 2)) for k in KINDS if (kinds == k).any()}
        alone = {k: reading(S, c, d, np.flatnonzero(kinds == k))[0]
                 for k in KINDS if (kinds == k).any()}
        print(f"  comp {c}: n {int(S.n[c])} m {m} ({', '.join(f'{k} {int((kinds == k).sum())}' for k in KINDS)})"
              f"  clipped {lam:.4f}  unclipped same dirs {lam_u:.4f}  filter "
              f"{comps[c].get('top_eig_over_edge', float('nan')):.4f} (removed "
              f"{comps[c].get('removed')})")
        print("      top direction's share: " + ", ".join(f"{k} {v:.2f}" for k, v in share.items())
              + "; each kind alone: " + ", ".join(f"{k} {v:.4f}" for k, v in alone.items()))


if __name__ == "__main__":
    main()
