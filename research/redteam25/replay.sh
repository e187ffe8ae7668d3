#!/bin/sh
# replay.sh "CONFIG LINE": one config, built and fitted by new/off (this tree) and old (/tmp/wt-old)
#   sh research/redteam25/replay.sh "quick fourier 0.1 1 fake v=heavy g=0.5 f=0"
set -e
f=$(mktemp /tmp/rt25_replay_XXXX.txt)
echo "$1" > $f
sh research/redteam25/run.sh $f ${f%.txt}
cat ${f%.txt}_new.jsonl ${f%.txt}_old.jsonl
