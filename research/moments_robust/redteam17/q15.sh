#!/bin/sh
# alpha 0.05: the sixteenth team's best row on the other components (class
# sizes and clean errors differ: the silent band may too)
D=research/moments_robust/redteam17
args=""
for c in 0 1 2 3 4 5 7; do
python3 $D/batch17.py 0.05 3 $D/a05_comps.log \
"{\"light2\": [\"hidden_lever\", {\"component\": $c, \"rows\": 2, \"lever\": 3.05, \"resid\": 2.35, \"noise\": 1.45, \"direction\": \"$D/clean_err_s1_a0.05_c$c.npy\"}]}" \
"{\"light2\": [\"hidden_lever\", {\"component\": $c, \"rows\": 2, \"lever\": 3.1, \"resid\": 2.3, \"noise\": 1.45, \"direction\": \"$D/clean_err_s1_a0.05_c$c.npy\"}]}"
done
