"""Exact order statistics of large arrays by a bracketing sample (private).

``np.partition`` (introselect) moves every value of the array through
memory several times; the screen and the filters need a few order
statistics of 10⁶–10⁸ values. Here a strided sample of about 2¹⁶ values
brackets each wanted rank r between two of its order statistics lo ≤ hi,
and one pass counts the values below lo and gathers those in [lo, hi]:

    sorted(v) = [v < lo] ++ sorted(v ∩ [lo, hi]) ++ [v > hi],

so the r-th smallest is the (r − #{v < lo})-th smallest of the gathered
values whenever that index falls inside them — an identity, whatever the
sample. The sample only sets the cost: its rank error is about
√(f(1 − f)/2¹⁶), the bracket is six times wider, and a bracket that
misses its rank (an adversarial order of the values) or a NaN in the array
falls back to ``np.partition`` of the whole array. The values returned are
those of ``np.partition(v, ranks)[ranks]``, bit for bit.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

#: Arrays shorter than this are partitioned whole.
SELECT_FROM = 1 << 18
#: Size of the bracketing sample.
SAMPLE = 1 << 16


def order_statistics(values, ranks):
    """``np.partition(values, ranks)[ranks]`` (0-based ranks of the
    flattened array), by bracketing (module text)."""
    return _select(np.asarray(values, dtype=float).ravel(), ranks)[0]


def _select(v, ranks):
    """(order statistics, whether the bracketing found a NaN).

    Ranks whose brackets overlap (a median's two) share one gathering pass."""
    ranks = np.asarray(ranks, dtype=np.int64).ravel()
    N = v.size
    if N < SELECT_FROM or ranks.size == 0:
        return np.partition(v, ranks)[ranks], False
    s = v[::N // SAMPLE]
    ns = s.size
    order, ends = np.argsort(ranks, kind="stable").tolist(), []
    for i in order:
        f = ranks[i] / N
        margin = 6 * np.sqrt(f * (1 - f) / ns) + 2 / ns
        ends.append((int((f - margin) * ns), int(np.ceil((f + margin) * ns))))
    # the sample's order statistics at the bracket ends alone (a partition
    # there puts at each the value a full sort would, NaNs last as in a sort)
    at = sorted({a for a, _ in ends if a > 0} | {b for _, b in ends if b < ns - 1})
    s = np.partition(s, at) if at else s
    groups = []                     # [lo, hi, [positions in ranks]], brackets merged
    for i, (a, b) in zip(order, ends):
        lo, hi = (s[a] if a > 0 else -np.inf), (s[b] if b < ns - 1 else np.inf)
        if groups and lo <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], hi)
            groups[-1][2].append(i)
        else:
            groups.append([lo, hi, [i]])
    out = np.empty(ranks.size)
    for g, (lo, hi, members) in enumerate(groups):
        below = np.count_nonzero(v < lo)
        inside = v[(v >= lo) & (v <= hi)]
        if g == 0 and below + inside.size + np.count_nonzero(v > hi) != N:
            return np.partition(v, ranks)[ranks], True    # NaN: partition's order
        j = ranks[members] - below
        if not np.all((0 <= j) & (j < inside.size)):
            return np.partition(v, ranks)[ranks], False   # the sample missed the rank
        out[members] = np.partition(inside, j)[j]
    return out, False


