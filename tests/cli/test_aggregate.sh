#!/bin/sh
# tests/cli/test_aggregate.sh — `labelctl aggregate` through the lc-aggregate
# driver: output format and order, every method, --gold only scoring (the
# output is byte-identical with and without it), standard input, --threads,
# exit codes (0 ok, 1 bad input, 2 usage or unreadable input) and the error
# messages for bad input (file:line).
set -u
top_build=${LC_TOP_BUILDDIR:-.}
top_src=${LC_TOP_SRCDIR:-$(dirname "$0")/../..}
agg=${LC_AGGREGATE:-$top_build/bench/aggregation/lc-aggregate}
gen=$top_build/bench/aggregation/lc-agg-gen
fx=$top_src/tests/cli/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_aggregate.XXXXXX") || exit 99
trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT INT TERM
fails=0
methods="stake ds onecoin wawa mv replay"

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -x "$agg" ] || { echo "no driver at $agg"; exit 99; }

# 1. Every method runs, prints a header and one row per item, sorted.
for m in $methods; do
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

# 3. --gold prints accuracy to stderr (unseen gold items are counted apart).
"$agg" --votes "$fx/agg_votes.csv" --gold "$fx/agg_gold.csv" --method mv \
    >/dev/null 2>"$tmp/err" || fail "gold: exit"
grep -q '^accuracy=0.7500 correct=3 gold=4 method=mv$' "$tmp/err" ||
    fail "gold accuracy: $(cat "$tmp/err")"
grep -q '^gold: 1 gold row(s) name an item nobody voted on' "$tmp/err" ||
    fail "gold unseen item not reported: $(cat "$tmp/err")"

# 4. Gold only scores: whatever it names (a label nobody voted for, items
#    nobody voted on, all the items), every method's output is the same
#    bytes as without it; a label nobody voted for is reported and scored
#    as wrong.
printf 'item,label\n1,zebra\n2,dog\n3,"dog, big"\nnowhere,yak\n' \
    >"$tmp/gold_odd.csv"
for m in $methods; do
	"$agg" --votes "$fx/agg_votes.csv" --stakes "$fx/agg_stakes.csv" \
	    --method "$m" >"$tmp/plain" 2>/dev/null
	for g in "$fx/agg_gold.csv" "$tmp/gold_odd.csv"; do
		"$agg" --votes "$fx/agg_votes.csv" --stakes "$fx/agg_stakes.csv" \
		    --method "$m" --gold "$g" >"$tmp/scored" 2>"$tmp/err" ||
		    fail "gold $g, method $m: exit $?"
		cmp -s "$tmp/plain" "$tmp/scored" ||
		    fail "method $m: output changes with --gold $g"
	done
done
"$agg" --votes "$fx/agg_votes.csv" --method mv --gold "$tmp/gold_odd.csv" \
    >/dev/null 2>"$tmp/err"
grep -q '^accuracy=0.3333 correct=1 gold=3 method=mv$' "$tmp/err" ||
    fail "odd gold accuracy: $(cat "$tmp/err")"
grep -q "^gold: 1 item(s) have a gold label that no vote used.*item '1': 'zebra'" \
    "$tmp/err" || fail "unvoted gold label not reported: $(cat "$tmp/err")"
# The same on a simulated crowd, where a new class would move EM.
if [ -x "$gen" ]; then
	"$gen" --items 400 --per-item 5 --workers 40 --labels 3 \
	    --acc 0.4:0.9 --seed 7 --votes "$tmp/crowd.csv" \
	    --gold "$tmp/crowd_gold.csv" || fail "lc-agg-gen"
	{ cat "$tmp/crowd_gold.csv"; echo "0,never-voted"; } |
	    sed '2d' >"$tmp/crowd_gold_odd.csv"
	for m in $methods; do
		"$agg" --votes "$tmp/crowd.csv" --method "$m" >"$tmp/plain" \
		    2>/dev/null
		"$agg" --votes "$tmp/crowd.csv" --method "$m" \
		    --gold "$tmp/crowd_gold_odd.csv" >"$tmp/scored" 2>/dev/null
		cmp -s "$tmp/plain" "$tmp/scored" ||
		    fail "crowd, method $m: output changes with --gold"
		# --threads never changes the output either.
		"$agg" --votes "$tmp/crowd.csv" --method "$m" --threads 1 \
		    >"$tmp/t1" 2>/dev/null
		"$agg" --votes "$tmp/crowd.csv" --method "$m" --threads 3 \
		    >"$tmp/t3" 2>/dev/null
		cmp -s "$tmp/t1" "$tmp/t3" && cmp -s "$tmp/t1" "$tmp/plain" ||
		    fail "crowd, method $m: output depends on --threads"
	done
else
	fail "no generator at $gen"
fi

