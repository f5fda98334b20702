/* tests/unit/test_rep_weights.c — vote weights (reputation/weights.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "reputation/incentives.h"
#include "reputation/weights.h"

static struct rep_params P;

static void
setup(void)
{
	rep_params_default(&P);
}

START_TEST(test_known_value)
{
	struct rep_voter v = { 8.0, 2.0, 0 };

	v.stake = (int64_t)P.stake_ref; /* h = 1 */
	ck_assert_double_eq_tol(rep_vote_weight(&v, 2, &P), log(4.0), 1e-12);
	/* K = 4: ln(3 * 0.8 / 0.2) */
	ck_assert_double_eq_tol(rep_vote_weight(&v, 4, &P), log(12.0), 1e-12);
	P.stake_cap = 3.0;
	v.stake = 4 * (int64_t)P.stake_ref; /* h = 2 */
	ck_assert_double_eq_tol(rep_vote_weight(&v, 2, &P), 2 * log(4.0),
	    1e-12);
}
END_TEST

START_TEST(test_worse_than_chance_weighs_zero)
{
	struct rep_voter v = { 1.0, 1.0, 0 };
	int		 K;
	double		 a;

	v.stake = 100 * (int64_t)P.stake_ref;
	for (K = 2; K <= REP_MAX_LABELS; K++)
		for (a = 0.01; a < 20.0; a *= 1.7) {
			v.alpha = a;
			/* p = a / (a + beta) <= 1/K */
			v.beta = a * (K - 1);
			ck_assert_double_eq(rep_vote_weight(&v, K, &P), 0.0);
			v.beta = a * (K - 1) * 3;
			ck_assert_double_eq(rep_vote_weight(&v, K, &P), 0.0);
			v.beta = a * (K - 1) * 0.5; /* better than chance */
			ck_assert(rep_vote_weight(&v, K, &P) > 0.0);
		}
}
END_TEST

START_TEST(test_stake_factor_concave_capped)
{
	double	prev = 0.0, h, step = 0.0, pstep = INFINITY;
	int64_t s;

	P.stake_cap = 3.0;

	ck_assert_double_eq(rep_stake_factor(0, &P), 0.0);
	ck_assert_double_eq(rep_stake_factor(-5, &P), 0.0);
	for (s = 1000000; s <= 200000000; s += 1000000) {
		h = rep_stake_factor(s, &P);
		ck_assert(h >= prev);
		step = h - prev;
		ck_assert(step <= pstep + 1e-12);
		pstep = step;
		prev = h;
		ck_assert(h <= P.stake_cap);
	}
	ck_assert_double_eq(rep_stake_factor(REP_MAX_STAKE, &P), P.stake_cap);
}
END_TEST

START_TEST(test_weight_monotone_in_accuracy)
{
	struct rep_voter v = { 1.0, 1.0, 10000000 };
	double		 prev = -1.0, w;
	int		 i;

	for (i = 0; i < 200; i++) {
		v.alpha = 1.0 + i;
		w = rep_vote_weight(&v, 3, &P);
		ck_assert(isfinite(w));
		ck_assert(w >= prev);
		prev = w;
	}
	/* Capped by accuracy_max. */
	v.alpha = 1e12;
	ck_assert_double_eq_tol(rep_vote_weight(&v, 2, &P),
	    log(P.accuracy_max / (1 - P.accuracy_max)), 1e-9);
}
END_TEST

