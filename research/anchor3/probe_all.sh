#!/bin/sh
# Replays of the seventh red team's strategies and the sixth red team's worst
# (three corruption draws each); output in research/anchor3/probe_*.txt.
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
TAG=${1:-after}
H='["seeded", {"family": ["anchor_select", {"component": 0, "level": 1.03, "rss": 1.3, "direction": "error"}], "seed": 1}]'
HF='["seeded", {"family": ["anchor_select", {"component": "fewest", "level": 1.03, "rss": 1.3, "direction": "error"}], "seed": 1}]'
S6='{"light1": ["edge_spike", {"level": 0.9, "y_level": 0.9}], "heavy": ["anchor_edge", {"component": 0, "level": 0.97, "rss": 1.3, "pick": "own", "direction": "orthogonal"}], "light2": ["edge_placement", {"component": 0, "level": 0.95, "direction": "orthogonal", "noise": 0.0, "x_level": 0.0}]}'
python3 research/redteam/redteam7/probe.py --alpha 0.05 --draws 0,1,2 \
 "{\"heavy\": $H, \"light2\": [\"anchor_match\", {\"component\": 0, \"mode\": \"aligned\", \"level\": 0.95, \"select\": true, \"heavy\": $H}]}" \
 "{\"heavy\": $H, \"light2\": [\"anchor_match\", {\"component\": 0, \"mode\": \"split\", \"level\": 0.95, \"select\": true, \"heavy\": $H}]}" \
 "{\"heavy\": $H, \"light2\": [\"anchor_match\", {\"component\": 0, \"mode\": \"matched\", \"heavy\": $H}]}" \
 "{\"heavy\": $H}" "$S6" > research/anchor3/probe_${TAG}_fixed_a0.05.txt 2>&1
python3 research/redteam/redteam7/probe.py --alpha 0.02 --draws 0,1,2 \
 "{\"heavy\": $HF, \"light2\": [\"anchor_match\", {\"component\": \"fewest\", \"mode\": \"aligned\", \"level\": 0.95, \"select\": true, \"heavy\": $HF}]}" \
 "{\"heavy\": $HF, \"light2\": [\"anchor_match\", {\"component\": \"fewest\", \"mode\": \"split\", \"level\": 0.95, \"select\": true, \"heavy\": $HF}]}" > research/anchor3/probe_${TAG}_fixed_a0.02.txt 2>&1
python3 research/redteam/redteam7/probe.py --alpha 0.05 --sizes hetero --draws 0,1,2 \
 "{\"heavy\": $HF, \"light2\": [\"anchor_match\", {\"component\": \"fewest\", \"mode\": \"aligned\", \"level\": 0.95, \"select\": true, \"heavy\": $HF}]}" \
 "{\"heavy\": $HF, \"light2\": [\"anchor_match\", {\"component\": \"fewest\", \"mode\": \"split\", \"level\": 0.95, \"select\": true, \"heavy\": $HF}]}" > research/anchor3/probe_${TAG}_hetero_a0.05.txt 2>&1
# the sixth red team's top rows at α = 0.02 and with heterogeneous sizes
S6B='{"light1": ["none", {}], "heavy": ["anchor_edge", {"component": 0, "level": 0.97, "rss": 2.0, "pick": "own", "direction": "toward"}], "light2": ["edge_placement", {"component": 0, "level": 0.95, "direction": "toward", "noise": 0.0, "x_level": 0.0}]}'
S6H='{"light1": ["edge_spike", {"level": 0.9, "y_level": 0.9}], "heavy": ["anchor_edge", {"component": 2, "level": 0.97}], "light2": ["edge_placement", {"component": 2, "level": 0.95}]}'
python3 research/redteam/redteam7/probe.py --alpha 0.02 --draws 0,1,2 "$S6" > research/anchor3/probe_${TAG}_sixth_fixed_a0.02.txt 2>&1
python3 research/redteam/redteam7/probe.py --alpha 0.05 --draws 0,1,2 "$S6B" > research/anchor3/probe_${TAG}_sixth_fixed_a0.05.txt 2>&1
python3 research/redteam/redteam7/probe.py --alpha 0.05 --sizes hetero --draws 0,1,2 "$S6H" > research/anchor3/probe_${TAG}_sixth_hetero_a0.05.txt 2>&1