# A larger file: the same output on one thread and two (the EM passes
# run in blocks on the threads); a quoted field holding 500 line ends
# parses as one field, and the lines after it keep their numbers.
if [ -x "$gen" ]; then
	"$gen" --items 30000 --per-item 10 --workers 3000 --labels 4 \
	    --seed 3 --votes "$tmp/big.csv" || fail "lc-agg-gen big"
	"$agg" --votes "$tmp/big.csv" --method ds --threads 1 >"$tmp/b1" \
	    2>/dev/null
	"$agg" --votes "$tmp/big.csv" --method ds --threads 2 >"$tmp/b2" \
	    2>/dev/null
	cmp -s "$tmp/b1" "$tmp/b2" || fail "--threads 2 differs from --threads 1"
	n=$(wc -l <"$tmp/big.csv")
	head -n $((n / 2)) "$tmp/big.csv" >"$tmp/odd.csv"
	awk 'BEGIN { printf "odd,\"many"; for (i = 0; i < 500; i++)
	    printf "\nlines"; print "\",0" }' >>"$tmp/odd.csv"
	tail -n +$((n / 2 + 1)) "$tmp/big.csv" | head -n $((n / 2 - 1)) \
	    >>"$tmp/odd.csv"
	"$agg" --votes "$tmp/odd.csv" --method mv >"$tmp/b1" 2>/dev/null &&
	    grep -q '^odd,0,1.0000$' "$tmp/b1" ||
	    fail "quoted line ends: not one field"
	expect_line=$(($(wc -l <"$tmp/odd.csv") + 1))
	echo "1,w" >>"$tmp/odd.csv"
	"$agg" --votes "$tmp/odd.csv" --method mv >/dev/null 2>"$tmp/err"
	grep -q "odd.csv:$expect_line: expected 3 fields" "$tmp/err" ||
	    fail "line after quoted line ends: $(cat "$tmp/err")"
fi

# 5. No header line is fine.
tail -n +2 "$fx/agg_votes.csv" >"$tmp/nohdr.csv"
"$agg" --votes "$tmp/nohdr.csv" --method mv >"$tmp/out2" 2>/dev/null &&
    cmp -s "$tmp/out2" "$tmp/want" || fail "missing header"

# 5b. Fewer workers than labels: one worker, three labels (DS's class
#     prior once overran a buffer sized by the workers; valgrind saw it).
printf 'a,w1,x\nb,w1,y\nc,w1,z\n' >"$tmp/one_worker.csv"
for m in $methods; do
	"$agg" --votes "$tmp/one_worker.csv" --method "$m" >"$tmp/out" \
	    2>"$tmp/err" || fail "one worker, method $m: exit $?"
	[ "$(tail -n +2 "$tmp/out" | cut -d, -f1,2 | tr '\n' ' ')" = \
	    "a,x b,y c,z " ] || fail "one worker, method $m: $(cat "$tmp/out")"
done

# 6. "-" reads standard input, for votes, stakes or gold (one of them).
"$agg" --votes - --method mv <"$fx/agg_votes.csv" >"$tmp/out2" 2>/dev/null &&
    cmp -s "$tmp/out2" "$tmp/want" || fail "--votes - (stdin)"
cat "$fx/agg_votes.csv" | "$agg" --votes - --method mv >"$tmp/out2" \
    2>/dev/null && cmp -s "$tmp/out2" "$tmp/want" || fail "--votes - (pipe)"
"$agg" --votes "$fx/agg_votes.csv" --stakes "$fx/agg_stakes.csv" \
    >"$tmp/st_file" 2>/dev/null
"$agg" --votes "$fx/agg_votes.csv" --stakes - <"$fx/agg_stakes.csv" \
    >"$tmp/st_stdin" 2>/dev/null && cmp -s "$tmp/st_file" "$tmp/st_stdin" ||
    fail "--stakes - (stdin)"
"$agg" --votes "$fx/agg_votes.csv" --gold - --method mv \
    <"$fx/agg_gold.csv" >/dev/null 2>"$tmp/err" &&
    grep -q '^accuracy=0.7500 ' "$tmp/err" || fail "--gold - (stdin)"

# 7. Bad input: exit 1 and file:line (stdin is named "stdin").
expect() {	# expect STATUS PATTERN ARGS...
	want=$1 pat=$2; shift 2
	"$agg" "$@" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	[ $rc -eq "$want" ] || fail "$*: exit $rc, wanted $want"
	grep -q -- "$pat" "$tmp/err" || fail "$*: message '$(cat "$tmp/err")'"
}
printf 'item,worker,label\n1,a,x\n2,b\n' >"$tmp/short.csv"
expect 1 "short.csv:3: expected 3 fields" --votes "$tmp/short.csv"
"$agg" --votes - <"$tmp/short.csv" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q '^labelctl aggregate: stdin:3: expected 3 fields' \
    "$tmp/err" || fail "stdin error: $(cat "$tmp/err")"
printf 'item,worker,label\n1,a,x\n\n2,"b,x\n' >"$tmp/quote.csv"
expect 1 "quote.csv:4: unterminated quoted field" --votes "$tmp/quote.csv"
printf '1,a,x\n1,,x\n' >"$tmp/empty.csv"
expect 1 "empty.csv:2: field 2 is empty" --votes "$tmp/empty.csv"
printf '1,a,x\n2,a"b,x\n' >"$tmp/stray.csv"
expect 1 "stray.csv:2: stray quote" --votes "$tmp/stray.csv"
printf '1,a,x\n2,b,y\0\n' >"$tmp/nul.csv"
expect 1 "nul.csv:2: NUL byte" --votes "$tmp/nul.csv"
awk 'BEGIN { print "item,worker,label"; for (i = 0; i < 70; i++) print i ",w,l" i }' \
    >"$tmp/labels.csv"
