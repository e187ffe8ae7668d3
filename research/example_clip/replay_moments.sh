#!/bin/sh
# The moment estimator's red-team rows (small-heavy problem, seed 1) replayed
# on the code with the clipped refit (from the repository root; one BLAS
# thread): the fifth team's lever_shift rows, the fourth team's median_park
# rows and the third team's median_decoy rows.
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1
R=research/moments_robust
O=research/example_clip
L05='{"light2": ["lever_shift", {"component": 6, "lever": 5.0, "decoy_level": 1.0, "decoy": 1.8, "g_scale": 0.25, "shift": 6.35}]}'
L01='{"light2": ["lever_shift", {"component": 6, "decoy": 0.0, "shift": 6.4, "decoy_pure": 6.4, "g_scale": 0.25, "decoy_level": 1.0, "lever": 11.0, "decoy_share": 0.55}]}'
H='"heavy": ["anchor_edge", {"component": 6, "level": 1.2, "rss": 1.3, "pick": "own", "direction": "orthogonal"}]'
P='"light2": ["median_park", {"component": 6, "decoys": 0.05, "noise": 0.2, "inflate_noise": 1.5, "inflate": 0.1, "shift": 1.6}]'
python3 $R/replay.py --seed 1 --alpha 0.05 --top 8 $R/redteam9/warm2/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv \
    $R/redteam8/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv \
    $R/redteam7/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv \
    --strategy "search:1:$L05" > $O/replay_moments_a0.05.log
python3 $R/replay.py --seed 1 --alpha 0.01 --strategy "search:1:$L01" \
    --strategy "search:2:{$P, $H}" --strategy "search:0:{$P, $H}" \
    --strategy "search:1:{$P, $H}" > $O/replay_moments_a0.01.log
