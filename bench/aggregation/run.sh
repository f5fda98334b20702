#!/bin/sh
# bench/aggregation/run.sh — regenerate bench/aggregation/RESULTS.md.
#	bench/aggregation/run.sh BUILDDIR [DATASETS_DIR]
# BUILDDIR is a configured build tree (make there first); DATASETS_DIR
# defaults to $LC_DATASETS, else <source>/../shared/datasets.
set -eu
build=${1:?usage: run.sh BUILDDIR [DATASETS_DIR]}
src=$(cd "$(dirname "$0")/../.." && pwd)
data=${2:-${LC_DATASETS:-$src/../shared/datasets}}
out=$src/bench/aggregation/RESULTS.md
b=$build/bench/aggregation
tmp=$out.tmp
{
	sed -n '1,/^<!-- generated below -->$/p' "$out"
	echo
	echo "Generated $(date -u +%Y-%m-%d) on $(uname -m), $(nproc) cores, by"
	echo '`bench/aggregation/run.sh BUILDDIR`.'
	echo
	echo "## Data sets"
	echo
	"$b/lc-agg-eval" --datasets "$data" --runs 5
	echo
	echo "## Adversarial simulator"
	echo
	"$b/lc-agg-sim"
	echo
	echo "## Speed (one core)"
	echo
	taskset -c 0 "$b/lc-agg-speed" --runs 5 2>/dev/null ||
	    "$b/lc-agg-speed" --runs 5 2>/dev/null
} >"$tmp"
mv "$tmp" "$out"