expect 1 "labels.csv:66: more than 64 distinct labels" --votes "$tmp/labels.csv"
printf 'worker,stake\nw1,lots\n' >"$tmp/stakes.csv"
expect 1 "stakes.csv:2: stake 'lots'" --votes "$fx/agg_votes.csv" \
    --stakes "$tmp/stakes.csv"
printf 'w1,-3\n' >"$tmp/neg.csv"
expect 1 "neg.csv:1: stake" --votes "$fx/agg_votes.csv" \
    --stakes "$tmp/neg.csv"
printf 'item,label\n1,cat\n1,dog\n' >"$tmp/gold2.csv"
expect 1 "gold2.csv:3: item '1' has two gold labels" \
    --votes "$fx/agg_votes.csv" --gold "$tmp/gold2.csv"
expect 1 "no votes" --votes /dev/null
expect 1 "stdin: no votes" --votes -

# 8. An input that cannot be read: exit 2, and the message says why.
expect 2 "no-such-file.csv: No such file" --votes "$tmp/no-such-file.csv"
mkdir "$tmp/dir.csv"
expect 2 "dir.csv: is a directory" --votes "$tmp/dir.csv"
expect 2 "dir.csv: is a directory" --votes "$fx/agg_votes.csv" \
    --gold "$tmp/dir.csv"
cp "$fx/agg_stakes.csv" "$tmp/secret.csv"
chmod 000 "$tmp/secret.csv"
if [ -r "$tmp/secret.csv" ]; then
	echo "SKIP: unreadable file (running as root)"
else
	expect 2 "secret.csv: Permission denied" --votes "$fx/agg_votes.csv" \
	    --stakes "$tmp/secret.csv"
fi

# 9. Usage errors: exit 2, like every labelctl verb.
expect 2 "unknown method 'best'" --votes "$fx/agg_votes.csv" --method best
expect 2 "is required" --method mv
expect 2 "needs a value" --votes
expect 2 "unknown argument '--frobnicate'" --votes "$fx/agg_votes.csv" \
    --frobnicate
expect 2 "only one input can be -" --votes - --stakes -
expect 2 "--threads '0'" --votes "$fx/agg_votes.csv" --threads 0
expect 2 "--threads 'x'" --votes "$fx/agg_votes.csv" --threads x
expect 2 "--row-prior '-1'" --votes "$fx/agg_votes.csv" --row-prior -1
expect 2 "--row-prior 'nan'" --votes "$fx/agg_votes.csv" --row-prior nan

# 10. Help: every method and option, on stdout, exit 0.
"$agg" --help >"$tmp/out" 2>&1 || fail "--help: exit $?"
for word in usage --votes --stakes --gold --method --threads --row-prior \
    --verbose $methods "Exit status"; do
	grep -q -- "$word" "$tmp/out" || fail "--help does not mention $word"
done

# 11. --verbose reports the read and the fit on stderr, output unchanged;
#     --row-prior 0 is plain Dawid-Skene and runs.
"$agg" --votes "$fx/agg_votes.csv" --method ds -v >"$tmp/out" 2>"$tmp/err" &&
    grep -q '^read votes=13 items=5 workers=3 labels=3 ' "$tmp/err" &&
    grep -q '^fit method=ds iterations=[1-9][0-9]* converged=' "$tmp/err" ||
    fail "--verbose: $(cat "$tmp/err")"
"$agg" --votes "$fx/agg_votes.csv" --method ds >"$tmp/out2" 2>/dev/null
cmp -s "$tmp/out" "$tmp/out2" || fail "--verbose changes the output"
"$agg" --votes "$fx/agg_votes.csv" --method ds --row-prior 0 >/dev/null \
    2>&1 || fail "--row-prior 0"

# 12. labelctl carries the same command, exit codes included.
if [ -x "$top_build/labelctl" ]; then
	"$top_build/labelctl" aggregate --votes "$fx/agg_votes.csv" \
	    --stakes "$fx/agg_stakes.csv" >"$tmp/lc" 2>/dev/null ||
	    fail "labelctl aggregate: exit $?"
	"$agg" --votes "$fx/agg_votes.csv" --stakes "$fx/agg_stakes.csv" \
	    >"$tmp/drv" 2>/dev/null
	cmp -s "$tmp/lc" "$tmp/drv" || fail "labelctl aggregate differs"
	"$top_build/labelctl" aggregate --method best >/dev/null 2>&1
	[ $? -eq 2 ] || fail "labelctl aggregate usage error: not exit 2"
else
	fail "no labelctl at $top_build/labelctl"
fi

[ $fails -eq 0 ] && echo "PASS: test_aggregate.sh" && exit 0
echo "$fails failure(s)"
exit 1
