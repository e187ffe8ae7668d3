"""Old and new code timed fit by fit in alternation: two worker processes
(each with its own PYTHONPATH: a detached worktree of main, this branch)
hold the default problem's pools; the controller asks them in turn for one
ICML fit, then one robust fit (old, new, new, old, ... so neither side is
always first), one process busy at a time. Each fit's wall and CPU time
and the robust fit's stage clocks (wall) are collected; best and median
per side, and the ratios robust / ICML of the bests and of the medians,
also over the ICML fits of both sides pooled (the same code; its times
differ between the two processes by more than between fits).

Run: ``python3 research/speed20/pingpong.py OLD_DIR NEW_DIR [--rounds 15] [--dump FILE]``
"""
import argparse
import json
import os
import subprocess
import sys

WORKER = r"""
import json, sys, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
makers = {"icml": lambda: MetaLearner(p["k"], rng=0),
          "robust": lambda: MetaLearner.robust(p["k"], 0.05, rng=0)}
with threadpool_limits(limits=1, user_api="blas"):
    for m in makers.values():
        m().fit(pools)                                    # warm-up
    print("ready", flush=True)
    for line in sys.stdin:
        kind = line.strip()
        w0, c0 = time.perf_counter(), time.process_time()
        model = makers[kind]().fit(pools)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        d = model.diagnostics_
        stages = {s: d[s]["time"] for s in d if isinstance(d[s], dict) and "time" in d[s]}
        print(json.dumps({"wall": wall, "cpu": cpu, "stages": stages}), flush=True)
"""


def start(path):
    env = dict(os.environ, PYTHONPATH=path, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", WORKER], cwd=path, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def ask(proc, kind):
    proc.stdin.write(kind + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--dump", help="write every fit's times here (JSON)")
    args = ap.parse_args()
    import numpy as np
    procs = {"old": start(args.old), "new": start(args.new)}
    got = {(s, k): [] for s in procs for k in ("icml", "robust")}
    print(f"load average at the start {os.getloadavg()[0]:.1f}")
    for r in range(args.rounds):
        order = ("old", "new") if r % 2 == 0 else ("new", "old")
        for kind in ("icml", "robust"):
            for side in order:
                got[side, kind].append(ask(procs[side], kind))
    for p in procs.values():
        p.stdin.close()
        p.wait()
    print(f"load average at the end {os.getloadavg()[0]:.1f}; {args.rounds} rounds")
    for clock in ("wall", "cpu"):
        for side in procs:
            i = np.array([g[clock] for g in got[side, "icml"]])
            r = np.array([g[clock] for g in got[side, "robust"]])
            print(f"{clock:4s} {side}: ICML best {i.min():.4f} median {np.median(i):.4f}; robust "
                  f"best {r.min():.4f} median {np.median(r):.4f}; ratio of bests "
                  f"{r.min() / i.min():.2f}, of medians {np.median(r) / np.median(i):.2f}")
    for clock in ("wall", "cpu"):
        # the ICML fit's code is the same on both sides: its fits pooled
        i = np.array([g[clock] for s in procs for g in got[s, "icml"]])
        print(f"{clock:4s} ICML pooled over both sides: best {i.min():.4f} median "
              f"{np.median(i):.4f}; robust / pooled ICML: " + ", ".join(
                  f"{s} {min(g[clock] for g in got[s, 'robust']) / i.min():.2f} (bests) "
                  f"{np.median([g[clock] for g in got[s, 'robust']]) / np.median(i):.2f} (medians)"
                  for s in procs))
    if args.dump:
        with open(args.dump, "w") as fh:
            json.dump({f"{s}/{k}": v for (s, k), v in got.items()}, fh)
    for side in procs:
        runs = got[side, "robust"]
        names = list(runs[0]["stages"])
        med = {s: np.median([g["stages"][s] for g in runs]) for s in names}
        rest = np.median([g["wall"] - sum(g["stages"].values()) for g in runs])
        print(f"wall {side} robust stages (medians): "
              + ", ".join(f"{s} {v:.4f}" for s, v in med.items())
              + f", outside the stage clocks {rest:.4f}")


if __name__ == "__main__":
    main()
