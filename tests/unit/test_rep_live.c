/* tests/unit/test_rep_live.c — the live market's model (reputation/live.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "reputation/reputation.h"

static struct rep_params L;

static void
setup(void)
{
	rep_params_live(&L);
}

START_TEST(test_newcomer_weighs_nothing)
{
	struct rep_voter fresh = { L.prior_alpha, L.prior_beta, 1000 };
	struct rep_voter known = { 41, 5, 1000 };

	L.stake_ref = 1000;
	ck_assert_double_eq(rep_vote_weight(&fresh, 2, &L), 0.0);
	ck_assert(rep_vote_weight(&known, 2, &L) > 1.0);
	/* The bound is below the mean, more so on little evidence. */
	ck_assert(rep_voter_accuracy_bound(&known, L.credible_z) <
	    rep_voter_accuracy(&known));
	{
		struct rep_voter few = { 4.6, 0.5, 1000 }; /* mean 0.9, n 3 */
		struct rep_voter many = { 46, 5, 1000 };   /* mean 0.9, n 49 */

		ck_assert(rep_vote_weight(&few, 2, &L) <
		    rep_vote_weight(&many, 2, &L));
	}
}
END_TEST

START_TEST(test_loo_evidence)
{
	/* Three agreeing voters alone: each is sure only through the other
	 * two, so a ring of unknown voters (weight 0) learns nothing. */
	int    labels[3] = { 0, 0, 0 };
	double w0[3] = { 0, 0, 0 }, w1[3] = { 2, 2, 2 };
	double da[3], db[3];
	int    i;

	ck_assert_int_eq(rep_reputation_evidence_loo(labels, w0, 3, 2, 0, &L,
			     da, db),
	    0);
	for (i = 0; i < 3; i++) {
		ck_assert_double_eq(da[i], 0.0);
		ck_assert_double_eq(db[i], 0.0);
	}
	ck_assert_int_eq(rep_reputation_evidence_loo(labels, w1, 3, 2, 0, &L,
			     da, db),
	    0);
	/* others' log-odds 4: posterior 0.982, sure 0.964 */
	for (i = 0; i < 3; i++) {
		ck_assert_double_eq_tol(da[i],
		    L.update_gain * (2.0 / (1.0 + exp(-4.0)) - 1.0), 1e-9);
		ck_assert_double_eq(db[i], 0.0);
	}
	/* A dissenter against two trusted voters is wrong with their
	 * sureness; the two are right only as far as the other one and the
	 * dissenter leave them sure. */
	{
		int    l2[3] = { 0, 0, 1 };
		double w2[3] = { 2, 2, 0 };

		ck_assert_int_eq(rep_reputation_evidence_loo(l2, w2, 3, 2, 0,
				     &L, da, db),
		    0);
		ck_assert_double_eq(da[2], 0.0);
		ck_assert(db[2] > 0.9);
		ck_assert(da[0] > 0.7 && da[0] < db[2]);
	}
	ck_assert_int_eq(rep_reputation_evidence_loo(labels, w1, 3, 2, 2, &L,
			     da, db),
	    REP_ERR_INVALID);
	w1[1] = -1;
	ck_assert_int_eq(rep_reputation_evidence_loo(labels, w1, 3, 2, 0, &L,
			     da, db),
	    REP_ERR_INVALID);
}
END_TEST

START_TEST(test_gold_ban)
{
	int k, r, w;

	ck_assert(!rep_gold_banned(0, 2, 2, &L)); /* too few answers */
	/* Two labels: 0 of 3, 1 of 6, 2 of 8 right. */
	ck_assert(rep_gold_banned(0, 3, 2, &L));
	ck_assert(!rep_gold_banned(1, 2, 2, &L)); /* bad luck happens */
	ck_assert(!rep_gold_banned(1, 4, 2, &L));
	ck_assert(rep_gold_banned(1, 5, 2, &L));
	ck_assert(!rep_gold_banned(2, 5, 2, &L));
	ck_assert(rep_gold_banned(2, 6, 2, &L));
	/* Three: 0 of 4, 1 of 8 (chance is lower). */
	ck_assert(!rep_gold_banned(0, 3, 3, &L));
	ck_assert(rep_gold_banned(0, 4, 3, &L));
	ck_assert(!rep_gold_banned(1, 6, 3, &L));
	ck_assert(rep_gold_banned(1, 7, 3, &L));
	ck_assert(!rep_gold_banned(5, 5, 3, &L));
	/* One more wrong answer never clears a failed record, one more
	 * right answer never fails a clear one. */
	for (k = 2; k <= 6; k++)
		for (r = 0; r < 40; r++)
			for (w = 0; w < 40; w++) {
				if (rep_gold_banned(r, w, k, &L))
					ck_assert(
					    rep_gold_banned(r, w + 1, k, &L));
				else
					ck_assert(
					    !rep_gold_banned(r + 1, w, k, &L));
			}
	{
		struct rep_params d;

		rep_params_default(&d); /* offline: no bans */
		ck_assert(!rep_gold_banned(0, 100, 2, &d));
	}
}
END_TEST

/* A model of K = 2, one worker, with class prior rho and confusion pi. */
static double
informed(double rho0, double p00, double p11)
{
	double		    prior[2] = { rho0, 1.0 - rho0 };
	double		    conf[4] = { p00, 1.0 - p00, 1.0 - p11, p11 };
	struct rep_ds_model m = { prior, conf, NULL, 0, false, 0.0 };

	return rep_ds_worker_informed_accuracy(&m, 2, 0);
}

START_TEST(test_informed_accuracy)
{
	/* Perfect, balanced or not. */
	ck_assert_double_eq_tol(informed(0.5, 1, 1), 1.0, 1e-12);
	ck_assert_double_eq_tol(informed(0.8, 1, 1), 1.0, 1e-12);
	/* Symmetric 0.9 on balanced classes: 0.9. */
	ck_assert_double_eq_tol(informed(0.5, 0.9, 0.9), 0.9, 1e-12);
	/* Always "0" on a set that is 80% class 0: right 80% of the time,
	 * worth exactly chance. */
	ck_assert_double_eq_tol(informed(0.8, 1, 0), 0.5, 1e-12);
	ck_assert_double_eq_tol(informed(0.8, 0, 1), 0.5, 1e-12);
	/* Random answers: chance; adversarial: chance, not below. */
	ck_assert_double_eq_tol(informed(0.5, 0.5, 0.5), 0.5, 1e-12);
	ck_assert_double_eq_tol(informed(0.5, 0.1, 0.1), 0.5, 1e-12);
	/* K = 3, perfect and constant. */
	{
		double		    prior[3] = { 0.5, 0.3, 0.2 };
		double		    perfect[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
		double		    constant[9] = { 1, 0, 0, 1, 0, 0, 1, 0, 0 };
		struct rep_ds_model m = { prior, perfect, NULL, 0, false, 0 };

		ck_assert_double_eq_tol(rep_ds_worker_informed_accuracy(&m, 3,
					    0),
		    1.0, 1e-12);
		m.confusion = constant;
		ck_assert_double_eq_tol(rep_ds_worker_informed_accuracy(&m, 3,
					    0),
		    1.0 / 3.0, 1e-12);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_live");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_newcomer_weighs_nothing);
	tcase_add_test(tc, test_loo_evidence);
	tcase_add_test(tc, test_gold_ban);
	tcase_add_test(tc, test_informed_accuracy);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
