#!/bin/sh
# tests/cli/test_aggregate.sh — `labelctl aggregate` through the lc-aggregate
# driver: output format and order, every method, --gold, and the error
# messages for bad input (file:line).
set -u
top_build=${LC_TOP_BUILDDIR:-.}
top_src=${LC_TOP_SRCDIR:-$(dirname "$0")/../..}
agg=${LC_AGGREGATE:-$top_build/bench/aggregation/lc-aggregate}
fx=$top_src/tests/cli/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_aggregate.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -x "$agg" ] || { echo "no driver at $agg"; exit 99; }

# 1. Every method runs, prints a header and one row per item, sorted.
for m in stake ds onecoin mv; do
	"$agg" --votes "$fx/agg_votes.csv" --stakes "$fx/agg_stakes.csv" \
	    --method "$m" >"$tmp/out" 2>"$tmp/err" || fail "method $m: exit $?"
	[ "$(head -1 "$tmp/out")" = "item,label,confidence" ] ||
	    fail "method $m: header"
	cut -d, -f1 "$tmp/out" | tail -n +2 | tr '\n' ' ' >"$tmp/items"
	[ "$(cat "$tmp/items")" = '1 2 3 10 "x ""q""" ' ] ||
	    fail "method $m: item order: $(cat "$tmp/items")"
done

# 2. Majority vote: exact rows; the 1-1 tie on item 3 goes to the lowest
#    label ("cat"); quoted labels are quoted again on output.
"$agg" --votes "$fx/agg_votes.csv" --method=mv >"$tmp/out" 2>/dev/null
cat >"$tmp/want" <<'WANT'
item,label,confidence
1,cat,0.6667
2,dog,1.0000
3,cat,0.5000
10,"dog, big",0.6667
"x ""q""",cat,1.0000
WANT
cmp -s "$tmp/out" "$tmp/want" || { fail "mv output"; diff "$tmp/want" "$tmp/out"; }

# 3. --gold prints accuracy to stderr (unseen gold items are skipped).
"$agg" --votes "$fx/agg_votes.csv" --gold "$fx/agg_gold.csv" --method mv \
    >/dev/null 2>"$tmp/err" || fail "gold: exit"
grep -q '^accuracy=0.7500 correct=3 gold=4 method=mv$' "$tmp/err" ||
    fail "gold accuracy: $(cat "$tmp/err")"

# 4. No header line is fine.
tail -n +2 "$fx/agg_votes.csv" >"$tmp/nohdr.csv"
"$agg" --votes "$tmp/nohdr.csv" --method mv >"$tmp/out2" 2>/dev/null &&
    cmp -s "$tmp/out2" "$tmp/want" || fail "missing header"

# 5. Errors: exit 1 and file:line.
expect_error() {	# expect_error PATTERN ARGS...
	pat=$1; shift
	"$agg" "$@" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$*: exit $rc, wanted 1"
	grep -q -- "$pat" "$tmp/err" || fail "$*: message '$(cat "$tmp/err")'"
}
printf 'item,worker,label\n1,a,x\n2,b\n' >"$tmp/short.csv"
expect_error "short.csv:3: expected 3 fields" --votes "$tmp/short.csv"
printf 'item,worker,label\n1,a,x\n\n2,"b,x\n' >"$tmp/quote.csv"
expect_error "quote.csv:4: unterminated quoted field" --votes "$tmp/quote.csv"
printf '1,a,x\n1,,x\n' >"$tmp/empty.csv"
expect_error "empty.csv:2: field 2 is empty" --votes "$tmp/empty.csv"
printf 'worker,stake\nw1,lots\n' >"$tmp/stakes.csv"
expect_error "stakes.csv:2: stake 'lots'" --votes "$fx/agg_votes.csv" \
    --stakes "$tmp/stakes.csv"
printf 'w1,-3\n' >"$tmp/neg.csv"
expect_error "neg.csv:1: stake" --votes "$fx/agg_votes.csv" \
    --stakes "$tmp/neg.csv"
printf 'item,label\n1,cat\n1,dog\n' >"$tmp/gold2.csv"
expect_error "gold2.csv:3: item '1' has two gold labels" \
    --votes "$fx/agg_votes.csv" --gold "$tmp/gold2.csv"
expect_error "no-such-file.csv: No such file" --votes "$tmp/no-such-file.csv"
expect_error "no votes" --votes /dev/null
expect_error "unknown method" --votes "$fx/agg_votes.csv" --method best
expect_error "is required" --method mv
expect_error "needs a value" --votes
expect_error "unknown argument" --votes "$fx/agg_votes.csv" --frobnicate

# 6. Help.
"$agg" --help >"$tmp/out" 2>&1 && grep -q usage "$tmp/out" || fail "--help"

# 7. labelctl carries the same command.
if [ -x "$top_build/labelctl" ]; then
	"$top_build/labelctl" aggregate --votes "$fx/agg_votes.csv" \
	    --stakes "$fx/agg_stakes.csv" >"$tmp/lc" 2>/dev/null ||
	    fail "labelctl aggregate: exit $?"
	"$agg" --votes "$fx/agg_votes.csv" --stakes "$fx/agg_stakes.csv" \
	    >"$tmp/drv" 2>/dev/null
	cmp -s "$tmp/lc" "$tmp/drv" || fail "labelctl aggregate differs"
else
	fail "no labelctl at $top_build/labelctl"
fi

[ $fails -eq 0 ] && echo "PASS: test_aggregate.sh" && exit 0
echo "$fails failure(s)"
exit 1
