#!/usr/bin/env bash
# bench/faults/run.sh — hard faults under load, repeatable; writes its
# figures to bench/faults/RESULTS.md.
#
#   bench/faults/run.sh --scenario kill|pg-fast|pg-immediate|multi|disk-full|all
#       [--build DIR] [--runs 3] [--labelers 64] [--seconds 30] [--fault-at 10]
#       [--down 2] [--full-for 10] [--tasks 20000] [--lease 15]
#       [--disk-mb 1024] [--keep] [--out FILE]
#
# Each run starts its own stack: a durable PostgreSQL 15 cluster (fsync and
# synchronous_commit on, as the dev stack; as `postgres` when we are root),
# anvil (a block a second) and labelchaind from DIR with anchoring on
# (--anchor-interval 2, 2 confirmations, leases of --lease seconds so that
# lost leases expire within the run).  A requester, a project of --tasks
# tasks and --labelers labelers are set up through the API
# (bench/load/loadgen), then loadgen runs the money path (claim, sign, vote)
# for --seconds with --out (the assignment ids of every vote answered 201)
# and --timeline (answers per 100 ms), a reader polls GET /v1/projects/{id}
# and GET /v1/me every 200 ms, and at --fault-at seconds the fault is done:
#
#   kill          kill -9 of labelchaind; restarted --down seconds later.
#   pg-fast       pg_ctl stop -m fast; started again --down seconds later.
#   pg-immediate  the same with -m immediate (crash recovery at start).
#   multi         three labelchaind on the database, loadgen spreading its
#                 labelers over them (a labeler moves to the next instance
#                 after a transport error); the anchoring leader is killed
#                 with -9 and restarted --down seconds later; /metrics of
#                 each instance and pg_locks are sampled every 100 ms.
#   disk-full     the cluster lives on its own ext4 file system (a loop
#                 device of --disk-mb MiB, -m 0); a filler file takes every
#                 free block for --full-for seconds, then is removed.  If
#                 PostgreSQL stopped meanwhile, the script starts it again
#                 once the space is back, as a supervisor would, and says so.
#
# After the load: the server's queues drain, leases lost with the fault
# expire, and every invariant is checked with psql (see check_invariants);
# anchoring must have caught up with the log, checked on the chain with
# `labelctl verify` of the last label's proof.  disk-full adds amcheck
# (every B-tree index with heapallindexed, verify_heapam on every table).
# RESULTS.md: the text above "<!-- generated below -->" is kept, and only the
# sections of the scenarios run are replaced.  Needs root for disk-full
# (mount).  Everything started here is stopped on exit, failure or Ctrl-C;
# --keep leaves the temporary directory.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$SRC/bench/faults
BUILD=$SRC/build
SCENARIOS=
RUNS=3
LABELERS=64
DURATION=30
FAULT_AT=10
DOWN=2
FULL_FOR=10
TASKS=20000
LEASE=15
DISK_MB=1024
KEEP=0
OUT=$HERE/RESULTS.md
THREADS=4
POOL=16
ANCHOR_INTERVAL=2
CONFIRMATIONS=2
REQUESTER_CREDIT=1000000000000000
# The README's bound on an anchoring failover after the leader is killed:
# its session ends with the process, the others try every 500 ms
# (ANCHOR_TICK_MS), /metrics is polled every 10 ms here.
FAILOVER_MAX_MS=1000
ALL_SCENARIOS="kill pg-fast pg-immediate multi disk-full"
# anvil's account 0: a public development key.
DEV_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80

say() { printf '\033[1mfaults:\033[0m %s\n' "$*" >&2; }
die() { printf 'faults: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//'; }

COMMAND="bench/faults/run.sh"
for a in "$@"; do
	case $a in
	*[[:space:]]*) COMMAND+=" \"$a\"" ;;
	*) COMMAND+=" $a" ;;
	esac
done

while [ $# -gt 0 ]; do
	case $1 in
	--scenario) SCENARIOS+=" $2"; shift 2 ;;
	--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--labelers) LABELERS=$2; shift 2 ;;
	--seconds) DURATION=$2; shift 2 ;;
	--fault-at) FAULT_AT=$2; shift 2 ;;
	--down) DOWN=$2; shift 2 ;;
	--full-for) FULL_FOR=$2; shift 2 ;;
	--tasks) TASKS=$2; shift 2 ;;
	--lease) LEASE=$2; shift 2 ;;
	--disk-mb) DISK_MB=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$SCENARIOS" ] || { usage >&2; die "--scenario is required"; }
[ "$(echo $SCENARIOS)" = all ] && SCENARIOS=$ALL_SCENARIOS
for s in $SCENARIOS; do
	case " $ALL_SCENARIOS " in *" $s "*) ;; *) die "unknown scenario '$s'" ;; esac
done
for v in RUNS LABELERS DURATION FAULT_AT DOWN FULL_FOR TASKS LEASE DISK_MB; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "--$(tr 'A-Z_' 'a-z-' <<<"$v") must be a whole number"
done
[ "$FAULT_AT" -ge 3 ] && [ "$((FAULT_AT + DOWN + 5))" -lt "$DURATION" ] ||
    die "--fault-at must leave the load running at least 5 s after the fault"
case " $SCENARIOS " in *" disk-full "*)
	[ "$((FAULT_AT + FULL_FOR + 5))" -lt "$DURATION" ] ||
	    die "disk-full: --seconds must exceed --fault-at + --full-for + 5"
	[ "$(id -u)" = 0 ] || die "disk-full mounts a file system: run as root" ;;
esac
LOADGEN=$BUILD/bench/load/loadgen
LABELCTL=$BUILD/labelctl
DAEMON=$BUILD/labelchaind
ANVIL=$SRC/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
for f in "$DAEMON" "$LABELCTL" "$LOADGEN"; do
	[ -x "$f" ] || die "$f is missing (build first: make -C $BUILD)"
done
[ -x "$ANVIL" ] || die "anvil is missing (npm ci)"
PG_BIN=$(pg_config --bindir)

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

now() { date +%s.%N | cut -c1-14; }	# Unix seconds, 1 ms
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

TOP=$(mktemp -d "${TMPDIR:-/tmp}/lc-faults.XXXXXX")
chmod 755 "$TOP"

# ---- one stack per run -------------------------------------------------

RUN_DIR=
PGDATA=
PG_PORT=
PG_UP=0
MNT=
LOOP=
ANVIL_PID=
ANVIL_URL=
declare -A SRV_PID=() SRV_URL=() SRV_PORT=()
BG_PIDS=()

