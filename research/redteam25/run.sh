#!/bin/sh
# run.sh CONFIGS LOGSTEM: build the pools, fit new (+ covariate scale off) and old
set -e
export OMP_NUM_THREADS=1
PYTHONPATH=$PWD python3 research/redteam25/attack.py gen $1
PYTHONPATH=$PWD python3 research/redteam25/attack.py fit $1 new > $2_new.jsonl
PYTHONPATH=/tmp/wt-old python3 research/redteam25/attack.py fit $1 old > $2_old.jsonl
