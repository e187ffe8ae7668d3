"""The task filter's stopping rule read once more on clipped per-example
scores (private).

The filter (:mod:`.robust`) stops when the kept tasks' gradient covariance C
is within the Marchenko–Pastur edge of the per-example moment
R = mean r_j² x_j x_jᵀ, the clean reference: a clean task's examples are
independent, so its standardised gradient t^{-1/2} Σ_j r_j x_j has the
covariance of one example's r·x, while a task that pushes through several
examples coherently raises C t_i times more than R. Both are second
moments, and a few rows far out along a direction u with residuals of
balanced sign raise them *equally* there: one or two such decoy rows per
task at 8 RMS with residuals of ±1.5 s put ≈ 140 s² per row into R and the
same into C, and the coherent push of the task's other rows, ≈ 3 s² per row,
disappears in the ratio. Lever rows in the clean law's shape with residuals
that push one way along u then passed the filter at 0.996 of its edge and
moved a component by 0.17·s at α = 0.01 (0.65·s at α = 0.05 with the decoys'
residuals centred on the moved fit), with no test failing.

The same ratio on *clipped* scores has no such dilution: along a few
directions v per component, each row's score r_j (x_j·v) is clipped at
κ = :data:`CLIP` · ŝ (x·v has unit RMS for whitened covariates, r the noise
level ŝ, the filter's robust median), and the kept tasks' standardised sums
of the clipped scores, g_i = t_i^{-1/2} Σ_j ψ(r_j x_j·v), are compared with
the clipped per-example moment mean ψψᵀ. The independence argument is
untouched — a clean task's clipped scores are independent and identically
distributed, whatever the covariate law or a model misfit — while a decoy
now adds at most κ² to both and a coherent task still adds t_i times more
to the gradients. The directions read are, per component and from its first round,
every direction where the per-example moment is inflated (beyond
:func:`inflated_edge` times its level, :func:`moment_levels`: the median
eigenvalue, capped by the noise level times the components' common ratio
of the two, which rows of one component cannot raise; :data:`INFLATED` on
many rows: where decoys dilute — the top
two alone were taken by balanced decoys at the screen's leverage along two
other directions, and a push along u of 0.128·s at α = 0.01 went unread),
the top eigenvectors of the moment, of the gradient covariance (where
coherent tasks push) and of the gradient covariance over the moment, and
the component's spike directions
(:func:`._example_clip.spike_directions`), those found after the refit's
first pass included (:mod:`._readings`); they are orthonormalised per
component. A component whose first round was not computed is read along
every coordinate direction. The test passes when the top eigenvalue of
R_ψ^{-1/2} C_ψ R_ψ^{-1/2} is within the edge (1 + 2√(d/n))² of the filter's
own readings (n the kept tasks; the directions were read off the data, so
the full dimension's edge, not that of the few directions read).

**The refit's own scores.** A clip at 2 ŝ on the products is not the
refit's: the Huber refit clips residuals, at 1.5 ŝ, and weighs leverage
only along spike directions, so a row at 8 RMS with a large residual
counts 2 ŝ in the clipped reading and up to 12 ŝ in the refit. Tasks with a
few such rows pushing one way and several rows just beyond −2 ŝ in the
product balanced their clipped sums while moving the refit (and least
squares, diluted by the same rows) by 0.69·s at α = 0.05, silent at 0.76 of
the clipped reading's edge. So the same ratio is read a second time on the
scores the returned estimate solves for, u_j r_j (x_j·v) with u_j the
refit's weight (Huber times Mallows and density weights; the example
weights c_i enter the reference, not the task sums, as in the filter's
own reading), at the fit the refit's last pass started from (the
filter's after one pass): a task that moves the refit must push these
coherently, and
a row's part in the reference is bounded by what the weights leave it
(3.1 and 2.3 times the edge on that team's rows at α = 0.05 and 0.01,
0.85–0.87 on clean data under six covariate laws, 0.97 on the sine-wave
problem).

Both readings run in the clipped refit's passes (the rows are read there
anyway): the rows read are gathered in label order, and each component's
run is projected on its own directions only (one GEMM a component and
block, not every component's directions for every row). They are tests
only: a failure fails the regression stage's test and the learner warns;
no task is removed by them.
"""