stack_down() {
	local p n
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	BG_PIDS=()
	for n in "${!SRV_PID[@]}"; do
		kill "${SRV_PID[$n]}" 2>/dev/null || true
		wait "${SRV_PID[$n]}" 2>/dev/null || true
	done
	SRV_PID=() SRV_URL=() SRV_PORT=()
	if [ -n "$ANVIL_PID" ]; then
		kill "$ANVIL_PID" 2>/dev/null || true
		wait "$ANVIL_PID" 2>/dev/null || true
		ANVIL_PID=
	fi
	if [ -n "$PGDATA" ] && [ -f "$PGDATA/PG_VERSION" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	PG_UP=0
	if [ -n "$MNT" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
		MNT=
	fi
	if [ -n "$LOOP" ]; then
		losetup -d "$LOOP" 2>/dev/null || true
		LOOP=
	fi
	[ -n "$RUN_DIR" ] && rm -f "$RUN_DIR/disk.img"
	PGDATA=
}

cleanup() {
	trap - EXIT
	trap '' INT TERM PIPE HUP
	stack_down
	if [ "$KEEP" = 1 ]; then
		say "kept $TOP" 2>/dev/null || true
	else
		rm -rf "$TOP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

pg_start() {
	# The log lives outside PGDATA: on a full disk it must still take
	# PostgreSQL's last words (a PANIC).
	as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -t 120 -l "$RUN_DIR/pg-server.log" \
	    -o "-k $PGDATA -p $PG_PORT -c listen_addresses='' -c max_connections=300" \
	    start >/dev/null
	PG_UP=1
}

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

# stack_up [disk]: PostgreSQL (on a fresh ext4 loop device with "disk"),
# anvil, migrations.
stack_up() {
	local on_disk=${1:-}
	RUN_DIR=$(mktemp -d "$TOP/run.XXXXXX")
	chmod 755 "$RUN_DIR"
	touch "$RUN_DIR/pg-server.log"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$RUN_DIR/pg-server.log"
	if [ "$on_disk" = disk ]; then
		truncate -s "${DISK_MB}M" "$RUN_DIR/disk.img"
		LOOP=$(losetup -f --show "$RUN_DIR/disk.img")
		mkfs.ext4 -q -m 0 "$LOOP"
		MNT=$RUN_DIR/mnt
		mkdir -p "$MNT"
		mount "$LOOP" "$MNT"
		chmod 755 "$MNT"
		PGDATA=$MNT/pg
	else
		PGDATA=$RUN_DIR/pg
	fi
	mkdir -m 700 "$PGDATA"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
	as_pg "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 \
	    --no-instructions >/dev/null
	PG_PORT=$(free_port)
	pg_start
	as_pg "$PG_BIN/createdb" -h "$PGDATA" -p "$PG_PORT" -U postgres labelchain
	export DATABASE_URL="host=$PGDATA port=$PG_PORT user=postgres dbname=labelchain"
	PSQL=(psql -X -h "$PGDATA" -p "$PG_PORT" -U postgres -d labelchain -v ON_ERROR_STOP=1 -Atq)
	LABELCHAIN_SQL_DIR=$SRC/sql "$LABELCTL" migrate >/dev/null

	local port
	port=$(free_port)
	ANVIL_URL=http://127.0.0.1:$port
	"$ANVIL" --port "$port" --quiet --block-time 1 >"$RUN_DIR/anvil.log" 2>&1 &
	ANVIL_PID=$!
	for _ in $(seq 100); do
		curl -fs -X POST -H 'content-type: application/json' \
		    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
		    "$ANVIL_URL" >/dev/null 2>&1 && break
		sleep 0.1
	done
	(umask 077 && echo "$DEV_KEY" >"$RUN_DIR/chain.key")
}

sql() { "${PSQL[@]}" -c "$1"; }

# server_start NAME: labelchaind NAME on a free port (the same port when it
# is started again), anchoring on.  Every labeler of loadgen comes from
# 127.0.0.1 and votes as fast as it can: the per-address and per-account
# limits are lifted, as bench/load does.
server_start() {
	local n=$1 port
	port=${SRV_PORT[$n]:-$(free_port)}
	SRV_PORT[$n]=$port
	SRV_URL[$n]=http://127.0.0.1:$port
	LABELCHAIN_LISTEN=127.0.0.1:$port LABELCHAIN_SQL_DIR=$SRC/sql \
	    LABELCHAIN_WEB_ROOT=$SRC/web LABELCHAIN_RPC_URL=$ANVIL_URL \
	    LABELCHAIN_CHAIN_KEY_FILE=$RUN_DIR/chain.key \
	    LABELCHAIN_ANCHOR_INTERVAL=$ANCHOR_INTERVAL \
	    LABELCHAIN_ANCHOR_CONFIRMATIONS=$CONFIRMATIONS \
	    LABELCHAIN_LEASE=$LEASE LABELCHAIN_THREADS=$THREADS \
	    LABELCHAIN_DB_POOL=$POOL \
	    LABELCHAIN_LIMITS_EXEMPT=127.0.0.1 LABELCHAIN_RATE_LABEL=off \
	    LABELCHAIN_RATE_UPLOAD=off \
	    "$DAEMON" >>"$RUN_DIR/labelchaind-$n.log" 2>&1 &
	SRV_PID[$n]=$!
}

# server_wait NAME: until /healthz answers 200 (10 s at most).
server_wait() {
	local n=$1
	for _ in $(seq 500); do
		curl -fs -m 1 "${SRV_URL[$n]}/healthz" >/dev/null 2>&1 && return 0
		kill -0 "${SRV_PID[$n]}" 2>/dev/null || {
			tail -20 "$RUN_DIR/labelchaind-$n.log" >&2; die "labelchaind $n exited"; }
		sleep 0.02
	done
	die "labelchaind $n is not healthy after 10 s"
}

server_kill9() {
	local n=$1
	kill -9 "${SRV_PID[$n]}"
	wait "${SRV_PID[$n]}" 2>/dev/null || true
}

# The requester, the labelers and the project, through the API.
market_setup() {
	local acct line url=${SRV_URL[$1]}
	acct=$("$LABELCTL" account create --role requester --name faults-requester)
	REQ_ID=$(sed -n 's/^id=//p' <<<"$acct")
	REQ_TOKEN=$(sed -n 's/^token=//p' <<<"$acct")
	"$LABELCTL" credit "$REQ_ID" "$REQUESTER_CREDIT" >/dev/null
	KEYS=$RUN_DIR/keys
	"$LOADGEN" --url "$url" --setup-labelers --labelers "$LABELERS" --keys "$KEYS" \
	    --labelctl "$LABELCTL" >/dev/null 2>>"$RUN_DIR/loadgen.log"
	line=$("$LOADGEN" --url "$url" --setup-project --tasks "$TASKS" \
	    --requester-token "$REQ_TOKEN" 2>>"$RUN_DIR/loadgen.log") || die "project setup failed"
	PROJECT=$(sed -n 's/.*"project":\([0-9]*\).*/\1/p' <<<"$line")
	[ -n "$PROJECT" ] || die "no project id in: $line"
	LABELER_TOKEN=$(head -1 "$KEYS" | awk '{ print $3 }')
	sql "VACUUM ANALYZE"
}

# load_start URL...: loadgen in the background for --seconds.
load_start() {
	local args=() u
	for u in "$@"; do args+=(--url "$u"); done
	"$LOADGEN" "${args[@]}" --labelers "$LABELERS" --seconds "$DURATION" \
	    --mode claim --project "$PROJECT" --keys "$KEYS" --release-leases \
	    --out "$RUN_DIR/acked.txt" --timeline "$RUN_DIR/timeline.tsv" \
	    >"$RUN_DIR/loadgen.json" 2>>"$RUN_DIR/loadgen.log" &
	LOAD_PID=$!
	LOAD_T0=$(now)
}

load_wait() {
	wait "$LOAD_PID" || die "loadgen failed (see $RUN_DIR/loadgen.log)"
	LOAD_JSON=$(cat "$RUN_DIR/loadgen.json")
	LOAD_START=$(sed -n 's/^# start_unix //p' "$RUN_DIR/timeline.tsv")
}

# reader_start URL...: GET /v1/projects/{id} (requester) and GET /v1/me (a
# labeler) every 200 ms, round robin over the URLs; one line per answer:
# unix time, what, HTTP status, content type.
reader_start() {
	(
		trap 'exit 0' TERM
		i=0
		while :; do
			for u in "$@"; do
				t=$(now)
				r=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{content_type}' \
				    -H "Authorization: Bearer $REQ_TOKEN" "$u/v1/projects/$PROJECT" 2>/dev/null) || true
				echo "$t project ${r:-000}"
				t=$(now)
				r=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{content_type}' \
				    -H "Authorization: Bearer $LABELER_TOKEN" "$u/v1/me" 2>/dev/null) || true
				echo "$t me ${r:-000}"
				sleep 0.2
				i=$((i + 1))
			done
		done
	) >"$RUN_DIR/reads.log" 2>/dev/null &
	BG_PIDS+=($!)
}

# reads_between T0 T1: "ok/total" of the reader's answers in [T0, T1).
reads_between() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b { n++; if ($3 == 200) ok++ }
	    END { printf "%d/%d", ok, n }' "$RUN_DIR/reads.log"
}

# reads_bad_between T0 T1: answers in the window that were neither 200
# nor a 503 problem+json.
reads_bad_between() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && $3 != 200 &&
	    !($3 == 503 && $4 ~ /^application\/problem\+json/) { n++ }
	    END { print n + 0 }' "$RUN_DIR/reads.log"
}

# jget JSON KEY: a number of loadgen's flat JSON line (first match).
jget() { sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" <<<"$1" | head -1; }
# jstat JSON claim|vote KEY: a count of loadgen's *_status objects.
jstat() { sed -n "s/.*\"$2_status\":{\([^}]*\)}.*/\1/p" <<<"$1" | tr ',' '\n' |
    sed -n "s/^\"$3\":\([0-9]*\)$/\1/p"; }

# timeline_sum COL T0 T1: sum of a timeline column over rows starting in
# [T0, T1) (Unix seconds).
timeline_sum() {
	awk -F'\t' -v col="$1" -v s="$LOAD_START" -v a="$2" -v b="$3" '
	    NR == 2 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
	    NR > 2 && s + $1 >= a && s + $1 < b { n += $c }
	    END { print n + 0 }' "$RUN_DIR/timeline.tsv"
}

# timeline_first COL T: when (Unix) the first row ending after T had a
# count in COL: the row's start, or T itself when T falls inside that row
# (the rows are 100 ms: that is the resolution); empty when none.
timeline_first() {
	awk -F'\t' -v col="$1" -v s="$LOAD_START" -v a="$2" '
	    NR == 2 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
	    NR > 2 && s + $1 + 0.1 > a && $c > 0 {
		printf "%.3f", (s + $1 > a ? s + $1 : a); exit }' \
	    "$RUN_DIR/timeline.tsv"
}

# timeline_gap: the longest run of 100 ms rows without an acknowledged vote
# between the first and the last such row, in seconds.
timeline_gap() {
	awk -F'\t' 'NR == 2 { for (i = 1; i <= NF; i++) if ($i == "votes_201") c = i }
	    NR > 2 { v[++n] = $c }
	    END { for (i = 1; i <= n; i++) if (v[i] > 0) { if (!f) f = i; l = i }
		  for (i = f; i <= l; i++) { if (v[i] == 0) run++; else run = 0
		      if (run > m) m = run }
		  printf "%.1f", m / 10 }' "$RUN_DIR/timeline.tsv"
}

# timeline_error_span: seconds from the first to the end of the last row
# with a 5xx or transport error; 0 when none.
timeline_error_span() {
	awk -F'\t' 'NR == 2 { for (i = 1; i <= NF; i++) h[$i] = i }
	    NR > 2 { e = $h["s503_problem"] + $h["s5xx_other"] + $h["transport"]
		if (e > 0) { if (f == "") f = $1; l = $1 } }
	    END { if (f == "") print "0.0"; else printf "%.1f", l - f + 0.1 }' \
	    "$RUN_DIR/timeline.tsv"
}

# settle_wait: until the server's queues are empty (60 s at most); prints
# the milliseconds it took, -1 when they did not drain.
settle_wait() {
	local t0 n
	t0=$(date +%s%N)
	for _ in $(seq 600); do
		n=$(sql "SELECT (SELECT count(*) FROM ledger_pending) +
		    (SELECT count(*) FROM reputation_pending) +
		    (SELECT count(*) FROM log_pending)" 2>/dev/null || echo x)
		if [ "$n" = 0 ]; then
			echo $(( ($(date +%s%N) - t0) / 1000000 ))
			return 0
		fi
		sleep 0.1
	done
	echo -1
}

# anchor_catch_up: until a confirmed anchor covers the whole log (90 s at
# most); prints the log size, or -1.
anchor_catch_up() {
	local size got
	size=$(sql "SELECT size FROM log_head")
	for _ in $(seq 900); do
		got=$(sql "SELECT coalesce(max(tree_size), 0) FROM anchors WHERE status = 'confirmed'")
		[ "$got" -ge "$size" ] && { echo "$size"; return 0; }
		sleep 0.1
	done
	echo -1
}

# check NAME OK DETAIL
check() {
	CHECKS=$((CHECKS + 1))
	if [ "$2" = 1 ]; then
		printf '  PASS  %s (%s)\n' "$1" "$3" >&2
	else
		printf '  FAIL  %s (%s)\n' "$1" "$3" >&2
		FAILED+=("$1")
	fi
}
ok_if() { if eval "$1"; then echo 1; else echo 0; fi; }

# check_invariants: after the load, once the queues drained and the leases
# lost with the fault expired.  Sets STORED, ACKED, LOST, FINAL.
check_invariants() {
	local v lease_end drain active expired swept n_distinct n_not_one n_final

	drain=$(settle_wait)
	check "queues settled" "$(ok_if '[ "$drain" != -1 ]')" "after ${drain} ms"
	# Leases taken before the fault whose answers were lost expire
	# --lease seconds later and the sweeper (every second) takes them.
	lease_end=$(awk -v t="$FAULT_T" -v l="$LEASE" 'BEGIN { printf "%.3f", t + l + 2.5 }')
	while awk -v a="$(now)" -v b="$lease_end" 'BEGIN { exit !(a < b) }'; do sleep 0.5; done
	sleep 1.5

	v=$(sql "SELECT coalesce(sum(amount), 0) FROM ledger_entries")
	check "ledger sums to zero" "$(ok_if '[ "$v" = 0 ]')" "sum = $v"
	v=$(sql "SELECT count(*) FROM ledger_accounts la LEFT JOIN
	    (SELECT account_key, sum(amount) AS s FROM ledger_entries GROUP BY 1) e
	    ON e.account_key = la.key WHERE la.balance <> coalesce(e.s, 0)")
	check "balances equal their entries" "$(ok_if '[ "$v" = 0 ]')" "$v accounts differ"

	IFS='|' read -r ACKED n_distinct n_not_one STORED < <("${PSQL[@]}" <<SQL
CREATE TEMP TABLE ack (id bigint);
\\copy ack FROM '$RUN_DIR/acked.txt'
SELECT count(*), count(DISTINCT id),
    (SELECT count(*) FROM ack a WHERE (SELECT count(*) FROM votes v WHERE v.assignment_id = a.id) <> 1),
    (SELECT count(*) FROM votes WHERE project_id = $PROJECT)
FROM ack;
SQL
)
	LOST=$((STORED - ACKED))
	check "every acknowledged vote stored exactly once" \
	    "$(ok_if '[ "$n_not_one" = 0 ] && [ "$ACKED" = "$n_distinct" ]')" \
	    "$ACKED acknowledged, $n_not_one without exactly one row, $((ACKED - n_distinct)) repeated"
	check "votes stored >= acknowledged" "$(ok_if '[ "$LOST" -ge 0 ]')" \
	    "$STORED stored, $ACKED acknowledged: $LOST committed with the answer lost"
	v=$(sql "SELECT count(*) FROM (SELECT 1 FROM assignments
	    GROUP BY task_id, account_id HAVING count(*) > 1) d")
	check "no task leased twice to one labeler" "$(ok_if '[ "$v" = 0 ]')" "$v (task, labeler) pairs"
	v=$(sql "SELECT count(*) FROM tasks t WHERE t.project_id = $PROJECT AND t.n_votes <>
	    (SELECT count(*) FROM votes v WHERE v.task_id = t.id)")
	check "no vote counted twice (tasks.n_votes = votes)" "$(ok_if '[ "$v" = 0 ]')" "$v tasks differ"
	v=$(sql "SELECT count(*) FROM votes v JOIN assignments a ON a.id = v.assignment_id
	    WHERE a.status NOT IN ('voted', 'settled')")
	check "every vote's assignment voted or settled" "$(ok_if '[ "$v" = 0 ]')" "$v"
	IFS='|' read -r active expired swept < <(sql "SELECT
	    count(*) FILTER (WHERE status = 'active'),
	    count(*) FILTER (WHERE status = 'active' AND expires_at < now() - interval '2 seconds'),
	    count(*) FILTER (WHERE status = 'expired') FROM assignments")
	check "no lease stuck (held past its expiry)" "$(ok_if '[ "$expired" = 0 ]')" \
	    "$active active, $expired past expiry, $swept swept"
	v=$(sql "SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id
	    WHERE a.status = 'voted' AND t.status <> 'open'")
	check "no bond of a final task held" "$(ok_if '[ "$v" = 0 ]')" "$v votes"
	v=$(sql "SELECT count(*) FROM ledger_accounts la LEFT JOIN
	    (SELECT 'a/' || v.account_id || '/bond' AS k, sum(v.bond) AS s FROM votes v
	     JOIN assignments a ON a.id = v.assignment_id WHERE a.status = 'voted' GROUP BY 1) b
	    ON b.k = la.key WHERE la.kind = 'bond' AND la.balance <> coalesce(b.s, 0)")
	check "bonds equal the open votes' bonds" "$(ok_if '[ "$v" = 0 ]')" "$v labelers differ"
	IFS='|' read -r v n_final < <(sql "SELECT (SELECT count(*) FROM log_leaves),
	    (SELECT count(*) FROM tasks WHERE status = 'final')")
	local head
	head=$(sql "SELECT size FROM log_head")
	check "every final label in the log once" \
	    "$(ok_if '[ "$v" = "$n_final" ] && [ "$head" = "$v" ]')" "$v leaves, $n_final final, log size $head"
	FINAL=$n_final
}

# check_anchor_resumed T: the chain covers the whole log, a new anchor was
# confirmed after T, and the last label's proof verifies on the chain.
check_anchor_resumed() {
	local t=$1 size task v
	size=$(anchor_catch_up)
	v=$(sql "SELECT count(*) FROM anchors WHERE status = 'confirmed'
	    AND created_at > to_timestamp($t)")
	ANCHORS_AFTER=$v
	check "anchoring resumed and caught up with the log" \
	    "$(ok_if '[ "$size" != -1 ] && [ "$v" -gt 0 ]')" \
	    "log size $size covered; $v anchors confirmed since the fault"
	task=$(sql "SELECT task_id FROM log_leaves ORDER BY leaf_index DESC LIMIT 1")
	if [ -n "$task" ] && curl -fs -H "Authorization: Bearer $REQ_TOKEN" \
	    "$2/v1/tasks/$task/proof" >"$RUN_DIR/proof.json" &&
	    "$LABELCTL" verify "$RUN_DIR/proof.json" --rpc "$ANVIL_URL" >"$RUN_DIR/verify.log" 2>&1; then
		check "the last label's proof verifies on the chain" 1 "task $task"
	else
		check "the last label's proof verifies on the chain" 0 "task $task: $(tail -1 "$RUN_DIR/verify.log" 2>/dev/null)"
	fi
	v=$(sql "SELECT count(*) FROM (SELECT nonce FROM anchors GROUP BY sender, chain_id, nonce
	    HAVING count(*) > 1) d")
	check "one anchor per nonce" "$(ok_if '[ "$v" = 0 ]')" "$v"
}

# first_anchor_after T: seconds from T to the first anchor recorded after
# T (created_at), "-" when none.
first_anchor_after() {
	sql "SELECT coalesce(to_char(extract(epoch FROM min(created_at)) - $1, 'FM990.00'), '-')
	    FROM anchors WHERE created_at > to_timestamp($1)"
}

# amcheck: every B-tree index (heapallindexed) and every table of the
# schema; prints the number of problems (0: none).
amcheck() {
	sql "CREATE EXTENSION IF NOT EXISTS amcheck" >/dev/null
	"${PSQL[@]}" <<'SQL'
SELECT (SELECT count(*) FROM (
	SELECT bt_index_check(index => c.oid, heapallindexed => true)
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE am.amname = 'btree' AND n.nspname = 'public') x WHERE false)
    + (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
	LATERAL verify_heapam(c.oid) WHERE c.relkind = 'r' AND n.nspname = 'public');
SQL
}

verdict() {
	if [ ${#FAILED[@]} -eq 0 ]; then
		echo "$CHECKS/$CHECKS PASS"
	else
		echo "FAIL: $(IFS=';'; echo "${FAILED[*]}")"
	fi
}

# ---- scenarios -----------------------------------------------------------
# Each appends one tab-separated row to $RAW_DIR/SCENARIO.tsv.

RAW_DIR=$TOP/raw
mkdir -p "$RAW_DIR"
TOTAL_FAIL=0

sleep_until() {
	local t=$1
	while awk -v a="$(now)" -v b="$t" 'BEGIN { exit !(a < b) }'; do sleep 0.02; done
}

common_row() {
	# acked, stored, lost, gap, error span
	printf '%s\t%s\t%s\t%s\t%s' "$ACKED" "$STORED" "$LOST" "$(timeline_gap)" "$(timeline_error_span)"
}

run_kill() {
	local r=$1 t_kill t_restart t_healthy t_vote size0 transport s5xx s5xx_p
	stack_up
	server_start a
	server_wait a
	market_setup a
	reader_start "${SRV_URL[a]}"
	load_start "${SRV_URL[a]}"
	sleep_until "$(awk -v t="$LOAD_T0" -v f="$FAULT_AT" 'BEGIN { printf "%.3f", t + f }')"
	size0=$(sql "SELECT size FROM log_head")
	t_kill=$(now)
	FAULT_T=$t_kill
	server_kill9 a
	say "run $r: kill -9 at $(ms_between "$LOAD_T0" "$t_kill") ms (log size $size0)"
	sleep "$DOWN"
	t_restart=$(now)
	server_start a
	server_wait a
	t_healthy=$(now)
	load_wait
	t_vote=$(timeline_first votes_201 "$t_restart")
	transport=$(( $(jstat "$LOAD_JSON" claim transport) + $(jstat "$LOAD_JSON" vote transport) ))
	s5xx=$(( $(jstat "$LOAD_JSON" claim 5xx) + $(jstat "$LOAD_JSON" vote 5xx) ))
	FAILED=() CHECKS=0
	check_invariants
	check "no 5xx answer" "$(ok_if '[ "$s5xx" = 0 ]')" "$s5xx"
	check_anchor_resumed "$t_restart" "${SRV_URL[a]}"
	local v
	v=$(verdict)
	[[ $v == FAIL* ]] && TOTAL_FAIL=$((TOTAL_FAIL + 1))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$(common_row)" \
	    "$(jget "$LOAD_JSON" labels_per_s)" "$transport" "$s5xx" \
	    "$(ms_between "$t_restart" "$t_healthy")" \
	    "${t_vote:+$(ms_between "$t_restart" "$t_vote")}" \
	    "$(first_anchor_after "$t_restart")" "$ANCHORS_AFTER" "$v" >>"$RAW_DIR/kill.tsv"
	stack_down
}

run_pg() {
	local mode=$1 r=$2 t_stop t_stopped t_up t_vote transport s503p s5xx other reads bad_reads alive
	stack_up
	server_start a
	server_wait a
	market_setup a
	reader_start "${SRV_URL[a]}"
	load_start "${SRV_URL[a]}"
	sleep_until "$(awk -v t="$LOAD_T0" -v f="$FAULT_AT" 'BEGIN { printf "%.3f", t + f }')"
	t_stop=$(now)
	FAULT_T=$t_stop
	as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m "$mode" -w stop >/dev/null
	t_stopped=$(now)
	say "run $r: PostgreSQL stopped (-m $mode) in $(ms_between "$t_stop" "$t_stopped") ms"
	sleep "$DOWN"
	pg_start
	t_up=$(now)
	say "run $r: PostgreSQL up again after $(ms_between "$t_stop" "$t_up") ms"
	load_wait
	t_vote=$(timeline_first votes_201 "$t_up")
	alive=$(ok_if 'kill -0 "${SRV_PID[a]}" 2>/dev/null')
	transport=$(( $(jstat "$LOAD_JSON" claim transport) + $(jstat "$LOAD_JSON" vote transport) ))
	s5xx=$(( $(jstat "$LOAD_JSON" claim 5xx) + $(jstat "$LOAD_JSON" vote 5xx) ))
	s503p=$(timeline_sum s503_problem 0 9999999999)
	other=$(timeline_sum s5xx_other 0 9999999999)
	reads=$(reads_between "$t_stop" "$t_up")
	bad_reads=$(reads_bad_between "$t_stop" "$t_up")
	FAILED=() CHECKS=0
	check "labelchaind kept running" "$alive" "pid ${SRV_PID[a]}"
	check "every 5xx meanwhile a 503 problem+json" "$(ok_if '[ "$other" = 0 ] && [ "$s5xx" = "$s503p" ]')" \
	    "$s503p of $s5xx; $other other"
	check "no transport error (the server stayed up)" "$(ok_if '[ "$transport" = 0 ]')" "$transport"
	check "reads meanwhile: 200 or 503 problem+json" "$(ok_if '[ "$bad_reads" = 0 ]')" "$reads answered 200, $bad_reads other"
	check "recovered by itself" "$(ok_if '[ -n "$t_vote" ]')" "first vote after PostgreSQL was up: ${t_vote:-none}"
	check_invariants
	check_anchor_resumed "$t_up" "${SRV_URL[a]}"
	local v
	v=$(verdict)
	[[ $v == FAIL* ]] && TOTAL_FAIL=$((TOTAL_FAIL + 1))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$(common_row)" \
	    "$(jget "$LOAD_JSON" labels_per_s)" "$(ms_between "$t_stop" "$t_up")" \
	    "$s503p" "$other" "$transport" "$reads" \
	    "${t_vote:+$(ms_between "$t_up" "$t_vote")}" "$(first_anchor_after "$t_up")" \
	    "$v" >>"$RAW_DIR/pg-$mode.tsv"
	stack_down
}

# leader_of NAME: 1 when NAME's /metrics says it leads, 0 otherwise (or
# when it does not answer).
leader_of() {
	curl -s -m 1 "${SRV_URL[$1]}/metrics" 2>/dev/null |
	    awk '$1 == "labelchain_anchor_leader" { v = $2 } END { print v + 0 }'
}

run_multi() {
	local r=$1 n leader= t_kill t_new= new= t_restart t_vote transport s5xx
	local max_leaders max_locks zero_lock_ms end_leaders end_locks
	stack_up
	for n in a b c; do server_start "$n"; done
	for n in a b c; do server_wait "$n"; done
	market_setup a
	# Samples: unix time, leader flags of a b c, advisory lock holders.
	(
		trap 'exit 0' TERM
		while :; do
			t=$(now)
			l=""
			for n in a b c; do l+=" $(leader_of "$n")"; done
			k=$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
			    AND granted AND ((classid::bigint << 32) | objid::bigint) =
			    $(printf '%d' 0x6c63616e63686f72)" 2>/dev/null || echo -)
			echo "$t$l $k"
			sleep 0.1
		done
	) >"$RUN_DIR/leaders.log" 2>/dev/null &
	BG_PIDS+=($!)
	reader_start "${SRV_URL[a]}" "${SRV_URL[b]}" "${SRV_URL[c]}"
	load_start "${SRV_URL[a]}" "${SRV_URL[b]}" "${SRV_URL[c]}"
	sleep_until "$(awk -v t="$LOAD_T0" -v f="$FAULT_AT" 'BEGIN { printf "%.3f", t + f }')"
	for n in a b c; do [ "$(leader_of "$n")" = 1 ] && leader=$n; done
	[ -n "$leader" ] || die "no anchoring leader among a b c"
	t_kill=$(now)
	FAULT_T=$t_kill
	server_kill9 "$leader"
	for _ in $(seq 1000); do
		for n in a b c; do
			[ "$n" = "$leader" ] && continue
			if [ "$(leader_of "$n")" = 1 ]; then new=$n; t_new=$(now); break 2; fi
		done
		sleep 0.01
	done
	say "run $r: leader $leader killed; ${new:-nobody} leads after $( [ -n "$t_new" ] && ms_between "$t_kill" "$t_new") ms"
	sleep_until "$(awk -v t="$t_kill" -v d="$DOWN" 'BEGIN { printf "%.3f", t + d }')"
	t_restart=$(now)
	server_start "$leader"
	server_wait "$leader"
	load_wait
	t_vote=$(timeline_first votes_201 "$t_kill")
	transport=$(( $(jstat "$LOAD_JSON" claim transport) + $(jstat "$LOAD_JSON" vote transport) ))
	s5xx=$(( $(jstat "$LOAD_JSON" claim 5xx) + $(jstat "$LOAD_JSON" vote 5xx) ))
	sleep 1
	FAILED=() CHECKS=0
	# The leader flags (what each instance believes) and the lock
	# holders (what PostgreSQL knows), over every sample.
	read -r max_leaders max_locks zero_lock_ms < <(awk '
	    { s = $2 + $3 + $4; if (s > ml) ml = s
	      if ($5 != "-" && $5 + 0 > mk) mk = $5 + 0
	      if ($5 == "0") { if (z == "") z = $1; zl = $1 } }
	    END { printf "%d %d %d\n", ml, mk, (z == "" ? 0 : (zl - z) * 1000 + 100) }' "$RUN_DIR/leaders.log")
	end_leaders=0
	for n in a b c; do end_leaders=$((end_leaders + $(leader_of "$n"))); done
	end_locks=$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
	check "never two leaders (metrics, every 100 ms)" "$(ok_if '[ "$max_leaders" -le 1 ]')" "at most $max_leaders"
	check "never two lock holders (pg_locks, every 100 ms)" "$(ok_if '[ "$max_locks" -le 1 ]')" "at most $max_locks"
	check "exactly one leader at the end" "$(ok_if '[ "$end_leaders" = 1 ] && [ "$end_locks" = 1 ]')" \
	    "$end_leaders by metrics, $end_locks lock holders"
	check "another instance took over" "$(ok_if '[ -n "$new" ]')" "${new:-none}"
	check "failover within $FAILOVER_MAX_MS ms (README)" \
	    "$(ok_if '[ -n "$t_new" ] && [ "$(ms_between "$t_kill" "$t_new")" -le "$FAILOVER_MAX_MS" ]')" \
	    "${t_new:+$(ms_between "$t_kill" "$t_new") ms}"
	check "no 5xx answer" "$(ok_if '[ "$s5xx" = 0 ]')" "$s5xx"
	check_invariants
	check_anchor_resumed "$t_kill" "${SRV_URL[${new:-a}]}"
	local v
	v=$(verdict)
	[[ $v == FAIL* ]] && TOTAL_FAIL=$((TOTAL_FAIL + 1))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$(common_row)" \
	    "$(jget "$LOAD_JSON" labels_per_s)" "$transport" "$(jget "$LOAD_JSON" url_switches)" \
	    "${t_new:+$(ms_between "$t_kill" "$t_new")}" "$zero_lock_ms" \
	    "$(first_anchor_after "$t_kill")" "$max_leaders/$max_locks" "$s5xx" "$v" >>"$RAW_DIR/multi.tsv"
	stack_down
}

run_disk_full() {
	local r=$1 t_full t_free t_up t_vote avail s503p other transport s5xx reads bad_reads
	local panics restarted=no problems w201
	stack_up disk
	server_start a
	server_wait a
	market_setup a
	reader_start "${SRV_URL[a]}"
	load_start "${SRV_URL[a]}"
	sleep_until "$(awk -v t="$LOAD_T0" -v f="$FAULT_AT" 'BEGIN { printf "%.3f", t + f }')"
	t_full=$(now)
	FAULT_T=$t_full
	avail=$(df --output=avail -B1 "$MNT" | tail -1)
	# fallocate takes the free extents at once; dd takes what is left
	# (block-sized crumbs) until the file system says no.
	fallocate -l "$avail" "$MNT/filler" 2>/dev/null || true
	dd if=/dev/zero of="$MNT/filler2" bs=4k status=none 2>/dev/null || true
	say "run $r: $MNT full ($(df --output=avail -B1 "$MNT" | tail -1) bytes free) after taking $((avail / 1048576)) MiB"
	sleep_until "$(awk -v t="$t_full" -v f="$FULL_FOR" 'BEGIN { printf "%.3f", t + f }')"
	rm -f "$MNT/filler" "$MNT/filler2"
	t_free=$(now)
	t_up=$t_free
	if ! pg_running; then
		restarted=yes
		say "run $r: PostgreSQL had stopped; starting it again"
		pg_start
		t_up=$(now)
	fi
	load_wait
	t_vote=$(timeline_first votes_201 "$t_free")
	transport=$(( $(jstat "$LOAD_JSON" claim transport) + $(jstat "$LOAD_JSON" vote transport) ))
	s5xx=$(( $(jstat "$LOAD_JSON" claim 5xx) + $(jstat "$LOAD_JSON" vote 5xx) ))
	s503p=$(timeline_sum s503_problem 0 9999999999)
	other=$(timeline_sum s5xx_other 0 9999999999)
	w201=$(timeline_sum votes_201 "$t_full" "$t_free")
	reads=$(reads_between "$t_full" "$t_free")
	bad_reads=$(reads_bad_between "$t_full" "$t_free")
	panics=$(grep -c 'PANIC' "$RUN_DIR/pg-server.log" || true)
	FAILED=() CHECKS=0
	check "labelchaind kept running" "$(ok_if 'kill -0 "${SRV_PID[a]}" 2>/dev/null')" "pid ${SRV_PID[a]}"
	check "every 5xx a 503 problem+json" "$(ok_if '[ "$other" = 0 ] && [ "$s5xx" = "$s503p" ]')" \
	    "$s503p of $s5xx; $other other"
	check "no transport error" "$(ok_if '[ "$transport" = 0 ]')" "$transport"
	check "reads went on while the disk was full" \
	    "$(ok_if '[ "$bad_reads" = 0 ] && [ "${reads%%/*}" = "${reads##*/}" ]')" "$reads answered 200, $bad_reads neither 200 nor 503"
	check "recovered by itself once space was back" "$(ok_if '[ -n "$t_vote" ]')" "first vote: ${t_vote:-none}"
	check_invariants
	problems=$(amcheck)
	check "amcheck: indexes and heaps intact" "$(ok_if '[ "$problems" = 0 ]')" "$problems problems"
	check_anchor_resumed "$t_free" "${SRV_URL[a]}"
	local v
	v=$(verdict)
	[[ $v == FAIL* ]] && TOTAL_FAIL=$((TOTAL_FAIL + 1))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$(common_row)" \
	    "$(jget "$LOAD_JSON" labels_per_s)" "$w201" "$s503p" "$((other + transport))" "$reads" \
	    "$panics" "$restarted" "${t_vote:+$(ms_between "$t_free" "$t_vote")}" "$problems" \
	    "$v" >>"$RAW_DIR/disk-full.tsv"
	stack_down
}

# ---- RESULTS.md ----------------------------------------------------------

# med COL FILE: "median (min–max)" of a numeric column ("-" cells skipped).
med() {
	awk -F'\t' -v c="$1" '$c != "" && $c != "-" { v[++n] = $c + 0 }
	    END { if (n == 0) { print "–"; exit }
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		# Whole numbers stay whole (a median of two may end in .5).
		d = (v[1] == int(v[1]) && v[n] == int(v[n])) ? 0 : 1
		dm = (m == int(m)) ? d : 1
		if (n == 1 || v[1] == v[n]) printf "%.*f\n", dm, m
		else printf "%.*f (%.*f–%.*f)\n", dm, m, d, v[1], d, v[n] }' "$2"
}

verdicts() {
	awk -F'\t' '{ if ($NF ~ /^FAIL/) f = f (f == "" ? "" : "; ") "run " $1 ": " $NF; n++ }
	    END { print (f == "" ? "all " n " runs PASS" : f) }' "$1"
}

section() {
	local s=$1 raw=$RAW_DIR/$1.tsv commit
	commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$SRC" diff --quiet HEAD -- . ':!bench' 2>/dev/null || commit+=" (with local changes)"
	echo "<!-- scenario:$s -->"
	case $s in
	kill) echo "## kill -9 of labelchaind under load, then a restart" ;;
	pg-fast) echo "## PostgreSQL stopped (-m fast) and started again under load" ;;
	pg-immediate) echo "## PostgreSQL stopped (-m immediate: crash recovery) and started again under load" ;;
	multi) echo "## Three labelchaind on one database; the anchoring leader killed" ;;
	disk-full) echo "## The cluster's disk filled to the brim under load" ;;
	esac
	echo
	echo "Generated $(date -u +%Y-%m-%dT%H:%MZ) by:"
	echo
	echo "    $COMMAND"
	echo
	echo "- labelchain commit $commit; $(nproc) cores, shared with other jobs; PostgreSQL $(pg_config --version | awk '{ print $2 }') durable (fsync, synchronous_commit on)"
	echo "- $LABELERS labelers (loadgen, claim mode) for $DURATION s on a project of $TASKS tasks; the fault at $FAULT_AT s; LABELCHAIN_THREADS=$THREADS, LABELCHAIN_DB_POOL=$POOL, LABELCHAIN_LEASE=$LEASE, anchoring every $ANCHOR_INTERVAL s with $CONFIRMATIONS confirmations on anvil (a block a second)"
	case $s in
	kill) echo "- kill -9, restarted after $DOWN s" ;;
	pg-fast|pg-immediate) echo "- pg_ctl stop -m ${s#pg-}, pg_ctl start after $DOWN s" ;;
	multi) echo "- three instances, labeler i on instance i mod 3 (moving on after a transport error); the leader killed with -9, restarted after $DOWN s" ;;
	disk-full) echo "- PGDATA (data and WAL) on its own ext4 (loop device, ${DISK_MB} MiB, -m 0); every free block taken for $FULL_FOR s" ;;
	esac
	echo "- figures: medians over $(wc -l <"$raw") runs (min–max); \"lost answers\": votes committed whose 201 never reached the labeler (stored − acknowledged); \"gap\": the longest time without an acknowledged vote; \"errors for\": first to last 100 ms with a 5xx or transport error"
	echo
	case $s in
	kill)
		echo "| acknowledged | stored | lost answers | labels/s | gap s | errors for s | transport errors | 5xx | restart → /healthz ms | restart → first vote ms | restart → next anchor s | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		echo "| $(med 2 "$raw") | $(med 3 "$raw") | $(med 4 "$raw") | $(med 7 "$raw") | $(med 5 "$raw") | $(med 6 "$raw") | $(med 8 "$raw") | $(med 9 "$raw") | $(med 10 "$raw") | $(med 11 "$raw") | $(med 12 "$raw") | $(verdicts "$raw") |"
		echo
		echo "| run | acknowledged | stored | lost answers | gap s | errors for s | labels/s | transport | 5xx | → healthz ms | → first vote ms | → next anchor s | anchors since | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 }' "$raw"
		;;
	pg-fast|pg-immediate)
		echo "| acknowledged | stored | lost answers | labels/s | PostgreSQL down ms | 503 problem+json | other 5xx | transport errors | gap s | errors for s | up → first vote ms | up → next anchor s | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		echo "| $(med 2 "$raw") | $(med 3 "$raw") | $(med 4 "$raw") | $(med 7 "$raw") | $(med 8 "$raw") | $(med 9 "$raw") | $(med 10 "$raw") | $(med 11 "$raw") | $(med 5 "$raw") | $(med 6 "$raw") | $(med 13 "$raw") | $(med 14 "$raw") | $(verdicts "$raw") |"
		echo
		echo "| run | acknowledged | stored | lost answers | gap s | errors for s | labels/s | down ms | 503 problem+json | other 5xx | transport | reads 200 while down | up → first vote ms | up → next anchor s | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 }' "$raw"
		;;
	multi)
		echo "| acknowledged | stored | lost answers | labels/s | gap s | failover ms (kill → new leader's /metrics) | lock free ms (pg_locks) | kill → next anchor s | instance switches | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		echo "| $(med 2 "$raw") | $(med 3 "$raw") | $(med 4 "$raw") | $(med 7 "$raw") | $(med 5 "$raw") | $(med 10 "$raw") | $(med 11 "$raw") | $(med 12 "$raw") | $(med 9 "$raw") | $(verdicts "$raw") |"
		echo
		echo "| run | acknowledged | stored | lost answers | gap s | errors for s | labels/s | transport | switches | failover ms | lock free ms | → next anchor s | most leaders / lock holders at once | 5xx | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 }' "$raw"
		;;
	disk-full)
		echo "| acknowledged | stored | lost answers | labels/s | votes acknowledged while full | 503 problem+json | other errors | PANICs | free → first vote ms | amcheck problems | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		echo "| $(med 2 "$raw") | $(med 3 "$raw") | $(med 4 "$raw") | $(med 7 "$raw") | $(med 8 "$raw") | $(med 9 "$raw") | $(med 10 "$raw") | $(med 12 "$raw") | $(med 14 "$raw") | $(med 15 "$raw") | $(verdicts "$raw") |"
		echo
		echo "| run | acknowledged | stored | lost answers | gap s | errors for s | labels/s | votes while full | 503 problem+json | other errors | reads 200 while full | PANICs | PostgreSQL restarted | free → first vote ms | amcheck | invariants |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"
		awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 }' "$raw"
		;;
	esac
	echo
	echo "<!-- /scenario:$s -->"
}