def median(values):
    """``np.median`` of a flattened array, by :func:`order_statistics`."""
    v = np.asarray(values, dtype=float).ravel()
    N = v.size
    if N < SELECT_FROM:
        return float(np.median(v))
    mid, nan = _select(v, [N // 2] if N % 2 else [N // 2 - 1, N // 2])
    return float(np.median(v)) if nan else float(np.mean(mid))


def quantiles(values, q):
    """``np.quantile(values, q)`` (method "linear") of a 1-D array, its order
    statistics by :func:`order_statistics` (no partitioned copy of the
    array): the virtual index (n − 1)·q, its floor and the next rank, and
    numpy's interpolation a + (b − a)·γ, or b − (b − a)·(1 − γ) for γ ≥ ½,
    the same operations on the same numbers, so the same values bit for
    bit. An array holding a NaN, or shorter than :data:`SELECT_FROM`, is
    given to ``np.quantile`` itself."""
    v = np.asarray(values, dtype=float)
    q = np.asarray(q, dtype=float)
    n = v.size
    if v.ndim != 1 or n < SELECT_FROM or q.ndim != 1 or np.isnan(v).any() \
            or not np.all((q >= 0) & (q <= 1)):
        return np.quantile(v, q)
    virtual = (n - 1) * q
    below = np.floor(virtual)
    gamma = virtual - below
    prev = below.astype(np.int64)
    prev[virtual >= n - 1] = n - 1                     # at the top: the largest value
    nxt = np.minimum(prev + 1, n - 1)
    a, b = np.split(order_statistics(v, np.concatenate([prev, nxt])), 2)
    diff = b - a
    out = a + diff * gamma
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), out)


