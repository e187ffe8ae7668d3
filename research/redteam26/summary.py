"""Tables of this folder's logs: target (A) per seed (worst silent / warned W,
pull, ratio), target (B) per law × α (worst silent W, Σ̂ max/min eigenvalue
ratio, trimmed, whitened, stage removals over limits), exceptions, time ratio.

    python3 research/redteam26/summary.py
"""
import glob
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(pattern):
    out = []
    for f in sorted(glob.glob(str(HERE / "logs" / pattern))):
        for line in open(f):
            r = json.loads(line)
            r["file"] = Path(f).name
            out.append(r)
    return out


def target_a():
    rows = [r for p in ("g[0-9]*_s*.jsonl", "combo*_s*.jsonl", "draws_s*.jsonl", "equal_s*.jsonl")
            for r in load(p) if "tau" in r or r.get("phase") == "clean"]
    by = defaultdict(list)
    clean = {}
    for r in rows:
        if r["phase"] == "clean":
            clean[(r["sizes"], r["seed"])] = r["w_err"]
        else:
            by[(r["sizes"], r["seed"])].append(r)
    print("## target A (light pool's pull)\n")
    print("| sizes | seed | fits | raised | clean | worst silent (x clean) | file/index | worst warned | "
          "pull-1 fits | max time ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    tot = 0
    for key in sorted(by):
        rs = by[key]
        tot += len(rs)
        ok = [r for r in rs if not r.get("exception")]
        sil = [r for r in ok if not r["warned"]]
        war = [r for r in ok if r["warned"]]
        c = clean.get(key, float("nan"))
        ws = max(sil, key=lambda r: r["w_err"]) if sil else None
        ww = max((r["w_err"] for r in war), default=float("nan"))
        npull = sum(1 for r in ok if any(p > 0 for p in (r.get("pull") or [])))
        silent = f"{ws['w_err']:.4f} ({ws['w_err'] / c:.2f}x) | {ws['file']}#{ws['index']}" if ws \
            else "none silent | –"
        print(f"| {key[0]} | {key[1]} | {len(rs)} | {len(rs) - len(ok)} | {c:.4f} | {silent} | "
              f"{ww:.4f} | {npull} | {max(r.get('time_ratio', 0) for r in rs):.2f} |")
    s2 = max((r["s2_err"] for r in rows if r["phase"] == "attack" and not r.get("exception")), default=0)
    print(f"\nattacked fits: {tot}; worst s2 error {s2:.3f}\n")


def target_b(pattern="b_*.jsonl"):
    rows = load(pattern)
    print(f"### {pattern}\n")
    by = defaultdict(list)
    clean = {}
    for r in rows:
        key = (r["law"], r["alpha"], r.get("covariates", "auto"))
        if r["phase"] == "clean":
            clean.setdefault(key, []).append(r)
        else:
            by[key].append(r)
    print("## target B (whitening's trimmed second moment)\n")
    print("| law | α | cov | fits | raised | clean W (warned) | worst silent W | its params | "
          "max eig | min eig | silent over-limit fits | max time ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    tot = 0
    for key in sorted(by):
        rs = by[key]
        tot += len(rs)
        ok = [r for r in rs if not r.get("exception")]
        sil = [r for r in ok if not r["warned"]]
        cw = ", ".join(f"{c.get('w_err', float('nan')):.3f}({int(c.get('warned', 0))})" for c in clean.get(key, []))
        ws = max(sil, key=lambda r: r["w_err"]) if sil else None
        over = sum(1 for r in sil if r.get("over_limit"))
        print(f"| {key[0]} | {key[1]} | {key[2]} | {len(rs)} | {len(rs) - len(ok)} | {cw} | "
              + (f"{ws['w_err']:.4f} (s{ws['seed']}#{ws['index']}) | {ws['params']} | " if ws else "– | – | ")
              + f"{max(r['eig'][1] for r in rs):.2f} | {min(r['eig'][0] for r in rs):.2f} | {over} | "
              f"{max(r.get('time_ratio', 0) for r in rs):.2f} |")
    print(f"\nattacked fits: {tot}")
    exc = [r for r in rows if r.get("exception")]
    for r in exc:
        print("RAISED", r["law"], r["alpha"], r.get("seed"), r.get("params"), r["exception"])


if __name__ == "__main__":
    target_a()
    target_b()
    target_b("cmp_NEW.jsonl")
    target_b("cmp_OLD.jsonl")
    target_b("cmp_push_OLD.jsonl")