write_results() {
	local s tmp=$OUT.tmp
	{
		if [ -f "$OUT" ] && grep -q '^<!-- generated below -->$' "$OUT"; then
			sed -n '1,/^<!-- generated below -->$/p' "$OUT"
		else
			printf '# bench/faults — hard faults under load\n\n'
			printf 'Regenerate with bench/faults/run.sh (see its header).\n\n'
			echo '<!-- generated below -->'
		fi
		for s in $ALL_SCENARIOS; do
			echo
			if [ -f "$RAW_DIR/$s.tsv" ]; then
				section "$s"
			elif [ -f "$OUT" ]; then
				awk -v s="$s" '$0 == "<!-- scenario:" s " -->" { on = 1 }
				    on { print } $0 == "<!-- /scenario:" s " -->" { on = 0 }' "$OUT"
			fi
		done
	} | cat -s >"$tmp"
	mv "$tmp" "$OUT"
}

T0=$(date +%s)
for s in $SCENARIOS; do
	for r in $(seq "$RUNS"); do
		say "$s, run $r/$RUNS"
		case $s in
		kill) run_kill "$r" ;;
		pg-fast) run_pg fast "$r" ;;
		pg-immediate) run_pg immediate "$r" ;;
		multi) run_multi "$r" ;;
		disk-full) run_disk_full "$r" ;;
		esac
		tail -1 "$RAW_DIR/$s.tsv" | awk -F'\t' '{ print "faults: " $NF }' >&2
	done
done
write_results
say "done in $(( $(date +%s) - T0 )) s; $TOTAL_FAIL runs with failed checks; $OUT written"
[ "$TOTAL_FAIL" = 0 ]
