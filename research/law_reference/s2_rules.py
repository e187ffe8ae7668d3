"""Rules for ŝ² where the heavy cross-check runs, evaluated on the inputs
:mod:`s2_capture` recorded (the final ŵ does not depend on the rule, so each
rule's ŝ² is exact for its fit).

Prints, per captured problem set: the clean bias of each estimate (mean
relative error over components and problem seeds, with its standard error),
then for the heavy median pooled with the posterior-weighted light estimate
(``s2_post``) and with the median over the classified tasks (``s2_light``,
the rule before noise_pull) at radius c·σ_D: the clean RMS, mean, max and
mean per-fit max of the relative errors; the attacked fits' worst and mean
per-fit max error (the row's problem separately, "row"); and the largest
pull c·σ_H²/σ_D the light pool could add to the attacked component.
c = 0 is the heavy median alone (the default since noise_pull).

    PYTHONPATH=$PWD python3 research/law_reference/s2_rules.py CAPTURE.npy [...]
"""
import sys
import numpy as np
from scipy.stats import chi2

K = 0.6744897501960817


def heavy(rec, kind="final"):
    """Per component the median of the heavy ratios (at the final ŵ, or at
    each task's own fit) and its model standard error."""
    k = len(rec["out"])
    t = rec.get("t_heavy", 128) - (0 if kind == "final" else rec.get("d", 32))
    r = rec["ratio"] if kind == "final" else rec["own"][:, None] * np.ones((1, k))
    a = rec["assign"]
    cen = np.array([np.median(r[a == c, c]) for c in range(k)])
    n = np.bincount(a, minlength=k)
    se = np.sqrt(np.pi / 2) * cen * np.sqrt(2 * t) / chi2.median(t) / np.sqrt(n)
    return cen, se


def combine(h, se_h, light, se_l, c):
    var = se_l ** 2 + se_h ** 2
    rad = c * np.sqrt(var)
    return h + se_h ** 2 / var * np.clip(light - h, -rad, rad)


def rel(rec, v):
    return v / rec["truth"] - 1


for path in sys.argv[1:]:
    R = list(np.load(path, allow_pickle=True))
    for r in R:                                  # the rule the capture ran reproduces its output
        ref = combine(*heavy(r), r["s2_light"], r["se_light"], r.get("pull", K))
        assert np.allclose(ref, r["out"])
    clean = [r for r in R if r["fit"] == "clean"]
    print(f"== {path}: {len(clean)} problems, {len(R) - len(clean)} attacked fits")
    for name, f in (("heavy median at final w (t_H dof)", lambda r: heavy(r)[0]),
                    ("heavy median at own fits (t_H - d)", lambda r: heavy(r, "own")[0]),
                    ("light, classified tasks", lambda r: r["s2_light"]),
                    ("light, posterior-weighted", lambda r: r["s2_post"])):
        v = np.concatenate([rel(r, f(r)) for r in clean])
        print("  clean bias %-36s %+.4f (se %.4f, sd %.4f)" % (name, v.mean(), v.std() / np.sqrt(v.size), v.std()))
    for src, se_key in (("s2_post", "se_post"), ("s2_light", "se_light")):
        print("  light estimate pooled:", src)
        for c in (0, 0.1, 0.2, 0.3, 0.4, 0.5, K, 1.0):
            def f(r):
                return combine(*heavy(r), r[src], r[se_key], c) if c > 0 else heavy(r)[0]
            cl = np.array([rel(r, f(r)) for r in clean])
            at = [(r, rel(r, f(r))) for r in R if r["fit"] != "clean"]
            worst = np.array([np.max(np.abs(e)) for _, e in at] or [np.nan])
            row = [np.max(np.abs(e)) for r, e in at if r["problem"] == "row"] or [np.nan]
            pulls = []
            for r, _ in at:
                h, se_h = heavy(r)
                a = np.argmax(h / r["truth"])
                pulls.append(c * se_h[a] ** 2 / np.sqrt(se_h[a] ** 2 + r[se_key][a] ** 2) / r["truth"][a])
            print("    c %.3f  clean RMS %.4f mean %+.4f max %.4f per-fit max %.4f | attacked worst %.4f row %.4f mean %.4f | pull bound %.4f" % (
                c, np.sqrt(np.mean(cl ** 2)), cl.mean(), np.abs(cl).max(), np.mean(np.abs(cl).max(1)),
                worst.max(), max(row), worst.mean(), max(pulls or [np.nan])))