from __future__ import annotations

import copy
import hashlib

import numpy as np

from ..._segments import label_sort
from ...data import example_rows
from ._moment_level import moment_levels

#: Clipping level of the scores r (x·v), in units of the component's ŝ.
CLIP = 2.0
#: Top eigenvectors taken from each of a component's reference, gradient
#: covariance and gradient covariance over the reference.
TOP = 2
#: Most tasks of a component the readings read: beyond it, a random share
#: (their cost is a GEMM and a few sums per row read; at 10⁶ light tasks
#: they read a sixth of them, and their edge is still 1.10 or tighter).
READ_CAP = 40_000
#: Eigenvalues of the reference beyond this multiple of its median mark
#: the directions where it is inflated: every one of them is read (the
#: floor of :func:`inflated_edge`, which is larger on few rows).
INFLATED = 1.2
#: Kurtosis E r⁴/(E r²)² of the residuals the allowance assumes (Gaussian noise).
_KURTOSIS = 3.0


def inflated_edge(d, rows):
    """The multiple of the median eigenvalue of a component's per-example
    moment M beyond which a direction counts as inflated: :data:`INFLATED`,
    or the top-over-median ratio a clean M reaches on ``rows`` effective
    rows in dimension d if that is larger.

    On clean whitened data M = (1/N) Σ r_j² x_j x_jᵀ has mean s² I, and its
    entries scatter about it with variance E[r⁴ (x·a)² (x·b)²]/N = κ s⁴/N
    (κ = E r⁴/(E r²)² = 3 for Gaussian residuals, against 1 for the plain
    covariance of x): the Marchenko–Pastur law with d/N replaced by κ d/N,
    whose spectrum reaches (1 + √(κ d/N))² times its centre. The median
    eigenvalue stays at the centre, so the top over the median is that
    edge; the top eigenvalue fluctuates above it by a share of order
    d^{-2/3} of the bulk's width (Tracy–Widom), covered by widening
    √(κ d/N) by 1 + 3 d^{-2/3}:

        edge = (1 + (1 + 3 d^{-2/3}) √(κ d/N))².

    Simulated top/median ratios (40 draws) sit below it: mean 1.45, largest
    1.59 at d = 20, N = 1 500 (edge 1.64); 1.30, 1.37 at d = 32, N = 5 000
    (1.39); 1.16, 1.18 at d = 64, N = 32 000 (1.19, so the floor 1.2
    holds there and on every larger component)."""
    if rows is None or not rows > 0:
        return INFLATED
    root = (1.0 + 3.0 * d ** (-2.0 / 3.0)) * np.sqrt(_KURTOSIS * d / float(rows))
    return max(INFLATED, float((1.0 + root) ** 2))


def ratio_edge(d, n_c, n_o, floor=1.15):
    """The multiple by which a component's covariate second moment must
    exceed the other components' along a direction to count as a spike:
    ``floor``, or the largest generalised eigenvalue two clean sample
    moments of n_c and n_o rows reach in dimension d if that is larger.

    For two independent sample covariances of one law the spectrum of
    S_c S_o^{-1} ends at ((1 + h)/(1 − y_o))², h = √(y_c + y_o − y_c y_o),
    y = d/n (Wachter's limit of the F-matrix); the top eigenvalue's
    Tracy–Widom fluctuation is covered by widening h by 1 + 3 d^{-2/3}, as
    for :func:`inflated_edge`. Simulated with Gaussian rows (40 draws; mean,
    largest, this edge): d 20, 3 000 / 9 000 rows 1.18, 1.22, 1.29; d 20,
    1 500 / 4 500 1.26, 1.35, 1.42; d 8, 1 000 / 1 000 1.22, 1.33, 1.52;
    d 32, 8 000 / 24 000 1.14, 1.16, 1.20. From d 32 and 40 000 rows (the
    default problem), and d 64 and 43 000 (the small-heavy problem), the
    edge is under the floor, which then holds."""
    if not (n_c > 0 and n_o > d):
        return floor
    y_c, y_o = d / float(n_c), d / float(n_o)
    h = (1.0 + 3.0 * d ** (-2.0 / 3.0)) * np.sqrt(y_c + y_o - y_c * y_o)
    return max(floor, float(((1.0 + h) / (1.0 - y_o)) ** 2))


