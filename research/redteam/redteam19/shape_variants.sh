#!/bin/sh
# Seed 2, light 2 alone, sample-agnostic: does a shape of diluted_shift
# (noise on the shift rows, more decoys, a floor on |x.u|, farther decoys)
# keep a larger shift (0.42) under the score reading's edge?
R=research/redteam/redteam18
L=research/redteam/redteam19/logs
python3 $R/scale.py --problem large_above --seed 2 --alpha 0.05 --avoid 0 --aim heavy \
    --out $L/shape_s2.jsonl \
    '{"family": "diluted_shift", "shift": 0.42, "R": 2.0, "z_d": 6, "noise": 0.7}' \
    '{"family": "diluted_shift", "shift": 0.42, "R": 2.0, "z_d": 6, "decoys": 4}' \
    '{"family": "diluted_shift", "shift": 0.42, "R": 2.0, "z_d": 6, "floor": 1.0}' \
    '{"family": "diluted_shift", "shift": 0.42, "R": 2.0, "z_d": 8}'
