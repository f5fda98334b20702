#!/usr/bin/env bash
# bench/claim_scale/run.sh — what one claim costs as a project grows: the
# plans and timings of lc_claim() at 10^4, 10^5 and 10^6 assignments;
# writes bench/claim_scale/RESULTS.md.
#
#   bench/claim_scale/run.sh [--build DIR] [--sizes "10000 100000 1000000"]
#       [--claims 200] [--runs 5] [--labelers 6500] [--before VERSION]
#       [--keep] [--out FILE]
#
# It starts its own durable PostgreSQL 15 cluster in a temporary directory
# (like bench/load: fsync and synchronous_commit on, socket in the
# cluster's directory, run as `postgres` when we are root), and for each
# size a database migrated by `labelctl migrate` (DIR, default build/),
# filled by gen.sql (set-based, through the schema's keys and triggers):
# one project with that many assignments in a live market's mix of final,
# started and fresh tasks, votes and leases ("started"), and one project
# of as many tasks just uploaded ("fresh", where every claim takes the
# fresh-task path); VACUUM ANALYZE.
#
# For each size and project it then
#   - captures the plans of one claim: a psql session with auto_explain
#     (log_analyze, log_buffers, log_nested_statements) makes 10 claims so
#     that PL/pgSQL's plan cache is where a pooled connection of
#     labelchaind has it (generic plans from the 6th call where PostgreSQL
#     picks them), then runs EXPLAIN (ANALYZE, BUFFERS) of the 11th; every
#     statement lc_claim runs is in the server log, reduced by plans.awk;
#     then the same with plan_cache_mode = force_generic_plan, the plans a
#     connection may be left with whatever the statistics say;
#   - times --runs runs of --claims + 1 claims (the first, which compiles
#     the function on a new connection, is left out; the runs of all sizes
#     and projects take turns, so that other load on the machine falls on
#     each alike) with pgbench
#     (-M prepared, one client, claim.pgbench: the statement labelchaind
#     prepares), each claim by a labeler that has not claimed before,
#     the run's leases given back (lc_skip) after it,
#     committed durably as labelchaind does, then again with
#     synchronous_commit off (the claim's own work, without the WAL flush),
#     and with synchronous_commit off and plan_cache_mode =
#     force_generic_plan (a connection whose plan cache went generic).
#
# --before VERSION: measure twice on the same data, first with the
# migrations up to VERSION only, then after applying the rest of sql/
# (before/after of a migration).  --keep leaves the temporary directory.
# Everything started here is stopped on exit, failure or Ctrl-C.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$SRC/bench/claim_scale
BUILD=$SRC/build
SIZES="10000 100000 1000000"
CLAIMS=200
RUNS=5
LABELERS=6500
BEFORE=
KEEP=0
OUT=$HERE/RESULTS.md
WARM=10			# claims before the captured plan
MODES="durable async generic"	# of the timed runs

say() { printf '\033[1mclaim_scale:\033[0m %s\n' "$*" >&2; }
die() { printf 'claim_scale: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,44p' "$0" | sed 's/^# \{0,1\}//'; }

COMMAND="bench/claim_scale/run.sh"
for a in "$@"; do
	case $a in
	*[[:space:]]*) COMMAND+=" \"$a\"" ;;
	*) COMMAND+=" $a" ;;
	esac
done

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
	--sizes) SIZES=$2; shift 2 ;;
	--claims) CLAIMS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--labelers) LABELERS=$2; shift 2 ;;
	--before) BEFORE=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
for v in "$CLAIMS" "$RUNS" "$LABELERS"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || die "'$v' is not a count"
done
for n in $SIZES; do
	if ! [[ $n =~ ^[1-9][0-9]*$ ]] || [ "$n" -lt 1000 ]; then
		die "--sizes: '$n' is not a count >= 1000"
	fi
done
LABELS="current"
if [ -n "$BEFORE" ]; then
	[[ $BEFORE =~ ^[0-9]+$ ]] || die "--before: '$BEFORE' is not a migration version"
	ls "$SRC"/sql/"$BEFORE"_*.sql >/dev/null 2>&1 || die "--before: no sql/${BEFORE}_*.sql"
	LABELS="$BEFORE current"
