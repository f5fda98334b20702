#!/bin/sh
# tests/build/test_layers.sh — the build enforces the libraries' layers:
# labeling/ (the market) may use the Merkle half of anchor/ (libmerkle.a:
# RFC 6962 hashing, leaf records, hex) but never its EVM half (libevm.a:
# Keccak, RLP, signing, JSON-RPC), and reputation/ uses neither.  Checked
# on the built archives: no symbol a layer needs may be one the forbidden
# library defines, and no source of the layer includes its headers.
set -u
top=${LC_TOP_SRCDIR:-.}
build=${LC_TOP_BUILDDIR:-.}
fail=0

defined() { nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
undefined() { nm -g --undefined-only "$1" 2>/dev/null | awk '{ print $NF }' | sort -u; }

check() { # layer archive, forbidden archive
	bad=$(comm -12 "$tmp/u" "$tmp/d")
	if [ -n "$bad" ]; then
		echo "FAIL: $1 uses $2: $(echo $bad | tr '\n' ' ')"
		fail=1
	fi
}

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
for a in labeling/liblabeling.a reputation/libreputation.a \
    anchor/libmerkle.a anchor/libevm.a; do
	[ -f "$build/$a" ] || { echo "SKIP: $build/$a not built"; exit 77; }
done

undefined "$build/labeling/liblabeling.a" > "$tmp/u"
defined "$build/anchor/libevm.a" > "$tmp/d"
check labeling/liblabeling.a anchor/libevm.a

undefined "$build/reputation/libreputation.a" > "$tmp/u"
cat "$tmp/d" > "$tmp/d2"
defined "$build/anchor/libmerkle.a" >> "$tmp/d2"
defined "$build/labeling/liblabeling.a" >> "$tmp/d2"
sort -u "$tmp/d2" > "$tmp/d"
check reputation/libreputation.a "anchor/ or labeling/"

undefined "$build/anchor/libmerkle.a" > "$tmp/u"
defined "$build/anchor/libevm.a" > "$tmp/d"
check anchor/libmerkle.a anchor/libevm.a

# Headers: the EVM half's, in labeling/ and in the Merkle half.
evm='anchor/(rpc|keccak|rlp|evm_tx|evm_key)\.h'
if grep -EnH "#include \"$evm\"" "$top"/labeling/*.[ch] "$top"/reputation/*.[ch] \
    "$top"/anchor/merkle*.[ch] "$top"/anchor/leaf.[ch] "$top"/anchor/hex.[ch] \
    "$top"/anchor/utf8.[ch] 2>/dev/null; then
	echo "FAIL: an EVM header included above"
	fail=1
fi
[ $fail = 0 ] && echo "PASS: labeling/ and the Merkle half stay off libevm.a; reputation/ uses no other layer"
exit $fail
