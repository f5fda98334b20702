#!/usr/bin/env bash
# bench/load/profile.sh — where the CPU of one labeled item goes: the
# whole machine sampled with perf while bench/load/run.sh's labelers run.
#
#   bench/load/profile.sh [--build DIR] [--labelers 64] [--mode claim]
#       [--seconds 20] [--sample 12] [--out FILE]
#
# Runs run.sh for one level and mode (one run, pg_stat_statements on) and,
# from 3 s into its measured loadgen run, `perf record -a -g` for --sample
# seconds.  Prints, and writes to --out (default: stdout only):
#   - CPU by process: PostgreSQL backends, labelchaind (its HTTP worker
#     threads and the rest), loadgen, idle, other; as a share of the
#     machine and as CPU microseconds per labeled item (the share x the
#     cores x the sample time / the items labeled in it, at the run's
#     labels/s);
#   - labelchaind by part: HTTP (libmicrohttpd and the kernel's socket
#     work), signature (libsodium), SQL client (libpq), JSON (cJSON),
#     aggregation (reputation/: rep_*), the money path and the rest of the
#     server's own code, libc;
#   - the SQL statements by execution time per labeled item
#     (pg_stat_statements, track = all: statements inside PL/pgSQL
#     functions are listed under their caller too);
#   - the rows written per labeled item, by table.
# Needs perf (linux-perf) and root or perf_event_paranoid <= 0.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$SRC/build
LEVEL=64
MODE=claim
DURATION=20
SAMPLE=12
OUT=

die() { printf 'profile: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--labelers) LEVEL=$2; shift 2 ;;
	--mode) MODE=$2; shift 2 ;;
	--seconds) DURATION=$2; shift 2 ;;
	--sample) SAMPLE=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
command -v perf >/dev/null || die "perf is missing (apt-get install linux-perf)"
[ "$SAMPLE" -le $((DURATION - 4)) ] || die "--sample must be at most --seconds - 4"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lc-profile.XXXXXX")
chmod 755 "$TMP" # PostgreSQL runs as postgres in run.sh's directory below
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# run.sh keeps its directory (--keep) so that the statements survive it.
TMPDIR=$TMP "$SRC/bench/load/run.sh" --build "$BUILD" --labelers "$LEVEL" \
    --modes "$MODE" --seconds "$DURATION" --runs 1 --pg-stat-statements \
    --keep --out "$TMP/run.md" >"$TMP/run.log" 2>&1 &
RUN_PID=$!
# The measured loadgen run is the one writing acked-*.txt (the warm-up
# writes to /dev/null).
until pgrep -f "acked-$MODE-$LEVEL-1" >/dev/null; do
	kill -0 "$RUN_PID" 2>/dev/null || { cat "$TMP/run.log" >&2; die "run.sh ended first"; }
	sleep 0.2
done
sleep 3
perf record -a -g -F 499 -o "$TMP/perf.data" -- sleep "$SAMPLE" \
    >/dev/null 2>"$TMP/perf.log" || { cat "$TMP/perf.log" >&2; die "perf record failed"; }
wait "$RUN_PID" || { cat "$TMP/run.log" >&2; die "run.sh failed"; }
RUN_PID=

row=$(grep "^| $MODE | $LEVEL | 1 |" "$TMP/run.md") || die "no run row in run.sh's output"
lps=$(echo "$row" | awk -F'|' '{ gsub(/ /, "", $6); print $6 }')
cores=$(nproc)
pgss=$(ls "$TMP"/lc-load.*/pgss/"$MODE-$LEVEL-1.tsv")
rows=$(ls "$TMP"/lc-load.*/pgss/"rows-$MODE-$LEVEL-1.tsv")

