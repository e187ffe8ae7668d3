"""From attacks_small_{before,after}.log: per plan, the largest W error
among fits without a CorruptionWarning, and the fits that lost their
warning (seed, W error, that seed's clean W error). Usage: silent.py TAG"""
import re, sys
tag = sys.argv[1] if len(sys.argv) > 1 else "small"
def read(path):
    out = {}
    for line in open(path):
        m = re.match(r"\S+ alpha=\S+ (\S+): W err ([^;]+); warned (\S+)", line)
        if m:
            errs = [float(x) for x in m.group(2).split()]
            out[m.group(1)] = (errs, m.group(3))
    return out
b, a = (read(f"research/warn20/attacks_{tag}_{w}.log") for w in ("before", "after"))
clean = a["clean"][0]
for plan in a:
    eb, wb = b[plan]; ea, wa = a[plan]
    sb = max([e for e, w in zip(eb, wb) if w == "." and e == e] or [0])
    sa = max([e for e, w in zip(ea, wa) if w == "." and e == e] or [0])
    lost = [(s, ea[s], clean[s]) for s in range(len(ea)) if wb[s] == "W" and wa[s] == "."]
    big = [x for x in lost if x[1] > 1.5 * x[2] and x[1] > 0.3]
    print(f"{plan}: warned {wb.count('W')} -> {wa.count('W')}; max silent W err {sb:.3f} -> {sa:.3f};"
          f" lost warnings {len(lost)}, of which W err > 1.5x that seed's clean and > 0.3: "
          f"{[(s, round(e, 3), round(c, 3)) for s, e, c in big]}")
