#!/bin/bash
# tests/anchor/test_anvil_tx.sh — run tests/anchor/anvil_tx against a fresh
# anvil on a free port; anvil is always killed on exit.  Exit 77 (skip)
# only when anvil is not installed.
set -u

top=${LC_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${LC_TOP_BUILDDIR:-$(pwd)}
prog="$build/tests/anchor/anvil_tx"

anvil=${ANVIL:-}
if [ -z "$anvil" ]; then
	for cand in "$top/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil" \
	    "$top/node_modules/.bin/anvil" "$(command -v anvil 2>/dev/null)"; do
		if [ -n "$cand" ] && [ -x "$cand" ]; then
			anvil=$cand
			break
		fi
	done
fi
if [ -z "$anvil" ]; then
	echo "anvil not installed (npm install in $top): skipping"
	exit 77
fi

pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Whether process $1 is the one listening on port $2: another engineer's
# or test's anvil may take the port between the check and the start, and
# ours then exits while the port answers.  /proc only: no ss or lsof.
owns_port() {
	local hex inode
	hex=$(printf '%04X' "$2")
	for inode in $(awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { print $10 }' 	    /proc/net/tcp /proc/net/tcp6 2>/dev/null); do
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q "socket:\[$inode\]" &&
		    return 0
	done
	return 1
}

for attempt in 1 2 3 4 5 6 7 8 9 10; do
	port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
	port_busy "$port" && continue
	"$anvil" --quiet --port "$port" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do
		port_busy "$port" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null && port_busy "$port" &&
	    owns_port "$pid" "$port"; then
		"$prog" "http://127.0.0.1:$port"
		exit $?
	fi
	cleanup
	pid=
done
echo "could not start anvil on a free port"
exit 1
