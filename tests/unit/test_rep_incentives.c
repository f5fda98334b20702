/* tests/unit/test_rep_incentives.c — rewards and slashes (incentives.h). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "reputation/incentives.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_u64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double
uniform01(void)
{
	return (double)(next_u64() >> 11) / 9007199254740992.0;
}

START_TEST(test_proportional)
{
	int	labels[3] = { 0, 0, 1 };
	double	w[3] = { 1.0, 3.0, 5.0 };
	int64_t shares[3], paid;

	ck_assert_int_eq(rep_reward_shares(labels, w, 3, 0, 1000, shares,
			     &paid),
	    0);
	ck_assert_int_eq(shares[0], 250);
	ck_assert_int_eq(shares[1], 750);
	ck_assert_int_eq(shares[2], 0);
	ck_assert_int_eq(paid, 1000);
}
END_TEST

START_TEST(test_remainder_tie_to_earlier)
{
	int	labels[3] = { 0, 0, 0 };
	double	w[3] = { 1.0, 1.0, 1.0 };
	int64_t shares[3], paid;

	ck_assert_int_eq(rep_reward_shares(labels, w, 3, 0, 100, shares, &paid),
	    0);
	ck_assert_int_eq(shares[0], 34);
	ck_assert_int_eq(shares[1], 33);
	ck_assert_int_eq(shares[2], 33);
	ck_assert_int_eq(rep_reward_shares(labels, w, 3, 0, 2, shares, &paid),
	    0);
	ck_assert_int_eq(shares[0], 1);
	ck_assert_int_eq(shares[1], 1);
	ck_assert_int_eq(shares[2], 0);
}
END_TEST

START_TEST(test_zero_weights_split_equally)
{
	int	labels[4] = { 1, 1, 0, 1 };
	double	w[4] = { 0.0, 0.0, 7.0, 0.0 };
	int64_t shares[4], paid;

	ck_assert_int_eq(rep_reward_shares(labels, w, 4, 1, 10, shares, &paid),
	    0);
	ck_assert_int_eq(shares[0], 4);
	ck_assert_int_eq(shares[1], 3);
	ck_assert_int_eq(shares[2], 0);
	ck_assert_int_eq(shares[3], 3);
	ck_assert_int_eq(paid, 10);
}
END_TEST

START_TEST(test_nobody_agreed)
{
	int	labels[2] = { 0, 0 };
	double	w[2] = { 1.0, 2.0 };
	int64_t shares[2] = { -1, -1 }, paid = -1;

	ck_assert_int_eq(rep_reward_shares(labels, w, 2, 1, 10, shares, &paid),
	    0);
	ck_assert_int_eq(shares[0], 0);
	ck_assert_int_eq(shares[1], 0);
	ck_assert_int_eq(paid, 0);
	ck_assert_int_eq(rep_reward_shares(NULL, NULL, 0, 0, 10, NULL, &paid),
	    0);
	ck_assert_int_eq(paid, 0);
}
END_TEST

START_TEST(test_invalid)
{
	int	labels[2] = { 0, 0 };
	double	w[2] = { 1.0, NAN };
	int64_t shares[2], paid;

	ck_assert_int_eq(rep_reward_shares(labels, w, 2, 0, 10, shares, &paid),
	    REP_ERR_INVALID);
	w[1] = -1;
	ck_assert_int_eq(rep_reward_shares(labels, w, 2, 0, 10, shares, &paid),
	    REP_ERR_INVALID);
	w[1] = 1;
	ck_assert_int_eq(rep_reward_shares(labels, w, 2, 0, -1, shares, &paid),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_reward_shares(labels, w, 2, -1, 1, shares, &paid),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_reward_shares(labels, w, 2, 0, 1, shares, NULL),
	    REP_ERR_INVALID);
}
END_TEST

/* Property: shares sum exactly to the reward, non-negative, near quota. */
/*
 * Property loops check with PROP, not ck_assert: each ck_assert records a
 * checkpoint through Check's pipe, which costs a system call per check and
 * makes 10^6 checks crawl under valgrind.
 */
