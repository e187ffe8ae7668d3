"""Weights of a component's rows along its spike directions (private):
the rows' density by |x·e| against the other components' (:class:`SpikeMass`)
and the Mallows cap, per row (:func:`spike_row_weights`). The clipped refit
(:mod:`._example_clip`) multiplies each row's IRLS weight by them.
"""

from __future__ import annotations

import numpy as np

#: A component's covariate second moment beyond this multiple of the other
#: components' along a direction makes it a spike direction of the component.
SPIKE = 1.15

#: Width, in the other components' RMS, of the bins in which a spike
#: direction's rows are counted, and the weighted count of the other
#: components' rows a bin needs for its own ratio (below it, the bin and
#: every bin beyond it are compared together).
_BIN, _MIN_COUNT = 0.05, 30.0


def squared_projections(X, E):
    """(x·e)² of every row on every column of E (N_b × P); a product that
    overflowed to NaN counts as infinitely far."""
    with np.errstate(over="ignore", invalid="ignore"):
        XE2 = X @ E
        np.square(XE2, out=XE2)
    nan = np.isnan(XE2)
    if nan.any():
        XE2[nan] = np.inf
    return XE2


class SpikeMass:
    """The component's and the other components' rows along each spike
    direction, counted (weights c_i) by |x·e| in bins of :data:`_BIN` up to
    the cap, the last bin holding every row beyond: enough to weigh each
    bin by its density ratio (:meth:`weights`)."""

    def __init__(self, owner, cap):
        self.owner, self.cap = owner, float(cap)
        self.bins = int(np.ceil(self.cap / _BIN))
        self.N = np.zeros((owner.size, 2, self.bins + 1))   # own rows, the others'
        self.C = None                                        # by component (sampled count)

    @staticmethod
    def bin_of(XE2, last):
        """Each row's bin along each direction (the shape of XE2)."""
        b = np.sqrt(XE2)
        b /= _BIN
        np.minimum(b, last, out=b)
        return b.astype(np.int64)

    def add(self, XE2, lab, cw, on):
        """Count one block's rows (XE2: their (x·e)², N_b × P).

        One count over (direction, group, bin) keys, group 0 the
        direction's own component's rows, 1 the other fitted components',
        2 the rest (dropped); each bin sums its rows' weights in row order,
        as a count per direction and group would (with unit weights, a
        count of rows: the same sums of ones)."""
        P, B = self.owner.size, self.bins + 1
        # each label's key offset along each direction: (3p + group) · B
        labs = np.arange(-1, on.size)
        fitted = labs >= 0
        fitted[1:] &= on
        group = np.where(labs[:, None] == self.owner[None, :], 0,
                         np.where(fitted, 1, 2)[:, None])
        self.N += self._binned(XE2, lab, cw, (np.arange(P) * 3 + group) * B, 3)[:, :2]

    def _binned(self, XE2, lab, cw, code, groups):
        """The block's rows counted (weights c_i) by (direction, group, bin):
        ``code`` (labels + 1 × P) is each label's key offset along each
        direction; returns P × ``groups`` × (bins + 1)."""
        P, B = self.owner.size, self.bins + 1
        key = self.bin_of(XE2, self.bins)
        key += code[lab + 1]
        if np.all(cw == 1.0):
            counts = np.bincount(key.ravel(), minlength=groups * P * B).astype(float)
        else:
            counts = np.bincount(key.ravel(), weights=np.repeat(cw, P),
                                 minlength=groups * P * B)
        return counts.reshape(P, groups, B)

    def add_by_component(self, XE2, lab, cw, k):
        """Count one block's rows by (direction, component, bin) — component
        0 standing for the unlabelled — into ``self.C`` (P × (k + 1) × bins),
        for :meth:`fold` to weigh each component's rows by its share."""
        P, B = self.owner.size, self.bins + 1
        code = (np.arange(P)[None, :] * (k + 1) + np.arange(k + 1)[:, None]) * B
        counts = self._binned(XE2, lab, cw, code, k + 1)
        self.C = counts if self.C is None else self.C + counts

    def fold(self, on, weight):
        """The counts by component (:meth:`add_by_component`) as the own and
        the other fitted components' rows of each direction, component l's
        rows weighted by ``weight[l]`` (the own rows as counted: a factor
        common to them cancels in their shares)."""
        P = self.owner.size
        w = np.tile(np.where(on, weight, 0.0), (P, 1))     # direction × component
        w[np.arange(P), self.owner] = 0.0
        self.N[:, 0] = self.C[np.arange(P), self.owner + 1]
        self.N[:, 1] = np.einsum("plb,pl->pb", self.C[:, 1:], w)

    def weights(self):
        """Each bin's weight (P × (bins + 1)): min(1, SPIKE · f_o / f_c), f_c and
        f_o the shares of the component's and of the other components' rows
        in the bin — or, where the others have fewer than
        :data:`_MIN_COUNT` rows there, in the bin and beyond it. Where the
        others have no row at all (a direction found against the covariate
        law with one component fitted) there is no density to compare with:
        every bin weighs 1, and the Mallows cap alone applies."""
        tail = np.cumsum(self.N[..., ::-1], axis=2)[..., ::-1]
        thin = self.N[:, 1] < _MIN_COUNT
        own = np.where(thin, tail[:, 0], self.N[:, 0])
        other = np.where(thin, tail[:, 1], self.N[:, 1])
        f_c = own / np.maximum(self.N[:, 0].sum(axis=1, keepdims=True), 1e-300)
        f_o = other / np.maximum(self.N[:, 1].sum(axis=1, keepdims=True), 1e-300)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((f_c > 0) & (self.N[:, 1].sum(axis=1, keepdims=True) > 0),
                            np.minimum(1.0, SPIKE * f_o / f_c), 1.0)

    def excess(self, table):
        """The share of each direction's component rows the weights take."""
        own = self.N[:, 0]
        return ((1.0 - table) * own).sum(axis=1) / np.maximum(own.sum(axis=1), 1e-300)


