/* tests/unit/test_rep_update.c — reputation updates (reputation/update.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "reputation/update.h"

static struct rep_params P;

static void
setup(void)
{
	rep_params_default(&P);
}

START_TEST(test_agree_disagree)
{
	struct rep_voter v[3] = { { 2, 1, 1 }, { 2, 1, 1 }, { 2, 1, 1 } };
	int		 labels[3] = { 0, 1, 0 };

	ck_assert_int_eq(rep_reputation_update(v, labels, 3, 2, 0, 0.9, false,
			     &P),
	    0);
	ck_assert_double_eq_tol(v[0].alpha, 2.9, 1e-12);
	ck_assert_double_eq_tol(v[0].beta, 1.0, 1e-12);
	ck_assert_double_eq_tol(v[1].alpha, 2.0, 1e-12);
	ck_assert_double_eq_tol(v[1].beta, 1.9, 1e-12);
	ck_assert_double_eq_tol(v[2].alpha, 2.9, 1e-12);
	ck_assert_int_eq(v[1].stake, 1);
}
END_TEST

START_TEST(test_gold_is_stronger)
{
	struct rep_voter a = { 2, 1, 1 }, b = { 2, 1, 1 };
	int		 label = 1;

	ck_assert_int_eq(rep_reputation_update(&a, &label, 1, 2, 0, 1.0, false,
			     &P),
	    0);
	ck_assert_int_eq(rep_reputation_update(&b, &label, 1, 2, 0, 0.0, true,
			     &P),
	    0);
	ck_assert(b.beta - 1.0 > a.beta - 1.0);
	ck_assert_double_eq_tol(b.beta, 1.0 + P.gold_gain, 1e-12);
}
END_TEST

START_TEST(test_evidence_cap)
{
	struct rep_voter v = { 2, 1, 1 };
	int		 label = 0, i;

	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(rep_reputation_update(&v, &label, 1, 2, 0, 1.0,
				     false, &P),
		    0);
	ck_assert(v.alpha + v.beta <= P.evidence_max + 1e-9);
	/* A good labeler turned bad loses weight in bounded time. */
	label = 1;
	for (i = 0; i < 2 * (int)P.evidence_max; i++)
		rep_reputation_update(&v, &label, 1, 2, 0, 1.0, false, &P);
	ck_assert(rep_voter_accuracy(&v) < 0.5);
}
END_TEST

START_TEST(test_all_or_nothing)
{
	struct rep_voter v[2] = { { 2, 1, 1 }, { 0, 1, 1 } };
	int		 labels[2] = { 0, 0 };

	ck_assert_int_eq(rep_reputation_update(v, labels, 2, 2, 0, 1.0, false,
			     &P),
	    REP_ERR_INVALID);
	ck_assert_double_eq(v[0].alpha, 2.0);
	v[1].alpha = 1;
	labels[1] = 5;
	ck_assert_int_eq(rep_reputation_update(v, labels, 2, 2, 0, 1.0, false,
			     &P),
	    REP_ERR_INVALID);
	labels[1] = 0;
	ck_assert_int_eq(rep_reputation_update(v, labels, 2, 2, 2, 1.0, false,
			     &P),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_reputation_update(v, labels, 2, 2, 0, NAN, false,
			     &P),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_reputation_update(v, labels, 2, 2, 0, NAN, true,
			     &P),
	    0);
	ck_assert_int_eq(rep_reputation_update(NULL, NULL, 0, 2, 0, 1.0, false,
			     &P),
	    0);
	ck_assert_int_eq(rep_reputation_update(NULL, labels, 1, 2, 0, 1.0,
			     false, &P),
	    REP_ERR_INVALID);
}
END_TEST

START_TEST(test_recalibrate)
{
	struct rep_voter v = { 2, 1, 7 };

	ck_assert_int_eq(rep_reputation_recalibrate(&v, 0.8, 50, &P), 0);
	ck_assert_double_eq_tol(rep_voter_accuracy(&v), 0.8, 1e-12);
	ck_assert_double_eq_tol(v.alpha + v.beta, 53.0, 1e-9);
	ck_assert_int_eq(v.stake, 7);
	ck_assert_int_eq(rep_reputation_recalibrate(&v, 0.8, 1e6, &P), 0);
	ck_assert_double_eq_tol(v.alpha + v.beta, P.evidence_max, 1e-9);
	ck_assert_int_eq(rep_reputation_recalibrate(&v, 1.0, 5, &P),
	    REP_ERR_INVALID);
	ck_assert_int_eq(rep_reputation_recalibrate(&v, 0.5, -1, &P),
	    REP_ERR_INVALID);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_update");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_agree_disagree);
	tcase_add_test(tc, test_gold_is_stronger);
	tcase_add_test(tc, test_evidence_cap);
	tcase_add_test(tc, test_all_or_nothing);
	tcase_add_test(tc, test_recalibrate);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
