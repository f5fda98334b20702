#!/usr/bin/env bash
# bench/load/run.sh — the whole-stack load benchmark of the market's money
# path, in one command; writes bench/load/RESULTS.md.
#
#   bench/load/run.sh [--build DIR] [--labelers "1 8 32 64 256"] [--seconds 20]
#       [--runs 3] [--modes "claim next"] [--threads 4] [--pool 16]
#       [--tasks 100000] [--warmup 5] [--pg-stat-statements] [--keep-leases]
#       [--reuse-project] [--keep] [--out FILE]
#
# It starts its own durable PostgreSQL 15 cluster in a temporary directory
# (configured like the dev stack: fsync and synchronous_commit on; socket in
# the cluster's directory; run as `postgres` when we are root;
# max_connections=300) and labelchaind from DIR (default: build/) without a
# chain.  Once: a requester, a project of --tasks tasks, and as many labelers
# as the largest level, through the API (bench/load/loadgen).  Then for each
# mode, labeler count and run: a warm-up of --warmup seconds (not measured;
# the tables then hold what a working market holds), VACUUM ANALYZE,
# loadgen for --seconds, the invariants checked
# with psql (PASS/FAIL), labelchaind's RSS, then pgbench's claim_vote.sql for
# as long on the same cluster with 64 clients and with as many clients as
# labelers.  RESULTS.md gets medians over the runs with min–max; the text
# above its "<!-- generated below -->" line is kept.
#
# --pg-stat-statements loads pg_stat_statements (track = all) and reports
# the statements the server sends per labeled item, and the statements by
# execution time per labeled item.  After each run loadgen skips the
# leases its labelers still hold, so the next run does not start with
# slots taken until they expire; --keep-leases leaves them (then see "leases past expiry").
# Each labeler count and mode gets a fresh project (an upload takes ~2 s):
# the claim's cost grows with what each labeler has already voted on in the
# project, so a shared project would make later levels and modes pay for
# earlier ones.  --reuse-project keeps one project as long as it has at
# least half its tasks open.  --keep leaves the temporary directory.
# Everything started here is stopped on exit, failure or Ctrl-C.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$SRC/bench/load
BUILD=$SRC/build
LEVELS="1 8 32 64 256"
DURATION=20
RUNS=3
MODES="claim next"
THREADS=4
POOL=16
TASKS=100000
WARMUP=5
PGSS=0
KEEP=0
REUSE=0
RELEASE=--release-leases
OUT=$HERE/RESULTS.md
PGBENCH_CLIENTS=64		# the fixed yardstick
PG_MAX_CONNECTIONS=300
REQUESTER_CREDIT=1000000000000000 # 10^9 credits: funds many projects

say() { printf '\033[1mload:\033[0m %s\n' "$*" >&2; }
die() { printf 'load: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }

# The command as typed, for RESULTS.md.
COMMAND="bench/load/run.sh"
for a in "$@"; do
	case $a in
	*[[:space:]]*) COMMAND+=" \"$a\"" ;;
	*) COMMAND+=" $a" ;;
	esac
done

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
	--labelers) LEVELS=$2; shift 2 ;;
	--seconds) DURATION=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--modes) MODES=$2; shift 2 ;;
	--threads) THREADS=$2; shift 2 ;;
	--pool) POOL=$2; shift 2 ;;
	--tasks) TASKS=$2; shift 2 ;;
	--warmup) WARMUP=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--pg-stat-statements) PGSS=1; shift ;;
	--keep) KEEP=1; shift ;;
	--reuse-project) REUSE=1; shift ;;
	--keep-leases) RELEASE=; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
for m in $MODES; do
	case $m in claim|next) ;; *) die "--modes: '$m' is not claim or next" ;; esac
done
MAX_LEVEL=0
for n in $LEVELS; do
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || die "--labelers: '$n' is not a count"
	[ "$n" -gt "$MAX_LEVEL" ] && MAX_LEVEL=$n