def count_spikes(data, blocks, buf, E, owner, task_lab, task_c, on, cap, sample=None):
    """One pass over the pool counting its rows along the spike directions
    E (:class:`SpikeMass`, by task blocks ``blocks``, rows read into
    ``buf``): each bin's density weight (P × bins), the share of each
    direction's component rows they take, and each component's share of
    its rows' weight counted (None: all).

    ``sample`` (bool per task, optional): count only those tasks' rows —
    the gradient readings' random share of each large component
    (:func:`._clipped_test.reading_sample`, drawn from the learner's seed
    and a digest of the data, so an adversary cannot place its tasks where
    no count looks). A component's rows are then weighed by the smallest
    share over the components divided by its own (shares of its rows'
    weight c_i t_i), so the other components' density along a direction is
    their pooled density, as in the full count, and no count exceeds the
    rows counted; the own rows' share in each bin is a ratio of the own
    counts, whatever their share. The count is then a random estimate of
    the full one: its bins' shares carry the sampling error of the rows
    counted (half of them at 320 000 tasks of 8 in four components, where
    the full count of a ladder attack's 18–33 directions took 0.4–0.7 s of
    a pass)."""
    hist = SpikeMass(owner, cap)
    off = data.offsets
    sizes = np.diff(off)
    if sample is None:
        for a, e in blocks:                      # one pass over blocks of tasks
            X, _ = data._block(int(off[a]), int(off[e]), buf)
            hist.add(squared_projections(X, E), np.repeat(task_lab[a:e], sizes[a:e]),
                     np.repeat(task_c[a:e], sizes[a:e]), on)
        table = hist.weights()
        return table, hist.excess(table), None
    k = on.size
    mine = task_lab >= 0
    mass = np.bincount(task_lab[mine], weights=(task_c * sizes)[mine], minlength=k)
    read = mine & sample
    counted = np.bincount(task_lab[read], weights=(task_c * sizes)[read], minlength=k)
    share = np.where(mass > 0, counted / np.maximum(mass, 1e-300), 0.0)
    live = on & (share > 0)
    weight = np.where(live, share[live].min(initial=1.0) / np.maximum(share, 1e-300), 0.0)
    for a, e in blocks:                          # one pass over blocks of tasks
        take = np.repeat(sample[a:e], sizes[a:e])
        if not take.any():
            continue
        X, _ = data._block(int(off[a]), int(off[e]), buf)
        hist.add_by_component(squared_projections(X[take], E),
                              np.repeat(task_lab[a:e], sizes[a:e])[take],
                              np.repeat(task_c[a:e], sizes[a:e])[take], k)
    if hist.C is None:                           # nothing sampled: the full count
        return count_spikes(data, blocks, buf, E, owner, task_lab, task_c, on, cap)
    hist.fold(on, weight)
    table = hist.weights()
    return table, hist.excess(table), share


def spike_row_weights(X, E, owner, lab, cap, table=None, XE2=None):
    """Each row's weight along its own component's spike directions: the
    smallest over them of min(1, (cap/|x·e|)²) times its bin's density
    weight (``table``, P × bins; None: the cap alone); 1 for a row whose
    component has none.

    Only a direction's own component's rows are weighed by it, so each
    component's rows are projected on its own directions alone (``XE2``,
    the block's squared projections on every direction, when a pass has
    them already)."""
    m = np.ones(lab.size)
    for c in np.unique(owner):                   # loop over components only
        rows = np.flatnonzero(lab == c)
        if not rows.size:
            continue
        cols = np.flatnonzero(owner == c)
        # direction by row (P_c × rows): the minimum over directions is then
        # an elementwise minimum of contiguous rows
        if XE2 is None:
            P2 = np.ascontiguousarray(squared_projections(np.take(X, rows, axis=0),
                                                          E[:, cols]).T)
        else:
            P2 = np.ascontiguousarray(XE2[np.ix_(rows, cols)].T)
        # min(1, (cap/|x·e|)²) is below one only beyond the cap
        if table is not None:
            T = np.take_along_axis(table[cols], SpikeMass.bin_of(P2, table.shape[1] - 1), axis=1)
        else:
            T = np.ones_like(P2)
        far = P2 > cap * cap
        T[far] *= cap ** 2 / P2[far]
        m[rows] = T.min(axis=0)
    return m
