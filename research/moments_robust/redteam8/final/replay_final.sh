#!/bin/sh
# The fourth moment red team's worst rows replayed on the code with the
# two-reading stop rule (from the repository root; one BLAS thread).
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1
S=research/moments_robust/redteam8
H='"heavy": ["anchor_edge", {"component": 6, "level": 1.2, "rss": 1.3, "pick": "own", "direction": "orthogonal"}]'
P='"light2": ["median_park", {"component": 6, "decoys": 0.05, "noise": 0.2, "inflate_noise": 1.5, "inflate": 0.1, "shift": 1.6}]'
python3 research/moments_robust/replay.py --seed 1 --alpha 0.05 --top 3 \
    $S/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv > $S/final/replay_a0.05.log
python3 research/moments_robust/replay.py --seed 1 --alpha 0.01 --no-clean \
    --strategy "search:2:{$P, $H}" --strategy "search:0:{$P, $H}" \
    --strategy "search:1:{$P, $H}" > $S/final/replay_a0.01.log
