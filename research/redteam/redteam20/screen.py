"""Screen the package's attack families, one pool at a time, for fit time.

    python3 research/redteam/redteam20/screen.py --problem default --alpha 0.05 \
        --pools heavy light2 light1 --out LOG.jsonl

One fit per (pool, family) with default parameters; logs the time ratio to
one clean fit measured before (a screen: the rows worth it are replayed with
``replay.py``)."""
import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import fit, log, poolwise, problem, settings_of  # noqa: E402
from robust_mlr.adversary import ATTACKS  # noqa: E402

SKIP = {"poolwise", "seeded"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="default")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--pools", nargs="+", default=["heavy", "light2", "light1"])
    ap.add_argument("--families", nargs="*")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    theta, pools = problem(a.problem, a.seed)
    sett = settings_of(a.problem, a.seed, a.alpha, theta, pools)
    clean = fit(theta, pools, a.alpha, a.seed)
    clean = min((clean, fit(theta, pools, a.alpha, a.seed)), key=lambda r: r["cpu"])
    log(a.out, {"problem": a.problem, "seed": a.seed, "alpha": a.alpha, "phase": "clean",
                **clean})
    print("clean", round(clean["cpu"], 2), clean["bm"], flush=True)
    for pool in a.pools:
        for fam in (a.families or sorted(ATTACKS)):
            if fam in SKIP:
                continue
            try:
                bad = poolwise(theta, pools, sett, a.alpha, {pool: (fam, {})})
            except Exception as exc:  # noqa: BLE001
                print(pool, fam, "cannot build:", type(exc).__name__, str(exc)[:80])
                continue
            r = fit(theta, bad, a.alpha, a.seed)
            r["ratio_cpu"] = r["cpu"] / clean["cpu"]
            log(a.out, {"problem": a.problem, "seed": a.seed, "alpha": a.alpha,
                        "phase": "screen", "strategy": {pool: [fam, {}]}, **r})
            print(f"{pool:7s} {fam:20s} x{r['ratio_cpu']:.2f} cpu {r['cpu']:.2f} "
                  f"w {r.get('w', float('nan')):.3f} warned {r.get('warned')} "
                  f"wh {r.get('whitened')} bm {r.get('bm', {}).get('outer_iterations')}/"
                  f"{r.get('bm', {}).get('inner_iterations')} {r.get('raised', '')}", flush=True)


if __name__ == "__main__":
    main()
