/* tests/unit/test_rep_dawid_skene.c — Dawid-Skene and one-coin EM. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reputation/dawid_skene.h"
#include "reputation/majority.h"
#include "reputation/posterior.h"

#define N_ITEMS 300
#define N_WORKERS 5
#define K 3

static uint64_t rng_state;

static double
uniform01(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

static struct rep_params P;
static struct rep_obs	 obs[N_ITEMS * N_WORKERS];
static int		 truth[N_ITEMS];
static double		 post[N_ITEMS * K], conf[N_WORKERS * K * K], prior[K];
static double		 acc[N_WORKERS], cnt[N_WORKERS];

/*
 * Workers 0-2 are right 65% of the time; worker 3 always answers
 * (truth + 1) mod K (a systematic, perfectly informative confuser that
 * majority vote cannot use); worker 4 is a spammer.
 */
static struct rep_batch
make_data(void)
{
	struct rep_batch b;
	size_t		 n = 0;
	int		 i, w, l;

	rng_state = 0x123456789abcdefULL;
	for (i = 0; i < N_ITEMS; i++) {
		truth[i] = (int)(uniform01() * K);
		for (w = 0; w < N_WORKERS; w++) {
			if (w < 3)
				l = uniform01() < 0.65
				    ? truth[i]
				    : (truth[i] + 1 + (int)(uniform01() * 2)) %
					K;
			else if (w == 3)
				l = (truth[i] + 1) % K;
			else
				l = (int)(uniform01() * K);
			obs[n].item = i;
			obs[n].worker = w;
			obs[n].label = l;
			n++;
		}
	}
	b.obs = obs;
	b.n_obs = n;
	b.n_items = N_ITEMS;
	b.n_workers = N_WORKERS;
	b.n_labels = K;
	return b;
}

static double
accuracy(const double *t)
{
	int i, hits = 0;

	for (i = 0; i < N_ITEMS; i++)
		hits += rep_posterior_leader(t + i * K, K) == truth[i];
	return (double)hits / N_ITEMS;
}

static void
assert_rows(const double *x, size_t rows, int cols)
{
	size_t r;
	double s;
	int    c;

	for (r = 0; r < rows; r++) {
		for (s = 0, c = 0; c < cols; c++) {
			ck_assert(isfinite(x[r * cols + c]));
			ck_assert(x[r * cols + c] >= 0.0);
			s += x[r * cols + c];
		}
		ck_assert_double_eq_tol(s, 1.0, 1e-9);
	}
}

static void
setup(void)
{
	rep_params_default(&P);
}

START_TEST(test_ds_beats_majority)
{
	struct rep_batch    b = make_data();
	struct rep_ds_model m = { prior, conf, post, 0, false, 0 };
	double		    mv;

	ck_assert_int_eq(rep_majority(&b, NULL, post), 0);
	mv = accuracy(post);
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), 0);
	ck_assert(m.converged);
	ck_assert(m.iterations >= 2 && m.iterations <= P.em_max_iter);
	ck_assert(isfinite(m.log_likelihood) && m.log_likelihood < 0);
	ck_assert(accuracy(post) >= 0.97);
	ck_assert(accuracy(post) > mv);
	assert_rows(post, N_ITEMS, K);
	assert_rows(conf, N_WORKERS * K, K);
	assert_rows(prior, 1, K);
	/* Worker 3's confusion: truth k -> answer k+1. */
	ck_assert(conf[(3 * K + 0) * K + 1] > 0.95);
	ck_assert(conf[(3 * K + 2) * K + 0] > 0.95);
	ck_assert(rep_ds_worker_accuracy(&m, K, 3) < 0.05);
	ck_assert_double_eq_tol(rep_ds_worker_accuracy(&m, K, 0), 0.65, 0.1);
}
END_TEST

START_TEST(test_ds_init_alias_and_iteration_cap)
{
	struct rep_batch    b = make_data();
	struct rep_ds_model m = { prior, conf, post, 0, false, 0 };

	P.em_max_iter = 1;
	ck_assert_int_eq(rep_majority(&b, NULL, post), 0);
	ck_assert_int_eq(rep_ds_run(&b, post, &P, &m), 0);
	ck_assert_int_eq(m.iterations, 1);
	ck_assert(!m.converged);
	assert_rows(post, N_ITEMS, K);
}
END_TEST