def weighted_median(values, weights):
    """The first value, in increasing order, at which the cumulative weight
    reaches half the total: ``v[order][searchsorted(cumsum(w[order]), W/2)]``,
    ``order = argsort(v)``. With equal integer weights (tasks of one size)
    the cumulative weights are exact multiples, so the index is ⌈n/2⌉ − 1
    and the value an order statistic (:func:`order_statistics`, no sort)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = v.size
    if n and w[0] > 0 and w[0] == np.round(w[0]) and n * w[0] < 2.0 ** 53 \
            and np.all(w == w[0]):
        return float(order_statistics(v, [-(-n // 2) - 1])[0])
    order = np.argsort(v)
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, cw[-1] / 2)])


def _whole(blocks, ranks):
    v = np.concatenate([np.asarray(b, float) for b in blocks()] or [np.empty(0)])
    return np.partition(v, ranks)[ranks], int(np.count_nonzero(np.isnan(v)))


def _blocked(blocks, n, ranks, sample=None):
    """(``np.partition(v, ranks)[ranks]``, number of NaNs in v) of the
    concatenation v (``n`` values) of the 1-D float arrays that
    ``blocks()`` yields, without
    holding v (module text, in two passes): the first takes a strided
    sample of about :data:`SAMPLE` values, the second counts, for every rank
    at once, the values below its bracket and gathers those inside it.
    ``blocks`` is called once per pass and must yield the same values each
    time (a pool read by rows, a statistic recomputed per block). NaNs sort
    last, as in ``np.partition``; a bracket that misses its rank gathers
    every value (an adversarial order of the values).

    ``sample(step)``, when given, returns ``v[::step]`` itself (a statistic
    computed at those rows only), and the first pass is not made."""
    ranks = np.asarray(ranks, dtype=np.int64).ravel()
    if n < SELECT_FROM or ranks.size == 0:
        return _whole(blocks, ranks)
    step = max(n // SAMPLE, 1)
    if sample is not None:
        s = np.array(sample(step), dtype=float)
    else:
        pos, parts = 0, []
        for v in blocks():
            parts.append(v[(-pos) % step::step].copy())
            pos += v.size
        s = np.concatenate(parts)
    brackets, which = _brackets(s, n, ranks)
    below, nan, inside = _count_inside(blocks, brackets)
    out = _resolve(n, ranks, which, below, nan, inside)
    return (out, nan) if out is not None else _whole(blocks, ranks)


def blocked_order_statistics_of_streams(blocks, n, ranks, samples):
    """:func:`_blocked` of several streams of ``n`` values
    read together, in one counting pass: ``blocks()`` yields, per block of
    rows, a tuple of 1-D arrays, the s-th holding stream s's values of those
    rows; ``ranks[s]`` are stream s's ranks and ``samples[s](step)`` its
    values at every step-th row (as ``sample`` of
    :func:`_blocked`). A pass over rows that computes
    several statistics from the same inputs reads those inputs once.

    Returns
    -------
    list of (ndarray, int)
        Per stream, its order statistics (``np.partition(v_s, ranks[s])``
        at ``ranks[s]``, bit for bit) and its number of NaNs."""
    ranks = [np.asarray(r, dtype=np.int64).ravel() for r in ranks]

    if n < SELECT_FROM or any(r.size == 0 for r in ranks):
        held = list(blocks())                 # few values: every stream's, read once
        return [_whole(lambda i=i: (b[i] for b in held), r) for i, r in enumerate(ranks)]

    def stream(i):
        return lambda: (b[i] for b in blocks())
    step = max(n // SAMPLE, 1)
    plans = [_brackets(np.array(sample(step), dtype=float), n, r)
             for sample, r in zip(samples, ranks)]
    counts = _count_inside_streams(blocks, [b for b, _ in plans])
    out = []
    for i, ((_, which), (below, nan, inside)) in enumerate(zip(plans, counts)):
        got = _resolve(n, ranks[i], which, below, nan, inside)
        out.append((got, nan) if got is not None else _whole(stream(i), ranks[i]))
    return out


def _brackets(s, n, ranks):
    """Brackets (lo, hi) of the ``ranks`` of ``n`` values from the strided
    sample ``s`` of them, and the bracket of each rank (ranks with one
    bracket, a median's two, share its count and gathering)."""
    s = s[~np.isnan(s)]
    ns = max(s.size, 1)
    lo, hi = np.full(ranks.size, -np.inf), np.full(ranks.size, np.inf)
    ends = []
    for r in ranks.tolist():
        f = min(r / n, 1.0)
        margin = 6 * np.sqrt(f * (1 - f) / ns) + 2 / ns
        ends.append((int((f - margin) * ns), int(np.ceil((f + margin) * ns))))
    # only the sample's order statistics at the ends are read: a partition
    # at those positions puts there the values a full sort would
    at = sorted({a for a, _ in ends if 0 < a < s.size} | {b for _, b in ends if b < s.size - 1})
    if at:
        s = np.partition(s, at)
    for i, (a, b) in enumerate(ends):
        if 0 < a < s.size:
            lo[i] = s[a]
        if b < s.size - 1:
            hi[i] = s[b]
    brackets = sorted(set(zip(lo.tolist(), hi.tolist())))
    return brackets, [brackets.index(b) for b in zip(lo.tolist(), hi.tolist())]


def _resolve(n, ranks, which, below, nan, inside):
    """The order statistics from one counting pass (:func:`_count_inside`),
    or None when a bracket missed its rank (the caller partitions all)."""
    out = np.empty(ranks.size)
    for i, r in enumerate(ranks.tolist()):
        if r >= n - nan:                                 # NaNs sort last
            out[i] = np.nan
            continue
        got = inside[which[i]]
        j = r - int(below[which[i]])
        if not 0 <= j < got.size:                        # the sample missed the rank
            return None
        out[i] = np.partition(got, j)[j]
    return out


def _count_inside(blocks, brackets):
    """One pass over ``blocks()``: per bracket (lo, hi) the number of values
    below lo and the values in [lo, hi] (in their order), and the number of
    NaNs (which compare false)."""
    return _count_inside_streams(lambda: ((v,) for v in blocks()), [brackets])[0]


def _count_inside_streams(blocks, brackets):
    """:func:`_count_inside` of every stream of ``blocks()`` (tuples of
    arrays, one a stream) at its own ``brackets[s]``, in one pass."""
    below = [np.zeros(len(b), dtype=np.int64) for b in brackets]
    parts = [[[] for _ in b] for b in brackets]
    nan = [0] * len(brackets)
    for values in blocks():
        for s, v in enumerate(values):
            nans = int(np.count_nonzero(np.isnan(v)))
            nan[s] += nans
            for i, (lo, hi) in enumerate(brackets[s]):   # few brackets: a loop over them
                if hi == np.inf:
                    # a tail's bracket: [lo, ∞] holds the values ≥ lo, and
                    # the rest but the NaNs are below lo (one comparison)
                    got = v[v >= lo]
                    below[s][i] += v.size - nans - got.size
                    parts[s][i].append(got)
                    continue
                low = v < lo
                below[s][i] += np.count_nonzero(low)
                # lo <= v <= hi as (v <= hi) > (v < lo) on booleans: one comparison less
                parts[s][i].append(v[np.greater(v <= hi, low)])
    return [(below[s], nan[s], [np.concatenate(p) if p else np.empty(0) for p in parts[s]])
            for s in range(len(brackets))]


def blocked_median(blocks, n):
    """``np.median`` of the concatenation (``n`` values) of ``blocks()``, in
    two passes (:func:`_blocked`)."""
    if n == 0:
        return float("nan")
    mid, nan = _blocked(blocks, n, [n // 2] if n % 2 else [n // 2 - 1, n // 2])
    return float("nan") if nan else float(np.mean(mid))


#: :func:`blocked_weighted_quantile` gathers an interval of at most this many
#: values whole, and any interval after this many sampling rounds.
GATHER_FROM, ROUNDS = 1 << 18, 3


def _weight(counts, den):
    """Σ_c counts_c/den_c, each quotient correctly rounded, summed by
    ``math.fsum``: within (m + 1)·2⁻⁵³ of the exact sum, m classes."""
    return math.fsum((np.asarray(counts) / den).tolist())


def _reaches(counts, den, target):
    """Whether Σ_c counts_c/den_c ≥ target, exactly: the rounded sum
    (:func:`_weight`) decides unless it lies within its error bound of
    the target; there the sum of fractions does (integer ``den``)."""
    w = _weight(counts, den)
    if abs(w - target) > 4 * (den.size + 2) * 2.0 ** -53 * max(abs(w), abs(target)):
        return w >= target
    nz = np.flatnonzero(counts)
    return sum(Fraction(int(counts[c]), int(den[c])) for c in nz) >= Fraction(target)


def blocked_weighted_quantile(blocks, den, totals, q, sample=None):
    """The weighted quantile of values read block by block, without holding
    them: the smallest v with W(≤ v) ≥ fl(q·W(all)), a value of class c
    weighing 1/``den[c]`` (integers), W(≤ v) = Σ_c #{class-c values ≤ v}/
    den_c compared with the target exactly (:func:`_reaches`).

    ``blocks()`` yields per block ``(values, classes)`` (float and int
    arrays; called once per pass, the same values each time); ``totals[c]``
    counts the values of class c (NaNs too: they weigh in W(all), never in
    W(≤ v)). As in :func:`_blocked`, a strided sample (``sample(step)``: the
    values and classes at every step-th position; else a pass) brackets the
    wanted weight between two of its weighted quantiles lo ≤ hi; one pass
    counts per class the values below lo and gathers the (value, class)
    pairs in [lo, hi]; the answer is the gathered value at which the weight
    below lo plus the gathered prefix first reaches the target (a
    bisection), an identity whatever the sample. A bracket that misses
    makes the interval it located the next round's (a sample of the values
    in it, a count); an interval of at most :data:`GATHER_FROM` values, or
    one left after :data:`ROUNDS` rounds (an adversarial order), is gathered
    whole. The sort ``v[order][searchsorted(cw, q·cw[-1])]``, ``cw =
    cumsum(w[order])``, gives the same value whenever its sums are exact
    (weights 1, 1/2, 1/4…); otherwise its sums err by up to ≈ N·2⁻⁵³
    relative and the two can differ only where the target lies within that
    of some W(≤ v) (an exact tie q·W(all) = W(≤ v), which the sort decides
    by its rounding). A target beyond the non-NaN values' weight returns NaN."""
    den = np.asarray(den, dtype=float)
    m = den.size
    base, cin = np.zeros(m, np.int64), np.asarray(totals, dtype=np.int64)
    if cin.sum() == 0:
        return float("nan")
    target = q * _weight(cin, den)
    a, b = -np.inf, np.inf                 # the answer lies in (a, b), W(≤ a) < target
    for rnd in range(ROUNDS + 1):
        lo = np.nextafter(a, np.inf) if a > -np.inf else a         # the interval itself
        hi = np.nextafter(b, -np.inf) if b < np.inf else b
        if cin.sum() > GATHER_FROM and rnd < ROUNDS:
            step = max(int(cin.sum()) // SAMPLE, 1)
            s, sc = sample(step) if rnd == 0 and sample is not None else \
                _interval_sample(blocks, a, b, step)
            w0 = _weight(base, den)
            f = (target - w0) / max(_weight(base + cin, den) - w0, 1e-300)
            lo, hi = _weighted_bracket(np.asarray(s, float), np.asarray(sc), den, f, lo, hi)
        below, nan, g, gc = _count_classes(blocks, lo, hi, m)
        if rnd == 0:
            cin = cin - nan                    # the values in (a, b): never a NaN
        order = np.argsort(g)                  # order within ties: the same value
        g, gc = g[order], gc[order]
        upto = below + np.bincount(gc, minlength=m)
        if below.sum() and _reaches(below, den, target):          # below lo
            b, cin = lo, below - base
        elif not _reaches(upto, den, target):                     # above hi
            if not (upto < base + cin).any():                     # nothing left: NaNs
                return float("nan")
            a, cin, base = hi, base + cin - upto, upto
        else:
            return float(g[_first_reaching(gc, below, den, target)]) if g.size else float("nan")
    raise AssertionError("the last round gathers its interval whole")


def _first_reaching(gc, below, den, target):
    """The least index L with W(below + classes gc[:L + 1]) ≥ target (the
    last index reaches it): the float cumulative sums' index when exact
    checks of it and of the one before confirm it, else a bisection."""
    def reaches(i):
        return i >= 0 and _reaches(below + np.bincount(gc[:i + 1], minlength=den.size), den,
                                   target)
    lo, hi = 0, gc.size - 1
    guess = min(int(np.searchsorted(_weight(below, den) + np.cumsum(1.0 / den[gc]), target)), hi)
    if reaches(guess) and not reaches(guess - 1):
        return guess
    while lo < hi:
        mid = (lo + hi) // 2
        if reaches(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _weighted_bracket(s, sc, den, f, lo, hi):
    """Sample values at weighted fractions f ∓ margin (margin: six standard
    errors of the sample's weighted fraction at its effective size, plus
    two of its largest weights), inside the interval [lo, hi]."""
    keep = ~np.isnan(s)
    s, w = s[keep], 1.0 / den[sc[keep]]
    if s.size == 0:
        return lo, hi
    order = np.argsort(s)
    s, cw = s[order], np.cumsum(w[order])
    total = cw[-1]
    f = min(max(f, 0.0), 1.0)
    n_eff = total ** 2 / float(np.sum(w * w))
    margin = 6 * np.sqrt(f * (1 - f) / n_eff) + 2 * float(w.max()) / total
    if f - margin > 0:
        lo = max(lo, s[min(np.searchsorted(cw, (f - margin) * total), s.size - 1)])
    if f + margin < 1:
        hi = min(hi, s[min(np.searchsorted(cw, (f + margin) * total), s.size - 1)])
    return lo, hi


def _interval_sample(blocks, a, b, step):
    """Every ``step``-th value in (a, b), in order, with its class."""
    pos, vs, cs = 0, [], []
    for v, c in blocks():
        inside = (v > a) & (v < b)
        v, c = v[inside], c[inside]
        vs.append(v[(-pos) % step::step].copy())
        cs.append(c[(-pos) % step::step].copy())
        pos += v.size
    return np.concatenate(vs), np.concatenate(cs)


def _count_classes(blocks, lo, hi, m):
    """One pass: per class the values below lo and the NaNs, and the values
    in [lo, hi] with their classes."""
    below, nan, vs, cs = np.zeros(m, np.int64), np.zeros(m, np.int64), [], []
    for v, c in blocks():
        isnan = np.isnan(v)
        if isnan.any():
            nan += np.bincount(c[isnan], minlength=m)
        low = v < lo
        if lo > -np.inf:
            below += np.bincount(c[low], minlength=m)
        ins = np.greater(v <= hi, low)
        vs.append(v[ins])
        cs.append(c[ins])
    return (below, nan, np.concatenate(vs) if vs else np.empty(0),
            np.concatenate(cs) if cs else np.empty(0, np.int64))
