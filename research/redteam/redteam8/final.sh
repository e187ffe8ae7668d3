#!/bin/sh
# The eighth red team's full searches (150 fits per target, seed 0), run from
# a source tree SRC (a snapshot of the release attacked) into OUT:
# α 0.05 and 0.02 with fixed sizes side by side, then α 0.05 with
# heterogeneous light sizes split over two processes by target.
#     sh research/redteam/redteam8/final.sh SRC OUT
set -e
SRC=$(cd "$1" && pwd); OUT=$(mkdir -p "$2" && cd "$2" && pwd)
cd "$SRC"
export PYTHONPATH=$SRC:$SRC/research/redteam/redteam8 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
RUN="python3 research/redteam/redteam8/run.py --fits 150 --seed 0"
$RUN --alpha 0.05 --sizes fixed --out "$OUT" > "$OUT/final_a05_fixed.log" 2>&1 &
$RUN --alpha 0.02 --sizes fixed --out "$OUT" > "$OUT/final_a02_fixed.log" 2>&1 &
wait
$RUN --alpha 0.05 --sizes hetero --targets W --out "$OUT/hetero_W" > "$OUT/final_a05_hetero_W.log" 2>&1 &
$RUN --alpha 0.05 --sizes hetero --targets s2,p --out "$OUT/hetero_s2p" > "$OUT/final_a05_hetero_s2p.log" 2>&1 &
wait
