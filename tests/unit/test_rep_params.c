/* tests/unit/test_rep_params.c — rep_params_default() and its checks. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "reputation/params.h"

START_TEST(test_default_is_valid)
{
	struct rep_params p;

	rep_params_default(&p);
	ck_assert_int_eq(rep_params_check(&p), 0);
	ck_assert_double_eq(p.confidence, 0.95);
	ck_assert_int_eq(p.min_votes, 3);
	ck_assert_int_eq(p.max_votes, 9);
	ck_assert_double_eq(p.batch_interval, 1.0);
}
END_TEST

START_TEST(test_rejects_bad_fields)
{
	struct rep_params p, q;

	rep_params_default(&p);
	ck_assert_int_eq(rep_params_check(NULL), REP_ERR_INVALID);
	q = p;
	q.prior_alpha = 0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.batch_interval = -1.0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.batch_interval = NAN;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.batch_interval = 0.0; /* disabled */
	ck_assert_int_eq(rep_params_check(&q), 0);
	q = p;
	q.prior_beta = NAN;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.accuracy_max = 1.0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.stake_ref = 0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.confidence = 0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.confidence = 1.5;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.min_votes = 0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.max_votes = q.min_votes - 1;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.slash_bp = REP_BP_ONE + 1;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.gold_slash_bp = -1;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.em_smoothing = 0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.em_max_iter = 0;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.evidence_max = 1.0; /* below the prior's mass */
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
	q = p;
	q.evidence_max = 0.0; /* disabled */
	ck_assert_int_eq(rep_params_check(&q), 0);
	q = p;
	q.update_gain = INFINITY;
	ck_assert_int_eq(rep_params_check(&q), REP_ERR_INVALID);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_params");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_test(tc, test_default_is_valid);
	tcase_add_test(tc, test_rejects_bad_fields);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
