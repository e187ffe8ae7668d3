#!/bin/sh
R=research/redteam28
sh $R/run.sh 2 big3
sh $R/run.sh 0 big3