def moment_rows(sizes, labels, k, t_cap):
    """Each component's effective number of rows in its per-example moment
    (rows weighted c_i = min(t_i, t_cap)/t_i): (Σ c_i t_i)² / Σ c_i² t_i over
    its tasks."""
    labels, t = np.asarray(labels), np.asarray(sizes, dtype=float)
    mine = labels >= 0
    c = np.minimum(t, t_cap) / t
    s1 = np.bincount(labels[mine], weights=(c * t)[mine], minlength=k)
    s2 = np.bincount(labels[mine], weights=(c * c * t)[mine], minlength=k)
    return s1 ** 2 / np.maximum(s2, 1e-300)


def candidate_directions(moments, gsum, gmom, labels, ok, top=TOP, rows=None, noise=None):
    """Each component's directions to read (first round): every eigenvector
    of its per-example moment M with an eigenvalue beyond
    :func:`inflated_edge` times its level (:func:`moment_levels`: the
    median eigenvalue, capped by the noise level times the components'
    common ratio when ``noise`` is given), the top ``top`` of M, of its
    gradient covariance C and of M^{-1/2} C M^{-1/2} (mapped back).

    Where more than one direction is inflated, the top eigenvector of C
    within their span comes first among them, and before it C's top
    eigenvector itself wherever M along it (its Rayleigh quotient) is beyond
    the same threshold. M cannot tell a lever
    direction u (rows pushing one way) from decoy directions (pairs x, −x
    whose scores cancel) when both are inflated by as much: their
    eigenvalues are then near-equal and the eigenvectors mix u with the
    decoys' directions, so that the lever rows sit at a fraction of their
    leverage along each and keep their pull under the refit's density
    weights (decoys over the 55 directions ⊥ span(W), u in the small-heavy
    problem: u inflated, the component still moved by 0.14 s). The tasks'
    gradients separate them: a lever row's score adds to its task's sum,
    a pair's cancel, so C is raised along u and not along the decoys'
    directions; that direction is weighed as well. Within the span it is
    still a mixture where u is only partly in it (u at 1.26 times the level
    among decoys at 1.3: 0.126 s, against 0.099 s without the pairs); C's
    own top direction is u itself, and M along it is as inflated as along
    u (0.098 s). On clean data C is M (a task's standardised gradient has
    the covariance of one row's r x), so its top direction is one of M's
    inflated ones or nowhere inflated.

    Where that round was not computed (its Gram matrix not well
    conditioned) there is no M or C to choose from, and every coordinate
    direction is read; none where the component has fewer than two tasks.

    Parameters
    ----------
    moments : list of ndarray (d, d) or None
    gsum : ndarray (k, d)
    gmom : ndarray (k, d, d)
    labels : ndarray of int (n,)
        Each task's component in that round (−1: none).
    ok : ndarray of bool (k,)
        The components whose first round was computed.
    rows : ndarray (k,), optional
        Each component's effective rows in M (:func:`moment_rows`; None:
        the threshold is :data:`INFLATED`).
    noise : ndarray (k,), optional
        Each component's noise level ŝ² (:func:`moment_levels`; None: the
        level is the median eigenvalue of M alone).

    Returns
    -------
    directions : list of ndarray (d, m_c)
    inflated : list of ndarray (d, i_c)
        The first columns of each: where M is inflated (unit vectors; C's
        top direction first where M is inflated along it, then, with more
        than one, C's top direction within their span), which
        the refit also weighs rows along (:func:`._example_clip.clipped_refit`).
    """
    k, d = gsum.shape
    counts = np.bincount(labels[labels >= 0], minlength=k)
    out, lever = [], []
    levels = moment_levels(moments, noise)
    for c in range(k):                           # loop over components only
        if not ok[c] or moments[c] is None or counts[c] < 2:
            out.append(np.eye(d) if counts[c] >= 2 else np.zeros((d, 0)))
            lever.append(np.zeros((d, 0)))
            continue
        mean = gsum[c] / counts[c]
        C = gmom[c] / counts[c] - np.outer(mean, mean)
        lam_m, V = np.linalg.eigh((moments[c] + moments[c].T) / 2)
        # every direction where the reference is inflated (where decoys
        # dilute), however many: the top few alone can be taken by decoys
        # along other directions; the level is one the component's own rows
        # cannot raise (moment_levels)
        edge = inflated_edge(d, None if rows is None else rows[c])
        inflated = V[:, lam_m > edge * max(float(levels[c]), 1e-300)]
        # the gradients' top directions, and those farthest above the
        # reference (a dilution that leaves M uninflated leaves them there)
        root = V / np.sqrt(np.maximum(lam_m, 0.1 * max(float(lam_m.mean()), 1e-300)))
        A = root.T @ C @ root
        excess = root @ np.linalg.eigh((A + A.T) / 2)[1][:, -top:]
        top_c = np.linalg.eigh((C + C.T) / 2)[1][:, -top:]
        # the directions the tasks' gradients push farthest first: M cannot
        # tell a lever direction from decoys' (near-equal eigenvalues mix
        # them), C can; within the inflated span, and C's top direction
        # itself where M is inflated along it
        pushed = []
        if inflated.shape[1] > 1:
            Ci = inflated.T @ C @ inflated
            pushed.append(inflated @ np.linalg.eigh((Ci + Ci.T) / 2)[1][:, -1:])
        v = top_c[:, -1:]
        if float(v[:, 0] @ moments[c] @ v[:, 0]) > edge * max(float(levels[c]), 1e-300):
            pushed.insert(0, v)
        inflated = np.hstack(pushed + [inflated])
        out.append(np.hstack([inflated, V[:, -top:], top_c, excess]))
        lever.append(inflated)
    return out, lever


