/* tests/unit/test_rep_posterior.c — task posterior (reputation/posterior.h). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "reputation/posterior.h"

/* Small deterministic generator for property tests (xorshift64*). */
static uint64_t rng_state = 88172645463325252ULL;

static double
uniform01(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

static void
assert_distribution(const double *post, int K)
{
	double sum = 0.0;
	int    k;

	for (k = 0; k < K; k++) {
		ck_assert(isfinite(post[k]));
		ck_assert(post[k] >= 0.0 && post[k] <= 1.0);
		sum += post[k];
	}
	ck_assert_double_eq_tol(sum, 1.0, 1e-12);
}

START_TEST(test_empty_is_uniform)
{
	double post[4];
	int    k;

	ck_assert_int_eq(rep_posterior(NULL, 0, 4, NULL, post), 0);
	for (k = 0; k < 4; k++)
		ck_assert_double_eq_tol(post[k], 0.25, 1e-15);
	ck_assert_int_eq(rep_posterior_leader(post, 4), 0);
}
END_TEST

START_TEST(test_known_value)
{
	struct rep_vote v[] = { { 0, log(4.0) }, { 1, log(2.0) } };
	double		post[2];

	/* P(0) = 4 / (4 + 2) */
	ck_assert_int_eq(rep_posterior(v, 2, 2, NULL, post), 0);
	ck_assert_double_eq_tol(post[0], 4.0 / 6.0, 1e-12);
	ck_assert_double_eq_tol(post[1], 2.0 / 6.0, 1e-12);
}
END_TEST

START_TEST(test_prior)
{
	double		lp[3] = { log(0.5), log(0.25), -INFINITY }, post[3];
	struct rep_vote v = { 2, 10.0 };

	ck_assert_int_eq(rep_posterior(&v, 1, 3, lp, post), 0);
	ck_assert_double_eq(post[2], 0.0);
	ck_assert_double_eq_tol(post[0], 2.0 / 3.0, 1e-12);
	lp[0] = lp[1] = -INFINITY;
	ck_assert_int_eq(rep_posterior(&v, 1, 3, lp, post), REP_ERR_INVALID);
	lp[0] = NAN;
	ck_assert_int_eq(rep_posterior(NULL, 0, 3, lp, post), REP_ERR_INVALID);
	lp[0] = INFINITY;
	ck_assert_int_eq(rep_posterior(NULL, 0, 3, lp, post), REP_ERR_INVALID);
}
END_TEST

START_TEST(test_unanimous_huge_no_nan)
{
	struct rep_vote v[1000];
	double		post[2];
	int		i;

	for (i = 0; i < 1000; i++) {
		v[i].label = 1;
		v[i].weight = 50.0;
	}
	ck_assert_int_eq(rep_posterior(v, 1000, 2, NULL, post), 0);
	assert_distribution(post, 2);
	ck_assert_double_eq(post[1], 1.0);
	ck_assert_int_eq(rep_posterior_leader(post, 2), 1);
}
END_TEST

START_TEST(test_ties_to_lowest)
{
	struct rep_vote v[] = { { 2, 1.0 }, { 1, 1.0 } };
	double		post[3];

	ck_assert_int_eq(rep_posterior(v, 2, 3, NULL, post), 0);
	ck_assert_int_eq(rep_posterior_leader(post, 3), 1);
}
END_TEST

START_TEST(test_invalid_votes)
{
	struct rep_vote v = { 2, 1.0 };
	double		post[2], score[2];

	ck_assert_int_eq(rep_posterior(&v, 1, 2, NULL, post), REP_ERR_INVALID);
	v.label = -1;
	ck_assert_int_eq(rep_posterior(&v, 1, 2, NULL, post), REP_ERR_INVALID);
	v.label = 0;
	v.weight = -1.0;
	ck_assert_int_eq(rep_posterior(&v, 1, 2, NULL, post), REP_ERR_INVALID);
	v.weight = NAN;
	ck_assert_int_eq(rep_posterior(&v, 1, 2, NULL, post), REP_ERR_INVALID);
	v.weight = INFINITY;
	ck_assert_int_eq(rep_posterior(&v, 1, 2, NULL, post), REP_ERR_INVALID);
	ck_assert_int_eq(rep_posterior(NULL, 1, 2, NULL, post),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_posterior(NULL, 0, 1, NULL, post),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_posterior(NULL, 0, 2, NULL, NULL),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_score_init(score, REP_MAX_LABELS + 1, NULL),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_posterior_leader(NULL, 2), -1);
	score[0] = NAN;
	score[1] = 0.0;
	ck_assert_int_eq(rep_score_posterior(score, 2, post), REP_ERR_INVALID);
}
END_TEST

/* Property: adding an agreeing vote never lowers the leader's posterior. */
START_TEST(test_agreeing_vote_never_lowers_leader)
{
	double score[5], before[5], after[5], lp[5];
	int    trial, K, n, i, leader;

	for (trial = 0; trial < 5000; trial++) {
		K = 2 + (int)(uniform01() * 4);
		for (i = 0; i < K; i++)
			lp[i] = log(0.05 + uniform01());
		ck_assert_int_eq(rep_score_init(score, K,
				     trial % 2 ? lp : NULL),
		    0);
		n = (int)(uniform01() * 10);
		for (i = 0; i < n; i++)
			ck_assert_int_eq(rep_score_add(score, K,
					     (int)(uniform01() * K),
					     uniform01() * 5),
			    0);
		ck_assert_int_eq(rep_score_posterior(score, K, before), 0);
		assert_distribution(before, K);
		leader = rep_posterior_leader(before, K);
		ck_assert_int_eq(rep_score_add(score, K, leader,
				     uniform01() * 5),
		    0);
		ck_assert_int_eq(rep_score_posterior(score, K, after), 0);
		assert_distribution(after, K);
		ck_assert(after[leader] >= before[leader]);
		ck_assert_int_eq(rep_posterior_leader(after, K), leader);
	}
}
END_TEST

/* Property: the running scores agree with the one-shot form. */
START_TEST(test_running_equals_batch)
{
	struct rep_vote v[20];
	double		score[4], a[4], b[4];
	int		i, k;

	rep_score_init(score, 4, NULL);
	for (i = 0; i < 20; i++) {
		v[i].label = (int)(uniform01() * 4);
		v[i].weight = uniform01() * 3;
		rep_score_add(score, 4, v[i].label, v[i].weight);
	}
	ck_assert_int_eq(rep_score_posterior(score, 4, a), 0);
	ck_assert_int_eq(rep_posterior(v, 20, 4, NULL, b), 0);
	for (k = 0; k < 4; k++)
		ck_assert_double_eq_tol(a[k], b[k], 1e-12);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_posterior");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_test(tc, test_empty_is_uniform);
	tcase_add_test(tc, test_known_value);
	tcase_add_test(tc, test_prior);
	tcase_add_test(tc, test_unanimous_huge_no_nan);
	tcase_add_test(tc, test_ties_to_lowest);
	tcase_add_test(tc, test_invalid_votes);
	tcase_add_test(tc, test_agreeing_vote_never_lowers_leader);
	tcase_add_test(tc, test_running_equals_batch);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