report() {
	echo "Generated $(date -u +%Y-%m-%dT%H:%MZ) by:"
	echo
	echo "    bench/load/profile.sh --labelers $LEVEL --mode $MODE --seconds $DURATION --sample $SAMPLE"
	echo
	echo "- labelchain commit $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown); $cores cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- run: $(echo "$row" | awk -F'|' '{ gsub(/^ +| +$/, "", $6); gsub(/^ +| +$/, "", $9); gsub(/^ +| +$/, "", $12); printf "%s labels/s, vote p50/p99 %s ms, ratio to pgbench %s", $6, $9, $12 }')"
	echo
	echo "CPU by process ($SAMPLE s of perf samples, all CPUs):"
	echo
	echo "| process | share of the machine | CPU µs per labeled item |"
	echo "|---|---:|---:|"
	perf report -i "$TMP/perf.data" --sort comm --stdio -g none 2>/dev/null |
	    awk -v lps="$lps" -v cores="$cores" '
		/^#/ || NF < 3 { next }
		{
			pct = $2; sub(/%/, "", pct); comm = $3
			if (comm == "postgres") g = "PostgreSQL"
			else if (comm == "MHD-worker") g = "labelchaind: HTTP worker threads"
			else if (comm == "labelchaind" || comm ~ /^lc-/) g = "labelchaind: other threads"
			else if (comm == "loadgen") g = "loadgen (the labelers: HTTP client, Ed25519 signing)"
			else if (comm == "swapper") g = "idle"
			else g = "other (kernel workers, shells, other users)"
			s[g] += pct
		}
		END {
			n = split("PostgreSQL|labelchaind: HTTP worker threads|labelchaind: other threads|loadgen (the labelers: HTTP client, Ed25519 signing)|other (kernel workers, shells, other users)|idle", order, "|")
			for (i = 1; i <= n; i++) {
				g = order[i]
				us = (g == "idle" || lps <= 0) ? "–" : sprintf("%.0f", s[g] / 100 * cores * 1e6 / lps)
				printf "| %s | %.1f%% | %s |\n", g, s[g], us
			}
		}'
	echo
	echo "labelchaind by part (all its threads; shares of the machine):"
	echo
	echo "| part | share | CPU µs per labeled item |"
	echo "|---|---:|---:|"
	perf report -i "$TMP/perf.data" --comm MHD-worker,labelchaind --sort dso,sym \
	    --stdio -g none --no-children 2>/dev/null |
	    awk -v lps="$lps" -v cores="$cores" '
		/^#/ || NF < 4 { next }
		{
			pct = $1; sub(/%/, "", pct); dso = $2; sym = $4
			if (dso ~ /microhttpd/) g = "HTTP (libmicrohttpd)"
			else if (dso ~ /kernel/) g = "kernel (sockets, scheduling, futexes)"
			else if (dso ~ /sodium/) g = "signature (libsodium)"
			else if (dso ~ /libpq/) g = "SQL client (libpq)"
			else if (dso ~ /cjson/) g = "JSON (cJSON)"
			else if (dso ~ /crypto/) g = "SHA-256 (libcrypto)"
			else if (dso ~ /libc/) g = "libc (malloc, formatting, strings)"
			else if (sym ~ /^rep_/) g = "aggregation (reputation/)"
			else g = "labelchaind own code (money path, routing)"
			s[g] += pct
		}
		END {
			for (g in s)
				printf "| %s | %.2f%% | %.0f |\n", g, s[g], s[g] / 100 * cores * 1e6 / lps
		}' | sort -t'|' -k3 -rn
	echo
	echo "SQL statements by execution time per labeled item (top 20; 'top' f: inside a function):"
	echo
	echo "| calls per item | µs per item | top | statement |"
	echo "|---:|---:|---|---|"
	head -20 "$pgss" | awk -F'\t' '{ q = substr($5, 1, 110); gsub(/\|/, "\\|", q); printf "| %s | %s | %s | `%s` |\n", $2, $3, $4, q }'
	echo
	echo "Rows written per labeled item, settlers included (pg_stat_user_tables; pgbench's claim_vote.sql cycle writes 4):"
	echo
	echo "| table | rows written | of them HOT updates |"
	echo "|---|---:|---:|"
	awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$rows"
}

if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi
