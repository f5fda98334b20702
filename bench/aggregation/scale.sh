#!/bin/sh
# bench/aggregation/scale.sh — `labelctl aggregate` on 10^6 and 10^7
# simulated votes (lc-agg-gen: K = 10, one-coin workers of accuracy
# 0.3-0.9, 10 votes per item, 100 per worker, rows in random order), every
# method, RUNS times each: the median wall time and maximum RSS of
# /usr/bin/time -v, then the crowd-kit stand-in's Dawid-Skene on the same
# 10^6 file (crowdkit_standin.py, crowd-kit could not be installed here).
# Prints Markdown.
#
#	bench/aggregation/scale.sh BUILDDIR [RUNS]
#
# Environment: SCALE_SIZES (default "1000000 10000000"), STANDIN (default
# "numpy pandas"; "" skips it), STANDIN_RUNS (default 1), STANDIN_1E7=1 to
# run the numpy stand-in once on 10^7 votes too (minutes, ~5 GB), TMPDIR.
set -eu
build=${1:?usage: scale.sh BUILDDIR [RUNS]}
runs=${2:-3}
src=$(cd "$(dirname "$0")/../.." && pwd)
gen=$build/bench/aggregation/lc-agg-gen
lc=$build/labelctl
sizes=${SCALE_SIZES:-1000000 10000000}
standin=${STANDIN-numpy pandas}
standin_runs=${STANDIN_RUNS:-1}
py=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lc-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure LABEL RUNS CMD...: "| LABEL | wall | rss |" from the medians
measure() {
	label=$1 times=$2
	shift 2
	: >"$tmp/walls"
	: >"$tmp/rss"
	i=0
	while [ $i -lt "$times" ]; do
		/usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time" || {
			echo "| $label | failed | |"
			return
		}
		sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' \
		    "$tmp/time" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++)
		    s = s * 60 + $i; print s }' >>"$tmp/walls"
		sed -n 's/.*Maximum resident set size (kbytes): //p' \
		    "$tmp/time" >>"$tmp/rss"
		i=$((i + 1))
	done
	w=$(median <"$tmp/walls")
	r=$(median <"$tmp/rss")
	all=$(sort -n "$tmp/walls" | tr '\n' ' ')
	printf '| %s | %.3f s | %.0f MB | %s|\n' "$label" "$w" \
	    "$(echo "$r" | awk '{ print $1 / 1024 }')" "$all"
}

echo "Machine: $(nproc) processors ($(sed -n 's/^model name[^:]*: //p' \
    /proc/cpuinfo | head -1)), load average at start $(cut -d' ' -f1-3 \
    /proc/loadavg) (the host is shared: figures are medians of $runs runs)."
echo
echo '| command | wall (median) | max RSS (median) | every run (s) |'
echo '|---|---|---|---|'
for n in $sizes; do
	items=$((n / 10))
	"$gen" --items $items --per-item 10 --workers $((n / 100)) \
	    --labels 10 --acc 0.3:0.9 --seed 1 --votes "$tmp/v$n.csv" \
	    --gold "$tmp/g$n.csv"
	bytes=$(wc -c <"$tmp/v$n.csv")
	for m in stake ds onecoin wawa mv; do
		measure "labelctl aggregate --method $m, $n votes ($((bytes /
		    1000000)) MB)" "$runs" "$lc" aggregate --votes "$tmp/v$n.csv" \
		    --method $m
	done
	measure "the same, ds, --threads 1, $n votes" "$runs" "$lc" \
	    aggregate --votes "$tmp/v$n.csv" --method ds --threads 1
	measure "the same, replay (sequential market replay + stake), $n votes" \
	    1 "$lc" aggregate --votes "$tmp/v$n.csv" --method replay
	if [ "$n" = 1000000 ] && [ -n "$standin" ] && [ -x "$py" ]; then
		for impl in $standin; do
			measure "crowd-kit stand-in DS ($impl), $n votes (whole \
script; fit alone below)" "$standin_runs" "$py" \
			    "$src/bench/aggregation/crowdkit_standin.py" \
			    --votes "$tmp/v$n.csv" --method ds --impl $impl
			grep -o 'fit_s=[0-9.]*' "$tmp/out" | sed "s/^/    $impl /" \
			    >>"$tmp/fits"
		done
	fi
	if [ "$n" = 10000000 ] && [ "${STANDIN_1E7:-0}" = 1 ] && [ -x "$py" ]
	then
		measure "crowd-kit stand-in DS (numpy), $n votes" 1 "$py" \
		    "$src/bench/aggregation/crowdkit_standin.py" \
		    --votes "$tmp/v$n.csv" --method ds --impl numpy
		grep -o 'fit_s=[0-9.]*' "$tmp/out" | sed "s/^/    numpy 1e7 /" \
		    >>"$tmp/fits"
	fi
	for m in ds onecoin mv; do
		"$lc" aggregate --votes "$tmp/v$n.csv" --gold "$tmp/g$n.csv" \
		    --method $m -v 2>>"$tmp/acc$n" >/dev/null
	done
	rm -f "$tmp/v$n.csv"
done
echo
echo "Load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo 'Accuracy and fit details (`--gold`, `--verbose`):'
echo
echo '```'
for n in $sizes; do
	grep -h -e '^accuracy' -e '^fit' "$tmp/acc$n" | sed "s/^/$n votes: /"
done
[ -f "$tmp/fits" ] && cat "$tmp/fits"
echo '```'