fi
# Labelers per project: each label takes 2 (WARM + 1) for the plans and
# 3 RUNS (CLAIMS + 1) for the timings (one per mode), and no labeler
# claims twice.
PER_LABEL=$((2 * (WARM + 1) + 3 * RUNS * (CLAIMS + 1)))
N_LABELS=$(wc -w <<<"$LABELS")
[ $((PER_LABEL * N_LABELS)) -le "$LABELERS" ] ||
    die "--labelers $LABELERS < $((PER_LABEL * N_LABELS)) claims per project: raise it or lower --claims/--runs"
LABELCTL=$BUILD/labelctl
[ -x "$LABELCTL" ] || die "$LABELCTL is missing (build first: make -C $BUILD)"
command -v pgbench >/dev/null || die "pgbench is missing"
PG_BIN=$(pg_config --bindir)
PG_LIB=$(pg_config --pkglibdir)
[ -f "$PG_LIB/auto_explain.so" ] || die "auto_explain is missing from $PG_LIB"

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lc-claim-scale.XXXXXX")
chmod 755 "$TMP"
PGDATA=$TMP/pg
PG_STARTED=0
cleanup() {
	trap - EXIT
	trap '' INT TERM PIPE HUP
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

# --- PostgreSQL: durable, like the dev stack ---
PG_PORT=$(free_port)
mkdir -m 700 "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
say "PostgreSQL in $PGDATA, port $PG_PORT (durable: fsync, synchronous_commit on)"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 \
    --no-instructions >/dev/null
PG_OPTS="-k $PGDATA -p $PG_PORT -c listen_addresses='' ${LC_CLAIM_PG_OPTS:-}"
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" -o "$PG_OPTS" start >/dev/null
PG_STARTED=1
LOG=$PGDATA/server.log

# The migrations up to --before, for the "before" half.
if [ -n "$BEFORE" ]; then
	mkdir "$TMP/sql-before"
	for f in "$SRC"/sql/[0-9]*_*.sql; do
		v=$(basename "$f")
		v=${v%%_*}
		[ "$((10#$v))" -le "$((10#$BEFORE))" ] && cp "$f" "$TMP/sql-before/"
	done
fi

psql_db() { psql -X -h "$PGDATA" -p "$PG_PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 -Atq "${@:2}"; }
# psql_nice DB [ARGS]: the SQL on stdin, run by a backend reniced to 10
# (the data generation shares the machine with other benchmarks).
psql_nice() {
	{
		# shellcheck disable=SC2016 # $LC_BACKEND is for psql's shell
		printf '%s\n' 'SELECT pg_backend_pid() AS lc_backend \gset' \
		    '\setenv LC_BACKEND :lc_backend' \
		    '\! renice -n 10 -p "$LC_BACKEND" >/dev/null'
		cat
	} | psql_db "$1" "${@:2}" -f -
}
migrate() {
	DATABASE_URL="host=$PGDATA port=$PG_PORT user=postgres dbname=$1" \
	    LABELCHAIN_SQL_DIR=$2 "$LABELCTL" migrate >&2
}

# median FILE / p99 FILE: of one number per line, in microseconds.
pct() { sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END {
	i = int(NR * p + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'; }

RAW=$TMP/timings.tsv	# size label project durability run median p99 leased
PLANS=$TMP/plans.tsv	# size label project <plans.awk columns>
FACTS=$TMP/facts.tsv	# size tasks assignments votes leases sizes gen_s
: >"$RAW"
: >"$PLANS"
: >"$FACTS"
mkdir -p "$TMP/plans"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# plan_capture DB SIZE LABEL NAME PROJECT FIRST MODE: WARM claims then the
# EXPLAIN of one more, labelers FIRST.. ; MODE auto (PostgreSQL's choice
# of custom or generic plans) or generic (forced); appends to PLANS, keeps
# the log.
plan_capture() {
	local db=$1 size=$2 label=$3 name=$4 project=$5 first=$6 mode=$7
	local start pid cache=auto f
	[ "$mode" = generic ] && cache=force_generic_plan
	start=$(($(wc -l <"$LOG") + 1))
	pid=$(psql_db "$db" <<EOF
SET plan_cache_mode = $cache;
LOAD 'auto_explain';
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_min_duration = -1;
SELECT pg_backend_pid();
SELECT count(*) FROM generate_series($first, $((first + WARM - 1))) acct,
    lc_claim(acct, $project, 300, random(), 2, 300, true, random(), 3, 2.0,
	1.28, 0.2, 20.0) c WHERE c.code = 0;
SET auto_explain.log_min_duration = 0;
EXPLAIN (ANALYZE, BUFFERS) SELECT code, assignment_id, task_id, data,
    expires_at, labels, instructions, project_status, min_stake, stake,
    bonded FROM lc_claim($((first + WARM)), $project, 300, 0.5, 2, 300, true,
	0.5, 3, 2.0, 1.28, 0.2, 20.0);
EOF
)
	pid=$(head -1 <<<"$pid")
	sleep 0.2	# the logger
	tail -n +"$start" "$LOG" | awk -v pid="$pid" '
	    /^[0-9][0-9][0-9][0-9]-/ { keep = index($0, "[" pid "]") > 0 }
	    keep' >"$TMP/plans/$size-$name-$label-$mode.log"
	f=$size-$name-$label-$mode
	awk -v pid="$pid" -f "$HERE/plans.awk" "$TMP/plans/$f.log" |
	    sed "s/^/$size\t$label\t$name-$mode\t/" >>"$PLANS"
}

# time_run DB SIZE LABEL NAME PROJECT FIRST MODE R: one pgbench run of
# CLAIMS + 1 claims by labelers FIRST.. , in MODE (see MODES).
time_run() {
	local db=$1 size=$2 label=$3 name=$4 project=$5 base=$(($6 - 1))
	local mode=$7 r=$8 lat opts='' leased top
	case $mode in
	async) opts="-c synchronous_commit=off" ;;
	generic) opts="-c synchronous_commit=off -c plan_cache_mode=force_generic_plan" ;;
	esac
	rm -f "$TMP"/pgb.*
	top=$(psql_db "$db" -c "SELECT coalesce(max(id), 0) FROM assignments")
	PGOPTIONS=$opts pgbench -h "$PGDATA" -p "$PG_PORT" -U postgres -n \
	    -M prepared -c 1 -j 1 -t $((CLAIMS + 1)) \
	    -D project="$project" -D base="$base" -D i=1 \
	    -f "$HERE/claim.pgbench" --log --log-prefix="$TMP/pgb" \
	    "$db" >"$TMP/pgbench.out" 2>&1 ||
	    { tail -5 "$TMP/pgbench.out" >&2; die "pgbench failed"; }
	lat=$TMP/lat.txt
	awk '$2 > 0 { print $3 }' "$TMP"/pgb.* >"$lat"
	leased=$(psql_db "$db" -c "SELECT count(*) FROM assignments
	    WHERE id > $top AND project_id = $project AND status = 'active'
	    AND account_id BETWEEN $((base + 1)) AND $((base + CLAIMS + 1))")
	# Give the run's leases back (lc_skip, as POST .../skip does), so
	# that every run finds the project as free as the first: without it
	# the 10^4 project runs out of free slots within the runs.
	psql_db "$db" -c "SELECT count(*) FROM assignments a,
	    lc_skip(a.account_id, a.id) s WHERE a.id > $top
	    AND a.project_id = $project AND a.status = 'active'" >/dev/null
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$label" \
	    "$name" "$mode" "$r" "$(pct 0.5 "$lat")" "$(pct 0.99 "$lat")" \
	    "$leased" >>"$RAW"
}

# Every size first, kept side by side, so that the timings can take
# turns: load from elsewhere on the machine then falls on every size alike.
declare -A STARTED FRESH FIRST
for size in $SIZES; do
	db=lc_$size
	say "size $size: database $db"
	as_pg "$PG_BIN/createdb" -h "$PGDATA" -p "$PG_PORT" -U postgres "$db"
	if [ -n "$BEFORE" ]; then
		migrate "$db" "$TMP/sql-before"
	else
		migrate "$db" "$SRC/sql"
	fi
	t0=$(date +%s)
	psql_nice "$db" -1 -v assignments="$size" -v labelers="$LABELERS" \
	    <"$HERE/gen.sql" >/dev/null
	echo "VACUUM ANALYZE;" | psql_nice "$db"
	gen_s=$(($(date +%s) - t0))
	read -r started fresh first <<<"$(psql_db "$db" -F ' ' -c "SELECT
	    (SELECT id FROM projects WHERE name = 'claim-bench'),
	    (SELECT id FROM projects WHERE name = 'claim-bench-fresh'),
	    (SELECT min(id) FROM accounts WHERE is_labeler)")"
	STARTED[$size]=$started
	FRESH[$size]=$fresh
	FIRST[$size]=$first
	psql_db "$db" -F $'\t' -c "SELECT $size,
	    (SELECT count(*) FROM tasks WHERE project_id = $started),
	    (SELECT count(*) FROM assignments),
	    (SELECT count(*) FROM votes),
	    (SELECT count(*) FROM assignments WHERE status = 'active'),
	    (SELECT count(*) FROM tasks WHERE project_id = $started AND status = 'open'),
	    pg_size_pretty(pg_total_relation_size('tasks')),
	    pg_size_pretty(pg_total_relation_size('assignments')),
	    pg_size_pretty(pg_total_relation_size('votes')),
	    $gen_s" >>"$FACTS"
	say "size $size: generated in ${gen_s} s: $(tail -1 "$FACTS")"
done

# project_of NAME SIZE; first_of NAME SIZE LABEL: a label's labelers
# start at first + k PER_LABEL (k: the label's index).
project_of() { if [ "$1" = fresh ]; then echo "${FRESH[$2]}"; else echo "${STARTED[$2]}"; fi; }
k=0
for label in $LABELS; do
	for size in $SIZES; do
		if [ "$label" = current ] && [ -n "$BEFORE" ]; then
			migrate "lc_$size" "$SRC/sql"
			psql_db "lc_$size" -c "ANALYZE"
		fi
		for name in started fresh; do
			from=$((FIRST[$size] + k * PER_LABEL))
			say "size $size, $label, $name: plans"
			plan_capture "lc_$size" "$size" "$label" "$name" \
			    "$(project_of "$name" "$size")" "$from" auto
			plan_capture "lc_$size" "$size" "$label" "$name" \
			    "$(project_of "$name" "$size")" $((from + WARM + 1)) generic
		done
	done
	say "$label: timings, $RUNS rounds over sizes, projects and durability"
	for r in $(seq "$RUNS"); do
		m=0
		for mode in $MODES; do
			for size in $SIZES; do
				for name in started fresh; do
					from=$((FIRST[$size] + k * PER_LABEL + 2 * (WARM + 1) +
					    ((r - 1) * 3 + m) * (CLAIMS + 1)))
					time_run "lc_$size" "$size" "$label" "$name" \
					    "$(project_of "$name" "$size")" "$from" "$mode" "$r"
				done
			done
			m=$((m + 1))
		done
	done
	k=$((k + 1))
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- RESULTS.md ---
# sz N: 10^k when N is a power of ten, else N.
sz() { awk -v n="$1" 'BEGIN { k = int(log(n) / log(10) + 0.5)
	if (10 ^ k == n) printf "10^%d", k; else printf "%d", n }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
# med_of SIZE LABEL NAME MODE COLUMN: median over runs of a column of RAW.
med_of() {
	awk -F'\t' -v s="$1" -v l="$2" -v n="$3" -v m="$4" -v c="$5" \
	    '$1 == s && $2 == l && $3 == n && $4 == m { print $c }' "$RAW" >"$TMP/m.txt"
	pct 0.5 "$TMP/m.txt"
}
best_of() {
	awk -F'\t' -v s="$1" -v l="$2" -v n="$3" -v m="$4" \
	    '$1 == s && $2 == l && $3 == n && $4 == m { print $6 }' "$RAW" | sort -n | head -1
}
range_of() {
	awk -F'\t' -v s="$1" -v l="$2" -v n="$3" -v m="$4" -v c="$5" \
	    '$1 == s && $2 == l && $3 == n && $4 == m { print $c }' "$RAW" |
	    sort -n | awk '{ v[NR] = $1 } END { printf "%.3f–%.3f", v[1] / 1000, v[NR] / 1000 }'
}
GEN=$TMP/generated.md
{
	echo "<!-- generated below by bench/claim_scale/run.sh; edit above this line -->"
	echo
	echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "- command: \`$COMMAND\`"
	echo "- commit: \`$(git -C "$SRC" rev-parse --short HEAD)\`$(git -C "$SRC" diff --quiet HEAD -- sql bench/claim_scale || echo ' (with uncommitted changes)')"
	echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr); $("$PG_BIN/postgres" --version); default settings (shared_buffers 128 MB), durable"
	echo "- load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
	echo "- $CLAIMS claims per run (plus one not counted), $RUNS runs per row; each claim by a labeler that had not claimed in the run's project before"
	echo
	echo "### The data"
	echo
	echo "| size | tasks (started project) | assignments (table) | votes | live leases | open tasks | tasks | assignments | votes | generated in |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r n a b c d e f g h i; do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s s |\n' \
		    "$(sz "$n")" "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i"
	done <"$FACTS"
	echo
	echo "(sizes are the tables' with their indexes; the fresh project adds as many tasks again, with no assignments)"
	echo
	echo "### Timings: one claim, ms"
	echo
	echo "Per row: the median over runs of each run's median (in brackets: the best and"
	echo "the worst run's median), and the median over runs of each run's p99."
	echo "durable: as labelchaind commits; async: synchronous_commit off (the claim"
	echo "without the WAL flush); generic: async with plan_cache_mode ="
	echo "force_generic_plan (a connection whose plan cache went generic)."
	echo
	echo "| migrations | project | size | durable median | durable p99 | async median | async p99 | generic median | generic p99 | leased |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for label in $LABELS; do
		for name in started fresh; do
			for size in $SIZES; do
				row="| $label | $name | $(sz "$size") |"
				for mode in $MODES; do
					row+=" $(ms "$(med_of "$size" "$label" "$name" "$mode" 6)")"
					row+=" ($(range_of "$size" "$label" "$name" "$mode" 6)) |"
					row+=" $(ms "$(med_of "$size" "$label" "$name" "$mode" 7)") |"
				done
				row+=" $(awk -F'\t' -v s="$size" -v l="$label" -v n="$name" \
				    '$1 == s && $2 == l && $3 == n { t += $8; c++ } END { printf "%d/%d", t, c }' "$RAW") |"
				echo "$row"
			done
		done
	done
	echo
	echo "leased: leases taken in the runs and still live after them / runs ($((CLAIMS + 1)) per run when every claim leased a task)."
	echo
	lo=$(tr ' ' '\n' <<<"$SIZES" | head -1)
	hi=$(tr ' ' '\n' <<<"$SIZES" | tail -1)
	if [ "$lo" != "$hi" ]; then
		echo "Largest size over smallest ($(sz "$hi") / $(sz "$lo")): ratio of the medians, and of the best runs' medians."
		echo
		echo "| migrations | project | durable | async | generic |"
		echo "|---|---|---:|---:|---:|"
		for label in $LABELS; do
			for name in started fresh; do
				row="| $label | $name |"
				for mode in $MODES; do
					a=$(med_of "$lo" "$label" "$name" "$mode" 6)
					b=$(med_of "$hi" "$label" "$name" "$mode" 6)
					c=$(best_of "$lo" "$label" "$name" "$mode")
					d=$(best_of "$hi" "$label" "$name" "$mode")
					row+=" $(awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
					    'BEGIN { printf "%.2f× (best %.2f×)", b / a, d / c }') |"
				done
				echo "$row"
			done
		done
		echo
	fi
	echo "### Rows and buffers per claim"
	echo
	echo "The claim after $WARM on its connection: buffers (hit + read) of the whole"
	echo "claim, and the rows its statements read and threw away (Filter), with"
	echo "PostgreSQL's own choice of custom or generic plans (auto) and with"
	echo "\`plan_cache_mode = force_generic_plan\` (generic)."
	echo
	echo "| migrations | project | size | auto: buffers | auto: rows removed | generic: buffers | generic: rows removed | statements that removed rows (generic) |"
	echo "|---|---|---:|---:|---:|---:|---:|---|"
	for label in $LABELS; do
		for name in started fresh; do
			for size in $SIZES; do
				awk -F'\t' -v s="$size" -v z="$(sz "$size")" -v l="$label" -v n="$name" '
				    function bufs(b,   t, m) {
					t = 0
					while (match(b, /(hit|read)=[0-9]+/)) {
						t += substr(b, RSTART + index(substr(b, RSTART), "="), RLENGTH - index(substr(b, RSTART), "="))
						b = substr(b, RSTART + RLENGTH)
					}
					return t
				    }
				    $1 == s && $2 == l && ($3 == n "-auto" || $3 == n "-generic") {
					m = ($3 == n "-auto") ? "a" : "g"
					if ($5 ~ /^EXPLAIN/) buf[m] = bufs($8)
					else {
						rem[m] += $7
						if (m == "g" && $7 > 0) {
							st = $5
							sub(/^SELECT t\.id FROM tasks t WHERE t\.project_id = p_project AND t\.is_gold = gold AND /, "candidates: ", st)
							sub(/ AND t\.status = .open. AND t\.funded AND t\.n_leases < t\.need/, "", st)
							st = substr(st, 1, 48); gsub(/\|/, "\\|", st)
							who = who (who == "" ? "" : "; ") "`" st "…` (" $7 ")"
						}
					}
				    }
				    END {
					printf "| %s | %s | %s | %d | %d | %d | %d | %s |\n", l, n,
					    z, buf["a"], rem["a"], buf["g"],
					    rem["g"], who == "" ? "none" : who
				    }' "$PLANS"
			done
		done
	done
	echo
	echo "### Plans: every statement of one claim (the $((WARM + 1))th of its connection)"
	echo
	echo "From auto_explain (log_analyze, log_buffers, log_nested_statements) around"
	echo "\`EXPLAIN (ANALYZE, BUFFERS) SELECT … FROM lc_claim(…)\`; the full plans are in"
	echo "bench/claim_scale/plans/.  removed: rows read and thrown away by a Filter."
	for label in $LABELS; do
		for name in started fresh; do
			for size in $SIZES; do
				echo
				echo "#### $label, $name project, size $size"
				echo
				echo "| ms | statement | plan | scans | removed | buffers |"
				echo "|---:|---|---|---|---:|---|"
				awk -F'\t' -v s="$size" -v l="$label" -v n="$name-auto" '
				    $1 == s && $2 == l && $3 == n {
					st = $5
					sub(/^SELECT t\.id FROM tasks t WHERE t\.project_id = p_project AND t\.is_gold = gold AND /, "candidates: ", st)
					sub(/ AND t\.status = .open. AND t\.funded AND t\.n_leases < t\.need/, "", st)
					st = substr(st, 1, 72); gsub(/\|/, "\\|", st)
					printf "| %s | `%s` | %s | %s | %s | %s |\n", $4, st, $9, $6, $7, $8 }' "$PLANS"
			done
		done
	done
} >"$GEN"

mkdir -p "$HERE/plans"
rm -f "$HERE"/plans/*.txt
for f in "$TMP"/plans/*.log; do
	cp "$f" "$HERE/plans/$(basename "$f" .log).txt"
done
if [ -f "$OUT" ] && grep -q '^<!-- generated below' "$OUT"; then
	sed '/^<!-- generated below/,$d' "$OUT" >"$TMP/head.md"
else
	printf '# bench/claim_scale — what one claim costs as a project grows\n\n' >"$TMP/head.md"
fi
cat "$TMP/head.md" "$GEN" >"$OUT"
say "wrote $OUT and $HERE/plans/"
