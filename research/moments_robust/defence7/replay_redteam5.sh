#!/usr/bin/env bash
# Replays (problem seed 0, alpha 0.05) of the first moments_robust search's three worst rows
# and of the seventh red team's worst rows on this path (search 31 with planted-noise
# variants, warm 2, warm 0). Run from the repository root; pass --no-basis-null for before.
R5=research/moments_robust/redteam5/smallheavy_moments_robust_fixed_a0.05_s0_n60.csv
S31='{"light1": ["variance_hiding", {"strength": 0.4545455136747673}], "heavy": ["midpoint", {"estimate": "w", "component": 5, "frac": 0.9075991317739904}], "light2": ["edge_placement", {"component": 7, "level": 1.101452008410454, "direction": "orthogonal", "noise": NZ, "x_level": 0.11802033329249957}]}'
W2='{"light1": ["none", {}], "heavy": ["seeded", {}], "light2": ["edge_placement", {"component": 7, "level": 0.95, "direction": "orthogonal", "noise": 0.0, "x_level": 0.0}]}'
W0='{"light1": ["none", {}], "heavy": ["anchor_edge", {"component": 7, "level": 0.9, "rss": 1.3, "pick": "others", "direction": "orthogonal"}], "light2": ["edge_placement", {"component": 7, "level": 0.95, "direction": "orthogonal", "noise": 0.0, "x_level": 0.0}]}'
PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 python3 research/moments_robust/replay.py $R5 --top 3 --alpha 0.05 --seed 0 \
  --strategy "search:31:${S31/NZ/0.021878619748365875}" --strategy "search:31:${S31/NZ/0.4}" --strategy "search:31:${S31/NZ/0.8}" \
  --strategy "search:2:$W2" --strategy "search:0:$W0" "$@"
