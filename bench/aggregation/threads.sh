#!/bin/sh
# bench/aggregation/threads.sh — `labelctl aggregate` on one thread and on
# two, interleaved (1, 2, 1, 2, ...) so that both see the same load on a
# shared host: the median wall time of each method at each thread count,
# on the 10^6-vote crowd of scale.sh.  Prints Markdown.
#
#	bench/aggregation/threads.sh BUILDDIR [RUNS]
#
# Environment: METHODS (default "stake ds onecoin wawa mv"), TMPDIR.
set -eu
build=${1:?usage: threads.sh BUILDDIR [RUNS]}
runs=${2:-7}
methods=${METHODS:-stake ds onecoin wawa mv}
lc=$build/labelctl
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lc-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

"$build/bench/aggregation/lc-agg-gen" --items 100000 --per-item 10 \
    --workers 10000 --labels 10 --acc 0.3:0.9 --seed 1 --votes "$tmp/v.csv"
echo "Load average at start $(cut -d' ' -f1-3 /proc/loadavg); $runs rounds."
: >"$tmp/times"
i=0
while [ $i -lt "$runs" ]; do
	for m in $methods; do
		for t in 1 2; do
			/usr/bin/time -f "$m $t %e" "$lc" aggregate \
			    --votes "$tmp/v.csv" --method "$m" --threads $t \
			    >/dev/null 2>>"$tmp/times"
		done
	done
	i=$((i + 1))
done
echo "Load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo '| method | --threads 1 (median) | --threads 2 (median) | every run, 1 / 2 (s) |'
echo '|---|---|---|---|'
for m in $methods; do
	for t in 1 2; do
		awk -v m="$m" -v t=$t '$1 == m && $2 == t { print $3 }' \
		    "$tmp/times" | sort -n >"$tmp/t$t"
	done
	med() { awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' "$1"; }
	printf '| %s | %s s | %s s | %s/ %s|\n' "$m" "$(med "$tmp/t1")" \
	    "$(med "$tmp/t2")" "$(tr '\n' ' ' <"$tmp/t1")" \
	    "$(tr '\n' ' ' <"$tmp/t2")"
done
