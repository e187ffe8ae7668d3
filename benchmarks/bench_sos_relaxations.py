"""What the SoS relaxations do, measured (numbers quoted in docs/clustering.md).

(a) slack of the aggregate 4th-moment certificate at the Peng–Wei optimum:
    the certified value of (1/n) Σ_ij Z_ij T_ij(v) at Peng–Wei's Z (and at the
    true clustering's Z) against the automatic β of ``sos_m4``;
(b) oracle β: β = 1.2 × the true clustering's certified value, accuracy of
    Peng–Wei with and without the aggregate constraint;
(c) tiny instances (n = 8 and 10 tasks, k = 2; n = 12 took > 3 min per
    instance on a loaded machine): Peng–Wei vs the degree-4
    pseudo-distribution vs brute force, objectives and rounded clusterings;
    ``c-wide``: 20 more seeds at n = 8 (t_H = 4 and 8), where the degree-4
    solve takes about a second;
(d) ``certify_clusters``: ratios of true clusters and of two merged ones.

Run: OMP_NUM_THREADS=1 nice -n 5 python3 benchmarks/bench_sos_relaxations.py [a b c c-wide d]
Oracle subspace (U = orthonormal basis of W), d = 16, s = 1, p uniform.
"""

from __future__ import annotations

import sys
import time

import cvxpy as cp
import numpy as np

from robust_mlr import cluster_heavy, make_params, make_tasks, metrics
from robust_mlr.constants import SDP_DISTANCE_CAP
from robust_mlr.stages.clustering import (ROUNDINGS, brute_force_balanced, certify_clusters,
                                          distance_matrix, group_estimates, noise_scale,
                                          pair_forms, peng_wei_problem,
                                          pseudo_distribution_clustering)
from sos import solve, sos_lower_bound


def _setup(k, n, t, seed, d=16):
    theta = make_params(d, k, rng=seed)
    data = make_tasks(theta, n, t, rng=seed + 1000)
    return data, np.linalg.qr(theta.W)[0], data.components


def _scaled(D):
    off = np.abs(D[~np.eye(D.shape[0], dtype=bool)])
    return np.clip(D / np.median(off), -SDP_DISTANCE_CAP, SDP_DISTANCE_CAP)


def _peng_wei_Z(D, k):
    Z, obj, cons = peng_wei_problem(_scaled(D), k)
    solve(cp.Problem(obj, cons), eps=1e-6)
    Zv = np.asarray(Z.value)
    return (Zv + Zv.T) / 2


def _aggregate_value(coef, iu, Z, k, m):
    """Certified max over unit v of (1/Σ_ij Z_ij) Σ_ij Z_ij T_ij(v): the
    smallest β the aggregate constraint admits at this Z."""
    c = 2 * (Z[iu] @ coef) / Z.sum()
    gamma, _ = sos_lower_bound(-c, k, m)
    return -gamma


def part_a_b(seeds=(0, 1, 2)):
    print("(a, b) aggregate m = 4 certificate, k = 4: value at Z vs beta; oracle beta")
    print(" n_H t_H seed | cert(PW Z) cert(true Z) beta_auto slack=beta/cert(PW) PW-ok@oracle | "
          "acc PW  auto  oracle | obj auto/PW-1  oracle/PW-1 | s(PW) s(oracle)")
    k, m = 4, 4
    for n, t in ((60, 8), (60, 16), (100, 8), (100, 16)):
        for seed in seeds:
            data, U, z = _setup(k, n, t, seed)
            D = distance_matrix(data, U)
            b = group_estimates(data, U, m)
            b = b / noise_scale(b)
            iu = np.triu_indices(n, 1)
            coef = pair_forms(b, m, iu)
            Zpw = _peng_wei_Z(D, k)
            Ztrue = (z[:, None] == z[None, :]) / np.bincount(z, minlength=k)[z][:, None]
            v_pw = _aggregate_value(coef, iu, Zpw, k, m)
            v_true = _aggregate_value(coef, iu, Ztrue, k, m)
            t0 = time.perf_counter()
            # cvxpy/SCS for Peng-Wei too, so both relaxations see the same solver
            pw = cluster_heavy(data, U, k, "peng_wei", solver="SCS", rng=seed)
            t_pw = time.perf_counter() - t0
            auto = cluster_heavy(data, U, k, "sos_m4", rng=seed)
            t0 = time.perf_counter()
            orc = cluster_heavy(data, U, k, "sos_m4", bound=1.2 * v_true, rng=seed)
            t_orc = time.perf_counter() - t0
            beta = auto.info["bound"]
            acc = [metrics.clustering_accuracy(r.labels, z) for r in (pw, auto, orc)]
            rel = [r.objective / pw.objective - 1 for r in (auto, orc)]
            print(f" {n:3d} {t:3d} {seed:4d} | {v_pw:9.3f} {v_true:11.3f} {beta:9.3f} "
                  f"{beta / v_pw:8.1f}x {str(v_pw <= 1.2 * v_true):>12} | {acc[0]:.3f} "
                  f"{acc[1]:.3f} {acc[2]:.3f} | {rel[0]:+12.1e} {rel[1]:+12.1e} | "
                  f"{t_pw:5.1f} {t_orc:5.1f}", flush=True)


