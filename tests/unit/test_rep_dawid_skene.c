/* tests/unit/test_rep_dawid_skene.c — Dawid-Skene and one-coin EM. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reputation/dawid_skene.h"
#include "reputation/majority.h"
#include "reputation/posterior.h"
#include "reputation/vote_index.h"

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

/* ---- The indexed fits (rep_ds_fit, rep_onecoin_fit). ---- */

/* A parallel for that runs the blocks backwards: results must not move. */
static void
run_backwards(void *ctx, int n_blocks, rep_block_fn fn, void *arg)
{
	int b;

	(void)ctx;
	for (b = n_blocks - 1; b >= 0; b--)
		fn(arg, b);
}

/*
 * A one-coin crowd: n_items items of K labels, per_item distinct workers
 * each, accuracy uniform in [lo, hi], wrong answers uniform.
 */
static struct rep_batch
make_crowd(struct rep_obs *o, int *t, int n_items, int per_item, int n_workers,
    int k_labels, double lo, double hi, uint64_t seed)
{
	static double	 a[4096];
	struct rep_batch b = { o, 0, n_items, n_workers, k_labels };
	int		 i, j, w, l, pick[16], dup, q;

	rng_state = seed;
	for (w = 0; w < n_workers; w++)
		a[w] = lo + (hi - lo) * uniform01();
	for (i = 0; i < n_items; i++) {
		t[i] = (int)(uniform01() * k_labels);
		for (j = 0; j < per_item; j++) {
			do {
				w = (int)(uniform01() * n_workers);
				for (dup = 0, q = 0; q < j; q++)
					dup |= pick[q] == w;
			} while (dup);
			pick[j] = w;
			if (uniform01() < a[w])
				l = t[i];
			else {
				l = (int)(uniform01() * (k_labels - 1));
				l += l >= t[i];
			}
			o[b.n_obs].item = i;
			o[b.n_obs].worker = w;
			o[b.n_obs].label = l;
			b.n_obs++;
		}
	}
	return b;
}

static double
accuracy_of(const double *p, const int *t, int n, int k_labels)
{
	int i, hits = 0;

	for (i = 0; i < n; i++)
		hits += rep_posterior_leader(p + (size_t)i * k_labels,
			    k_labels) == t[i];
	return (double)hits / n;
}

START_TEST(test_fit_plain_matches_run)
{
	static double	      post2[N_ITEMS * K], conf2[N_WORKERS * K * K];
	struct rep_batch      b = make_data();
	struct rep_ds_model   m = { prior, conf, post, 0, false, 0 };
	struct rep_ds_model   f = { acc, conf2, post2, 0, false, 0 };
	struct rep_vote_index ix;
	struct rep_fit_opts   o;
	int		      i;

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	rep_fit_opts_default(&o, K);
	o.row_prior = o.acc_prior = 0.0;
	/* As many iterations each: only the float rows differ. */
	P.em_tol = 0.0;
	P.em_max_iter = 40;
	ck_assert_int_eq(rep_ds_run(&b, NULL, &P, &m), 0);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &f), 0);
	ck_assert_int_eq(f.iterations, 40);
	for (i = 0; i < N_ITEMS * K; i++)
		ck_assert_double_eq_tol(post2[i], post[i], 1e-4);
	for (i = 0; i < N_ITEMS; i++)
		ck_assert_int_eq(rep_posterior_leader(post2 + i * K, K),
		    rep_posterior_leader(post + i * K, K));
	for (i = 0; i < N_WORKERS * K * K; i++)
		ck_assert_double_eq_tol(conf2[i], conf[i], 1e-4);
	for (i = 0; i < K; i++)
		ck_assert_double_eq_tol(acc[i], prior[i], 1e-4);
	assert_rows(post2, N_ITEMS, K);
	assert_rows(conf2, N_WORKERS * K, K);
	ck_assert_double_eq_tol(f.log_likelihood, m.log_likelihood,
	    1e-4 * fabs(m.log_likelihood));
	rep_vote_index_free(&ix);
}
END_TEST

