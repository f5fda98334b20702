/* tests/unit/test_rep_vecmath.c — the four-lane exp and log (vecmath.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "reputation/vecmath.h"

START_TEST(test_exp)
{
	double worst = 0.0, x;
	int    k;

	for (x = -80.0; x <= 0.0; x += 0.0007) {
		rep_v4f v = { (float)x, (float)(x / 2), (float)(x / 3),
			(float)(x / 7) };
		rep_v4f r = rep_v4f_exp(v);

		for (k = 0; k < 4; k++) {
			double want = exp((double)v[k]);

			if (fabs(r[k] - want) / want > worst)
				worst = fabs(r[k] - want) / want;
		}
	}
	ck_assert_msg(worst < 2e-7, "exp: relative error %g", worst);
	/* Below -80 is clamped there: tiny, positive, never a denormal. */
	ck_assert(rep_v4f_exp(REP_V4F(-1e30f))[0] > 0.0f);
	ck_assert(rep_v4f_exp(REP_V4F(-1e30f))[0] < 1e-34f);
	ck_assert(rep_v4f_exp(REP_V4F(0.0f))[2] == 1.0f);
}
END_TEST

START_TEST(test_log)
{
	double worst = 0.0, x;
	int    k;

	for (x = 1.5e-38; x < 3e38; x *= 1.0011) {
		rep_v4f v = { (float)x, (float)(x * 1.3), (float)(x * 1.7),
			(float)(x * 1.9) };
		rep_v4f r;

		if (!isfinite(v[3]))
			break;
		r = rep_v4f_log(v);
		for (k = 0; k < 4; k++) {
			double want = log((double)v[k]);
			double err = fabs(r[k] - want) /
			    (fabs(want) > 1.0 ? fabs(want) : 1.0);

			if (err > worst)
				worst = err;
		}
	}
	ck_assert_msg(worst < 2e-7, "log: error %g", worst);
	ck_assert(rep_v4f_log(REP_V4F(1.0f))[1] == 0.0f);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_vecmath");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_test(tc, test_exp);
	tcase_add_test(tc, test_log);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
