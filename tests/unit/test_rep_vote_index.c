/* tests/unit/test_rep_vote_index.c — votes grouped by item and by worker. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "reputation/params.h"
#include "reputation/vote_index.h"

START_TEST(test_rows)
{
	struct rep_obs	      obs[] = { { 2, 1, 0 }, { 0, 0, 1 }, { 2, 0, 2 },
		       { 0, 1, 0 }, { 2, 1, 1 } };
	struct rep_batch      b = { obs, 5, 4, 3, 3 };
	struct rep_vote_index ix;
	uint32_t	      v;

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	ck_assert_int_eq(ix.n_items, 4);
	ck_assert_int_eq(ix.n_workers, 3);
	ck_assert_uint_eq(ix.n_obs, 5);
	/* Items: 0 has votes 1, 3; 1 none; 2 has 0, 2, 4; 3 none. */
	ck_assert_uint_eq(ix.item_start[0], 0);
	ck_assert_uint_eq(ix.item_start[1], 2);
	ck_assert_uint_eq(ix.item_start[2], 2);
	ck_assert_uint_eq(ix.item_start[3], 5);
	ck_assert_uint_eq(ix.item_start[4], 5);
	v = ix.item_votes[0]; /* batch order within the row */
	ck_assert_uint_eq(v >> REP_INDEX_LABEL_BITS, 0);
	ck_assert_uint_eq(v & REP_INDEX_LABEL_MASK, 1);
	v = ix.item_votes[4];
	ck_assert_uint_eq(v >> REP_INDEX_LABEL_BITS, 1);
	ck_assert_uint_eq(v & REP_INDEX_LABEL_MASK, 1);
	/* Workers: 0 voted on items 0, 2; 1 on 2, 0, 2; 2 never. */
	ck_assert_uint_eq(ix.worker_start[1], 2);
	ck_assert_uint_eq(ix.worker_start[2], 5);
	ck_assert_uint_eq(ix.worker_start[3], 5);
	v = ix.worker_votes[2];
	ck_assert_uint_eq(v >> REP_INDEX_LABEL_BITS, 2);
	ck_assert_uint_eq(v & REP_INDEX_LABEL_MASK, 0);
	v = ix.worker_votes[1];
	ck_assert_uint_eq(v >> REP_INDEX_LABEL_BITS, 2);
	ck_assert_uint_eq(v & REP_INDEX_LABEL_MASK, 2);
	rep_vote_index_free(&ix);
	ck_assert_ptr_null(ix.item_votes);
	rep_vote_index_free(&ix);
	rep_vote_index_free(NULL);
}
END_TEST

START_TEST(test_largest_label_and_empty)
{
	struct rep_obs	      obs[] = { { 0, 0, REP_MAX_LABELS - 1 } };
	struct rep_batch      b = { obs, 1, 1, 1, REP_MAX_LABELS };
	struct rep_vote_index ix;

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	ck_assert_uint_eq(ix.item_votes[0] & REP_INDEX_LABEL_MASK,
	    REP_MAX_LABELS - 1);
	rep_vote_index_free(&ix);
	b.n_obs = 0;
	b.n_items = 0;
	b.n_workers = 0;
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	ck_assert_uint_eq(ix.item_start[0], 0);
	rep_vote_index_free(&ix);
}
END_TEST

/* The two halves as blocks, run backwards: the same index. */
static void
run_backwards(void *ctx, int n_blocks, rep_block_fn fn, void *arg)
{
	int b;

	(void)ctx;
	for (b = n_blocks - 1; b >= 0; b--)
		fn(arg, b);
}

START_TEST(test_parallel_same)
{
	static struct rep_obs obs[5000];
	struct rep_batch      b = { obs, 5000, 300, 70, 5 };
	struct rep_parallel   back = { run_backwards, NULL };
	struct rep_vote_index x, y;
	int		      i;

	for (i = 0; i < 5000; i++) {
		obs[i].item = (i * 7919) % 300;
		obs[i].worker = (i * 104729) % 70;
		obs[i].label = i % 5;
	}
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &x), 0);
	ck_assert_int_eq(rep_vote_index_build(&b, &back, &y), 0);
	ck_assert(
	    memcmp(x.item_start, y.item_start, 301 * sizeof(size_t)) == 0);
	ck_assert(
	    memcmp(x.worker_start, y.worker_start, 71 * sizeof(size_t)) == 0);
	ck_assert(memcmp(x.item_votes, y.item_votes, 5000 * 4) == 0);
	ck_assert(memcmp(x.worker_votes, y.worker_votes, 5000 * 4) == 0);
	rep_vote_index_free(&x);
	rep_vote_index_free(&y);
}
END_TEST

START_TEST(test_invalid)
{
	struct rep_obs	      obs[] = { { 0, 0, 3 } };
	struct rep_batch      b = { obs, 1, 1, 1, 3 };
	struct rep_vote_index ix;

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), REP_ERR_INVALID);
	ck_assert_ptr_null(ix.item_start);
	ck_assert_int_eq(rep_vote_index_build(NULL, NULL, &ix),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, NULL), REP_ERR_INVALID);
	obs[0].label = 0;
	b.n_items = REP_INDEX_MAX + 1;
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), REP_ERR_INVALID);
	b.n_items = 1;
	b.n_workers = REP_INDEX_MAX + 1;
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), REP_ERR_INVALID);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_vote_index");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_largest_label_and_empty);
	tcase_add_test(tc, test_parallel_same);
	tcase_add_test(tc, test_invalid);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