START_TEST(test_degenerate_inputs)
{
	struct rep_voter v = { 2.0, 1.0, 10000000 }, bad;

	ck_assert_double_eq(rep_vote_weight(NULL, 2, &P), 0.0);
	ck_assert_double_eq(rep_vote_weight(&v, 2, NULL), 0.0);
	ck_assert_double_eq(rep_vote_weight(&v, 1, &P), 0.0);
	ck_assert_double_eq(rep_vote_weight(&v, REP_MAX_LABELS + 1, &P), 0.0);
	bad = v;
	bad.alpha = 0.0;
	ck_assert_double_eq(rep_vote_weight(&bad, 2, &P), 0.0);
	bad = v;
	bad.beta = -1.0;
	ck_assert_double_eq(rep_vote_weight(&bad, 2, &P), 0.0);
	bad = v;
	bad.alpha = NAN;
	ck_assert_double_eq(rep_vote_weight(&bad, 2, &P), 0.0);
	bad = v;
	bad.beta = INFINITY;
	ck_assert_double_eq(rep_vote_weight(&bad, 2, &P), 0.0);
	bad = v;
	bad.stake = 0;
	ck_assert_double_eq(rep_vote_weight(&bad, 2, &P), 0.0);
	ck_assert_double_eq(rep_accuracy_logodds(NAN, 2, &P), 0.0);
}
END_TEST

START_TEST(test_voter_init)
{
	struct rep_voter v;

	rep_voter_init(&v, 42, &P);
	ck_assert_double_eq(v.alpha, P.prior_alpha);
	ck_assert_double_eq(v.beta, P.prior_beta);
	ck_assert_int_eq(v.stake, 42);
	ck_assert_double_eq_tol(rep_voter_accuracy(&v), 2.0 / 3.0, 1e-12);
}
END_TEST

START_TEST(test_vote_stake_and_bond)
{
	struct rep_params p;
	int64_t		  bond, sw, free;

	rep_params_default(&p);
	p.stake_ref = 1e7; /* 10 credits earn full weight */
	ck_assert_int_eq(rep_bond_bp(&p), 300);
	/* Plenty of free stake: weighted with stake_ref, 3% bonded. */
	sw = rep_vote_stake(50000000, 0, &p, &bond);
	ck_assert_int_eq(sw, 10000000);
	ck_assert_int_eq(bond, 300000);
	/* Below stake_ref: all of it, bonded in part. */
	sw = rep_vote_stake(4000000, 0, &p, &bond);
	ck_assert_int_eq(sw, 4000000);
	ck_assert_int_eq(bond, 120000);
	/* Bonded stake counts for the weight, not for the bond. */
	sw = rep_vote_stake(3000000, 7000000, &p, &bond);
	ck_assert_int_eq(sw, 10000000);
	ck_assert_int_eq(bond, 300000);
	/* Free stake too small to bond a full vote: the weight shrinks so
	 * that the bond fits, and it always fits. */
	sw = rep_vote_stake(150000, 9850000, &p, &bond);
	ck_assert_int_eq(bond, 150000);
	ck_assert_int_eq(sw, 5000033);
	for (free = 1; free < 2000; free += 7) {
		sw = rep_vote_stake(free, 1000000000, &p, &bond);
		ck_assert_int_le(bond, free);
		ck_assert_int_eq(bond, rep_bp_of(sw, 300));
		/* and sw is the largest such stake */
		ck_assert_int_gt(rep_bp_of(sw + 1, 300), free);
	}
	/* Nothing free, nothing at stake. */
	ck_assert_int_eq(rep_vote_stake(0, 5000000, &p, &bond), 0);
	ck_assert_int_eq(bond, 0);
	ck_assert_int_eq(rep_vote_stake(-1, 0, &p, NULL), 0);
	/* Amounts past the library's cap cannot overflow or wedge. */
	p.stake_ref = 1e15;
	sw = rep_vote_stake(INT64_MAX / 2, INT64_MAX / 2, &p, &bond);
	ck_assert_int_eq(sw, REP_MAX_STAKE);
	ck_assert_int_eq(bond, rep_bp_of(REP_MAX_STAKE, 300));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_weights");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_known_value);
	tcase_add_test(tc, test_worse_than_chance_weighs_zero);
	tcase_add_test(tc, test_stake_factor_concave_capped);
	tcase_add_test(tc, test_weight_monotone_in_accuracy);
	tcase_add_test(tc, test_degenerate_inputs);
	tcase_add_test(tc, test_voter_init);
	tcase_add_test(tc, test_vote_stake_and_bond);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