START_TEST(test_ds_likelihood_nondecreasing)
{
	struct rep_batch    b = make_data();
	struct rep_ds_model m = { prior, conf, post, 0, false, 0 };
	double		    prev = -INFINITY;
	int		    it;

	/* Smoothing is tiny, so EM is (nearly) monotone in LL. */
	for (it = 2; it <= 30; it++) {
		P.em_max_iter = it;
		P.em_tol = 0;
		ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), 0);
		ck_assert(m.log_likelihood >= prev - 1e-6);
		prev = m.log_likelihood;
	}
}
END_TEST

START_TEST(test_ds_degenerate)
{
	struct rep_obs	    one[3] = { { 0, 0, 1 }, { 0, 1, 1 }, { 1, 0, 1 } };
	struct rep_batch    b = { one, 0, 3, 2, 2 };
	struct rep_ds_model m = { prior, conf, post, 0, false, 0 };

	/* No votes at all. */
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), 0);
	assert_rows(post, 3, 2);
	assert_rows(conf, 2 * 2, 2);
	/* Unanimous. */
	b.n_obs = 3;
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), 0);
	assert_rows(post, 3, 2);
	ck_assert_int_eq(rep_posterior_leader(post, 2), 1);
	ck_assert_int_eq(rep_posterior_leader(post + 2, 2), 1);
	/* No items, no workers. */
	b.n_obs = 0;
	b.n_items = 0;
	b.n_workers = 0;
	m.confusion = NULL;
	m.item_post = NULL;
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), 0);
}
END_TEST

START_TEST(test_ds_invalid)
{
	struct rep_batch    b = make_data();
	struct rep_ds_model m = { prior, conf, post, 0, false, 0 };
	struct rep_params   q = P;

	m.class_prior = NULL;
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), REP_ERR_INVALID);
	m.class_prior = prior;
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, NULL), REP_ERR_INVALID);
	q.em_smoothing = 0;
	ck_assert_int_eq(rep_ds_run(&b, NULL, &q, &m), REP_ERR_INVALID);
	post[0] = NAN;
	ck_assert_int_eq(rep_ds_run(&b, post, &P, &m), REP_ERR_INVALID);
	b.n_labels = REP_MAX_LABELS + 1;
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), REP_ERR_INVALID);
}
END_TEST

START_TEST(test_onecoin)
{
	struct rep_batch	 b = make_data();
	struct rep_onecoin_model m = { acc, cnt, post, 0, false, 0 };
	struct rep_obs		 none;

	ck_assert_int_eq(rep_onecoin_run(&b, NULL, &P, &m), 0);
	ck_assert(m.converged);
	assert_rows(post, N_ITEMS, K);
	ck_assert_double_eq(cnt[0], N_ITEMS);
	ck_assert_double_eq_tol(acc[0], 0.65, 0.1);
	ck_assert(acc[3] < 0.1); /* never right */
	ck_assert_double_eq_tol(acc[4], 1.0 / K, 0.1);
	ck_assert(accuracy(post) >= 0.8);
	/* Degenerate: no votes. */
	b.obs = &none;
	b.n_obs = 0;
	ck_assert_int_eq(rep_onecoin_run(&b, NULL, &P, &m), 0);
	assert_rows(post, N_ITEMS, K);
	m.n_answers = NULL;
	ck_assert_int_eq(rep_onecoin_run(&b, NULL, &P, &m), REP_ERR_INVALID);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_dawid_skene");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_ds_beats_majority);
	tcase_add_test(tc, test_ds_init_alias_and_iteration_cap);
	tcase_add_test(tc, test_ds_likelihood_nondecreasing);
	tcase_add_test(tc, test_ds_degenerate);
	tcase_add_test(tc, test_ds_invalid);
	tcase_add_test(tc, test_onecoin);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
