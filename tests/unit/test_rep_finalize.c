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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
