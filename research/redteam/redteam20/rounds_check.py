"""The trimmed Σ̂'s sampled rounds against every round on all tasks.

For each strategy and draw: one fit with the library's
``ROUNDS_SAMPLE_PER_DIM`` (rounds but the last on a random share at this
size) and one with it set to 1e12 (every round on all tasks), same data,
same learner seed; W error, ‖Σ̂ − I‖₂ (the problems' Σ is I), time.

    python3 research/redteam/redteam20/rounds_check.py --problem large_above \
        --alpha 0.05 --draws 0 1 --out LOG.jsonl STRATEGY_JSON [...]"""
import argparse
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import fit, log, problem, settings_of  # noqa: E402
from run import corrupt  # noqa: E402
import robust_mlr.covariates as cov  # noqa: E402

DEFAULT_CAP = cov.ROUNDS_SAMPLE_PER_DIM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="large_above")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--draws", type=int, nargs="+", default=[0])
    ap.add_argument("--learner-seeds", type=int, nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("strategies", nargs="+")
    a = ap.parse_args()
    theta, pools = problem(a.problem, a.seed)
    sett = settings_of(a.problem, a.seed, a.alpha, theta, pools)
    for sj in a.strategies:
        for draw in a.draws:
            bad = corrupt(theta, pools, sett, a.alpha, json.loads(sj), draw)
            for ls in (a.learner_seeds or [a.seed]):
                for cap in (DEFAULT_CAP, 1e12):
                    cov.ROUNDS_SAMPLE_PER_DIM = cap
                    r = fit(theta, bad, a.alpha, ls)
                    cov.ROUNDS_SAMPLE_PER_DIM = DEFAULT_CAP
                    log(a.out, {"problem": a.problem, "seed": a.seed, "alpha": a.alpha,
                                "draw": draw, "learner_seed": ls, "cap": cap,
                                "strategy": json.loads(sj), **r})
                    print(f"draw {draw} lseed {ls} cap {cap:g}: w {r.get('w', float('nan')):.4f} "
                          f"warned {r.get('warned')} wh {r.get('whitened')} "
                          f"sigma {r.get('sigma')} cpu {r['cpu']:.2f} {sj[:120]}", flush=True)


if __name__ == "__main__":
    main()