def reading_sample(labels, k, rng, cap=None, data_sums=()):
    """The tasks the gradient readings read: every kept task of a component
    with at most ``cap`` (default :data:`READ_CAP`) of them, else a random
    share cap/n_c of its tasks (None: every task everywhere; ``rng`` is then
    not touched). The share keeps the adversary's fraction of the
    component, and the readings' edge follows the tasks read.

    The draw's generator is seeded by ``rng`` *and* a digest of
    ``data_sums`` (arrays that every row of every task enters, e.g. the
    first round's per-task residual sums and per-component sums): from the
    seed alone the share would be known before the data, and an adversary
    who knows the learner's seed could write its tasks where no reading
    looks. With the digest the same data and seed read the same tasks, and
    a change to a task redraws the whole share — all but changes the sums do
    not see, which the readings do not see either (negating every row of a
    task; an edit of a last digit that rounding absorbs).

    Returns
    -------
    sample : ndarray of bool (n,) or None
    entropy : list of int or None
        The draw's seed (the generator's word, then the digest's), recorded
        in the stage's diagnostics.
    """
    cap = READ_CAP if cap is None else cap
    labels = np.asarray(labels)
    counts = np.bincount(labels[labels >= 0], minlength=k)
    if counts.max(initial=0) <= cap:
        return None, None
    share = np.minimum(1.0, cap / np.maximum(counts, 1))
    child = rng.spawn(1)[0]
    digest = hashlib.blake2b(digest_size=16)
    for a in data_sums:
        digest.update(np.ascontiguousarray(a, dtype=float).tobytes())
    words = np.frombuffer(digest.digest(), dtype=np.uint32)
    entropy = [int(child.integers(2 ** 32)), *map(int, words)]
    draw = np.random.default_rng(np.random.SeedSequence(entropy)).random(labels.size)
    return (labels >= 0) & (draw < share[np.maximum(labels, 0)]), entropy


