#!/bin/sh
# bench/aggregation/run.sh — regenerate bench/aggregation/RESULTS.md.
#	bench/aggregation/run.sh BUILDDIR [DATASETS_DIR]
# BUILDDIR is a configured build tree (make there first); DATASETS_DIR
# defaults to $LC_DATASETS, else <source>/../shared/datasets.  The scale
# runs (scale.sh) take a few minutes; SCALE=0 skips them, SCALE_RUNS sets
# their repetitions (default 3); STANDIN_1E7=1 adds the crowd-kit stand-in
# on 10^7 votes (minutes, ~5 GB).
set -eu
build=${1:?usage: run.sh BUILDDIR [DATASETS_DIR]}
src=$(cd "$(dirname "$0")/../.." && pwd)
data=${2:-${LC_DATASETS:-$src/../shared/datasets}}
out=$src/bench/aggregation/RESULTS.md
b=$build/bench/aggregation
tmp=$out.tmp
py=/usr/bin/python3
{
	sed -n '1,/^<!-- generated below -->$/p' "$out"
	echo
	# The settings that differ from the defaults, as they were given.
	env=
	[ "${SCALE:-1}" != 1 ] && env="${env}SCALE=$SCALE "
	[ -n "${SCALE_RUNS:-}" ] && env="${env}SCALE_RUNS=$SCALE_RUNS "
	[ "${STANDIN_1E7:-0}" != 0 ] && env="${env}STANDIN_1E7=$STANDIN_1E7 "
	echo "Generated $(date -u +%Y-%m-%d) on $(uname -m), $(nproc) cores, by"
	echo "\`${env}bench/aggregation/run.sh BUILDDIR\`."
	echo
	echo "## Data sets"
	echo
	"$b/lc-agg-eval" --datasets "$data" --runs 5 >"$tmp.eval"
	cat "$tmp.eval"
	echo
	echo "## Against crowd-kit, per data set"
	echo
	if [ -x "$py" ] && "$py" -c 'import numpy, pandas, scipy' 2>/dev/null
	then
		echo "crowd-kit is not installed on this machine (PyPI is"
		echo "unreachable): its columns (ck ...) are"
		echo '`crowdkit_standin.py`, a re-implementation of its algorithms'
		echo "and defaults — a STAND-IN, not crowd-kit.  Bold: the best of"
		echo "the row, references included."
		echo
		"$py" "$src/bench/aggregation/crowdkit_standin.py" \
		    --datasets "$data" >"$tmp.standin"
		"$py" "$src/bench/aggregation/compare.py" "$tmp.eval" \
		    "$tmp.standin"
	else
		echo "(skipped: /usr/bin/python3 with numpy, pandas, scipy"
		echo "needed for the crowd-kit stand-in)"
	fi
	echo
	echo "## Regularisation sweep: every method against majority vote"
	echo
	"$b/lc-agg-sweep" --labels 10 --acc 0.3:0.9 --seeds 5
	echo
	"$b/lc-agg-sweep" --labels 2 --acc 0.3:0.9 --seeds 5
	echo
	echo "## Adversarial simulator"
	echo
	"$b/lc-agg-sim"
	echo
	echo "## Speed of the estimators (one core, EM only)"
	echo
	taskset -c 0 "$b/lc-agg-speed" --runs 5 2>/dev/null ||
	    "$b/lc-agg-speed" --runs 5 2>/dev/null
	if [ "${SCALE:-1}" != 0 ]; then
		echo
		echo "## labelctl aggregate at 10^6 and 10^7 votes"
		echo
		sh "$src/bench/aggregation/scale.sh" "$build" \
		    "${SCALE_RUNS:-3}"
	fi
} >"$tmp"
rm -f "$tmp.eval" "$tmp.standin"
mv "$tmp" "$out"