START_TEST(test_onecoin_fit_matches_run)
{
	static double		 post2[N_ITEMS * K], acc2[N_WORKERS];
	static double		 cnt2[N_WORKERS];
	struct rep_batch	 b = make_data();
	struct rep_onecoin_model m = { acc, cnt, post, 0, false, 0 };
	struct rep_onecoin_model f = { acc2, cnt2, post2, 0, false, 0 };
	struct rep_vote_index	 ix;
	struct rep_fit_opts	 o;
	int			 i;

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	rep_fit_opts_default(&o, K);
	o.acc_prior = 0.0;
	ck_assert_int_eq(rep_onecoin_run(&b, NULL, &P, &m), 0);
	ck_assert_int_eq(rep_onecoin_fit(&ix, NULL, &P, &o, &f), 0);
	ck_assert(f.converged);
	for (i = 0; i < N_ITEMS * K; i++)
		ck_assert_double_eq_tol(post2[i], post[i], 1e-4);
	for (i = 0; i < N_WORKERS; i++) {
		ck_assert_double_eq_tol(acc2[i], acc[i], 1e-4);
		ck_assert_double_eq(cnt2[i], cnt[i]);
	}
	rep_vote_index_free(&ix);
}
END_TEST

/* Blocks in any order, on any thread: the same bits. */
START_TEST(test_fit_deterministic_across_blocks)
{
	enum { NI = 5000, PI = 5, NW = 700, KL = 4 };
	static struct rep_obs o[NI * PI];
	static int	      t[NI];
	static double	      p1[NI * KL], p2[NI * KL], c1[NW * KL * KL];
	static double	      c2[NW * KL * KL], a1[NW], a2[NW], n1[NW];
	double		      r1[KL], r2[KL];
	struct rep_parallel   back = { run_backwards, NULL };
	struct rep_batch      b = make_crowd(o, t, NI, PI, NW, KL, 0.3, 0.9, 5);
	struct rep_vote_index ix;
	struct rep_fit_opts   opt;
	struct rep_ds_model   m1 = { r1, c1, p1, 0, false, 0 };
	struct rep_ds_model   m2 = { r2, c2, p2, 0, false, 0 };
	struct rep_onecoin_model q1 = { a1, n1, p1, 0, false, 0 };
	struct rep_onecoin_model q2 = { a2, n1, p2, 0, false, 0 };

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	rep_fit_opts_default(&opt, KL);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &opt, &m1), 0);
	opt.par = &back;
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &opt, &m2), 0);
	ck_assert_int_eq(m1.iterations, m2.iterations);
	ck_assert(memcmp(p1, p2, sizeof(p1)) == 0);
	ck_assert(memcmp(c1, c2, sizeof(c1)) == 0);
	ck_assert(m1.log_likelihood == m2.log_likelihood);
	opt.par = NULL;
	ck_assert_int_eq(rep_onecoin_fit(&ix, NULL, &P, &opt, &q1), 0);
	opt.par = &back;
	ck_assert_int_eq(rep_onecoin_fit(&ix, NULL, &P, &opt, &q2), 0);
	ck_assert(memcmp(p1, p2, sizeof(p1)) == 0);
	ck_assert(memcmp(a1, a2, sizeof(a1)) == 0);
	rep_vote_index_free(&ix);
}
END_TEST

/*
 * The point of the row prior: on a one-coin crowd whose workers have ~10
 * votes each, unregularised DS fits noise and falls below majority vote;
 * the default fit does not, and neither does one-coin.
 */
START_TEST(test_fit_regularised_not_below_mv)
{
	enum { NI = 4000, PI = 5, NW = 2000, KL = 4 };
	static struct rep_obs o[NI * PI];
	static int	      t[NI];
	static double	      p[NI * KL], c[NW * KL * KL], a[NW], n[NW];
	double		      r[KL], mv, plain, reg, one;
	struct rep_batch b = make_crowd(o, t, NI, PI, NW, KL, 0.3, 0.9, 11);
	struct rep_vote_index	 ix;
	struct rep_fit_opts	 opt;
	struct rep_ds_model	 m = { r, c, p, 0, false, 0 };
	struct rep_onecoin_model q = { a, n, p, 0, false, 0 };

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	ck_assert_int_eq(rep_majority(&b, NULL, p), 0);
	mv = accuracy_of(p, t, NI, KL);
	rep_fit_opts_default(&opt, KL);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &opt, &m), 0);
	reg = accuracy_of(p, t, NI, KL);
	ck_assert_int_eq(rep_onecoin_fit(&ix, NULL, &P, &opt, &q), 0);
	one = accuracy_of(p, t, NI, KL);
	opt.row_prior = opt.acc_prior = 0.0;
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &opt, &m), 0);
	plain = accuracy_of(p, t, NI, KL);
	ck_assert_msg(reg >= mv && one >= mv, "mv %.4f, ds %.4f, onecoin %.4f",
	    mv, reg, one);
	ck_assert_msg(plain < reg, "plain ds %.4f, regularised %.4f", plain,
	    reg);
	rep_vote_index_free(&ix);
}
END_TEST

