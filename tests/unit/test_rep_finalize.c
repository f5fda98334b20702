/* tests/unit/test_rep_finalize.c — finalization rule (reputation/finalize.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "reputation/finalize.h"

static struct rep_params P;

static void
setup(void)
{
	rep_params_default(&P);
	P.confidence = 0.9;
	P.min_votes = 2;
	P.max_votes = 5;
}

START_TEST(test_states)
{
	double		    sure[2] = { 0.05, 0.95 }, unsure[2] = { 0.6, 0.4 };
	struct rep_decision d;

	ck_assert_int_eq(rep_finalize_decide(sure, 2, 1, &P, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN); /* below min_votes */
	ck_assert_int_eq(d.label, 1);
	ck_assert_int_eq(rep_finalize_decide(sure, 2, 2, &P, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_FINAL);
	ck_assert_double_eq(d.confidence, 0.95);
	ck_assert_int_eq(rep_finalize_decide(unsure, 2, 4, &P, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	ck_assert_int_eq(rep_finalize_decide(unsure, 2, 5, &P, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_FINAL_LOW_CONFIDENCE);
	ck_assert_int_eq(d.label, 0);
	ck_assert_double_eq(d.confidence, 0.6);
	ck_assert_int_eq(rep_finalize_decide(sure, 2, 7, &P, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_FINAL);
}
END_TEST

START_TEST(test_exact_target_is_final)
{
	double		    post[2] = { 0.9, 0.1 };
	struct rep_decision d;

	ck_assert_int_eq(rep_finalize_decide(post, 2, 2, &P, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_FINAL);
}
END_TEST

START_TEST(test_uniform_tie)
{
	double		    post[4] = { 0.25, 0.25, 0.25, 0.25 };
	struct rep_decision d;

	ck_assert_int_eq(rep_finalize_decide(post, 4, 0, &P, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	ck_assert_int_eq(d.label, 0);
}
END_TEST

START_TEST(test_invalid)
{
	double		    post[2] = { 0.5, 0.5 }, bad[2] = { NAN, 0.5 };
	struct rep_decision d;
	struct rep_params   q = P;

	ck_assert_int_eq(rep_finalize_decide(NULL, 2, 1, &P, &d),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_finalize_decide(post, 2, 1, NULL, &d),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_finalize_decide(post, 2, 1, &P, NULL),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_finalize_decide(post, 2, -1, &P, &d),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_finalize_decide(post, 1, 1, &P, &d),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_finalize_decide(bad, 2, 1, &P, &d),
	    REP_ERR_INVALID);
	q.min_votes = 6;
	ck_assert_int_eq(rep_finalize_decide(post, 2, 1, &q, &d),
	    REP_ERR_INVALID);
}
END_TEST

START_TEST(test_confidence_bp)
{
	ck_assert_int_eq(rep_confidence_bp(0.95), 9500);
	ck_assert_int_eq(rep_confidence_bp(0.99999), 9999);
	ck_assert_int_eq(rep_confidence_bp(1.0), 10000);
	ck_assert_int_eq(rep_confidence_bp(0.0), 0);
	ck_assert_int_eq(rep_confidence_bp(NAN), 0);
	ck_assert_int_eq(rep_confidence_bp(2.0), 10000);
}
END_TEST

/* Two labels, votes of weight log 4 (accuracy 0.8) each moving the
 * log-odds of the leader by log 4: exact binomial arithmetic.  With post
 * 0.8 / 0.2 the other label leads or ties once it has one vote more than
 * the leader; given the leader is true it gets each vote with 0.2, given
 * it is true itself with 0.8. */
START_TEST(test_flip_binary)
{
	double post[2] = { 0.8, 0.2 }, w = log(4.0);

	ck_assert_double_eq_tol(rep_flip_probability(post, 2, 1, w),
	    0.8 * 0.2 + 0.2 * 0.8, 1e-12);
	/* two votes: both must go to it */
	ck_assert_double_eq_tol(rep_flip_probability(post, 2, 2, w),
	    0.8 * 0.04 + 0.2 * 0.64, 1e-12);
	/* three: at most one goes to the leader */
	ck_assert_double_eq_tol(rep_flip_probability(post, 2, 3, w),
	    0.8 * (0.008 + 3 * 0.8 * 0.04) + 0.2 * (0.512 + 3 * 0.2 * 0.64),
	    1e-12);
	ck_assert_double_eq(rep_flip_probability(post, 2, 0, w), 0.0);
	/* the order of the labels does not matter */
	post[0] = 0.2;
	post[1] = 0.8;
	ck_assert_double_eq_tol(rep_flip_probability(post, 2, 1, w), 0.32,
	    1e-12);
	/* a lead that the votes left cannot close is safe */
	post[0] = 0.999;
	post[1] = 0.001;
	ck_assert_double_eq(rep_flip_probability(post, 2, 4, w), 0.0);
}
END_TEST

START_TEST(test_flip_monotone_and_bounded)
{
	double sure[3] = { 0.96, 0.02, 0.02 }, unsure[3] = { 0.5, 0.3, 0.2 };
	double even[3] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 };
	double w = 1.0, a, b;
	int    m;

	for (m = 1; m <= 40; m++) {
		a = rep_flip_probability(sure, 3, m, w);
		b = rep_flip_probability(unsure, 3, m, w);
		ck_assert(a >= 0.0 && a <= 1.0 && b >= 0.0 && b <= 1.0);
		ck_assert(a <= b);
		/* a tie is a flip: an even task is anyone's */
		ck_assert(rep_flip_probability(even, 3, m, w) >= 0.5);
		ck_assert(rep_flip_probability(even, 3, m, w) >= b);
	}
}
END_TEST

START_TEST(test_flip_unknowable)
{
	double post[2] = { 0.9, 0.1 }, bad[2] = { NAN, 0.1 };

	/* votes that carry no weight cannot be modelled: nothing is futile */
	ck_assert_double_eq(rep_flip_probability(post, 2, 5, 0.0), 1.0);
	ck_assert_double_eq(rep_flip_probability(post, 2,
				REP_FLIP_MAX_REMAINING + 1, 1.0),
	    1.0);
	ck_assert_double_eq(rep_flip_probability(NULL, 2, 5, 1.0), -1.0);
	ck_assert_double_eq(rep_flip_probability(bad, 2, 5, 1.0), -1.0);
	ck_assert_double_eq(rep_flip_probability(post, 1, 5, 1.0), -1.0);
	ck_assert_double_eq(rep_flip_probability(post, 2, 5, NAN), -1.0);
}
END_TEST

/* post 0.9 after 3 votes of accuracy 0.8, 6 to come: the other label
 * needs 2 more votes than the leader; P = 0.9 P(<= 2 of 6 | p 0.8) + 0.1
 * P(<= 2 of 6 | p 0.2) = 0.105376. */
START_TEST(test_futile_decision)
{
	double		    post[2] = { 0.9, 0.1 }, w = log(4.0);
	struct rep_decision d;
	struct rep_params   q = P;

	q.confidence = 0.95;
	q.min_votes = 3;
	q.max_votes = 9;
	ck_assert_double_eq_tol(rep_flip_probability(post, 2, 6, w), 0.105376,
	    1e-12);
	q.futility = 0.11;
	ck_assert_int_eq(rep_finalize_decide_futile(post, 2, 3, w, &q, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_FINAL_LOW_CONFIDENCE);
	ck_assert_int_eq(d.label, 0);
	ck_assert_double_eq(d.confidence, 0.9);
	/* below min_votes, or with a stricter futility, or off: open */
	ck_assert_int_eq(rep_finalize_decide_futile(post, 2, 2, w, &q, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	q.futility = 0.1;
	ck_assert_int_eq(rep_finalize_decide_futile(post, 2, 3, w, &q, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	q.futility = 0.0;
	ck_assert_int_eq(rep_finalize_decide_futile(post, 2, 3, w, &q, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	/* no weight to judge by: open */
	q.futility = 0.11;
	ck_assert_int_eq(rep_finalize_decide_futile(post, 2, 3, 0.0, &q, &d),
	    0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	/* the target still decides first */
	q.confidence = 0.9;
	ck_assert_int_eq(rep_finalize_decide_futile(post, 2, 3, w, &q, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_FINAL);
	/* futility out of range is refused */
	q.futility = 1.0;
	ck_assert_int_eq(rep_finalize_decide_futile(post, 2, 3, w, &q, &d),
	    REP_ERR_INVALID);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_finalize");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_states);
	tcase_add_test(tc, test_exact_target_is_final);
	tcase_add_test(tc, test_uniform_tie);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_confidence_bp);
	tcase_add_test(tc, test_flip_binary);
	tcase_add_test(tc, test_flip_monotone_and_bounded);
	tcase_add_test(tc, test_flip_unknowable);
	tcase_add_test(tc, test_futile_decision);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
