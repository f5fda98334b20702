#!/bin/sh
# tests/fuzz/campaign.sh — run libFuzzer targets one after the other and
# keep what tests/fuzz/RESULTS.md reports: executions, coverage, corpus
# growth and findings of each.
#
#   tests/fuzz/campaign.sh [-t SECONDS] [-o DIR] BUILD_DIR NAME...
#
# BUILD_DIR holds the binaries of `make fuzz` (tests/fuzz/fuzz_NAME, built
# with clang -fsanitize=fuzzer,address,undefined).  Each target starts from
# a copy of its checked-in corpus (tests/fuzz/corpus/NAME) in DIR/NAME, so
# the checked-in corpus never changes behind your back; crashes, leaks and
# timeouts land in DIR/NAME-artifacts/, the log in DIR/NAME.log, and one
# summary line per target in DIR/summary.tsv:
#   name  seconds  execs  execs/s  cov  ft  corpus_before  corpus_after  findings
# Default: 600 s per target, DIR /tmp/lc-fuzz.  Run it niced, in the
# background: nice -n 10 tests/fuzz/campaign.sh build-asan csv rlp ... &
set -u

secs=600
out=/tmp/lc-fuzz
while getopts t:o: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-o DIR] BUILD_DIR NAME..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { echo "usage: $0 [-t SECONDS] [-o DIR] BUILD_DIR NAME..." >&2; exit 2; }
build=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
[ -f "$out/summary.tsv" ] || printf 'name\tseconds\texecs\texecs_per_s\tcov\tft\tcorpus_before\tcorpus_after\tfindings\n' > "$out/summary.tsv"

for name in "$@"; do
	bin=$build/tests/fuzz/fuzz_$name
	[ -x "$bin" ] || { echo "campaign: no $bin (make fuzz)" >&2; continue; }
	corpus=$out/$name
	art=$out/$name-artifacts
	rm -rf "$corpus" "$art"
	mkdir -p "$corpus" "$art"
	cp "$top/tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
	before=$(ls "$corpus" | wc -l)
	start=$(date +%s)
	# -fork would restart after a finding; one process stops at the
	# first, which is what a finding should do: fix, then run again.
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -close_fd_mask=3 \
	    -rss_limit_mb=2048 -artifact_prefix="$art/" "$corpus" \
	    > "$out/$name.log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$name.log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$out/$name.log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	after=$(ls "$corpus" | wc -l)
	findings=$(ls "$art" | wc -l)
	[ "$rc" -eq 0 ] || findings="$findings (exit $rc)"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$((end - start))" \
	    "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$before" "$after" \
	    "$findings" >> "$out/summary.tsv"
done