done
[ $((MAX_LEVEL + POOL + 10)) -lt $PG_MAX_CONNECTIONS ] ||
    die "--labelers up to $MAX_LEVEL needs more than max_connections=$PG_MAX_CONNECTIONS"
LOADGEN=$BUILD/bench/load/loadgen
LABELCTL=$BUILD/labelctl
for f in "$BUILD/labelchaind" "$LABELCTL" "$LOADGEN"; do
	[ -x "$f" ] || die "$f is missing (build first: make -C $BUILD)"
done
command -v pgbench >/dev/null || die "pgbench is missing (postgresql-contrib / postgresql)"
PG_BIN=$(pg_config --bindir)

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lc-load.XXXXXX")
chmod 755 "$TMP"
PGDATA=$TMP/pg
SERVER_PID=
PG_STARTED=0
cleanup() {
	# A closed terminal or pipe must not stop the clean-up half-way.
	trap - EXIT
	trap '' INT TERM PIPE HUP
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ "$PG_STARTED" = 1 ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
	fi
	if [ "$KEEP" = 1 ]; then
		say "kept $TMP" 2>/dev/null || true
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- PostgreSQL: durable, like the dev stack (scripts/dev pg_start) ---
PG_PORT=$(free_port)
mkdir -m 700 "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
say "PostgreSQL in $PGDATA (durable: fsync, synchronous_commit on)"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 \
    --no-instructions >/dev/null
PG_OPTS="-k $PGDATA -p $PG_PORT -c listen_addresses='' -c max_connections=$PG_MAX_CONNECTIONS"
[ "$PGSS" = 1 ] && PG_OPTS+=" -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
PG_OPTS+=" ${LC_LOAD_PG_OPTS:-}"
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" -o "$PG_OPTS" start >/dev/null
PG_STARTED=1
as_pg "$PG_BIN/createdb" -h "$PGDATA" -p "$PG_PORT" -U postgres labelchain
export DATABASE_URL="host=$PGDATA port=$PG_PORT user=postgres dbname=labelchain"
PSQL=(psql -X -h "$PGDATA" -p "$PG_PORT" -U postgres -d labelchain -v ON_ERROR_STOP=1 -Atq)
sql() { "${PSQL[@]}" -c "$1"; }
[ "$PGSS" = 1 ] && sql "CREATE EXTENSION pg_stat_statements"
LABELCHAIN_SQL_DIR=$SRC/sql "$LABELCTL" migrate >/dev/null

# --- labelchaind, no chain ---
HTTP_PORT=$(free_port)
URL=http://127.0.0.1:$HTTP_PORT
say "labelchaind on $URL (LABELCHAIN_THREADS=$THREADS LABELCHAIN_DB_POOL=$POOL)"
# Every labeler of the load generator comes from 127.0.0.1 and votes as
# fast as it can: the per-address and per-account limits are lifted.
LABELCHAIN_LISTEN=127.0.0.1:$HTTP_PORT LABELCHAIN_SQL_DIR=$SRC/sql \
    LABELCHAIN_WEB_ROOT=$SRC/web LABELCHAIN_RPC_URL= \
    LABELCHAIN_THREADS=$THREADS LABELCHAIN_DB_POOL=$POOL \
    LABELCHAIN_LIMITS_EXEMPT=127.0.0.1 LABELCHAIN_RATE_LABEL=off \
    LABELCHAIN_RATE_UPLOAD=off \
    "$BUILD/labelchaind" >>"$TMP/labelchaind.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
	curl -fs "$URL/healthz" >/dev/null 2>&1 && break
	kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$TMP/labelchaind.log" >&2; die "labelchaind exited"; }
	sleep 0.1
done
curl -fs "$URL/healthz" >/dev/null || die "labelchaind is not healthy"

# --- setup: requester, labelers, first project ---
T0=$(date +%s)
acct=$("$LABELCTL" account create --role requester --name load-requester)
REQ_ID=$(sed -n 's/^id=//p' <<<"$acct")
REQ_TOKEN=$(sed -n 's/^token=//p' <<<"$acct")
"$LABELCTL" credit "$REQ_ID" "$REQUESTER_CREDIT" >/dev/null
KEYS=$TMP/keys
say "setup: $MAX_LEVEL labelers"
# Stake for every run of the benchmark: a labeler alone in a project (the
# 1-labeler level) never sees its tasks final, so each vote keeps its bond
# (3% of the project's stake_ref) to the end of the benchmark; at 300
# labels/s, 1,000 credits of stake were all bonded within the 1-labeler
# runs and later claims were refused (403 insufficient-stake), as they
# should be.  Weight is capped at stake_ref: more stake changes nothing else.
LABELER_CREDIT=1000000000000	# 10^6 credits
LABELER_STAKE=100000000000	# 10^5 credits
"$LOADGEN" --url "$URL" --setup-labelers --labelers "$MAX_LEVEL" --keys "$KEYS" \
    --credit "$LABELER_CREDIT" --stake "$LABELER_STAKE" \
    --labelctl "$LABELCTL" >/dev/null
new_project() {
	local line
	line=$("$LOADGEN" --url "$URL" --setup-project --tasks "$TASKS" \
	    --requester-token "$REQ_TOKEN") || die "project setup failed"
	PROJECT=$(sed -n 's/.*"project":\([0-9]*\).*/\1/p' <<<"$line")
	[ -n "$PROJECT" ] || die "no project id in: $line"
}
new_project
say "setup done in $(( $(date +%s) - T0 )) s (project $PROJECT)"

# settle_wait: wait until the server's queues (posted balance changes,
# reputation evidence, leaves for the log) are empty; prints the
# milliseconds it took (-1 after 60 s).
settle_wait() {
	local t0 n
	t0=$(date +%s%N)
	for _ in $(seq 600); do
		n=$(sql "SELECT (SELECT count(*) FROM ledger_pending) +
		    (SELECT count(*) FROM reputation_pending) +
		    (SELECT count(*) FROM log_pending)")
		if [ "$n" = 0 ]; then
			echo $(( ($(date +%s%N) - t0) / 1000000 ))
			return 0
		fi
		sleep 0.1
	done
	echo -1
}

# rows_snapshot: rows written so far per table (inserted, updated,
# deleted; updated HOT), once every backend has reported: idle backends
# flush their statistics within 10 s.
rows_snapshot() {
	sleep 11
	# The market's tables only: pgbench's (schema bench) have the same
	# names, and a run after the first would count theirs too.
	sql "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del, n_tup_hot_upd
	    FROM pg_stat_user_tables WHERE schemaname = 'public'
	    ORDER BY relname COLLATE \"C\""
}

# rows_written LABELS: per table, rows written and HOT updates per
# labeled item between the two snapshots, the largest first, then the sum.
rows_written() {
	LC_ALL=C join -t'|' "$PGSS_DIR/rows-before.tsv" "$PGSS_DIR/rows-after.tsv" |
	    awk -F'|' -v n="$1" '
		{ w = ($4 - $2) / n; h = ($5 - $3) / n
		  if (w > 0.005) printf "%s\t%.2f\t%.2f\n", $1, w, h
		  tw += w; th += h }
		END { printf "all tables\t%.2f\t%.2f\n", tw, th }' |
	    sort -t$'\t' -k2 -rn
}

# jget JSON KEY: a number of loadgen's flat JSON line.
jget() { sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" <<<"$1"; }

# pgbench_cycles CLIENTS: claim+vote cycles/s on fresh bench tables.
pgbench_cycles() {
	local c=$1 j=2 out
	[ "$c" -lt "$j" ] && j=$c
	"${PSQL[@]}" -f "$HERE/pgbench_setup.sql" >/dev/null
	sql "CHECKPOINT"
	out=$(pgbench -h "$PGDATA" -p "$PG_PORT" -U postgres -n -M prepared \
	    -c "$c" -j "$j" -T "$DURATION" -f "$HERE/claim_vote.sql" labelchain 2>&1) || {
		echo "$out" | tail -5 >&2; die "pgbench failed"; }
	if grep -q 'client.*aborted' <<<"$out"; then
		echo "$out" | grep aborted | head -3 >&2
		say "WARNING: pgbench clients aborted"
	fi
	sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -1
}

# check NAME OK DETAIL: one invariant's verdict.
check() {
	if [ "$2" = 1 ]; then
		printf '  PASS  %s (%s)\n' "$1" "$3" >&2
	else
		printf '  FAIL  %s (%s)\n' "$1" "$3" >&2
		FAILED+=("$1")
	fi
}

RAW=$TMP/runs.tsv		# one line per run
PGSS_DIR=$TMP/pgss
mkdir -p "$PGSS_DIR"
: >"$RAW"
TOTAL_FAIL=0
FIRST=1
for n in $LEVELS; do
	for mode in $MODES; do
		open=$(sql "SELECT count(*) FROM tasks WHERE project_id = $PROJECT AND status = 'open'")
		if [ "$FIRST" = 0 ] && [ "$REUSE" = 0 ]; then
			new_project
		elif [ "$open" -lt $((TASKS / 2)) ]; then
			say "project $PROJECT has $open open tasks left: a fresh project"
			new_project
		fi
		FIRST=0
		for r in $(seq "$RUNS"); do
			open=$(sql "SELECT count(*) FROM tasks WHERE project_id = $PROJECT AND status = 'open'")
			[ "$open" -lt $((TASKS / 10)) ] && { say "project $PROJECT nearly empty: a fresh project"; new_project; }
			say "$mode, $n labelers, run $r/$RUNS (project $PROJECT, $open open tasks)"
			# A warm-up of the same load, not measured: the tables then
			# hold what a working market holds (votes, leases, bonds),
			# and the statistics taken next describe that, as they would
			# in production; plans made on empty tables are not kept
			# (ANALYZE invalidates them).
			if [ "$WARMUP" -gt 0 ]; then
				"$LOADGEN" --url "$URL" --labelers "$n" --seconds "$WARMUP" \
				    --mode "$mode" --project "$PROJECT" --keys "$KEYS" \
				    --out /dev/null $RELEASE >/dev/null 2>>"$TMP/loadgen.log" ||
				    die "warm-up failed"
				settle_wait >/dev/null
			fi
			# The same starting point for every run, as pgbench_setup.sql
			# gives pgbench: fresh statistics (without them the claim's
			# generic plan can go quadratic) and nothing left to flush.
			sql "VACUUM ANALYZE"
			sql "CHECKPOINT"
			votes_before=$(sql "SELECT count(*) FROM votes WHERE project_id = $PROJECT")
			if [ "$PGSS" = 1 ]; then
				sql "SELECT pg_stat_statements_reset()" >/dev/null
				rows_snapshot >"$PGSS_DIR/rows-before.tsv"
			fi
			ids=$TMP/acked-$mode-$n-$r.txt
			json=$("$LOADGEN" --url "$URL" --labelers "$n" --seconds "$DURATION" \
			    --mode "$mode" --project "$PROJECT" --keys "$KEYS" --out "$ids" $RELEASE \
			    2> >(tee -a "$TMP/loadgen.log" >&2)) || die "loadgen failed"
			echo "$json" >>"$TMP/loadgen.jsonl"
			labels=$(jget "$json" labels)
			stmts=-
			if [ "$PGSS" = 1 ]; then
				"${PSQL[@]}" -F $'\t' -c "SELECT calls, round(calls::numeric / greatest($labels, 1), 2),
				    round((total_exec_time * 1000 / greatest($labels, 1))::numeric, 1),
				    CASE WHEN toplevel THEN 't' ELSE 'f' END,
				    regexp_replace(left(query, 200), '\s+', ' ', 'g')
				    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
				    WHERE d.datname = 'labelchain' ORDER BY total_exec_time DESC LIMIT 40" \
				    >"$PGSS_DIR/$mode-$n-$r.tsv"
				# Round trips: the statements the server sent (top level).
				stmts=$(sql "SELECT round(sum(calls)::numeric / greatest($labels, 1), 1)
				    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
				    WHERE d.datname = 'labelchain' AND s.toplevel")
			fi

			# Invariants, once the settlers have applied what the run
			# queued (balances, reputations, leaves); how long that took
			# is reported.
			drain_ms=$(settle_wait)
			if [ "$PGSS" = 1 ]; then
				rows_snapshot >"$PGSS_DIR/rows-after.tsv"
				rows_written "$labels" >"$PGSS_DIR/rows-$mode-$n-$r.tsv"
			fi
			FAILED=()
			ledger_sum=$(sql "SELECT coalesce(sum(amount), 0) FROM ledger_entries")
			check "ledger sums to zero" "$([ "$ledger_sum" = 0 ] && echo 1)" "sum = $ledger_sum"
			bad_bal=$(sql "SELECT count(*) FROM ledger_accounts la LEFT JOIN
			    (SELECT account_key, sum(amount) AS s FROM ledger_entries GROUP BY 1) e
			    ON e.account_key = la.key WHERE la.balance <> coalesce(e.s, 0)")
			check "balances equal their entries" "$([ "$bad_bal" = 0 ] && echo 1)" "$bad_bal accounts differ"
			IFS='|' read -r n_ack n_distinct n_not_one votes_after < <("${PSQL[@]}" <<SQL
CREATE TEMP TABLE ack (id bigint);
\\copy ack FROM '$ids'
SELECT count(*), count(DISTINCT id),
    (SELECT count(*) FROM ack a WHERE (SELECT count(*) FROM votes v WHERE v.assignment_id = a.id) <> 1),
    (SELECT count(*) FROM votes WHERE project_id = $PROJECT)
FROM ack;
SQL
)
			stored=$((votes_after - votes_before))
			check "each acknowledged vote stored once" \
			    "$([ "$n_not_one" = 0 ] && [ "$n_ack" = "$n_distinct" ] && echo 1)" \
			    "$n_ack acknowledged, $n_not_one without exactly one row, $((n_ack - n_distinct)) repeated"
			check "votes stored = votes acknowledged" "$([ "$stored" = "$n_ack" ] && echo 1)" \
			    "$stored stored, $n_ack acknowledged"
			no_task=$(jget "$json" no_task_204)
			check "no 204 (no task) answers" "$([ "$no_task" = 0 ] && echo 1)" "$no_task"
			errors=$(jget "$json" errors)
			check "no 5xx or transport errors" "$([ "$errors" = 0 ] && echo 1)" "$errors"
			# The sweeper runs every second: a lease 2 s past its
			# expiry and still active would be one held past it.
			expired=$(sql "SELECT count(*) FROM assignments WHERE status = 'active' AND expires_at < now() - interval '2 seconds'")
			check "no lease held past its expiry" "$([ "$expired" = 0 ] && echo 1)" "$expired"
			check "queues settled" "$([ "$drain_ms" != -1 ] && echo 1)" "$([ "$drain_ms" != -1 ] && echo "in $drain_ms ms" || echo "not drained after 60 s")"
			if [ ${#FAILED[@]} -eq 0 ]; then
				verdict="8/8 PASS"
			else
				verdict="FAIL: $(IFS=';'; echo "${FAILED[*]}")"
				TOTAL_FAIL=$((TOTAL_FAIL + 1))
			fi

			rss=$(awk '/^VmRSS:/ { print int($2 / 1024 + 0.5) }' "/proc/$SERVER_PID/status")
			hwm=$(awk '/^VmHWM:/ { print int($2 / 1024 + 0.5) }' "/proc/$SERVER_PID/status")

			pg64=$(pgbench_cycles "$PGBENCH_CLIENTS")
			if [ "$n" = "$PGBENCH_CLIENTS" ]; then pgn=$pg64; else pgn=$(pgbench_cycles "$n"); fi
			ratio=$(awk -v a="$(jget "$json" labels_per_s)" -v b="$pg64" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
			say "$(jget "$json" labels_per_s) labels/s, pgbench $pg64 cycles/s (64 clients), $pgn ($n clients), ratio $ratio, RSS $rss MiB"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
			    "$mode" "$n" "$r" "$(jget "$json" labels_per_s)" "$(jget "$json" claims_per_s)" \
			    "$(jget "$json" claim_p50_ms)" "$(jget "$json" claim_p99_ms)" \
			    "$(jget "$json" vote_p50_ms)" "$(jget "$json" vote_p99_ms)" \
			    "$pg64" "$pgn" "$ratio" "$rss" "$hwm" "$no_task" "$verdict" "$expired" \
			    "$(jget "$json" labels)" "$stmts" "$errors" "$drain_ms" >>"$RAW"
		done
	done
done
ELAPSED=$(( $(date +%s) - T0 ))

# --- RESULTS.md ---
say "writing $OUT"
{
	if [ -f "$OUT" ] && grep -q '^<!-- generated below -->$' "$OUT"; then
		sed -n '1,/^<!-- generated below -->$/p' "$OUT"
	else
		cat <<'HEAD'
# bench/load — the market's money path under load

Whole-stack: loadgen's labeler threads (one keep-alive HTTP connection each)
claim a task, sign the vote with Ed25519 and submit it, in a closed loop,
against labelchaind on a durable PostgreSQL; the yardstick is pgbench running
the equivalent SQL of one labeled item (claim_vote.sql: two transactions,
two commits) on the same cluster right after.  ratio = labels/s ÷ pgbench
cycles/s (64 clients), per run, then the median.  Regenerate with
bench/load/run.sh (see its header); the text above the marker is kept.

<!-- generated below -->
HEAD
	fi
	echo
	echo "Generated $(date -u +%Y-%m-%dT%H:%MZ) in ${ELAPSED} s by:"
	echo
	echo "    $COMMAND"
	echo
	commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$SRC" diff --quiet HEAD -- . ':!bench' 2>/dev/null || commit+=" (with local changes)"
	echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
	echo "- PostgreSQL: $(sql 'SHOW server_version' | cut -d' ' -f1), durable (fsync=$(sql 'SHOW fsync'), synchronous_commit=$(sql 'SHOW synchronous_commit')), shared_buffers=$(sql 'SHOW shared_buffers'), max_connections=$PG_MAX_CONNECTIONS, on the same machine"
	echo "- labelchain commit $commit; labelchaind LABELCHAIN_THREADS=$THREADS, LABELCHAIN_DB_POOL=$POOL, no chain; loadgen, labelchaind and PostgreSQL share the machine"
	echo "- $TASKS tasks per project, $([ "$REUSE" = 1 ] && echo "one project reused while half its tasks are open (--reuse-project)" || echo "a fresh project for each labeler count and mode; the runs of one level share it")"
	echo "- project: 3 labels, min_votes 3, max_votes 5, confidence 0.9, reward 1000, no gold; every labeler votes labels[task_id % 3]; each labeler has staked $((LABELER_STAKE / 1000000)) credits"
	echo "- $DURATION s per run, $RUNS runs; figures are medians with min–max; pgbench: -M prepared -j 2 -T $DURATION, $PGBENCH_CLIENTS clients and as many as labelers"
	echo "- after each loadgen run: leases still held are $([ -n "$RELEASE" ] && echo "skipped (POST .../skip, not measured)" || echo "left to expire (--keep-leases)")"
	echo "- before each loadgen run: a warm-up of the same load for $WARMUP s (not measured), then VACUUM ANALYZE and CHECKPOINT; before each pgbench run: fresh bench tables (pgbench_setup.sql, ends with VACUUM ANALYZE) and CHECKPOINT"
	for mode in $MODES; do
		echo
		echo "## Mode $mode"
		echo
		echo "| labelers | labels/s | claims/s | claim p50/p99 ms | vote p50/p99 ms | pgbench cycles/s (64 clients) | pgbench cycles/s (as many clients as labelers) | ratio | RSS MiB (peak) | 204s | statements per label | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		for n in $LEVELS; do
			awk -F'\t' -v m="$mode" -v n="$n" '
			function med(col,   i, j, t, k, v) {
				k = 0
				for (i = 1; i <= cnt; i++) v[++k] = row[i, col] + 0
				for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
					if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
				lo = v[1]; hi = v[k]
				return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
			}
			function fmt(x, d) { return sprintf("%." d "f", x) }
			function reasons(   r, k) {
				for (k in why) r = r (r == "" ? "" : "; ") k
				return r
			}
			function mm(col, d,   m) {
				m = med(col)
				if (cnt == 1 || lo == hi) return fmt(m, d)
				return fmt(m, d) " (" fmt(lo, d) "–" fmt(hi, d) ")"
			}
			$1 == m && $2 == n { cnt++; for (i = 1; i <= NF; i++) row[cnt, i] = $i
				if ($16 ~ /^FAIL/) { runs = runs (runs == "" ? "" : ",") $3
					split($16, f, /: /); why[f[2]] = 1 }
				s204 += $15 }
			END {
				if (cnt == 0) exit
				stm = row[1, 19] == "-" ? "–" : mm(19, 1)
				printf "| %s | %s | %s | %s / %s | %s / %s | %s | %s | %s | %s (%s) | %d | %s | %s |\n",
				    n, mm(4, 0), mm(5, 0), fmt(med(6), 1), fmt(med(7), 1),
				    fmt(med(8), 1), fmt(med(9), 1), mm(10, 0), mm(11, 0),
				    mm(12, 3), fmt(med(13), 0), fmt(med(14), 0), s204, stm,
				    runs == "" ? "all PASS" : "FAIL in run " runs ": " reasons()
			}' "$RAW"
		done
	done
	echo
	echo "## Every run"
	echo
	echo "| mode | labelers | run | labels | labels/s | claims/s | claim p50/p99 ms | vote p50/p99 ms | pgbench 64 | pgbench N | ratio | RSS / peak MiB | 204s | 5xx+transport | leases past expiry | settled after ms | invariants |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %.0f | %.0f | %s | %s / %s | %s | %s | %s | %s | %s |\n",
	    $1, $2, $3, $18, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $20, $17, $21, $16 }' "$RAW"
	echo
	echo "Invariants checked with psql after every loadgen run, once the server's"
	echo "settlers have applied what the run queued (\"settled after\": how long after"
	echo "the run's end that took): the ledger sums to zero; every ledger account's"
	echo "balance equals the sum of its entries; every acknowledged vote (loadgen"
	echo "--out) has exactly one row in votes; the votes stored in the project during"
	echo "the run equal the votes acknowledged; no claim answered 204; no 5xx or"
	echo "transport error; no lease active 2 s past its expiry (the sweeper runs"
	echo "every second); the queues drained."
	if [ "$PGSS" = 1 ]; then
		echo
		echo "## Statements per labeled item (pg_stat_statements, last run of each level)"
		for mode in $MODES; do
			for n in $LEVELS; do
				f=$PGSS_DIR/$mode-$n-$RUNS.tsv
				[ -f "$f" ] || continue
				echo
				echo "$mode, $n labelers (top 40 by execution time; top-level f: run inside a function, and counted in its caller's time too):"
				echo
				echo "| calls | per label | µs per label | top-level | statement |"
				echo "|---:|---:|---:|---|---|"
				awk -F'\t' '{ q = $5; gsub(/\|/, "\\|", q); printf "| %s | %s | %s | %s | `%s` |\n", $1, $2, $3, $4, q }' "$f"
				f=$PGSS_DIR/rows-$mode-$n-$RUNS.tsv
				[ -f "$f" ] || continue
				echo
				echo "$mode, $n labelers: rows written per labeled item (pg_stat_user_tables: inserted, updated or deleted, settlers included; HOT updates of them). pgbench's cycle writes 4 (claim_vote.sql: 3 updates, 1 insert)."
				echo
				echo "| table | rows written per label | of them HOT updates |"
				echo "|---|---:|---:|"
				awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$f"
			done
		done
	fi
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "done in ${ELAPSED} s; $TOTAL_FAIL runs with failed invariants"
[ "$TOTAL_FAIL" = 0 ]
