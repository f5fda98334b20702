/*
 * anchor/merkle.c — RFC 6962 / RFC 9162 Merkle log over stored complete
 * subtrees (see merkle.h for the idea and the storage model).
 *
 * Every proof is produced top-down by the RFC's own recursion, unrolled:
 * (start, n) is the current subtree D[start : start + n) and k the split.
 * Each sibling MTH it needs is a subtree hash computed by subtree_hash()
 * from the complete nodes that make it up.  Only one sibling on the walk
 * can be incomplete (once the walk enters a left half, everything below is
 * a complete power-of-two tree), so the read count stays O(log n).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "anchor/anchor_err.h"
#include "anchor/merkle.h"

struct merkle_hasher {
	EVP_MD	   *md;
	EVP_MD_CTX *ctx;
};

static const uint8_t merkle_leaf_prefix = 0x00;
static const uint8_t merkle_node_prefix = 0x01;

int
merkle_hasher_create(struct merkle_hasher **out)
{
	struct merkle_hasher *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return ANCHOR_ENOMEM;
	if ((h->md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		goto fail;
	if ((h->ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	*out = h;
	return 0;
fail:
	merkle_hasher_free(h);
	return ANCHOR_ECRYPTO;
}

void
merkle_hasher_free(struct merkle_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

/* SHA-256 over up to three pieces (prefix, a, b); NULL pieces are skipped. */
static int
merkle_digest3(struct merkle_hasher *h, const void *p0, size_t l0,
    const void *p1, size_t l1, const void *p2, size_t l2,
    uint8_t out[MERKLE_HASH_LEN])
{
	unsigned int outlen = 0;

	if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1)
		return ANCHOR_ECRYPTO;
	if (p0 != NULL && EVP_DigestUpdate(h->ctx, p0, l0) != 1)
		return ANCHOR_ECRYPTO;
	if (p1 != NULL && EVP_DigestUpdate(h->ctx, p1, l1) != 1)
		return ANCHOR_ECRYPTO;
	if (p2 != NULL && EVP_DigestUpdate(h->ctx, p2, l2) != 1)
		return ANCHOR_ECRYPTO;
	if (EVP_DigestFinal_ex(h->ctx, out, &outlen) != 1 ||
	    outlen != MERKLE_HASH_LEN)
		return ANCHOR_ECRYPTO;
	return 0;
}

int
merkle_sha256(struct merkle_hasher *h, const void *data, size_t len,
    uint8_t out[MERKLE_HASH_LEN])
{
	if (data == NULL && len != 0)
		return ANCHOR_EINVAL;
	return merkle_digest3(h, data == NULL ? "" : data, len, NULL, 0, NULL,
	    0, out);
}

int
merkle_leaf_hash(struct merkle_hasher *h, const void *record, size_t len,
    uint8_t out[MERKLE_HASH_LEN])
{
	if (record == NULL && len != 0)
		return ANCHOR_EINVAL;
	return merkle_digest3(h, &merkle_leaf_prefix, 1, record, len, NULL, 0,
	    out);
}

