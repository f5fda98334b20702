/*
 * tests/unit/test_market_proof.c — the check every label proof passes
 * before labelchaind serves it (proof_label_verify(), labeling/proof.h).
 *
 * Pure: no database.  The proofs are built here over an in-memory RFC 6962
 * tree (anchor/merkle_mem.h) with anchor/merkle.h, exactly as
 * proof_label_get() builds them over merkle_nodes; the database half (which
 * leaf, which anchor, the stored nodes, ownership) is tested against the
 * real PostgreSQL by tests/integration/anchor.test.mjs.
 *
 * Every leaf of every tree size up to N_LEAVES verifies, with and without
 * an anchor on the same root; each way a damaged log could make a proof
 * lie (record, leaf hash, path entry, path length, index, size, root, the
 * anchor's root, no record at all) is refused with LC_ERR_INTERNAL and a
 * sentence that names what disagrees.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/merkle.h"
#include "anchor/merkle_mem.h"
#include "labeling/lc_err.h"
#include "labeling/market.h"
#include "labeling/proof.h"

#define N_LEAVES 13

static struct merkle_hasher *hasher;
static struct merkle_mem    *mem;
static struct merkle_store   store;
static char		     records[N_LEAVES][96];

static void
setup(void)
{
	uint8_t lh[MERKLE_HASH_LEN];
	int	i;

	ck_assert_int_eq(merkle_hasher_create(&hasher), 0);
	ck_assert_int_eq(merkle_mem_create(&mem), 0);
	for (i = 0; i < N_LEAVES; i++) {
		snprintf(records[i], sizeof(records[i]),
		    "{\"v\":1,\"project\":1,\"task\":%d,\"label\":\"%s\"}",
		    i + 1, i % 3 ? "cat" : "dog");
		ck_assert_int_eq(merkle_leaf_hash(hasher, records[i],
				     strlen(records[i]), lh),
		    0);
		ck_assert_int_eq(merkle_mem_append(mem, hasher, lh), 0);
	}
	merkle_mem_store(mem, &store);
}

static void
teardown(void)
{
	merkle_mem_free(mem);
	merkle_hasher_free(hasher);
}

/* Leaf m's proof in the tree of size n, as proof_label_get() builds it. */
static void
build(struct proof_label *p, uint64_t m, uint64_t n, int anchored)
{
	memset(p, 0, sizeof(*p));
	p->task_id = (int64_t)m + 1;
	p->leaf = strdup(records[m]);
	ck_assert_ptr_nonnull(p->leaf);
	ck_assert_int_eq(merkle_leaf_hash(hasher, p->leaf, strlen(p->leaf),
			     p->leaf_hash),
	    0);
	p->leaf_index = m;
	p->tree_size = n;
	ck_assert_int_eq(merkle_inclusion_proof(hasher, &store, m, n, p->path,
			     MERKLE_MAX_PROOF, &p->path_len),
	    0);
	ck_assert_int_eq(merkle_root(hasher, &store, n, p->root), 0);
	p->anchored = anchored;
	if (anchored) {
		p->anchor.tree_size = n;
		memcpy(p->anchor.root, p->root, MERKLE_HASH_LEN);
		snprintf(p->anchor.status, sizeof(p->anchor.status),
		    "confirmed");
	}
}

START_TEST(test_every_leaf_of_every_size_verifies)
{
	struct proof_label p;
	char		   detail[LC_DETAIL_LEN];
	uint64_t	   m, n;
	int		   anchored;

	for (n = 1; n <= N_LEAVES; n++)
		for (m = 0; m < n; m++)
			for (anchored = 0; anchored < 2; anchored++) {
				build(&p, m, n, anchored);
				detail[0] = '\0';
				ck_assert_msg(proof_label_verify(hasher, &p,
						  detail) == 0,
				    "leaf %llu of %llu: %s",
				    (unsigned long long)m,
				    (unsigned long long)n, detail);
				proof_label_clear(&p);
			}
}
END_TEST

/* One way a damaged log could make a proof lie. */
struct tamper {
	const char *what;
	void (*apply)(struct proof_label *p);
	const char *detail; /* what the refusal names */
};

static void
t_record(struct proof_label *p)
{
	char *c = strstr(p->leaf, "\"cat\"");

	if (c == NULL)
		c = strstr(p->leaf, "\"dog\"");
	memcpy(c + 1, c[1] == 'c' ? "dog" : "cat", 3);
}

static void
t_record_and_hash(struct proof_label *p)
{
	t_record(p);
	merkle_leaf_hash(hasher, p->leaf, strlen(p->leaf), p->leaf_hash);
}

static void
t_leaf_hash(struct proof_label *p)
{
	p->leaf_hash[0] ^= 1;
}

static void
t_path_entry(struct proof_label *p)
{
	p->path[(p->path_len - 1) * MERKLE_HASH_LEN + 7] ^= 0x80;
}

static void
t_path_short(struct proof_label *p)
{
	p->path_len--;
}

static void
t_index(struct proof_label *p)
{
	p->leaf_index ^= 1;
}

/*
 * A size the path does not fit.  (Any size from 9 to 16 would fold leaf 5's
 * path of the 11-leaf tree the same way, to the same root: an inclusion
 * proof binds the size only together with the root, which is why an anchor
 * puts both on chain.)
 */
static void
t_size(struct proof_label *p)
{
	p->tree_size = 6;
}

static void
t_root(struct proof_label *p)
{
	p->root[31] ^= 1;
}

static void
t_anchor_root(struct proof_label *p)
{
	p->anchored = 1;
	p->anchor.root[0] ^= 1;
}

static void
t_no_record(struct proof_label *p)
{
	free(p->leaf);
	p->leaf = NULL;
}

static const struct tamper tampers[] = {
	{ "record", t_record, "leaf 5" },
	{ "record and its hash", t_record_and_hash, "leaf 5" },
	{ "leaf hash", t_leaf_hash, "leaf 5" },
	{ "path entry", t_path_entry, "leaf 5" },
	{ "path length", t_path_short, "leaf 5" },
	{ "index", t_index, "leaf 4" },
	{ "tree size", t_size, "leaf 5" },
	{ "root", t_root, "leaf 5" },
	{ "anchor root", t_anchor_root, "its anchor at tree size 11" },
	{ "no record", t_no_record, "leaf 5" },
};

START_TEST(test_a_damaged_proof_is_refused)
{
	const struct tamper *t = &tampers[_i];
	struct proof_label   p;
	char		     detail[LC_DETAIL_LEN];

	build(&p, 5, 11, 0);
	t->apply(&p);
	detail[0] = '\0';
	ck_assert_msg(proof_label_verify(hasher, &p, detail) == LC_ERR_INTERNAL,
	    "%s: accepted", t->what);
	ck_assert_msg(strstr(detail, t->detail) != NULL, "%s: detail \"%s\"",
	    t->what, detail);
	ck_assert_ptr_nonnull(strstr(detail, "disagrees"));
	proof_label_clear(&p);
}
END_TEST

START_TEST(test_clear)
{
	struct proof_label p;

	proof_label_clear(NULL);
	build(&p, 0, 1, 1);
	proof_label_clear(&p);
	ck_assert_ptr_null(p.leaf);
	ck_assert_int_eq(p.anchored, 0);
	proof_label_clear(&p); /* twice is fine */
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("market_proof");
	TCase	*tc = tcase_create("verify");
	SRunner *sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_leaf_of_every_size_verifies);
	tcase_add_loop_test(tc, test_a_damaged_proof_is_refused, 0,
	    (int)(sizeof(tampers) / sizeof(tampers[0])));
	tcase_add_test(tc, test_clear);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
