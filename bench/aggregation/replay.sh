#!/usr/bin/env bash
# bench/aggregation/replay.sh — replay the shared crowdsourcing data sets
# through the live market (issue 10), in one command, and write the result
# as the section of bench/aggregation/RESULTS.md between the lines
# `<!-- replay below -->` and `<!-- replay above -->` (the rest of the file
# is left as it is; a missing section is put just above `<!-- generated
# below -->`, so that run.sh, which rewrites what follows that line, keeps it).
#
#   bench/aggregation/replay.sh [--build DIR] [--datasets DIR]
#       [--sets "dog duck face possent product rte temp"]
#       [--orders "waves spammers-first honest-first"] [--gold "0 0.1"]
#       [--no-ring] [--ring-runs 3] [--seed N] [--product-items 800] [--jsonl FILE]
#       [--runs 1] [--append] [--render FILE] [--out FILE]
#
# Every set × order × gold rate is one replay (bench/aggregation/replay.mjs:
# a fresh PostgreSQL cluster and labelchaind from DIR, default build/, each
# time), then the ring scenario at every gold rate, --ring-runs times
# (seeds N, N+1, ...: it is quick, and varies from run to run).  product is replayed on
# a seeded subsample of --product-items of its items.  One JSON line per
# replay goes to --jsonl (default: a temporary file), with the command and
# the commit; --append adds to that file instead of starting it again, and
# the section is rendered from all of it.  --runs N replays every cell N
# times (the same seed: the spread is the market's own nondeterminism,
# labelers racing for leases); the tables show each cell's first run, a
# spread table every run of the repeated ones.  --render FILE only
# re-renders the section from such a file.  Progress on stderr.  Exit
# status 1 when a replay failed (the section names it), 2 on a usage
# error or when no replay ran (the section on file is then kept).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$SRC/build
DATASETS=${LC_DATASETS:-$SRC/../shared/datasets}
SETS="dog duck face possent product rte temp"
ORDERS="waves spammers-first honest-first"
GOLD="0 0.1"
RING=1
RING_RUNS=3
RUNS=1
APPEND=0
SEED=1
PRODUCT_ITEMS=800
JSONL=
RENDER=
OUT=$SRC/bench/aggregation/RESULTS.md

die() { printf 'replay.sh: error: %s\n' "$*" >&2; exit 2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

COMMAND="bench/aggregation/replay.sh"
for a in "$@"; do
	case $a in
	*[[:space:]]*|'') COMMAND+=" \"$a\"" ;;
	*) COMMAND+=" $a" ;;
	esac
done

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
	--datasets) DATASETS=$(cd "$2" && pwd); shift 2 ;;
	--sets) SETS=$2; shift 2 ;;
	--orders) ORDERS=$2; shift 2 ;;
	--gold) GOLD=$2; shift 2 ;;
	--no-ring) RING=0; shift ;;
	--ring-runs) RING_RUNS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--append) APPEND=1; shift ;;
	--seed) SEED=$2; shift 2 ;;
	--product-items) PRODUCT_ITEMS=$2; shift 2 ;;
	--jsonl) JSONL=$2; shift 2 ;;
	--render) RENDER=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument $1" ;;
	esac
done

[ -f "$OUT" ] || die "$OUT: no such file"
COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no -- \
    server labeling reputation sql cli 2>/dev/null)" ]; then
	COMMIT+=" (with uncommitted changes to the server)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lc-replay-sh.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if [ -n "$RENDER" ]; then
	JSONL=$RENDER
else
	[ -x "$BUILD/labelchaind" ] || die "$BUILD/labelchaind: build first"
	[ -d "$DATASETS" ] || die "$DATASETS: no data sets"
	[ -n "$JSONL" ] || JSONL=$TMP/replay.jsonl
	[ "$APPEND" = 1 ] || : >"$JSONL"
	export LC_REPLAY_COMMAND=$COMMAND LC_REPLAY_COMMIT=$COMMIT
	FAILED=
	started=$(date +%s)
	run() {	# what, then replay.mjs arguments
		local what=$1 t0 t1
		shift
		t0=$(date +%s)
		printf 'replay.sh: %s\n' "$what" >&2
		if node "$SRC/bench/aggregation/replay.mjs" --build "$BUILD" \
		    --datasets "$DATASETS" "$@" >>"$JSONL"; then
			t1=$(date +%s)
			printf 'replay.sh: %s done in %d s (%d s so far)\n' "$what" \
			    $((t1 - t0)) $((t1 - started)) >&2
		else
			FAILED+="${FAILED:+, }$what"
			printf 'replay.sh: %s FAILED\n' "$what" >&2
		fi
	}
	for g in $GOLD; do
		for s in $SETS; do
			sub=()
			[ "$s" = product ] && sub=(--subsample "$PRODUCT_ITEMS")
			for o in $ORDERS; do
				for ((i = 1; i <= RUNS; i++)); do
					what="$s $o gold $g"
					[ "$RUNS" -eq 1 ] || what+=" run $i of $RUNS"
					run "$what" --set "$s" --order "$o" --gold "$g" \
					    --seed "$SEED" "${sub[@]}"
				done
			done
		done
	done
	if [ "$RING" = 1 ]; then
		for g in $GOLD; do
			for ((i = 0; i < RING_RUNS; i++)); do
				run "ring gold $g seed $((SEED + i))" --ring --gold "$g" \
				    --seed $((SEED + i))
			done
		done
	fi
fi

# Nothing replayed (a missing node package, a build that does not start):
# the section on file stays as it is.
[ -s "$JSONL" ] || die "every replay failed (${FAILED:-none run}); $OUT left as it was"

SECTION=$TMP/section.md
{
	echo '<!-- replay below -->'
	echo
	echo '## Live market replay (issue 10)'
	echo
	node "$SRC/bench/aggregation/replay.mjs" --render "$JSONL" \
	    --command "$COMMAND" --commit "$COMMIT"
	if [ -n "${FAILED:-}" ]; then
		echo "Failed (see the run's stderr): $FAILED."
		echo
	fi
	echo '<!-- replay above -->'
} >"$SECTION"

# Put the section in place of the old one, or above "<!-- generated below -->".
awk -v sec="$SECTION" '
	function put() { while ((getline l < sec) > 0) print l; done = 1 }
	/^<!-- replay below -->$/ { skip = 1; put(); next }
	/^<!-- replay above -->$/ { skip = 0; next }
	skip { next }
	!done && !had && /^<!-- generated below -->$/ { put(); print ""; }
	{ print }
	END { if (!done) { print ""; put() } }
' had="$(grep -c '^<!-- replay below -->$' "$OUT" || true)" "$OUT" >"$TMP/out.md"
# (awk takes `had` before it reads the file: 0 when there is no section yet.)
cat "$TMP/out.md" >"$OUT"
printf 'replay.sh: wrote the replay section of %s\n' "$OUT" >&2
# A replay that failed is named in the section; the run still fails.
[ -z "${FAILED:-}" ] || { printf 'replay.sh: failed: %s\n' "$FAILED" >&2; exit 1; }