int
merkle_node_hash(struct merkle_hasher *h, const uint8_t left[MERKLE_HASH_LEN],
    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t buf[1 + 2 * MERKLE_HASH_LEN];

	/* One update of 65 bytes: the hot path of appends and proofs. */
	buf[0] = merkle_node_prefix;
	memcpy(buf + 1, left, MERKLE_HASH_LEN);
	memcpy(buf + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
	return merkle_digest3(h, buf, sizeof(buf), NULL, 0, NULL, 0, out);
}

/* Largest power of two strictly smaller than n (n >= 2): RFC 6962's k. */
static uint64_t
merkle_split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static int
merkle_get(const struct merkle_store *s, unsigned level, uint64_t index,
    uint8_t out[MERKLE_HASH_LEN])
{
	int rc;

	rc = s->get_node(s->ctx, level, index, out);
	return rc < 0 ? rc : 0;
}

/*
 * MTH(D[start : start + n)) for a subtree that arises in the RFC 6962
 * recursion (start is a multiple of the smallest power of two >= n).  Its
 * complete parts are the nodes named by the one bits of n, largest first;
 * the hash is their right fold.  popcount(n) reads.
 */
static int
merkle_subtree_hash(struct merkle_hasher *h, const struct merkle_store *s,
    uint64_t start, uint64_t n, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t	 acc[MERKLE_HASH_LEN], node[MERKLE_HASH_LEN];
	uint64_t chunk_start;
	unsigned b;
	int	 have = 0, rc;

	if (n == 0 || n > MERKLE_MAX_SIZE)
		return ANCHOR_EINVAL;
	for (b = 0; b < 63; b++) {
		if (((n >> b) & 1) == 0)
			continue;
		chunk_start = start + (n & ~(((uint64_t)2 << b) - 1));
		if ((chunk_start & (((uint64_t)1 << b) - 1)) != 0)
			return ANCHOR_EINVAL; /* not an RFC 6962 subtree */
		if ((rc = merkle_get(s, b, chunk_start >> b, node)) != 0)
			return rc;
		if (!have) {
			memcpy(acc, node, MERKLE_HASH_LEN);
			have = 1;
		} else if ((rc = merkle_node_hash(h, node, acc, acc)) != 0)
			return rc;
	}
	memcpy(out, acc, MERKLE_HASH_LEN);
	return 0;
}

int
merkle_append(struct merkle_hasher *h, const struct merkle_store *store,
    uint64_t n, const uint8_t leaf_hash[MERKLE_HASH_LEN],
    struct merkle_node *nodes, size_t nodes_cap, size_t *n_nodes)
{
	uint8_t	 left[MERKLE_HASH_LEN];
	uint64_t index = n;
	unsigned level = 0;
	size_t	 count = 0;
	int	 rc;

	*n_nodes = 0;
	if (n >= MERKLE_MAX_SIZE)
		return ANCHOR_EINVAL;
	if (nodes_cap < 1)
		return ANCHOR_ENOSPC;
	nodes[0].level = 0;
	nodes[0].index = n;
	memcpy(nodes[0].hash, leaf_hash, MERKLE_HASH_LEN);
	count = 1;
	/* A right child completes its parent; climb while that holds. */
	while (index & 1) {
		if (count >= nodes_cap)
			return ANCHOR_ENOSPC;
		if ((rc = merkle_get(store, level, index - 1, left)) != 0)
			return rc;
		nodes[count].level = level + 1;
		nodes[count].index = index >> 1;
		if ((rc = merkle_node_hash(h, left, nodes[count - 1].hash,
			 nodes[count].hash)) != 0)
			return rc;
		count++;
		index >>= 1;
		level++;
	}
	*n_nodes = count;
	return 0;
}

int
merkle_root(struct merkle_hasher *h, const struct merkle_store *store,
    uint64_t size, uint8_t root[MERKLE_HASH_LEN])
{
	if (size > MERKLE_MAX_SIZE)
		return ANCHOR_EINVAL;
	if (size == 0)
		return merkle_sha256(h, NULL, 0, root);
	return merkle_subtree_hash(h, store, 0, size, root);
}

size_t
merkle_inclusion_path_len(uint64_t index, uint64_t size)
{
	uint64_t start = 0, n = size, k;
	size_t	 len = 0;

	if (index >= size || size > MERKLE_MAX_SIZE)
		return 0;
	while (n > 1) {
		k = merkle_split(n);
		if (index < start + k) {
			n = k;
		} else {
			start += k;
			n -= k;
		}
		len++;
	}
	return len;
}

int
merkle_inclusion_proof(struct merkle_hasher *h,
    const struct merkle_store *store, uint64_t index, uint64_t size,
    uint8_t *path, size_t path_cap, size_t *path_len)
{
	uint64_t start = 0, n = size, k;
	size_t	 len, j;
	int	 rc;

	*path_len = 0;
	if (size == 0 || size > MERKLE_MAX_SIZE || index >= size)
		return ANCHOR_EINVAL;
	len = merkle_inclusion_path_len(index, size);
	if (len > path_cap)
		return ANCHOR_ENOSPC;
	/* PATH(m, D[n]) appends the sibling after the sub-path: fill from
	 * the end while walking down. */
	j = len;
	while (n > 1) {
		k = merkle_split(n);
		j--;
		if (index < start + k) {
			rc = merkle_subtree_hash(h, store, start + k, n - k,
			    path + j * MERKLE_HASH_LEN);
			n = k;
		} else {
			rc = merkle_subtree_hash(h, store, start, k,
			    path + j * MERKLE_HASH_LEN);
			start += k;
			n -= k;
		}
		if (rc != 0)
			return rc;
	}
	*path_len = len;
	return 0;
}

/*
 * SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1, unrolled.  With out == NULL
 * it only counts.  Hashes are written from the end, as the recursion
 * appends each level's hash after the deeper sub-proof.
 */
static int
merkle_subproof(struct merkle_hasher *h, const struct merkle_store *store,
    uint64_t m, uint64_t n, uint8_t *out, size_t len, size_t *count)
{
	uint64_t start = 0, k;
	size_t	 c = 0;
	int	 b = 1, rc = 0;

	for (;;) {
		if (m == n) {
			if (!b) {
				c++;
				if (out != NULL)
					rc = merkle_subtree_hash(h, store,
					    start, m,
					    out + (len - c) * MERKLE_HASH_LEN);
			}
			break;
		}
		k = merkle_split(n);
		c++;
		if (m <= k) {
			if (out != NULL)
				rc = merkle_subtree_hash(h, store, start + k,
				    n - k, out + (len - c) * MERKLE_HASH_LEN);
			n = k;
		} else {
			if (out != NULL)
				rc = merkle_subtree_hash(h, store, start, k,
				    out + (len - c) * MERKLE_HASH_LEN);
			start += k;
			m -= k;
			n -= k;
			b = 0;
		}
		if (rc != 0)
			return rc;
	}
	*count = c;
	return rc;
}

int
merkle_consistency_proof(struct merkle_hasher *h,
    const struct merkle_store *store, uint64_t size1, uint64_t size2,
    uint8_t *proof, size_t proof_cap, size_t *proof_len)
{
	size_t len, got;
	int    rc;

	*proof_len = 0;
	if (size1 > size2 || size2 > MERKLE_MAX_SIZE)
		return ANCHOR_EINVAL;
	if (size1 == 0 || size1 == size2)
		return 0;
	if ((rc = merkle_subproof(h, store, size1, size2, NULL, 0, &len)) != 0)
		return rc;
	if (len > proof_cap)
		return ANCHOR_ENOSPC;
	if ((rc = merkle_subproof(h, store, size1, size2, proof, len, &got)) !=
	    0)
		return rc;
	*proof_len = got;
	return 0;
}

int
merkle_inclusion_root(struct merkle_hasher *h,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index, uint64_t size,
    const uint8_t *path, size_t path_len, uint8_t root[MERKLE_HASH_LEN])
{
	uint8_t	       r[MERKLE_HASH_LEN];
	const uint8_t *p;
	uint64_t       fn, sn;
	size_t	       j;
	int	       rc;

	if (size == 0 || size > MERKLE_MAX_SIZE || index >= size)
		return ANCHOR_EINVAL;
	if (path == NULL && path_len != 0)
		return ANCHOR_EINVAL;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, MERKLE_HASH_LEN);
	for (j = 0; j < path_len; j++) {
		p = path + j * MERKLE_HASH_LEN;
		if (sn == 0)
			return ANCHOR_EVERIFY; /* path too long */
		if ((fn & 1) || fn == sn) {
			if ((rc = merkle_node_hash(h, p, r, r)) != 0)
				return rc;
			/* §2.1.3.2 step 5.2: skip the levels where this
			 * node is the last, lone one of its row. */
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if ((rc = merkle_node_hash(h, r, p, r)) != 0)
			return rc;
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return ANCHOR_EVERIFY; /* path too short */
	memcpy(root, r, MERKLE_HASH_LEN);
	return 0;
}

static int
merkle_hash_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;
	size_t	i;

	for (i = 0; i < MERKLE_HASH_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

int
merkle_inclusion_verify(struct merkle_hasher *h,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index, uint64_t size,
    const uint8_t *path, size_t path_len, const uint8_t root[MERKLE_HASH_LEN])
{
	uint8_t r[MERKLE_HASH_LEN];
	int	rc;

	if ((rc = merkle_inclusion_root(h, leaf_hash, index, size, path,
		 path_len, r)) != 0)
		return rc;
	return merkle_hash_equal(r, root) ? 0 : ANCHOR_EVERIFY;
}

int
merkle_consistency_verify(struct merkle_hasher *h, uint64_t size1,
    uint64_t size2, const uint8_t root1[MERKLE_HASH_LEN],
    const uint8_t root2[MERKLE_HASH_LEN], const uint8_t *proof,
    size_t proof_len)
{
	uint8_t	       fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	const uint8_t *c;
	uint64_t       fn, sn;
	size_t	       j = 0;
	int	       rc;

	if (size1 > size2 || size2 > MERKLE_MAX_SIZE)
		return ANCHOR_EINVAL;
	if (proof == NULL && proof_len != 0)
		return ANCHOR_EINVAL;
	if (size1 == size2)
		return proof_len == 0 && merkle_hash_equal(root1, root2)
		    ? 0
		    : ANCHOR_EVERIFY;
	if (size1 == 0)
		return proof_len == 0 ? 0 : ANCHOR_EVERIFY;
	if (proof_len == 0)
		return ANCHOR_EVERIFY;
	/* Step 2: a power-of-two first tree is itself the first node. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, MERKLE_HASH_LEN);
	} else {
		memcpy(fr, proof, MERKLE_HASH_LEN);
		j = 1;
	}
	memcpy(sr, fr, MERKLE_HASH_LEN);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; j < proof_len; j++) {
		c = proof + j * MERKLE_HASH_LEN;
		if (sn == 0)
			return ANCHOR_EVERIFY;
		if ((fn & 1) || fn == sn) {
			if ((rc = merkle_node_hash(h, c, fr, fr)) != 0 ||
			    (rc = merkle_node_hash(h, c, sr, sr)) != 0)
				return rc;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if ((rc = merkle_node_hash(h, sr, c, sr)) != 0)
			return rc;
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || !merkle_hash_equal(fr, root1) ||
	    !merkle_hash_equal(sr, root2))
		return ANCHOR_EVERIFY;
	return 0;
}

int
merkle_proof_verify(struct merkle_hasher *h, const struct merkle_proof *p,
    struct merkle_verify_report *report)
{
	int rc;

	memset(report, 0, sizeof(*report));
	report->failed = MERKLE_VERIFY_INPUT;
	if (p->tree_size == 0 || p->tree_size > MERKLE_MAX_SIZE ||
	    p->leaf_index >= p->tree_size || p->root == NULL ||
	    (p->leaf == NULL && p->leaf_len != 0) ||
	    (p->path == NULL && p->path_len != 0))
		return ANCHOR_EVERIFY;
	report->path_len_expected =
	    merkle_inclusion_path_len(p->leaf_index, p->tree_size);

	if ((rc = merkle_leaf_hash(h, p->leaf == NULL ? "" : p->leaf,
		 p->leaf_len, report->leaf_hash)) != 0)
		return rc;
	report->failed = MERKLE_VERIFY_LEAF_HASH;
	if (p->leaf_hash != NULL &&
	    !merkle_hash_equal(p->leaf_hash, report->leaf_hash))
		return ANCHOR_EVERIFY;

	report->failed = MERKLE_VERIFY_PATH;
	if (p->path_len != report->path_len_expected)
		return ANCHOR_EVERIFY;
	rc = merkle_inclusion_root(h, report->leaf_hash, p->leaf_index,
	    p->tree_size, p->path, p->path_len, report->root);
	if (rc == ANCHOR_EVERIFY)
		return rc;
	if (rc != 0)
		return rc;
	report->have_root = 1;

	report->failed = MERKLE_VERIFY_ROOT;
	if (!merkle_hash_equal(report->root, p->root))
		return ANCHOR_EVERIFY;
	report->failed = MERKLE_VERIFY_OK;
	return 0;
}

const char *
merkle_verify_step_name(enum merkle_verify_step step)
{
	switch (step) {
	case MERKLE_VERIFY_OK:
		return "ok";
	case MERKLE_VERIFY_INPUT:
		return "input";
	case MERKLE_VERIFY_LEAF_HASH:
		return "leaf hash";
	case MERKLE_VERIFY_PATH:
		return "path";
	case MERKLE_VERIFY_ROOT:
		return "root";
	}
	return "unknown";
}
