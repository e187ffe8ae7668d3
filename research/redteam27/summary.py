"""Tables from logs/*.jsonl: best silent W per file, every fit where the pull came back."""
import glob
import json

for f in sorted(glob.glob("research/redteam27/logs/*.jsonl")):
    rs = [json.loads(x) for x in open(f)]
    at = [r for r in rs if r.get("phase") == "attack" and not r.get("exception")]
    if not at:
        continue
    sil = [r for r in at if not r["warned"]]
    best = max(sil, key=lambda r: r["w_err"]) if sil else None
    print(f"{f}: {len(at)} fits, {len(sil)} silent, best silent "
          f"{best['w_err']:.4f} ({best['w_err'] / best['clean_w']:.2f}x) #{best['index']}" if best else f"{f}: none silent")
    for r in at:
        if any(p > 0 for p in r.get("pull", [])):
            print(f"   PULL #{r['index']} key {r['key']} w {r['w_err']:.4f} ({r['w_err'] / r['clean_w']:.2f}x) "
                  f"warned {r['warned']} pull {r['pull']} ratio {r['mse_ratio']} trim {r.get('mse_ratio_trimmed')}")
