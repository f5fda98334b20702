/*
 * tests/unit/test_merkle.c — the Merkle log against Certificate
 * Transparency's published vectors and against a naive RFC 6962 recompute.
 *
 * Vectors: the 8-leaf tree of CT's reference tests (transparency-dev/merkle
 * testonly/constants.go and reference_test.go, the same tree as the
 * RFC 6962 reference code's merkle_tree_test.cc): leaf inputs, node hashes,
 * roots at every size, inclusion paths and consistency proofs.
 *
 * Naive reference: MTH, PATH and SUBPROOF written straight from RFC 9162
 * §2.1.1, §2.1.3.1 and §2.1.4.1 as recursions over the leaf list, with a
 * memo of subtree hashes so that every size up to EXHAUSTIVE_MAX, every
 * index and every pair of sizes can be checked in a few seconds.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "anchor/merkle.h"
#include "anchor/merkle_mem.h"

#define H MERKLE_HASH_LEN
/*
 * Every size up to 1000 and every pair up to 200; LC_TEST_QUICK=1 (set by
 * scripts/dev under valgrind, 100x slower) keeps 256 and 64.
 */
static unsigned exhaustive_max = 1000, pairs_full_max = 200;
#define EXHAUSTIVE_MAX exhaustive_max
#define PAIRS_FULL_MAX pairs_full_max

/*
 * Check's ck_assert_* record the location of every passing assertion
 * (a write to its message pipe); millions of them dominate the run time.
 * These evaluate once and only call into Check on failure.
 */