/* A worker at scale 0 has no say (priors off: nothing pooled either). */
START_TEST(test_fit_worker_scale)
{
	static double	      post2[N_ITEMS * K], conf2[N_WORKERS * K * K];
	static struct rep_obs kept[N_ITEMS * N_WORKERS];
	double		      scale[N_WORKERS] = { 1, 1, 1, 0, 1 }, r2[K];
	struct rep_batch      b = make_data(), sub;
	struct rep_vote_index ix, ixs;
	struct rep_fit_opts   o;
	struct rep_ds_model   m = { prior, conf, post, 0, false, 0 };
	struct rep_ds_model   f = { r2, conf2, post2, 0, false, 0 };
	size_t		      j, n = 0;
	int		      i;

	for (j = 0; j < b.n_obs; j++)
		if (b.obs[j].worker != 3)
			kept[n++] = b.obs[j];
	sub = b;
	sub.obs = kept;
	sub.n_obs = n;
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	ck_assert_int_eq(rep_vote_index_build(&sub, NULL, &ixs), 0);
	rep_fit_opts_default(&o, K);
	o.row_prior = o.acc_prior = 0.0;
	ck_assert_int_eq(rep_ds_fit(&ixs, NULL, &P, &o, &m), 0);
	/* Same start: the scaled-out worker's votes only move the MV start. */
	ck_assert_int_eq(rep_majority(&sub, NULL, post2), 0);
	o.worker_scale = scale;
	ck_assert_int_eq(rep_ds_fit(&ix, post2, &P, &o, &f), 0);
	for (i = 0; i < N_ITEMS * K; i++)
		ck_assert_double_eq_tol(post2[i], post[i], 1e-4);
	rep_vote_index_free(&ix);
	rep_vote_index_free(&ixs);
}
END_TEST

START_TEST(test_fit_regularised_keeps_a_confuser)
{
	struct rep_batch      b = make_data();
	struct rep_ds_model   m = { prior, conf, post, 0, false, 0 };
	struct rep_vote_index ix;
	struct rep_fit_opts   o;

	/* 300 votes each, K = 3: the worker's own matrix wins. */
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	rep_fit_opts_default(&o, K);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &m), 0);
	ck_assert(accuracy(post) >= 0.97);
	ck_assert(conf[(3 * K + 0) * K + 1] > 0.9);
	ck_assert(conf[(3 * K + 2) * K + 0] > 0.9);
	assert_rows(conf, N_WORKERS * K, K);
	assert_rows(prior, 1, K);
	rep_vote_index_free(&ix);
}
END_TEST

/*
 * Class difficulty reaches workers with few votes: 1,500 workers of 4
 * votes each (below K^2 effective votes: each one's matrix is its centre)
 * on 2,000 items of two classes, class 0 answered right 90% of the time,
 * class 1 60%.  The centres keep that difference (a single accuracy per
 * worker would make both diagonals the same).
 */