def orthonormal(V, tol=1e-6):
    """An orthonormal basis of the span of the columns of V (d, m), by a
    rank-revealing SVD of the unit columns (a QR without pivoting keeps an
    arbitrary vector for a repeated column, and dropping it loses part of
    the later columns)."""
    if V.shape[1] == 0:
        return V
    U, sv, _ = np.linalg.svd(V / np.maximum(np.linalg.norm(V, axis=0), 1e-300),
                             full_matrices=False)
    return U[:, sv > tol * max(float(sv[0]), 1e-300)]


def reading_rows(task_lab, offsets, sample, k):
    """The rows of a block the readings read, in label order: its tasks with
    a label (all, or those of ``sample``) sorted stably by label, so that
    each component's rows are one run and each task's rows stay together
    and in order (each task's sum, and each component's sums over its tasks
    and rows, are those of the block order, term for term; a task without a
    label adds nothing to any sum and is not read).

    Parameters
    ----------
    task_lab : ndarray of int (n_b,)
        The block's task labels (−1: not read).
    offsets : ndarray (n_b + 1,)
        The block's task offsets, from 0.
    sample : ndarray of bool (n_b,) or None
        The tasks read (None: all).
    k : int

    Returns
    -------
    rows : ndarray of int
        The rows read (indices into the block), in label order.
    toff : ndarray of int
        The read tasks' offsets in that order, from 0.
    runs, task_runs : ndarray of int (k + 1,)
        Component c owns rows ``runs[c]:runs[c + 1]`` and read tasks
        ``task_runs[c]:task_runs[c + 1]``.
    """
    read = task_lab >= 0 if sample is None else (task_lab >= 0) & sample
    tasks = np.flatnonzero(read)
    tasks = tasks[label_sort(task_lab[tasks], k)]
    sizes = offsets[tasks + 1] - offsets[tasks]
    toff = np.concatenate([[0], np.cumsum(sizes)])
    if sizes.size and np.all(sizes == sizes[0]):   # tasks of one size: rows by broadcasting
        rows = (offsets[tasks][:, None] + np.arange(sizes[0])).ravel()
    else:
        rows = example_rows(offsets, tasks)
    task_runs = np.searchsorted(task_lab[tasks], np.arange(k + 1))
    return rows, toff, toff[task_runs], task_runs