#define CK_EQ(x, y) \
	do { \
		long long ck_a_ = (long long)(x), ck_b_ = (long long)(y); \
		if (ck_a_ != ck_b_) \
			ck_abort_msg("%s == %lld, expected %s == %lld", #x, \
			    ck_a_, #y, ck_b_); \
	} while (0)
#define CK_NE(x, y) \
	do { \
		long long ck_a_ = (long long)(x), ck_b_ = (long long)(y); \
		if (ck_a_ == ck_b_) \
			ck_abort_msg("%s == %s == %lld", #x, #y, ck_a_); \
	} while (0)
#define CK_LE(x, y) \
	do { \
		long long ck_a_ = (long long)(x), ck_b_ = (long long)(y); \
		if (ck_a_ > ck_b_) \
			ck_abort_msg("%s == %lld > %s == %lld", #x, ck_a_, #y, \
			    ck_b_); \
	} while (0)
#define CK_MEM_EQ(x, y, n) \
	do { \
		if (memcmp((x), (y), (n)) != 0) \
			ck_abort_msg("%s != %s", #x, #y); \
	} while (0)

static struct merkle_hasher *hasher;

static void
unhex(const char *s, uint8_t *out, size_t len)
{
	CK_EQ(anchor_hex_decode(s, strlen(s), out, len), 0);
}

static void
ck_hash_eq(const uint8_t *got, const char *want_hex)
{
	char got_hex[2 * H + 1];

	CK_EQ(anchor_hex_encode(got, H, got_hex, sizeof(got_hex)), 0);
	ck_assert_str_eq(got_hex, want_hex);
}

/* --- CT vectors --------------------------------------------------------- */

static const char *ct_leaves[8] = {
	"",
	"00",
	"10",
	"2021",
	"3031",
	"40414243",
	"5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* NodeHashes(): level, then index. */
static const char *ct_nodes[4][8] = {
	{ "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1" },
	{ "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0" },
	{ "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" },
	{ "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328" },
};

struct ct_proof {
	uint64_t    a, b; /* (index, size) or (size1, size2) */
	size_t	    len;
	const char *hashes[3];
};

static const struct ct_proof ct_inclusion[] = {
	{ 0, 1, 0, { NULL } },
	{ 0, 2, 1,
	    { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7" } },
	{ 1, 2, 1,
	    { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" } },
	{ 2, 3, 1,
	    { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 1, 5, 3,
	    { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
	{ 0, 8, 3,
	    { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 5, 8, 3,
	    { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
};

static const struct ct_proof ct_consistency[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3,
	    { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 2, 5, 2,
	    { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
	{ 6, 8, 3,
	    { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
};

static struct merkle_mem *
ct_tree(struct merkle_store *s)
{
	struct merkle_mem *m;
	uint8_t		   rec[16], lh[H];
	size_t		   len;
	int		   i;

	CK_EQ(merkle_mem_create(&m), 0);
	for (i = 0; i < 8; i++) {
		CK_EQ(anchor_hex_decode_var(ct_leaves[i], strlen(ct_leaves[i]),
			  rec, sizeof(rec), &len),
		    0);
		CK_EQ(merkle_leaf_hash(hasher, rec, len, lh), 0);
		CK_EQ(merkle_mem_append(m, hasher, lh), 0);
	}
	merkle_mem_store(m, s);
	return m;
}

START_TEST(test_ct_nodes_and_roots)
{
	struct merkle_store s;
	struct merkle_mem  *m = ct_tree(&s);
	uint8_t		    got[H];
	unsigned	    level;
	uint64_t	    i, size;

	for (level = 0; level < 4; level++)
		for (i = 0; i < (8u >> level); i++) {
			CK_EQ(merkle_mem_get_node(m, level, i, got), 0);
			ck_hash_eq(got, ct_nodes[level][i]);
		}
	CK_EQ(merkle_mem_get_node(m, 4, 0, got), ANCHOR_ESTORE);
	for (size = 0; size <= 8; size++) {
		CK_EQ(merkle_root(hasher, &s, size, got), 0);
		ck_hash_eq(got, ct_roots[size]);
	}
	CK_EQ(merkle_root(hasher, &s, 9, got), ANCHOR_ESTORE);
	merkle_mem_free(m);
}
END_TEST

START_TEST(test_ct_inclusion)
{
	struct merkle_store s;
	struct merkle_mem  *m = ct_tree(&s);
	uint8_t		    path[MERKLE_MAX_PROOF * H], lh[H], root[H];
	size_t		    i, j, len;

	for (i = 0; i < sizeof(ct_inclusion) / sizeof(ct_inclusion[0]); i++) {
		const struct ct_proof *v = &ct_inclusion[i];

		CK_EQ(merkle_inclusion_proof(hasher, &s, v->a, v->b, path,
			  MERKLE_MAX_PROOF, &len),
		    0);
		CK_EQ(len, v->len);
		CK_EQ(merkle_inclusion_path_len(v->a, v->b), v->len);
		for (j = 0; j < len; j++)
			ck_hash_eq(path + j * H, v->hashes[j]);
		unhex(ct_nodes[0][v->a], lh, H);
		unhex(ct_roots[v->b], root, H);
		CK_EQ(merkle_inclusion_verify(hasher, lh, v->a, v->b, path, len,
			  root),
		    0);
	}
	merkle_mem_free(m);
}
END_TEST

START_TEST(test_ct_consistency)
{
	struct merkle_store s;
	struct merkle_mem  *m = ct_tree(&s);
	uint8_t		    proof[MERKLE_MAX_PROOF * H], r1[H], r2[H];
	size_t		    i, j, len;

	for (i = 0; i < sizeof(ct_consistency) / sizeof(ct_consistency[0]);
	     i++) {
		const struct ct_proof *v = &ct_consistency[i];

		CK_EQ(merkle_consistency_proof(hasher, &s, v->a, v->b, proof,
			  MERKLE_MAX_PROOF, &len),
		    0);
		CK_EQ(len, v->len);
		for (j = 0; j < len; j++)
			ck_hash_eq(proof + j * H, v->hashes[j]);
		unhex(ct_roots[v->a], r1, H);
		unhex(ct_roots[v->b], r2, H);
		CK_EQ(merkle_consistency_verify(hasher, v->a, v->b, r1, r2,
			  proof, len),
		    0);
	}
	merkle_mem_free(m);
}
END_TEST

START_TEST(test_append_completes)
{
	struct merkle_store s;
	struct merkle_mem  *m = ct_tree(&s);
	struct merkle_node  nodes[MERKLE_MAX_APPEND];
	uint8_t		    lh[H];
	size_t		    n;

	/* Leaf 7 completes (0,7), (1,3), (2,1), (3,0): all of the CT tree. */
	unhex(ct_nodes[0][7], lh, H);
	CK_EQ(merkle_append(hasher, &s, 7, lh, nodes, MERKLE_MAX_APPEND, &n),
	    0);
	CK_EQ(n, 4);
	CK_EQ(nodes[3].level, 3);
	CK_EQ(nodes[3].index, 0);
	ck_hash_eq(nodes[1].hash, ct_nodes[1][3]);
	ck_hash_eq(nodes[2].hash, ct_nodes[2][1]);
	ck_hash_eq(nodes[3].hash, ct_roots[8]);
	CK_EQ(merkle_append(hasher, &s, 7, lh, nodes, 3, &n), ANCHOR_ENOSPC);
	/* Leaf 8 completes only itself; leaf 9 needs node (0,8), absent. */
	CK_EQ(merkle_append(hasher, &s, 8, lh, nodes, MERKLE_MAX_APPEND, &n),
	    0);
	CK_EQ(n, 1);
	CK_EQ(merkle_append(hasher, &s, 9, lh, nodes, MERKLE_MAX_APPEND, &n),
	    ANCHOR_ESTORE);
	CK_EQ(merkle_append(hasher, &s, MERKLE_MAX_SIZE, lh, nodes,
		  MERKLE_MAX_APPEND, &n),
	    ANCHOR_EINVAL);
	/* The store refuses holes. */
	nodes[0].level = 0;
	nodes[0].index = 9;
	CK_EQ(merkle_mem_put_node(m, &nodes[0]), ANCHOR_EINVAL);
	merkle_mem_free(m);
}
END_TEST

/* --- naive reference ------------------------------------------------------ */

#define MEMO_SLOTS (1u << 16)

struct memo_slot {
	uint64_t start, n; /* n == 0: empty slot */
	uint8_t	 hash[H];
};

static struct memo_slot *memo;
static uint8_t		*ref_leaves; /* EXHAUSTIVE_MAX leaf hashes */

static void
ref_setup(void)
{
	char	 rec[32];
	uint64_t i;
	int	 len;

	memo = calloc(MEMO_SLOTS, sizeof(*memo));
	ref_leaves = malloc((size_t)EXHAUSTIVE_MAX * H);
	ck_assert_ptr_nonnull(memo);
	ck_assert_ptr_nonnull(ref_leaves);
	for (i = 0; i < EXHAUSTIVE_MAX; i++) {
		len = snprintf(rec, sizeof(rec), "record %llu",
		    (unsigned long long)i);
		CK_EQ(merkle_leaf_hash(hasher, rec, (size_t)len,
			  ref_leaves + i * H),
		    0);
	}
}

static void
ref_teardown(void)
{
	free(memo);
	free(ref_leaves);
	memo = NULL;
	ref_leaves = NULL;
}

/* RFC 9162 §2.1.1: MTH(D[start : start + n)), n >= 1, memoised. */
static const uint8_t *
ref_mth(uint64_t start, uint64_t n)
{
	struct memo_slot *sl;
	uint64_t	  k = 1, slot;
	uint8_t		  l[H], r[H];

	if (n == 1)
		return ref_leaves + start * H;
	slot = (start * 1000003u + n * 7919u) % MEMO_SLOTS;
	for (;;) {
		sl = &memo[slot];
		if (sl->n == 0)
			break;
		if (sl->start == start && sl->n == n)
			return sl->hash;
		slot = (slot + 1) % MEMO_SLOTS;
	}
	while (k * 2 < n)
		k *= 2;
	memcpy(l, ref_mth(start, k), H);
	memcpy(r, ref_mth(start + k, n - k), H);
	CK_EQ(merkle_node_hash(hasher, l, r, sl->hash), 0);
	sl->start = start;
	sl->n = n;
	return sl->hash;
}

static const uint8_t *
ref_root(uint64_t n, uint8_t buf[H])
{
	if (n == 0) {
		CK_EQ(merkle_sha256(hasher, NULL, 0, buf), 0);
		return buf;
	}
	return ref_mth(0, n);
}

/* RFC 9162 §2.1.3.1 PATH(m, D[start : start + n)), appended to out. */
static void
ref_path(uint64_t m, uint64_t start, uint64_t n, uint8_t *out, size_t *len)
{
	uint64_t k = 1;

	if (n == 1)
		return;
	while (k * 2 < n)
		k *= 2;
	if (m < k) {
		ref_path(m, start, k, out, len);
		memcpy(out + (*len)++ * H, ref_mth(start + k, n - k), H);
	} else {
		ref_path(m - k, start + k, n - k, out, len);
		memcpy(out + (*len)++ * H, ref_mth(start, k), H);
	}
}

/* RFC 9162 §2.1.4.1 SUBPROOF(m, D[start : start + n), b). */
static void
ref_subproof(uint64_t m, uint64_t start, uint64_t n, int b, uint8_t *out,
    size_t *len)
{
	uint64_t k = 1;

	if (m == n) {
		if (!b)
			memcpy(out + (*len)++ * H, ref_mth(start, m), H);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	if (m <= k) {
		ref_subproof(m, start, k, b, out, len);
		memcpy(out + (*len)++ * H, ref_mth(start + k, n - k), H);
	} else {
		ref_subproof(m - k, start + k, n - k, 0, out, len);
		memcpy(out + (*len)++ * H, ref_mth(start, k), H);
	}
}

static struct merkle_mem *
ref_tree(struct merkle_store *s)
{
	struct merkle_mem *m;
	uint64_t	   i;

	CK_EQ(merkle_mem_create(&m), 0);
	for (i = 0; i < EXHAUSTIVE_MAX; i++)
		CK_EQ(merkle_mem_append(m, hasher, ref_leaves + i * H), 0);
	merkle_mem_store(m, s);
	return m;
}

START_TEST(test_roots_every_size)
{
	struct merkle_store s;
	struct merkle_mem  *m = ref_tree(&s);
	uint8_t		    got[H], buf[H];
	uint64_t	    n;

	for (n = 0; n <= EXHAUSTIVE_MAX; n++) {
		CK_EQ(merkle_root(hasher, &s, n, got), 0);
		CK_MEM_EQ(got, ref_root(n, buf), H);
	}
	merkle_mem_free(m);
}
END_TEST

START_TEST(test_inclusion_every_index)
{
	struct merkle_store s;
	struct merkle_mem  *m = ref_tree(&s);
	uint8_t		    got[MERKLE_MAX_PROOF * H];
	uint8_t		    want[MERKLE_MAX_PROOF * H];
	uint64_t	    n, i;
	size_t		    got_len, want_len;

	for (n = 1; n <= EXHAUSTIVE_MAX; n++)
		for (i = 0; i < n; i++) {
			CK_EQ(merkle_inclusion_proof(hasher, &s, i, n, got,
				  MERKLE_MAX_PROOF, &got_len),
			    0);
			want_len = 0;
			ref_path(i, 0, n, want, &want_len);
			CK_EQ(got_len, want_len);
			CK_EQ(merkle_inclusion_path_len(i, n), want_len);
			CK_MEM_EQ(got, want, got_len * H);
			/* Verification costs log n hashes: every index up
			 * to PAIRS_FULL_MAX, then the edges and a sample. */
			if (n > PAIRS_FULL_MAX && i % 7 != 3 && i > 1 &&
			    i + 2 < n)
				continue;
			CK_EQ(merkle_inclusion_verify(hasher,
				  ref_leaves + i * H, i, n, got, got_len,
				  ref_mth(0, n)),
			    0);
		}
	merkle_mem_free(m);
}
END_TEST

START_TEST(test_consistency_every_pair)
{
	struct merkle_store s;
	struct merkle_mem  *m = ref_tree(&s);
	uint8_t		    got[MERKLE_MAX_PROOF * H];
	uint8_t		    want[MERKLE_MAX_PROOF * H];
	uint8_t		    r1[H], r2[H];
	uint64_t	    n1, n2;
	size_t		    got_len, want_len;

	for (n2 = 1; n2 <= EXHAUSTIVE_MAX; n2++)
		for (n1 = 0; n1 <= n2; n1++) {
			CK_EQ(merkle_consistency_proof(hasher, &s, n1, n2, got,
				  MERKLE_MAX_PROOF, &got_len),
			    0);
			want_len = 0;
			if (n1 > 0 && n1 < n2)
				ref_subproof(n1, 0, n2, 1, want, &want_len);
			CK_EQ(got_len, want_len);
			CK_MEM_EQ(got, want, got_len * H);
			/* Verifying hashes ~2 log n per pair: do it for
			 * every pair up to PAIRS_FULL_MAX, then sampled. */
			if (n2 > PAIRS_FULL_MAX && n1 % 7 != 3 &&
			    n1 != n2 - 1 && n1 != 1)
				continue;
			memcpy(r1, ref_root(n1, r1), H);
			memcpy(r2, ref_root(n2, r2), H);
			CK_EQ(merkle_consistency_verify(hasher, n1, n2, r1, r2,
				  got, got_len),
			    0);
		}
	merkle_mem_free(m);
}
END_TEST

/* --- negative tests ------------------------------------------------------- */

START_TEST(test_inclusion_tampered)
{
	struct merkle_store s;
	struct merkle_mem  *m = ref_tree(&s);
	uint8_t		    path[(MERKLE_MAX_PROOF + 1) * H], bad[H];
	uint64_t	    n, i;
	size_t		    len, j;
	const uint8_t	   *root, *leaf;

	for (n = 1; n <= 70; n++) {
		root = ref_mth(0, n);
		for (i = 0; i < n; i++) {
			leaf = ref_leaves + i * H;
			CK_EQ(merkle_inclusion_proof(hasher, &s, i, n, path,
				  MERKLE_MAX_PROOF, &len),
			    0);
			for (j = 0; j < len; j++) {
				path[j * H + j % H] ^= 0x01;
				CK_EQ(merkle_inclusion_verify(hasher, leaf, i,
					  n, path, len, root),
				    ANCHOR_EVERIFY);
				path[j * H + j % H] ^= 0x01;
			}
			memcpy(bad, root, H);
			bad[31] ^= 0x80;
			CK_EQ(merkle_inclusion_verify(hasher, leaf, i, n, path,
				  len, bad),
			    ANCHOR_EVERIFY);
			memcpy(bad, leaf, H);
			bad[0] ^= 0x01;
			CK_EQ(merkle_inclusion_verify(hasher, bad, i, n, path,
				  len, root),
			    ANCHOR_EVERIFY);
			/* Another index with the same path and leaf. */
			if (i + 1 < n)
				CK_EQ(merkle_inclusion_verify(hasher, leaf,
					  i + 1, n, path, len, root),
				    ANCHOR_EVERIFY);
			if (i > 0)
				CK_EQ(merkle_inclusion_verify(hasher, leaf,
					  i - 1, n, path, len, root),
				    ANCHOR_EVERIFY);
			/* Another size, with that size's own root.  (With
			 * root(n) itself a path may also fit (i, n + 1):
			 * RFC 9162 binds the size through the signed or
			 * anchored root, never through the path.) */
			CK_NE(merkle_inclusion_verify(hasher, leaf, i, n + 1,
				  path, len, ref_mth(0, n + 1)),
			    0);
			if (i < n - 1)
				CK_NE(merkle_inclusion_verify(hasher, leaf, i,
					  n - 1, path, len, ref_mth(0, n - 1)),
				    0);
			CK_EQ(merkle_inclusion_verify(hasher, leaf, i, n, path,
				  len, root),
			    0);
			/* Truncated and extended paths. */
			if (len > 0)
				CK_EQ(merkle_inclusion_verify(hasher, leaf, i,
					  n, path, len - 1, root),
				    ANCHOR_EVERIFY);
			memcpy(path + len * H, root, H);
			CK_EQ(merkle_inclusion_verify(hasher, leaf, i, n, path,
				  len + 1, root),
			    ANCHOR_EVERIFY);
		}
		CK_EQ(merkle_inclusion_verify(hasher, ref_leaves, n, n, path, 0,
			  root),
		    ANCHOR_EINVAL);
	}
	CK_EQ(merkle_inclusion_proof(hasher, &s, 5, 5, path, MERKLE_MAX_PROOF,
		  &len),
	    ANCHOR_EINVAL);
	CK_EQ(merkle_inclusion_proof(hasher, &s, 0, 0, path, MERKLE_MAX_PROOF,
		  &len),
	    ANCHOR_EINVAL);
	CK_EQ(merkle_inclusion_proof(hasher, &s, 0, 1000, path, 2, &len),
	    ANCHOR_ENOSPC);
	merkle_mem_free(m);
}
END_TEST

START_TEST(test_consistency_tampered)
{
	struct merkle_store s;
	struct merkle_mem  *m = ref_tree(&s);
	uint8_t		    proof[(MERKLE_MAX_PROOF + 1) * H], r1[H], r2[H];
	uint8_t		    bad[H];
	uint64_t	    n1, n2;
	size_t		    len, j;

	for (n2 = 1; n2 <= 70; n2++)
		for (n1 = 1; n1 <= n2; n1++) {
			memcpy(r1, ref_mth(0, n1), H);
			memcpy(r2, ref_mth(0, n2), H);
			CK_EQ(merkle_consistency_proof(hasher, &s, n1, n2,
				  proof, MERKLE_MAX_PROOF, &len),
			    0);
			CK_EQ(merkle_consistency_verify(hasher, n1, n2, r1, r2,
				  proof, len),
			    0);
			for (j = 0; j < len; j++) {
				proof[j * H + 3] ^= 0x10;
				CK_EQ(merkle_consistency_verify(hasher, n1, n2,
					  r1, r2, proof, len),
				    ANCHOR_EVERIFY);
				proof[j * H + 3] ^= 0x10;
			}
			memcpy(bad, r1, H);
			bad[7] ^= 1;
			CK_EQ(merkle_consistency_verify(hasher, n1, n2, bad, r2,
				  proof, len),
			    ANCHOR_EVERIFY);
			memcpy(bad, r2, H);
			bad[7] ^= 1;
			CK_EQ(merkle_consistency_verify(hasher, n1, n2, r1, bad,
				  proof, len),
			    ANCHOR_EVERIFY);
			/* Other sizes, each with its own root. */
			if (n1 > 1)
				CK_NE(merkle_consistency_verify(hasher, n1 - 1,
					  n2, ref_mth(0, n1 - 1), r2, proof,
					  len),
				    0);
			if (n1 < n2)
				CK_NE(merkle_consistency_verify(hasher, n1 + 1,
					  n2, ref_mth(0, n1 + 1), r2, proof,
					  len),
				    0);
			CK_NE(merkle_consistency_verify(hasher, n1, n2 + 1, r1,
				  ref_mth(0, n2 + 1), proof, len),
			    0);
			if (len > 0)
				CK_EQ(merkle_consistency_verify(hasher, n1, n2,
					  r1, r2, proof, len - 1),
				    ANCHOR_EVERIFY);
			memcpy(proof + len * H, r2, H);
			CK_EQ(merkle_consistency_verify(hasher, n1, n2, r1, r2,
				  proof, len + 1),
			    ANCHOR_EVERIFY);
		}
	/* Swapped sizes, empty first tree. */
	CK_EQ(merkle_consistency_verify(hasher, 5, 4, r1, r2, proof, 0),
	    ANCHOR_EINVAL);
	CK_EQ(merkle_consistency_proof(hasher, &s, 5, 4, proof,
		  MERKLE_MAX_PROOF, &len),
	    ANCHOR_EINVAL);
	CK_EQ(merkle_consistency_verify(hasher, 0, 4, r1, r2, proof, 0), 0);
	CK_EQ(merkle_consistency_verify(hasher, 0, 4, r1, r2, proof, 1),
	    ANCHOR_EVERIFY);
	merkle_mem_free(m);
}
END_TEST

/* --- O(log n) reads, at sizes far beyond memory ------------------------- */

static unsigned long fake_reads;
static uint8_t	     fake_level[63][H];

/*
 * A tree whose leaves all have the same hash: node (level, index) is
 * fake_level[level] for every index, so proofs at any size verify without
 * storing anything.
 */
static void
fake_init(void)
{
	unsigned l;

	memset(fake_level[0], 0xab, H);
	for (l = 1; l < 63; l++)
		CK_EQ(merkle_node_hash(hasher, fake_level[l - 1],
			  fake_level[l - 1], fake_level[l]),
		    0);
}

static int
fake_get_node(void *ctx, unsigned level, uint64_t index, uint8_t out[H])
{
	uint64_t limit = *(const uint64_t *)ctx;

	if (level > 62 || ((index + 1) << level) > limit)
		return ANCHOR_ESTORE;
	memcpy(out, fake_level[level], H);
	fake_reads++;
	return 0;
}

static unsigned
ceil_log2(uint64_t n)
{
	unsigned b = 0;

	while (b < 64 && ((uint64_t)1 << b) < n)
		b++;
	return b;
}

START_TEST(test_reads_logarithmic)
{
	static const uint64_t sizes[] = { 1, 2, 3, 1000, 1048576, 1048577,
		((uint64_t)1 << 40) + 12345, ((uint64_t)1 << 61) - 1,
		MERKLE_MAX_SIZE };
	struct merkle_store   s;
	uint8_t		      proof[MERKLE_MAX_PROOF * H], root[H], r1[H];
	uint8_t		      leaf[H];
	uint64_t	      limit, n, n1, idx[4];
	size_t		      i, k, len;

	fake_init();
	s.get_node = fake_get_node;
	s.ctx = &limit;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		n = limit = sizes[i];
		fake_reads = 0;
		CK_EQ(merkle_root(hasher, &s, n, root), 0);
		CK_EQ(fake_reads, (unsigned long)__builtin_popcountll(n));
		idx[0] = 0;
		idx[1] = n / 3;
		idx[2] = n - 2 < n ? n - 2 : 0;
		idx[3] = n - 1;
		for (k = 0; k < 4; k++) {
			fake_reads = 0;
			CK_EQ(merkle_inclusion_proof(hasher, &s, idx[k], n,
				  proof, MERKLE_MAX_PROOF, &len),
			    0);
			CK_LE(fake_reads, 2 * ceil_log2(n) + 1);
			CK_EQ(fake_get_node(&limit, 0, idx[k], leaf), 0);
			CK_EQ(merkle_inclusion_verify(hasher, leaf, idx[k], n,
				  proof, len, root),
			    0);

			n1 = idx[k] + 1;
			CK_EQ(merkle_root(hasher, &s, n1, r1), 0);
			fake_reads = 0;
			CK_EQ(merkle_consistency_proof(hasher, &s, n1, n, proof,
				  MERKLE_MAX_PROOF, &len),
			    0);
			CK_LE(fake_reads, 2 * ceil_log2(n) + 2);
			CK_EQ(merkle_consistency_verify(hasher, n1, n, r1, root,
				  proof, len),
			    0);
		}
	}
	CK_EQ(merkle_root(hasher, &s, MERKLE_MAX_SIZE + 1, root),
	    ANCHOR_EINVAL);
}
END_TEST

/* --- full proof objects -------------------------------------------------- */

START_TEST(test_proof_verify_steps)
{
	struct merkle_store	    s;
	struct merkle_mem	   *m;
	struct merkle_verify_report rep;
	struct merkle_proof	    p;
	static const char	   *recs[] = { "a", "b", "c", "d", "e" };
	uint8_t			    lh[H], root[H], badroot[H];
	uint8_t			    path[MERKLE_MAX_PROOF * H];
	size_t			    i, len;

	CK_EQ(merkle_mem_create(&m), 0);
	for (i = 0; i < 5; i++) {
		CK_EQ(merkle_leaf_hash(hasher, recs[i], 1, lh), 0);
		CK_EQ(merkle_mem_append(m, hasher, lh), 0);
	}
	merkle_mem_store(m, &s);
	CK_EQ(merkle_root(hasher, &s, 5, root), 0);
	CK_EQ(merkle_inclusion_proof(hasher, &s, 2, 5, path, MERKLE_MAX_PROOF,
		  &len),
	    0);
	CK_EQ(merkle_leaf_hash(hasher, "c", 1, lh), 0);

	memset(&p, 0, sizeof(p));
	p.leaf = "c";
	p.leaf_len = 1;
	p.leaf_hash = lh;
	p.leaf_index = 2;
	p.tree_size = 5;
	p.path = path;
	p.path_len = len;
	p.root = root;
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), 0);
	CK_EQ(rep.failed, MERKLE_VERIFY_OK);
	CK_MEM_EQ(rep.root, root, H);
	ck_assert_str_eq(merkle_verify_step_name(rep.failed), "ok");

	p.leaf = "C"; /* a rewritten record */
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_LEAF_HASH);
	ck_assert_str_eq(merkle_verify_step_name(rep.failed), "leaf hash");
	p.leaf_hash = NULL; /* no claimed hash: the path catches it */
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_ROOT);
	p.leaf = "c";
	p.leaf_hash = lh;

	p.path_len = len - 1;
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_PATH);
	CK_EQ(rep.path_len_expected, len);
	p.path_len = len;

	path[5] ^= 1;
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_ROOT);
	CK_EQ(rep.have_root, 1);
	path[5] ^= 1;

	memcpy(badroot, root, H);
	badroot[0] ^= 1;
	p.root = badroot;
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_ROOT);
	p.root = root;

	p.leaf_index = 3; /* the right path for another leaf slot */
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_ROOT);
	p.leaf_index = 5;
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_INPUT);
	p.leaf_index = 2;
	p.tree_size = 4; /* same path length, other tree */
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_NE(rep.failed, MERKLE_VERIFY_OK);
	p.tree_size = 0;
	CK_EQ(merkle_proof_verify(hasher, &p, &rep), ANCHOR_EVERIFY);
	CK_EQ(rep.failed, MERKLE_VERIFY_INPUT);
	merkle_mem_free(m);
}
END_TEST

static void
setup(void)
{
	CK_EQ(merkle_hasher_create(&hasher), 0);
}

static void
teardown(void)
{
	merkle_hasher_free(hasher);
	hasher = NULL;
}

static Suite *
merkle_suite(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc;

	tc = tcase_create("ct_vectors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ct_nodes_and_roots);
	tcase_add_test(tc, test_ct_inclusion);
	tcase_add_test(tc, test_ct_consistency);
	tcase_add_test(tc, test_append_completes);
	tcase_add_test(tc, test_proof_verify_steps);
	tcase_add_test(tc, test_reads_logarithmic);
	suite_add_tcase(s, tc);

	tc = tcase_create("naive");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tc, ref_setup, ref_teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_roots_every_size);
	tcase_add_test(tc, test_inclusion_every_index);
	tcase_add_test(tc, test_consistency_every_pair);
	tcase_add_test(tc, test_inclusion_tampered);
	tcase_add_test(tc, test_consistency_tampered);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(merkle_suite());
	int	 failed;

	if (getenv("LC_TEST_QUICK") != NULL) {
		exhaustive_max = 256;
		pairs_full_max = 64;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
