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
#   - PostgreSQL by part: commit, CHECK constraints, PL/pgSQL triggers,
#     foreign-key checks, index maintenance, executor start-up, the plan
#     cache, execution proper, client I/O (from the functions the server
#     binary exports: it has no other symbols here), and lc_claim's share;
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

# PostgreSQL's samples (perf script, one stack per sample) into parts: a
# sample goes to the first category whose function is on its stack.
PG_PHASES='# one sample: header line, then one frame per line ("\t addr sym+off (dso)")
function flush(   i, c) {
	if (!insample) return
	total++
	c = "other PostgreSQL processes, and kernel work outside a backend'\''s calls"
	for (i = 1; i <= ncat; i++)
		if (cat_fn[i] in st) { c = cat_name[i]; break }
	share[c]++
	if ("ExecMakeTableFunctionResult" in st) claim++
	delete st
	insample = 0
}
BEGIN {
	n = split("CommitTransactionCommand=commit (the WAL flush and its fsync included)|ExecConstraints=CHECK constraints (their expressions read and planned again by every statement, then evaluated)|plpgsql_exec_trigger=PL/pgSQL triggers (progress queue, movement check)|AfterTriggerEndQuery=foreign-key checks (the other after-statement triggers)|ExecInsertIndexTuples=index entries of inserted and non-HOT updated rows|standard_ExecutorStart=executor start-up (plan trees initialised, per statement)|GetCachedPlan=plan cache (revalidation, generic plans)|pg_plan_query=planning|standard_ExecutorRun=executing statements (scans, joins, row writes)|standard_ExecutorFinish=executing statements (scans, joins, row writes)|standard_ExecutorEnd=executor shut-down|secure_read=client socket I/O|secure_write=client socket I/O|pq_getbyte=client socket I/O|PostgresMain=the rest of a backend (protocol, parse/bind, transaction start, snapshots)", parts, "|")
	for (i = 1; i <= n; i++) {
		split(parts[i], kv, "=")
		cat_fn[i] = kv[1]; cat_name[i] = kv[2]
		if (!(kv[2] in seen)) { seen[kv[2]] = 1; order[++norder] = kv[2] }
	}
	ncat = n
	order[++norder] = "other PostgreSQL processes, and kernel work outside a backend'\''s calls"
}
/^[^ \t]/ { flush(); insample = 1; next }
/^[ \t]*$/ { next }
{
	sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym)
	st[sym] = 1
}
END {
	flush()
	for (i = 1; i <= norder; i++)
		if (share[order[i]] > 0)
			printf "| %s | %.1f%% | %.0f |\n", order[i], 100 * share[order[i]] / total, share[order[i]] / total * pgus
	printf "| *of all the above: inside lc_claim (the claim, one PL/pgSQL function)* | *%.1f%%* | *%.0f* |\n", 100 * claim / total, claim / total * pgus
}
'

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
	echo "PostgreSQL by what its processes do (each sample counted once, under the first of these"
	echo "functions on its stack, in this order; read from the exported symbols of the server's binary):"
	echo
	echo "| part | share of PostgreSQL | CPU µs per labeled item |"
	echo "|---|---:|---:|"
	pg_pct=$(perf report -i "$TMP/perf.data" --sort comm --stdio -g none 2>/dev/null |
	    awk '!/^#/ && $3 == "postgres" { sub(/%/, "", $2); print $2 }')
	perf script -i "$TMP/perf.data" --comm postgres 2>/dev/null |
	    awk -v pgus="$(awk -v p="${pg_pct:-0}" -v c="$cores" -v l="$lps" \
		'BEGIN { printf "%.0f", (l > 0 ? p / 100 * c * 1e6 / l : 0) }')" "$PG_PHASES"
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
