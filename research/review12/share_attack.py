"""Can an adversary who knows the learner's seed exploit the trimmed Σ̂'s
share (the rounds but the last on a random share of tasks, drawn from the
seed alone)? d = 8, Σ = I, pools 20 000 × 2, 200 × 64, 40 000 × 8 (373 k
examples > 8 192·8, share ≈ 18 %); ⌊αn⌋ tasks of each pool (α = 0.05)
have their covariates inflated along one direction u (x += c·ξ·u, ξ = ±1,
labels of the clean model at the new x, so only Σ̂ is targeted). Placed
(a) at random, (b) inside the share the learner with rng=2 will draw
(computed from the seed, as the fit derives it). Σ̂ with rng=None (every
round on every task, the earlier estimator) and with the fit's generator.
Prints Σ̂_uu, ‖Σ̂ − I‖_op and the number of corrupted tasks left in."""
import numpy as np

from robust_mlr import MetaDataset, Pools, make_params, make_pools
from robust_mlr.covariates import ROUNDS_SAMPLE_PER_DIM, estimate_second_moment
from share_agreement import agreement


def fit_rng(seed):
    """The generator the Whiten reduction's share is drawn from in
    MetaLearner(rng=seed).fit (first reduction, then its rounds' child)."""
    return np.random.default_rng(seed).spawn(1)[0].spawn(1)[0]


def share_tasks(pools, seed):
    """Replays the draw of the share (one rng.choice per pool, in order)."""
    rng = fit_rng(seed)
    total = sum(ds.n_examples for ds in pools)
    share = ROUNDS_SAMPLE_PER_DIM * pools[0].dim / total
    return [np.sort(rng.choice(ds.n_tasks, max(int(np.ceil(share * ds.n_tasks)), 1), replace=False))
            for ds in pools]


def corrupt(ds, tasks, theta, u, c, rng):
    X, y = ds.X.copy(), ds.y.copy()
    rows = np.concatenate([np.arange(ds.offsets[i], ds.offsets[i + 1]) for i in tasks])
    X[rows] += c * rng.choice([-1.0, 1.0], rows.size)[:, None] * u
    y[rows] = X[rows] @ theta.W[:, 0] + rng.standard_normal(rows.size) * theta.s[0]
    return MetaDataset(X, y, ds.offsets)



if __name__ == "__main__":
    theta = make_params(8, 2, rng=0)
    P = make_pools(theta, 20_000, 2, 200, 64, 40_000, 8, rng=1)
    pools = [P[name] for name in Pools.names]
    alpha, seed = 0.05, 2
    u = np.zeros(8)
    u[0] = 1.0
    shares = share_tasks(pools, seed)
    print("share sizes:", [s.size for s in shares], "of", [ds.n_tasks for ds in pools])
    for c in (1.25, 1.5, 2.0, 4.0, 8.0, 16.0):
        for place in ("random", "in share"):
            rng = np.random.default_rng(5)
            bad = []
            for ds, sh in zip(pools, shares):
                m = int(np.floor(alpha * ds.n_tasks))
                cand = np.arange(ds.n_tasks) if place == "random" else sh
                bad.append(np.sort(rng.choice(cand, min(m, cand.size), replace=False)))
            cp = Pools(*(corrupt(ds, b, theta, u, c, rng) for ds, b in zip(pools, bad)))
            print(f"c={c:4.1f} bad {place:8s} | share's Σ̂ against the last round's: "
                  f"{agreement([cp[nm] for nm in Pools.names], alpha, fit_rng(seed)):.3f}")
            isbad = np.concatenate([np.isin(np.arange(ds.n_tasks), b) for ds, b in zip(pools, bad)])
            for label, r in (("all rounds on all tasks (rng=None)", None), ("share (fit's rng)", fit_rng(seed))):
                S, kept = estimate_second_moment(cp, alpha, rng=r)
                print(f"c={c:4.1f} bad {place:8s} | {label:34s} Σ̂_uu={S[0, 0]:7.3f} "
                      f"‖Σ̂−I‖={np.linalg.norm(S - np.eye(8), 2):7.3f} bad kept={int((kept & isbad).sum()):5d}/{isbad.sum()}",
                      flush=True)