def _balanced(k, n, t, seed):
    """n/k tasks of each component (the degree-4 relaxation is of balanced k-means)."""
    theta = make_params(16, k, rng=seed)
    big = make_tasks(theta, 6 * n, t, rng=seed + 1000)
    idx = np.concatenate([np.flatnonzero(big.components == c)[:n // k] for c in range(k)])
    data = big.subset(idx)
    return data, np.linalg.qr(theta.W)[0], data.components


def part_c(seeds=(0, 1, 2), sizes=((8, 4), (8, 8), (10, 4), (10, 8))):
    print("(c) tiny instances, k = 2: Peng-Wei vs degree-4 pseudo-distribution vs brute force")
    print("  n t_H seed | PW obj  PW+diag  deg4 obj  brute | max|Z_PW - Z_4|  labels differ | "
          "acc PW  acc deg4  acc brute | time deg4")
    k = 2
    gaps = []
    for n, t in sizes:
        for seed in seeds:
            data, U, z = _balanced(k, n, t, seed)
            D = _scaled(distance_matrix(data, U))
            Z, obj, cons = peng_wei_problem(D, k)
            prob = cp.Problem(obj, cons)
            solve(prob)
            Zpw = (np.asarray(Z.value) + np.asarray(Z.value).T) / 2
            # Peng-Wei relaxes unbalanced k-means; diag Z = k/n relaxes the balanced one
            bal = cp.Problem(obj, cons + [cp.diag(Z) == k / n])
            solve(bal)
            t0 = time.perf_counter()
            val4, Z4 = pseudo_distribution_clustering(D, k, 4)
            t4 = time.perf_counter() - t0
            best, lab_bf = brute_force_balanced(D, k)
            P = group_estimates(data, U, 2).mean(axis=0)
            rng = np.random.default_rng(seed)
            ones = np.ones(n, bool)
            lab_pw = ROUNDINGS["spectral"](Zpw, k, P, rng, ones)[1]
            lab_4 = ROUNDINGS["spectral"](Z4, k, P, rng, ones)[1]
            differ = metrics.clustering_accuracy(lab_pw, lab_4) < 1
            accs = [metrics.clustering_accuracy(x, z) for x in (lab_pw, lab_4, lab_bf)]
            print(f" {n:2d} {t:3d} {seed:4d} | {prob.value:6.3f}  {bal.value:7.3f}  {val4:7.3f}  "
                  f"{best:6.3f} | "
                  f"{np.abs(Zpw - Z4).max():14.4f}  {str(differ):>13} | {accs[0]:.3f}   "
                  f"{accs[1]:.3f}     {accs[2]:.3f}   | {t4:6.1f} s", flush=True)
            gaps.append(val4 - bal.value)
    gaps = np.array(gaps)
    print(f"  degree 4 minus balanced Peng-Wei (PW + diag): max {gaps.max():.3f}, "
          f"> 0.005 in {int((gaps > 0.005).sum())} of {gaps.size} instances")


def part_d(seeds=range(12)):
    print("(d) certify_clusters, k = 4, true labels vs clusters 0 and 1 merged (12 seeds)")
    print(" t_H n_H | clean ratio: median  q90  max | merged ratio: min  median | "
          "witness/bound min | time/call")
    k = 4
    theta = make_params(16, k, rng=0)
    U = np.linalg.qr(theta.W)[0]
    for t in (8, 16, 32):
        for n in (200, 400, 800):
            clean, merged, tight, times = [], [], [], []
            for seed in seeds:
                data = make_tasks(theta, n, t, rng=100 + seed)
                z = data.components
                t0 = time.perf_counter()
                good = certify_clusters(data, U, z, k, rng=seed)
                times.append(time.perf_counter() - t0)
                lab = np.where(z == 1, 0, np.where(z > 1, z - 1, z))
                bad = certify_clusters(data, U, lab, k - 1, rng=seed)
                clean += list(good.ratio)
                merged.append(bad.ratio[0])
                tight += list(good.witness / good.bound)
            clean, merged = np.array(clean), np.array(merged)
            print(f" {t:3d} {n:3d} |        {np.median(clean):6.2f} {np.quantile(clean, .9):5.2f}"
                  f" {clean.max():5.2f} |        {merged.min():6.2f} {np.median(merged):6.2f} |"
                  f" {min(tight):.4f}            | {np.mean(times):.2f} s", flush=True)


if __name__ == "__main__":
    parts = sys.argv[1:] or ["a", "b", "c", "d"]
    if "a" in parts or "b" in parts:
        part_a_b()
    if "c" in parts:
        part_c()
    if "c-wide" in parts:          # more seeds at n = 8, where a solve takes ~1 s
        part_c(seeds=range(3, 23), sizes=((8, 4), (8, 8)))
    if "d" in parts:
        part_d()
