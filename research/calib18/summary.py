"""Mean subspace error and warnings per law and α, old vs new (attack logs)."""
import re, sys
from collections import defaultdict
acc = defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r"(old|new) \S+ (\S+)\s+(\S+)\s+(\S+)\s+s\d+ sub (\d+)/(\d+) .*warn=(\d) err=([\d.]+)", line)
    if m:
        tag, law, att, a, rem, lim, w, e = m.groups()
        acc[(law, a, tag)].append((float(e), int(w), int(rem) > int(lim)))
for law in ("gaussian", "student", "polynomial", "fourier"):
    for a in ("0.05", "0.1"):
        o, n = acc.get((law, a, "old")), acc.get((law, a, "new"))
        if not o or not n:
            continue
        f = lambda r: (sum(x[0] for x in r) / len(r), max(x[0] for x in r), sum(x[1] for x in r))
        (mo, xo, wo), (mn, xn, wn) = f(o), f(n)
        print(f"{law:<10} alpha={a:<5} fits={len(o):>3}  mean err old {mo:.3f} new {mn:.3f} | "
              f"max old {xo:.3f} new {xn:.3f} | warned old {wo} new {wn}")
