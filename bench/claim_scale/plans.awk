# bench/claim_scale/plans.awk — auto_explain's log of one session, reduced
# to one line per executed statement (tab-separated):
#   ms  statement  scans  rows-removed  buffers  plan
# statement: the first words of the Query Text; scans: every scan node
# with its index; rows-removed: the sum of "Rows Removed by Filter" over
# the plan; buffers: the top node's "Buffers:" line; plan: "generic" when
# a condition compares with a parameter ($n) rather than a value.  Run with -v pid=N to
# keep only that backend's plans (the log holds other sessions' lines too).
function flush() {
	if (inplan)
		printf "%s\t%s\t%s\t%d\t%s\t%s\n", ms, stmt, scans, removed,
		    buffers, generic ? "generic" : "custom"
	inplan = 0
}
/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
	flush()
	if (index($0, "[" pid "]") && match($0, /duration: [0-9.]+ ms  plan:/)) {
		inplan = 1
		ms = substr($0, RSTART + 10, RLENGTH - 10 - 10)
		stmt = ""; scans = ""; removed = 0; buffers = ""; intext = 0
		generic = 0
	}
	next
}
!inplan { next }
/^\tQuery Text: / {
	s = $0
	sub(/^\tQuery Text: /, "", s)
	gsub(/[ \t]+/, " ", s)
	stmt = s
	intext = 1
	next
}
# the Query Text goes on until the first plan line (two spaces less
# indented than the text's continuation lines)
intext && /^\t\t/ {
	s = $0
	gsub(/[ \t]+/, " ", s)
	stmt = stmt s
	next
}
{ intext = 0 }
/Scan/ {
	s = $0
	sub(/^[ \t]*(->)?[ \t]*/, "", s)
	sub(/ +\(cost=.*/, "", s)
	sub(/ on [a-z_]+( [a-z_0-9]+)?$/, "", s)
	scans = scans (scans == "" ? "" : "; ") s
	next
}
/(Cond|Filter): .*\$[0-9]/ { generic = 1 }
/Rows Removed by Filter: / {
	s = $0
	sub(/.*Rows Removed by Filter: /, "", s)
	removed += s
	next
}
/Buffers: / && buffers == "" {
	s = $0
	sub(/^[ \t]*Buffers: /, "", s)
	buffers = s
	next
}
END { flush() }
