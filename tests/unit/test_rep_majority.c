/* tests/unit/test_rep_majority.c — (weighted) majority vote (majority.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "reputation/majority.h"
#include "reputation/params.h"
#include "reputation/posterior.h"

static const struct rep_obs OBS[] = {
	{ 0, 0, 1 },
	{ 0, 1, 1 },
	{ 0, 2, 0 }, /* item 0: 1 wins */
	{ 1, 0, 0 },
	{ 1, 1, 1 }, /* item 1: tie -> 0 */
	/* item 2: no vote */
	{ 3, 2, 2 },
};

START_TEST(test_plain)
{
	struct rep_batch b = { OBS, 6, 4, 3, 3 };
	double		 post[12];

	ck_assert_int_eq(rep_majority(&b, NULL, post), 0);
	ck_assert_double_eq_tol(post[0 * 3 + 1], 2.0 / 3.0, 1e-12);
	ck_assert_int_eq(rep_posterior_leader(post + 0, 3), 1);
	ck_assert_int_eq(rep_posterior_leader(post + 3, 3), 0);
	ck_assert_double_eq_tol(post[2 * 3 + 0], 1.0 / 3.0, 1e-12);
	ck_assert_int_eq(rep_posterior_leader(post + 9, 3), 2);
}
END_TEST

START_TEST(test_weighted)
{
	struct rep_batch b = { OBS, 6, 4, 3, 3 };
	double		 w[6] = { 1, 1, 5, 0, 0, 1 }, post[12];

	ck_assert_int_eq(rep_majority(&b, w, post), 0);
	ck_assert_int_eq(rep_posterior_leader(post + 0, 3), 0);
	/* all weights 0: uniform */
	ck_assert_double_eq_tol(post[3 + 1], 1.0 / 3.0, 1e-12);
	w[1] = -1;
	ck_assert_int_eq(rep_majority(&b, w, post), REP_ERR_INVALID);
	w[1] = NAN;
	ck_assert_int_eq(rep_majority(&b, w, post), REP_ERR_INVALID);
}
END_TEST

START_TEST(test_invalid_batch)
{
	struct rep_obs	 bad = { 0, 0, 3 };
	struct rep_batch b = { &bad, 1, 1, 1, 3 };
	double		 post[3];

	ck_assert_int_eq(rep_majority(&b, NULL, post), REP_ERR_INVALID);
	bad.label = 0;
	bad.item = 1;
	ck_assert_int_eq(rep_majority(&b, NULL, post), REP_ERR_INVALID);
	bad.item = 0;
	bad.worker = -1;
	ck_assert_int_eq(rep_majority(&b, NULL, post), REP_ERR_INVALID);
	bad.worker = 0;
	b.n_labels = 1;
	ck_assert_int_eq(rep_majority(&b, NULL, post), REP_ERR_INVALID);
	b.n_labels = 3;
	ck_assert_int_eq(rep_majority(&b, NULL, post), 0);
	ck_assert_int_eq(rep_majority(NULL, NULL, post), REP_ERR_INVALID);
	b.obs = NULL;
	ck_assert_int_eq(rep_majority(&b, NULL, post), REP_ERR_INVALID);
	b.n_obs = 0;
	b.n_items = 0;
	ck_assert_int_eq(rep_majority(&b, NULL, NULL), 0);
}
END_TEST

/* Wawa: skill = agreement with MV, then MV weighted by skill. */
START_TEST(test_wawa)
{
	struct rep_batch b = { OBS, 6, 4, 3, 3 };
	double		 skill[3], votes[3], post[12];

	ck_assert_int_eq(rep_wawa(&b, skill, votes, post), 0);
	ck_assert_double_eq(votes[0], 2.0);
	ck_assert_double_eq_tol(skill[0], 1.0, 1e-12);
	ck_assert_double_eq_tol(skill[1], 0.5, 1e-12); /* lost the tie */
	ck_assert_double_eq_tol(skill[2], 0.5, 1e-12);
	ck_assert_double_eq_tol(post[0 * 3 + 1], 0.75, 1e-12);
	ck_assert_double_eq_tol(post[1 * 3 + 0], 2.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(post[2 * 3 + 2], 1.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(post[3 * 3 + 2], 1.0, 1e-12);
	ck_assert_int_eq(rep_wawa(&b, NULL, votes, post), REP_ERR_INVALID);
	ck_assert_int_eq(rep_wawa(NULL, skill, votes, post), REP_ERR_INVALID);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_majority");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_weighted);
	tcase_add_test(tc, test_invalid_batch);
	tcase_add_test(tc, test_wawa);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