#define PROP(cond) \
	do { \
		if (!(cond)) \
			ck_abort_msg("trial %d: %s", trial, #cond); \
	} while (0)

START_TEST(test_shares_sum_exactly)
{
	int	labels[64];
	double	w[64], W;
	int64_t shares[64], paid, sum, reward;
	int	trial, n, i, agree;

	for (trial = 0; trial < 20000; trial++) {
		n = 1 + (int)(uniform01() * 64);
		switch (trial % 4) {
		case 0:
			reward = (int64_t)(next_u64() % 1000);
			break;
		case 1:
			reward = (int64_t)(next_u64() % 1000000000000LL);
			break;
		case 2:
			reward = INT64_MAX / 2 - (int64_t)(next_u64() % 1000);
			break;
		default:
			reward = (int64_t)(next_u64() >> 1) / 2;
			break;
		}
		for (agree = 0, W = 0, i = 0; i < n; i++) {
			labels[i] = (int)(uniform01() * 3);
			w[i] = trial % 7 == 0
			    ? 1.0
			    : uniform01() * (trial % 5 == 0 ? 1e-300 : 10.0);
			if (trial % 11 == 0 && i % 2)
				w[i] = 0.0;
			if (labels[i] == 0) {
				agree++;
				W += w[i];
			}
		}
		PROP(rep_reward_shares(labels, w, (size_t)n, 0, reward, shares,
			 &paid) == 0);
		for (sum = 0, i = 0; i < n; i++) {
			PROP(shares[i] >= 0);
			if (labels[i] != 0)
				PROP(shares[i] == 0);
			sum += shares[i];
		}
		PROP(sum == paid);
		PROP(paid == (agree > 0 ? reward : 0));
		/* Within one micro-credit (plus quantisation) of the quota. */
		if (agree > 0 && W > 0 && reward < 1000000)
			for (i = 0; i < n; i++)
				if (labels[i] == 0)
					PROP(fabs((double)shares[i] -
						 (double)reward * w[i] / W) <=
					    1.0 + reward * 1e-5);
	}
}
END_TEST

START_TEST(test_bp_of)
{
	ck_assert_int_eq(rep_bp_of(10000, 100), 100);
	ck_assert_int_eq(rep_bp_of(9999, 100), 99);
	ck_assert_int_eq(rep_bp_of(REP_MAX_STAKE, REP_BP_ONE), REP_MAX_STAKE);
	ck_assert_int_eq(rep_bp_of(INT64_MAX, 1), INT64_MAX / 10000);
	ck_assert_int_eq(rep_bp_of(-5, 100), 0);
	ck_assert_int_eq(rep_bp_of(5, 0), 0);
}
END_TEST

START_TEST(test_slash)
{
	struct rep_params p;
	int		  labels[3] = { 0, 1, 1 };
	int64_t		  stakes[3] = { 1000000, 1000000, 12345 }, sl[3], total;

	rep_params_default(&p);
	/* Confident disagreement: slash_bp (1%). */
	ck_assert_int_eq(rep_slash_amounts(labels, stakes, 3, 0, 0.995, false,
			     false, &p, sl, &total),
	    0);
	ck_assert_int_eq(sl[0], 0);
	ck_assert_int_eq(sl[1], 10000);
	ck_assert_int_eq(sl[2], 123);
	ck_assert_int_eq(total, 10123);
	/* Below the slash threshold: nothing. */
	ck_assert_int_eq(rep_slash_amounts(labels, stakes, 3, 0, 0.98, false,
			     false, &p, sl, &total),
	    0);
	ck_assert_int_eq(total, 0);
	/* Low-confidence finals never slash. */
	ck_assert_int_eq(rep_slash_amounts(labels, stakes, 3, 0, 0.999, true,
			     false, &p, sl, &total),
	    0);
	ck_assert_int_eq(total, 0);
	/* Gold failure: gold_slash_bp (3%), whatever the confidence. */
	ck_assert_int_eq(rep_slash_amounts(labels, stakes, 3, 1, 0.0, false,
			     true, &p, sl, &total),
	    0);
	ck_assert_int_eq(sl[0], 30000);
	ck_assert_int_eq(sl[1], 0);
	ck_assert_int_eq(total, 30000);
	stakes[0] = -1;
	ck_assert_int_eq(rep_slash_amounts(labels, stakes, 3, 1, 0.0, false,
			     true, &p, sl, &total),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_slash_amounts(NULL, NULL, 0, 1, 0.5, false, false,
			     &p, NULL, &total),
	    0);
	ck_assert_int_eq(total, 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_incentives");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_proportional);
	tcase_add_test(tc, test_remainder_tie_to_earlier);
	tcase_add_test(tc, test_zero_weights_split_equally);
	tcase_add_test(tc, test_nobody_agreed);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_shares_sum_exactly);
	tcase_add_test(tc, test_bp_of);
	tcase_add_test(tc, test_slash);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