class ClippedScores:
    """A gradient test's sums over per-row scores along each component's
    directions, accumulated block by block.

    Parameters
    ----------
    bases : list of ndarray (d, m_c)
        Orthonormal directions per component.
    """

    def __init__(self, bases):
        k = len(bases)
        d = bases[0].shape[0]
        self.m = np.array([B.shape[1] for B in bases])
        self.width = max(int(self.m.max(initial=0)), 1)
        V = np.zeros((k, d, self.width))
        for c, B in enumerate(bases):
            V[c, :, :B.shape[1]] = B
        self.bases = V
        self.k = k
        self._zero()

    def _zero(self):
        k, w = self.k, self.width
        self.g1, self.g2 = np.zeros((k, w)), np.zeros((k, w, w))
        self.n, self.rows = np.zeros(k), np.zeros(k)
        self.R, self.rw = np.zeros((k, w, w)), np.zeros(k)

    def empty(self):
        """A fresh accumulator on the same directions."""
        new = copy.copy(self)
        new._zero()
        return new

    def products(self, X, r, runs):
        """Each row's r (x·v) along its own component's directions (N_b ×
        width; zero for a component without directions). The rows are in
        label order (:func:`reading_rows`), component c owning rows
        ``runs[c]:runs[c + 1]``: each run is projected on its own
        component's directions only (one GEMM a component)."""
        q = np.zeros((X.shape[0], self.width))
        for c in np.flatnonzero(self.m):         # loop over components only
            r0, r1 = runs[c], runs[c + 1]
            if r1 > r0:
                np.matmul(X[r0:r1], self.bases[c], out=q[r0:r1])
                q[r0:r1] *= r[r0:r1, None]
        return q

    @staticmethod
    def clipped(q, kappa, runs):
        """q with each component's run clipped at ±κ_c (``kappa`` (k,)), a copy."""
        out = np.empty_like(q)
        for c in range(kappa.size):              # loop over components only
            np.clip(q[runs[c]:runs[c + 1]], -kappa[c], kappa[c], out=out[runs[c]:runs[c + 1]])
        return out

    def add(self, q, cw, offsets, runs, task_runs, unit=False):
        """One block's scores q (N_b × width) in label order
        (:func:`reading_rows`), their example weights ``cw`` (``unit``: all
        one), the read tasks' offsets (from 0) and each component's run of
        rows and of tasks."""
        t = np.diff(offsets)
        raw = np.add.reduceat(q, offsets[:-1], axis=0)
        sums = raw / np.sqrt(t)[:, None]
        for c in np.flatnonzero(self.m):         # loop over components only
            t0, t1 = task_runs[c], task_runs[c + 1]
            if t1 > t0:
                G = sums[t0:t1]
                # Σ_i √t_i g_i = the rows' sum of scores, and Σ_i t_i: the
                # per-row mean the centring takes out of each task's sum
                self.g1[c] += raw[t0:t1].sum(axis=0)
                self.g2[c] += G.T @ G
                self.n[c] += t1 - t0
                self.rows[c] += t[t0:t1].sum()
            r0, r1 = runs[c], runs[c + 1]
            if r1 > r0:
                # unit weights: q √1 is q, bit for bit
                Q = q[r0:r1] if unit else q[r0:r1] * np.sqrt(cw[r0:r1])[:, None]
                self.R[c] += Q.T @ Q
                self.rw[c] += cw[r0:r1].sum()

    def ratios(self, d):
        """Per component, the top eigenvalue of R_ψ^{-1/2} C_ψ R_ψ^{-1/2} over
        the Marchenko–Pastur edge (1 + 2√(d/n))² (0: nothing read; the
        reason is in ``self.unread``, by component).

        Each row's score has one mean μ (zero on clean data at the true w;
        a fit error or a model misfit moves it), so task i's standardised
        sum g_i has mean √t_i μ: the gradients are centred on that model,
        C_ψ = (1/n) Σ_i (g_i − √t_i μ̂)(g_i − √t_i μ̂)ᵀ with μ̂ = Σ_i √t_i g_i /
        Σ_i t_i (the rows' mean score), = (Σ_i g_i g_iᵀ − Σ t_i μ̂ μ̂ᵀ)/n. One
        mean for all tasks leaves the spread of √t_i μ in C_ψ when sizes
        differ, Var(√t) μ² (0.20 σ² at μ = 0.1 σ with tasks of 1 and 100
        examples in equal numbers: a fifth of a clean direction's
        variance); for tasks of one size the two are the same."""
        out = np.zeros(self.k)
        self.unread = {}
        for c in range(self.k):                  # loop over components only
            m, n = int(self.m[c]), self.n[c]
            if m == 0 or n < 2 or self.rw[c] <= 0:
                self.unread[c] = ("no direction to read" if m == 0 else
                                  f"{int(n)} task(s) read, two needed" if n < 2 else
                                  "no row read")
                continue
            mu = self.g1[c, :m] / self.rows[c]
            C = (self.g2[c, :m, :m] - self.rows[c] * np.outer(mu, mu)) / n
            lam_r, U = np.linalg.eigh(self.R[c, :m, :m] / self.rw[c])
            if lam_r[-1] <= 0:
                self.unread[c] = "every score is zero"
                continue
            root = U / np.sqrt(np.maximum(lam_r, 1e-12 * lam_r[-1]))
            lam = np.linalg.eigvalsh(root.T @ C @ root)[-1]
            out[c] = float(lam / (1 + 2 * np.sqrt(d / n)) ** 2)
        return out
