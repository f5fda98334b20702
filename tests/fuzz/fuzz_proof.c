/*
 * tests/fuzz/fuzz_proof.c — what `labelctl verify` does with a proof file
 * and an anchor transaction, on arbitrary bytes.  The JSON reader of
 * cli/cmd_verify.c is static, so the proof structure is decoded from the
 * fuzz bytes instead and handed to merkle_proof_verify (anchor/merkle.h):
 *
 *	off  0	flags: 1 claim leaf_hash, 2 also verify against the root
 *		the path leads to, 4 fold index/size into small trees
 *	off  1	leaf_index, 8 bytes big-endian
 *	off  9	tree_size, 8 bytes big-endian
 *	off 17	number of path hashes (mod MERKLE_MAX_PROOF + 1)
 *	off 18	root, 32 bytes
 *	off 50	leaf_hash, 32 bytes
 *	off 82	path hashes, then the leaf record (the rest)
 *
 * Invariants: a proof is accepted only if its path has the RFC 9162 length
 * and really folds to the claimed root (recomputed here with
 * merkle_inclusion_root); a proof made consistent with the root it leads
 * to is accepted, and fails at the root step once one bit of that root
 * flips.  The leaf bytes also go through the hex decoders used on proof
 * fields and RPC answers (anchor/hex.h), which must round-trip through
 * anchor_hex_encode, and through evm_anchor_calldata_decode
 * (anchor/evm_tx.h), which must round-trip through its encoder.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/evm_tx.h"
#include "anchor/hex.h"
#include "anchor/merkle.h"

#define HDR_LEN 82

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct merkle_hasher *hasher;

static uint64_t
be64(const uint8_t *p)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
check_hex(const uint8_t *s, size_t len)
{
	uint8_t *out, fixed[32];
	char	*back;
	size_t	 n, i, skip;

	skip = len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 2 : 0;
	if ((out = malloc(len / 2 + 1)) == NULL ||
	    (back = malloc(len + 1)) == NULL) {
		free(out);
		return;
	}
	if (anchor_hex_decode_var((const char *)s, len, out, len / 2 + 1, &n) ==
	    0) {
		if (2 * n != len - skip ||
		    anchor_hex_encode(out, n, back, len + 1) != 0)
			abort();
		for (i = 0; i < 2 * n; i++)
			if (back[i] != tolower(s[skip + i]))
				abort();
	}
	if (anchor_hex_decode((const char *)s, len, fixed, sizeof(fixed)) ==
	    0) {
		if (len - skip != 64 ||
		    anchor_hex_decode_var((const char *)s, len, out,
			len / 2 + 1, &n) != 0 ||
		    n != 32 || memcmp(out, fixed, 32) != 0)
			abort();
	}
	free(back);
	free(out);
}

static void
check_calldata(const uint8_t *d, size_t len)
{
	uint8_t	 root[32], again[EVM_ANCHOR_DATA_LEN];
	uint64_t tree_size;

	if (evm_anchor_calldata_decode(d, len, root, &tree_size) != 0)
		return;
	if (len != EVM_ANCHOR_DATA_LEN)
		abort();
	evm_anchor_calldata_encode(root, tree_size, again);
	if (memcmp(again, d, EVM_ANCHOR_DATA_LEN) != 0)
		abort();
}

static void
check_proof(const uint8_t hdr[HDR_LEN], const uint8_t *rest, size_t rest_len)
{
	struct merkle_proof	    p;
	struct merkle_verify_report rep;
	uint8_t			    root[MERKLE_HASH_LEN];
	uint8_t			    again[MERKLE_HASH_LEN];
	uint8_t			    folded[MERKLE_HASH_LEN];
	size_t			    npath;
	int			    rc;

	memset(&p, 0, sizeof(p));
	p.leaf_index = be64(hdr + 1);
	p.tree_size = be64(hdr + 9);
	if (hdr[0] & 4) {
		p.tree_size = p.tree_size % 4096 + 1;
		p.leaf_index %= p.tree_size;
	}
	npath = hdr[17] % (MERKLE_MAX_PROOF + 1);
	if (npath * MERKLE_HASH_LEN > rest_len)
		npath = rest_len / MERKLE_HASH_LEN;
	memcpy(root, hdr + 18, MERKLE_HASH_LEN);
	p.root = root;
	p.leaf_hash = (hdr[0] & 1) ? hdr + 50 : NULL;
	p.path = rest;
	p.path_len = npath;
	p.leaf = (const char *)rest + npath * MERKLE_HASH_LEN;
	p.leaf_len = rest_len - npath * MERKLE_HASH_LEN;

	rc = merkle_proof_verify(hasher, &p, &rep);
	if (rc == 0) {
		if (rep.failed != MERKLE_VERIFY_OK || !rep.have_root ||
		    p.path_len !=
			merkle_inclusion_path_len(p.leaf_index, p.tree_size) ||
		    memcmp(rep.root, p.root, MERKLE_HASH_LEN) != 0)
			abort();
		if (merkle_leaf_hash(hasher, p.leaf, p.leaf_len, again) != 0 ||
		    memcmp(again, rep.leaf_hash, MERKLE_HASH_LEN) != 0 ||
		    merkle_inclusion_root(hasher, again, p.leaf_index,
			p.tree_size, p.path, p.path_len, folded) != 0 ||
		    memcmp(folded, p.root, MERKLE_HASH_LEN) != 0)
			abort();
	} else if (rc == ANCHOR_EVERIFY) {
		if (rep.failed == MERKLE_VERIFY_OK)
			abort();
		if (rep.failed == MERKLE_VERIFY_ROOT &&
		    (!rep.have_root ||
			memcmp(rep.root, p.root, MERKLE_HASH_LEN) == 0))
			abort();
		if (rep.failed > MERKLE_VERIFY_PATH &&
		    p.path_len != rep.path_len_expected)
			abort();
	} else if (rc != ANCHOR_ECRYPTO)
		abort();

	/* Make the proof consistent: it must verify, and not with a flip. */
	if ((hdr[0] & 2) && rep.have_root) {
		memcpy(root, rep.root, MERKLE_HASH_LEN);
		if (merkle_proof_verify(hasher, &p, &rep) != 0 ||
		    rep.failed != MERKLE_VERIFY_OK)
			abort();
		root[hdr[17] % MERKLE_HASH_LEN] ^= 1;
		if (merkle_proof_verify(hasher, &p, &rep) != ANCHOR_EVERIFY ||
		    rep.failed != MERKLE_VERIFY_ROOT)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR_LEN];

	if (hasher == NULL && merkle_hasher_create(&hasher) != 0)
		abort();
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, data, size < HDR_LEN ? size : HDR_LEN);
	check_proof(hdr, data + (size < HDR_LEN ? size : HDR_LEN),
	    size < HDR_LEN ? 0 : size - HDR_LEN);
	check_hex(data, size);
	check_calldata(data, size);
	return 0;
}
