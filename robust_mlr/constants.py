"""Named numerical constants of the pipeline, each with the reason for its value.

Defaults a user may want to change are function arguments; what lives here
are fixed choices that several places share or that would otherwise be
unexplained literals.
"""

__all__ = ["MAD_TO_SIGMA", "SDP_DISTANCE_CAP", "INLIER_MASS", "SPLIT_CHUNK", "MAX_SPLITS",
           "TAIL_SPLITS", "TAIL_CHUNK", "TAIL_TRIM", "TAIL_SDS"]

#: 1 / Φ⁻¹(3/4): the median absolute deviation of a Gaussian times this is its
#: standard deviation, so ``MAD_TO_SIGMA * MAD`` is a scale estimate that is
#: consistent on clean Gaussian data and breaks down only at 50 % outliers.
#: (Used for response clipping, Huber's scale and the readmission threshold
#: of the SDP clustering.)
MAD_TO_SIGMA = 1.4826

#: The SDP clustering sees distances divided by their median off-diagonal
#: value and clipped at ± this many medians. Dividing by the maximum instead
#: would let one corrupted task with huge responses shrink every clean
#: distance below the solver's tolerance; beyond 100 typical distances a pair
#: is simply "far", which is all the relaxation needs to know, and the cap
#: keeps the objective's dynamic range within what a first-order solver at
#: eps = 1e-4 resolves.
SDP_DISTANCE_CAP = 100.0

#: In the robust Peng–Wei relaxation a row sum of Z is the weight the task
#: keeps as an inlier: 1 for a kept task and 0 for a removed one at an
#: integral solution. A task whose row keeps at least half its mass (the
#: midpoint of the two integral values) is rounded as an inlier.
INLIER_MASS = 0.5

#: Heavy tasks of size t use L = clip(t // SPLIT_CHUNK, 1, MAX_SPLITS) split
#: pairs for the median distance. Each split uses chunks of t / (2L)
#: examples, so per-split noise grows ≈ L times while the median shrinks it
#: only ≈ √L times; on the default problem (k = 4, t_H = 128) L = 1 separates
#: best, so L grows only once every chunk keeps ≥ SPLIT_CHUNK / 2 = 64
#: examples.
SPLIT_CHUNK = 128

#: Upper cap of L: each split pair costs one n_H × n_H distance matrix, so
#: the cost grows linearly in L, and the median's guarantee (failure
#: probability exponentially small in L) needs only a few splits.
MAX_SPLITS = 8

#: Split pairs when the split noise has heavy tails (``choose_splits``): the
#: median of this many splits. The one-split estimate is a product of two
#: chunk means, so a task whose chunk means carry a few examples of extreme
#: leverage (Chebyshev features near u = ±1, whitened) moves its whole row of
#: distances; the median of five splits is the median-of-means remedy of the
#: paper's own analysis (ICML 2020 Algorithm 3).
TAIL_SPLITS = 5
#: Fewest examples per chunk the heavy-tail split count may leave.
TAIL_CHUNK = 8
#: Share of tasks with the largest split differences left out of the tail
#: test, so that a corrupted share up to it cannot decide the split count.
TAIL_TRIM = 0.05
#: The tail test flags a ratio above 1 + TAIL_SDS · sqrt(2 / n) (n tasks):
#: sqrt(2 / n) is the order of one coordinate's ratio's standard deviation
#: under Gaussian split noise (a χ²_1 mean: variance 2 over n tasks). At
#: n = 400 (limit 1.57) the largest coordinate ratio was 1.03–1.32 on
#: Fourier, Student-t, uniform and correlated covariates and 2.3–5.4 on
#: Chebyshev features with extreme-leverage tasks.
TAIL_SDS = 8.0

#: Warm starts of the Burer–Monteiro Peng–Wei solve. The factored problem is
#: non-convex; a solve that stops short of its tolerance (a suspect
#: stationary point) is retried from fresh k-means starts, at most this many
#: in all, and the feasible solve of lowest objective is kept. An optimal
#: first solve (the usual case) costs nothing more.
BM_STARTS = 3

#: Robust Peng–Wei re-admits a shed task to its nearest cluster only when its
#: median distance to the members is within this many robust standard
#: deviations (MAD_TO_SIGMA × MAD) of the members' own medians: a Gaussian
#: tail beyond 4 σ has probability 3e-5, so clean tasks come back while
#: distant (corrupted) ones stay outliers.
READMIT_MADS = 4