START_TEST(test_fit_class_centres)
{
	enum { CK = 2, CI = 2000, CW = 1500, CV = 3 };
	static struct rep_obs cobs[CI * CV];
	static double	      cpost[CI * CK], cconf[CW * CK * CK];
	double		      cprior[CK], d0 = 0.0, d1 = 0.0;
	struct rep_batch      b = { cobs, CI * CV, CI, CW, CK };
	struct rep_ds_model   m = { cprior, cconf, cpost, 0, false, 0 };
	struct rep_vote_index ix;
	struct rep_fit_opts   o;
	int		      i, v, w, t;

	rng_state = 0xfeedbeefcafeULL;
	for (i = 0; i < CI; i++) {
		t = uniform01() < 0.5 ? 0 : 1;
		for (v = 0; v < CV; v++) {
			cobs[i * CV + v].item = i;
			cobs[i * CV + v].worker = (i * CV + v) % CW;
			cobs[i * CV + v].label =
			    uniform01() < (t == 0 ? 0.9 : 0.6) ? t : 1 - t;
		}
	}
	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	rep_fit_opts_default(&o, CK);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &m), 0);
	for (w = 0; w < CW; w++) {
		d0 += cconf[(w * CK + 0) * CK + 0] / CW;
		d1 += cconf[(w * CK + 1) * CK + 1] / CW;
	}
	ck_assert(d0 > d1 + 0.15);
	assert_rows(cconf, CW * CK, CK);
	rep_vote_index_free(&ix);
}
END_TEST

/* confusion = NULL: the same posteriors, no matrices computed. */
START_TEST(test_fit_without_confusion)
{
	static double	      post2[N_ITEMS * K];
	double		      prior2[K];
	struct rep_batch      b = make_data();
	struct rep_ds_model   m = { prior, conf, post, 0, false, 0 };
	struct rep_ds_model   n = { prior2, NULL, post2, 0, false, 0 };
	struct rep_vote_index ix;
	struct rep_fit_opts   o;

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	rep_fit_opts_default(&o, K);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &m), 0);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &n), 0);
	ck_assert_int_eq(n.iterations, m.iterations);
	ck_assert(memcmp(post2, post, sizeof(post2)) == 0);
	ck_assert(memcmp(prior2, prior, sizeof(prior2)) == 0);
	rep_vote_index_free(&ix);
}
END_TEST

START_TEST(test_fit_invalid)
{
	struct rep_batch	 b = make_data();
	struct rep_ds_model	 m = { prior, conf, post, 0, false, 0 };
	struct rep_onecoin_model q = { acc, cnt, post, 0, false, 0 };
	struct rep_vote_index	 ix;
	struct rep_fit_opts	 o;
	double			 scale[N_WORKERS] = { 1, 1, 1, 1.5, 1 };

	ck_assert_int_eq(rep_vote_index_build(&b, NULL, &ix), 0);
	rep_fit_opts_default(&o, K);
	ck_assert_int_eq(rep_ds_fit(NULL, NULL, &P, &o, &m), REP_ERR_INVALID);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, NULL, &m), REP_ERR_INVALID);
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, NULL), REP_ERR_INVALID);
	ck_assert_int_eq(rep_onecoin_fit(&ix, NULL, &P, &o, NULL),
	    REP_ERR_INVALID);
	o.row_prior = -1.0;
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &m), REP_ERR_INVALID);
	o.row_prior = NAN;
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &m), REP_ERR_INVALID);
	rep_fit_opts_default(&o, K);
	o.acc_prior = INFINITY;
	ck_assert_int_eq(rep_onecoin_fit(&ix, NULL, &P, &o, &q),
	    REP_ERR_INVALID);
	rep_fit_opts_default(&o, K);
	o.worker_scale = scale;
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &m), REP_ERR_INVALID);
	o.worker_scale = NULL;
	post[0] = NAN;
	ck_assert_int_eq(rep_ds_fit(&ix, post, &P, &o, &m), REP_ERR_INVALID);
	P.em_max_iter = 0;
	ck_assert_int_eq(rep_ds_fit(&ix, NULL, &P, &o, &m), REP_ERR_INVALID);
	rep_vote_index_free(&ix);
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
	tcase_add_test(tc, test_fit_plain_matches_run);
	tcase_add_test(tc, test_onecoin_fit_matches_run);
	tcase_add_test(tc, test_fit_deterministic_across_blocks);
	tcase_add_test(tc, test_fit_regularised_not_below_mv);
	tcase_add_test(tc, test_fit_worker_scale);
	tcase_add_test(tc, test_fit_regularised_keeps_a_confuser);
	tcase_add_test(tc, test_fit_class_centres);
	tcase_add_test(tc, test_fit_without_confusion);
	tcase_add_test(tc, test_fit_invalid);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
