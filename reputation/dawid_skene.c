/*
 * reputation/dawid_skene.c — Dawid-Skene and one-coin EM (see
 * dawid_skene.h; Dawid & Skene 1979, Karger, Oh & Shah 2011).
 *
 * Layout trick: during the iterations the confusion buffer holds, for worker
 * w, the matrix transposed (cell [w][l][k], answered l, truth k), so that
 * both the M-step accumulation and the E-step sum of log-probabilities walk
 * K contiguous doubles per vote.  On return it is transposed back to the
 * documented pi_w[k][l] and exponentiated.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "reputation/dawid_skene.h"
#include "reputation/majority.h"
#include "reputation/vecmath.h"

/* Softmax of one row of log scores; returns log Σ_k exp(row[k]). */
static double
row_softmax(double *row, int K)
{
	double max = row[0], sum = 0.0;
	int    k;

	for (k = 1; k < K; k++)
		if (row[k] > max)
			max = row[k];
	for (k = 0; k < K; k++) {
		row[k] = exp(row[k] - max);
		sum += row[k];
	}
	for (k = 0; k < K; k++)
		row[k] /= sum;
	return max + log(sum);
}

/*
 * Normalise every row of the n x K matrix x from log scores into
 * probabilities; returns Σ_rows log Σ_k exp(x[row][k]).
 */
static double
rows_softmax(double *x, size_t n, int K)
{
	double ll = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		ll += row_softmax(x + i * K, K);
	return ll;
}

static int
start_posterior(const struct rep_batch *b, const double *init_post,
    double *item_post)
{
	size_t i, n = (size_t)b->n_items * b->n_labels;

	if (init_post == NULL)
		return rep_majority(b, NULL, item_post);
	for (i = 0; i < n; i++)
		if (!(init_post[i] >= 0.0 && init_post[i] <= 1.0))
			return REP_ERR_INVALID;
	if (init_post != item_post)
		memmove(item_post, init_post, n * sizeof(*item_post));
	return REP_OK;
}

static int
converged(double ll, double prev, int iter, const struct rep_params *p)
{
	return iter > 1 && fabs(ll - prev) <= p->em_tol * fabs(ll);
}

int
rep_ds_run(const struct rep_batch *b, const double *init_post,
    const struct rep_params *p, struct rep_ds_model *m)
{
	double	lp[REP_MAX_LABELS], tmp[REP_MAX_LABELS * REP_MAX_LABELS];
	double *conf, *T, sum, ll = 0.0, prev = 0.0;
	size_t	j, n_conf;
	int	K, k, l, w, iter, rc;

	if (rep_batch_check(b) != 0 || rep_params_check(p) != 0 || m == NULL ||
	    m->class_prior == NULL ||
	    (m->confusion == NULL && b->n_workers > 0) ||
	    (m->item_post == NULL && b->n_items > 0))
		return REP_ERR_INVALID;
	K = b->n_labels;
	conf = m->confusion;
	T = m->item_post;
	n_conf = (size_t)b->n_workers * K * K;
	if ((rc = start_posterior(b, init_post, T)) != 0)
		return rc;
	m->converged = false;
	for (iter = 1; iter <= p->em_max_iter; iter++) {
		/* M-step: smoothed expected counts, transposed [w][l][k]. */
		for (j = 0; j < n_conf; j++)
			conf[j] = p->em_smoothing;
		for (w = 0; w < b->n_workers; w++)
			for (k = 0; k < K; k++)
				conf[((size_t)w * K + k) * K + k] +=
				    p->em_diag_prior;
		for (k = 0; k < K; k++)
			lp[k] = p->em_smoothing;
		for (j = 0; j < (size_t)b->n_items; j++)
			for (k = 0; k < K; k++)
				lp[k] += T[j * K + k];
		for (j = 0; j < b->n_obs; j++) {
			const struct rep_obs *o = &b->obs[j];
			double		     *c =
			    conf + ((size_t)o->worker * K + o->label) * K;
			const double *t = T + (size_t)o->item * K;

			for (k = 0; k < K; k++)
				c[k] += t[k];
		}
		for (sum = 0.0, k = 0; k < K; k++)
			sum += lp[k];
		for (k = 0; k < K; k++)
			lp[k] = log(lp[k] / sum);
		for (w = 0; w < b->n_workers; w++) {
			double *c = conf + (size_t)w * K * K;

			/* Row k of pi_w is column k here. */
			for (k = 0; k < K; k++) {
				for (sum = 0.0, l = 0; l < K; l++)
					sum += c[l * K + k];
				for (l = 0; l < K; l++)
					c[l * K + k] = log(c[l * K + k] / sum);
			}
		}
		/* E-step in log space. */
		for (j = 0; j < (size_t)b->n_items; j++)
			memcpy(T + j * K, lp, K * sizeof(*T));
		for (j = 0; j < b->n_obs; j++) {
			const struct rep_obs *o = &b->obs[j];
			const double	     *c =
			    conf + ((size_t)o->worker * K + o->label) * K;
			double *t = T + (size_t)o->item * K;

			for (k = 0; k < K; k++)
				t[k] += c[k];
		}
		prev = ll;
		ll = rows_softmax(T, (size_t)b->n_items, K);
		m->iterations = iter;
		if (converged(ll, prev, iter, p)) {
			m->converged = true;
			break;
		}
	}
	m->log_likelihood = ll;
	for (k = 0; k < K; k++)
		m->class_prior[k] = exp(lp[k]);
	for (w = 0; w < b->n_workers; w++) {
		double *c = conf + (size_t)w * K * K;

		for (k = 0; k < K; k++)
			for (l = 0; l < K; l++)
				tmp[k * K + l] = exp(c[l * K + k]);
		memcpy(c, tmp, (size_t)K * K * sizeof(*c));
	}
	return REP_OK;
}

double
rep_ds_worker_accuracy(const struct rep_ds_model *m, int n_labels, int worker)
{
	const double *c;
	double	      acc = 0.0;
	int	      k;

	if (m == NULL || m->confusion == NULL || m->class_prior == NULL ||
	    n_labels < REP_MIN_LABELS || n_labels > REP_MAX_LABELS ||
	    worker < 0)
		return 0.0;
	c = m->confusion + (size_t)worker * n_labels * n_labels;
	for (k = 0; k < n_labels; k++)
		acc += m->class_prior[k] * c[k * n_labels + k];
	return acc;
}

int
rep_onecoin_run(const struct rep_batch *b, const double *init_post,
    const struct rep_params *p, struct rep_onecoin_model *m)
{
	double *acc, *cnt, *T, ll = 0.0, prev = 0.0, q, right, wrong;
	size_t	j;
	int	K, k, w, iter, rc;

	if (rep_batch_check(b) != 0 || rep_params_check(p) != 0 || m == NULL ||
	    ((m->accuracy == NULL || m->n_answers == NULL) &&
		b->n_workers > 0) ||
	    (m->item_post == NULL && b->n_items > 0))
		return REP_ERR_INVALID;
	K = b->n_labels;
	acc = m->accuracy;
	cnt = m->n_answers;
	T = m->item_post;
	if ((rc = start_posterior(b, init_post, T)) != 0)
		return rc;
	for (w = 0; w < b->n_workers; w++)
		cnt[w] = 0.0;
	for (j = 0; j < b->n_obs; j++)
		cnt[b->obs[j].worker] += 1.0;
	m->converged = false;
	for (iter = 1; iter <= p->em_max_iter; iter++) {
		/* M-step: Beta posterior mean of each worker's accuracy. */
		for (w = 0; w < b->n_workers; w++)
			acc[w] = p->prior_alpha;
		for (j = 0; j < b->n_obs; j++)
			acc[b->obs[j].worker] +=
			    T[(size_t)b->obs[j].item * K + b->obs[j].label];
		for (w = 0; w < b->n_workers; w++) {
			q = acc[w] / (cnt[w] + p->prior_alpha + p->prior_beta);
			if (q > 1.0 - 1e-9)
				q = 1.0 - 1e-9;
			if (q < 1e-9)
				q = 1e-9;
			acc[w] = q;
		}
		/*
		 * E-step: log P(l | k) is log q when l = k, else
		 * log((1-q)/(K-1)); add the latter to every k and the
		 * difference to k = l.  Uniform class prior.
		 */
		for (j = 0; j < (size_t)b->n_items * K; j++)
			T[j] = -log((double)K);
		for (j = 0; j < b->n_obs; j++) {
			const struct rep_obs *o = &b->obs[j];
			double		     *t = T + (size_t)o->item * K;

			q = acc[o->worker];
			right = log(q);
			wrong = log((1.0 - q) / (K - 1));
			for (k = 0; k < K; k++)
				t[k] += wrong;
			t[o->label] += right - wrong;
		}
		prev = ll;
		ll = rows_softmax(T, (size_t)b->n_items, K);
		m->iterations = iter;
		if (converged(ll, prev, iter, p)) {
			m->converged = true;
			break;
		}
	}
	m->log_likelihood = ll;
	return REP_OK;
}

/*
 * The indexed fits (rep_ds_fit, rep_onecoin_fit).
 *
 * Each iteration is a few passes over blocks of workers (M-step) and blocks
 * of items (E-step); a block writes only its own rows and its own partial
 * sums, which are then added in block order, so the numbers do not depend
 * on the threads.
 *
 * The passes work on float rows of four-lane vectors (vecmath.h): Tf, the
 * posterior of each item, and Lf, for each worker w and answer l, log
 * pi_w[k][l] over the true class k (during the M-step, first the expected
 * counts).  The E-step adds an item's voters' rows and takes a vector
 * softmax; the M-step adds its items' posterior rows into a worker's counts
 * and takes a vector log.  A pass reads one row per vote from rows
 * scattered over megabytes, so rows are padded to 1, 2 or a multiple of 4
 * vectors and 64-byte aligned (one cache line per row up to K = 16) and the
 * row of the vote PREFETCH_AHEAD places on is prefetched.  Float rows cost
 * nothing that matters (posteriors to ~1e-7): every sum that feeds the
 * log-likelihood, and so the convergence test, is taken in double.  The
 * model's double arrays are written from them: item_post at every E-step,
 * confusion at the end.
 */
#define PREFETCH_AHEAD 32
#define CLASS_PSEUDO 2.0 /* votes pulling a class's accuracy to abar */
#define ROW_ALIGN 64

struct fit {
	const struct rep_vote_index *ix;
	const struct rep_params	    *p;
	const struct rep_fit_opts   *o;
	int			     K, C; /* labels, vectors per row */
	int			     n_iblocks, n_wblocks;
	size_t			     stride; /* vectors per row of Tf and Lf */
	double			    *T;	     /* n_items * K, the model's */
	rep_v4f			    *Tf;     /* n_items rows */
	rep_v4f			    *Lf; /* DS: n_workers * K rows, [w][l][k] */
	double			    *right; /* one-coin: log P(right), scaled */
	double *wrong;	   /* one-coin: log P(a given wrong), scaled */
	double *acc, *cnt; /* one-coin: the model's arrays */
	double *blk_ll;	   /* n_iblocks */
	double *blk_rho;   /* n_iblocks * K */
	double *blk_pool;  /* n_wblocks * POOL(K) */
	double *neff;	   /* DS: n_workers, votes weighed by certainty */
	double	s, a;	   /* row and accuracy prior strengths in use */
	bool	a_fixed;   /* a has settled: no more EB steps */
	double	abar;	   /* pooled accuracy */
	/* exp(logit(abar) - logit(accuracy on class k)), pooled */
	double	class_odds[REP_MAX_LABELS];
	double	rho[REP_MAX_LABELS];	  /* class prior */
	rep_v4f lrho[REP_MAX_LABELS / 4]; /* log class prior */
	/* The crowd's wrong answers on class k: e[k][l], stored [l][k]. */
	rep_v4f shapeT[REP_MAX_LABELS][REP_MAX_LABELS / 4];
	rep_v4f log_shapeT[REP_MAX_LABELS][REP_MAX_LABELS / 4];
};

/* Pooled sums of a worker block: K * K counts [l][k], votes. */
#define POOL(K) ((size_t)(K) * (K) + 1)

void
rep_fit_opts_default(struct rep_fit_opts *o, int n_labels)
{
	o->row_prior = n_labels;
	o->acc_prior = REP_FIT_ACC_PRIOR;
	o->estimate_priors = true;
	o->worker_scale = NULL;
	o->par = NULL;
	o->info = NULL;
}

static size_t
row_stride(int C)
{
	return C <= 2 ? (size_t)C : ((size_t)C + 3) / 4 * 4;
}

static void
block_range(int blk, int size, int n, int *lo, int *hi)
{
	*lo = blk * size;
	*hi = *lo + size < n ? *lo + size : n;
}

static void
prefetch_row(const rep_v4f *base, size_t row, size_t stride)
{
	const rep_v4f *p = base + row * stride;

	__builtin_prefetch(p);
	if (stride > 4)
		__builtin_prefetch(p + stride - 1);
}

/* Lanes k < K of the row's last vector are live; the rest are padding. */
static rep_v4i
live_lanes(int K)
{
	int	r = K % 4 == 0 ? 4 : K % 4;
	rep_v4i lane = { 0, 1, 2, 3 };

	return lane < REP_V4I(r);
}

/*
 * Exponentials of a row of log scores relative to its maximum, in place
 * (padding lanes become 0); *sum gets their sum, in [1, K].  Returns the
 * maximum: log Σ_k exp(t[k]) is that plus log *sum, which the caller
 * takes for many rows at once (struct log_sum).
 */
static double
vec_exp_row(rep_v4f *t, int K, int C, double *sum)
{
	rep_v4i live = live_lanes(K);
	rep_v4f mx;
	float	m;
	int	c, k;

	t[C - 1] = rep_v4f_select(live, t[C - 1], REP_V4F(-1e30f));
	for (mx = t[0], c = 1; c < C; c++)
		mx = rep_v4f_max(mx, t[c]);
	for (m = mx[0], k = 1; k < 4; k++)
		if (mx[k] > m)
			m = mx[k];
	for (c = 0; c < C; c++)
		t[c] = rep_v4f_exp(t[c] - REP_V4F(m));
	t[C - 1] = rep_v4f_select(live, t[C - 1], REP_V4F(0.0f));
	for (*sum = 0.0, c = 0; c < C; c++)
		*sum += (double)t[c][0] + t[c][1] + t[c][2] + t[c][3];
	return m;
}

/*
 * Σ log x_i over many x_i in [1, REP_MAX_LABELS], with one log per ~150
 * of them instead of one each: the product is kept below 2^900 (each
 * factor is at most 2^6) and its log added when it gets there.
 */
struct log_sum {
	double sum, prod;
};

static void
log_sum_add(struct log_sum *ls, double x)
{
	ls->prod *= x;
	if (ls->prod > 0x1p900) {
		ls->sum += log(ls->prod);
		ls->prod = 1.0;
	}
}

static double
log_sum_total(const struct log_sum *ls)
{
	return ls->sum + log(ls->prod);
}

/*
 * Item i's posterior is t / sum: into T in double (rows sum to 1), into Tf
 * in float, and into the block's class sums.
 */
static void
store_post(struct fit *f, int i, const rep_v4f *t, double sum, double *rho)
{
	double	*out = f->T + (size_t)i * f->K, inv = 1.0 / sum;
	rep_v4f *tf = f->Tf + (size_t)i * f->stride;
	int	 c, k;

	for (c = 0; c < f->C; c++)
		tf[c] = t[c] * REP_V4F((float)inv);
	for (k = 0; k < f->K; k++) {
		out[k] = t[k / 4][k % 4] * inv;
		rho[k] += out[k];
	}
}

/* Majority vote of a block of items (the default start). */
static void
majority_block(void *arg, int blk)
{
	struct fit		    *f = arg;
	const struct rep_vote_index *ix = f->ix;
	double			    *rho = f->blk_rho + (size_t)blk * f->K;
	rep_v4f			     t[REP_MAX_LABELS / 4];
	size_t			     j;
	float			     n;
	int			     i, lo, hi, c, k, l, K = f->K;

	block_range(blk, REP_FIT_ITEM_BLOCK, ix->n_items, &lo, &hi);
	for (k = 0; k < K; k++)
		rho[k] = 0.0;
	for (i = lo; i < hi; i++) {
		for (c = 0; c < f->C; c++)
			t[c] = REP_V4F(0.0f);
		for (j = ix->item_start[i]; j < ix->item_start[i + 1]; j++) {
			l = (int)(ix->item_votes[j] & REP_INDEX_LABEL_MASK);
			t[l / 4][l % 4] += 1.0f;
		}
		n = (float)(ix->item_start[i + 1] - ix->item_start[i]);
		for (k = 0; k < K; k++)
			t[k / 4][k % 4] = n > 0 ? t[k / 4][k % 4] : 1.0f;
		store_post(f, i, t, n > 0 ? n : K, rho);
	}
}

/* A caller's starting posterior (already in T): float rows, class sums. */
static void
given_block(void *arg, int blk)
{
	struct fit *f = arg;
	double	   *rho = f->blk_rho + (size_t)blk * f->K;
	rep_v4f	   *tf;
	int	    i, lo, hi, c, k, K = f->K;

	block_range(blk, REP_FIT_ITEM_BLOCK, f->ix->n_items, &lo, &hi);
	for (k = 0; k < K; k++)
		rho[k] = 0.0;
	for (i = lo; i < hi; i++) {
		tf = f->Tf + (size_t)i * f->stride;
		for (c = 0; c < f->C; c++)
			tf[c] = REP_V4F(0.0f);
		for (k = 0; k < K; k++) {
			tf[k / 4][k % 4] = (float)f->T[(size_t)i * K + k];
			rho[k] += f->T[(size_t)i * K + k];
		}
	}
}

/*
 * DS M-step, first pass: the expected counts N_w[k][l] of a block of
 * workers, into their rows of Lf ([w][l] over k), and the block's pooled
 * counts and votes.
 */
static void
ds_count_block(void *arg, int blk)
{
	struct fit		    *f = arg;
	const struct rep_vote_index *ix = f->ix;
	double			    *pool = f->blk_pool + blk * POOL(f->K);
	size_t			     j, st = f->stride;
	int			     w, lo, hi, c, k, l, K = f->K, C = f->C;

	block_range(blk, REP_FIT_WORKER_BLOCK, ix->n_workers, &lo, &hi);
	memset(pool, 0, POOL(K) * sizeof(*pool));
	for (w = lo; w < hi; w++) {
		rep_v4f *cnt = f->Lf + (size_t)w * K * st;
		rep_v4f	 sq;
		double	 purity = 0.0,
		       votes = (double)(ix->worker_start[w + 1] -
			   ix->worker_start[w]);

		for (l = 0; l < K; l++)
			for (c = 0; c < C; c++)
				cnt[l * st + c] = REP_V4F(0.0f);
		for (j = ix->worker_start[w]; j < ix->worker_start[w + 1];
		     j++) {
			uint32_t       v = ix->worker_votes[j];
			const rep_v4f *t =
			    f->Tf + (size_t)(v >> REP_INDEX_LABEL_BITS) * st;
			rep_v4f *row =
			    cnt + (size_t)(v & REP_INDEX_LABEL_MASK) * st;

			if (j + PREFETCH_AHEAD < ix->n_obs)
				prefetch_row(f->Tf,
				    ix->worker_votes[j + PREFETCH_AHEAD] >>
					REP_INDEX_LABEL_BITS,
				    st);
			for (c = 0; c < C; c++)
				row[c] += t[c];
			for (sq = t[0] * t[0], c = 1; c < C; c++)
				sq += t[c] * t[c];
			purity += (double)sq[0] + sq[1] + sq[2] + sq[3];
		}
		f->neff[w] = (K * purity - votes) / (K - 1);
		for (l = 0; l < K; l++)
			for (k = 0; k < K; k++)
				pool[(size_t)l * K + k] +=
				    cnt[l * st + (size_t)k / 4][k % 4];
		pool[(size_t)K * K] +=
		    (double)(ix->worker_start[w + 1] - ix->worker_start[w]);
	}
}

/*
 * Digamma, for the empirical-Bayes steps: the recurrence psi(x) = psi(x+1)
 * - 1/x up to x >= 6, then the asymptotic series (error < 1e-11).
 */
static double
digamma(double x)
{
	double r = 0.0, z;

	while (x < 6.0) {
		r -= 1.0 / x;
		x += 1.0;
	}
	z = 1.0 / (x * x);
	return r + log(x) - 0.5 / x -
	    z *
	    (1.0 / 12 -
		z *
		    (1.0 / 120 -
			z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132)))));
}

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* log(p / (1 - p)) for p in (0, 1) */
static double
logit(double p)
{
	return log(p / (1.0 - p));
}

/* Every stride-th worker: the sample the strengths are estimated on. */
static int
eb_stride(const struct fit *f)
{
	int n = f->ix->n_workers;

	return n > REP_FIT_EB_SAMPLE
	    ? (n + REP_FIT_EB_SAMPLE - 1) / REP_FIT_EB_SAMPLE
	    : 1;
}

/*
 * One fixed-point step for the accuracy prior's strength a: worker w's
 * right answers c_w of n_w are beta-binomial with mean abar and precision
 * a; Minka ("Estimating a Dirichlet distribution", 2000) gives
 *	a' = a Σ_w [abar (psi(c_w + a abar) - psi(a abar)) + (1 - abar)
 *	    (psi(n_w - c_w + a (1 - abar)) - psi(a (1 - abar)))] /
 *	    Σ_w [psi(n_w + a) - psi(a)]
 * over workers 0, stride, 2 stride, ... of n.  A crowd whose workers look
 * alike drives a up (toward majority vote), one of very unequal workers
 * down.
 */
static double
eb_accuracy_step(double a, double m, const double *right, const double *votes,
    int n, int stride)
{
	double num = 0.0, den = 0.0, c;
	double p0 = digamma(a * m), p1 = digamma(a * (1.0 - m));
	double pa = digamma(a);
	int    w;

	for (w = 0; w < n; w += stride) {
		if (votes[w] <= 0.0)
			continue;
		c = clamp(right[w], 0.0, votes[w]);
		num += m * (digamma(c + a * m) - p0) +
		    (1.0 - m) * (digamma(votes[w] - c + a * (1.0 - m)) - p1);
		den += digamma(votes[w] + a) - pa;
	}
	if (!(den > 0.0) || !(num > 0.0))
		return a;
	return clamp(a * num / den, REP_FIT_PRIOR_MIN, REP_FIT_PRIOR_MAX);
}

/*
 * The accuracy prior's strength for the current counts: the fixed point
 * iterated from f->a to a relative change of 1e-4 (at most
 * EB_MAX_STEPS steps).  Once an M-step moves it by less than 1e-3 it is
 * kept for the rest of the fit, so that EM's own convergence test applies.
 */
#define EB_MAX_STEPS 40

static void
eb_accuracy_update(struct fit *f, const double *right, const double *votes,
    int n, int stride)
{
	double a = f->a, next;
	int    i;

	if (f->a_fixed || !f->o->estimate_priors || f->a <= 0.0)
		return;
	for (i = 0; i < EB_MAX_STEPS; i++) {
		next = eb_accuracy_step(a, f->abar, right, votes, n, stride);
		if (fabs(next - a) <= 1e-4 * a) {
			a = next;
			break;
		}
		a = next;
	}
	if (fabs(a - f->a) <= 1e-3 * f->a)
		f->a_fixed = true;
	f->a = a;
}

/* Worker w's shrunk accuracy a_w from its right answers and votes. */
static double
shrunk_accuracy(const struct fit *f, double right, double votes)
{
	if (f->a > 0.0)
		return (right + f->a * f->abar) / (votes + f->a);
	return votes > 0.0 ? right / votes : f->abar;
}

/* The accuracy prior's step for DS, on every eb_stride()-th worker. */
static void
ds_accuracy_step(struct fit *f)
{
	double right[REP_FIT_EB_SAMPLE + 1], votes[REP_FIT_EB_SAMPLE + 1];
	size_t st = f->stride;
	int    stride = eb_stride(f), w, n = 0, k, K = f->K;

	for (w = 0; w < f->ix->n_workers && n <= REP_FIT_EB_SAMPLE;
	     w += stride, n++) {
		const rep_v4f *row = f->Lf + (size_t)w * K * st;

		votes[n] = (double)(f->ix->worker_start[w + 1] -
		    f->ix->worker_start[w]);
		for (right[n] = 0.0, k = 0; k < K; k++)
			right[n] += row[(size_t)k * st + k / 4][k % 4];
	}
	eb_accuracy_update(f, right, votes, n, 1);
}

/*
 * Worker w's centre on true class k: its shrunk accuracy a_w moved by the
 * crowd's offset for class k on the logit scale,
 *	logit m[k][k] = logit a_w + logit acc_k - logit abar,
 * into the lanes of diag (padding lanes 0.5).  With odds_k = exp(logit
 * abar - logit acc_k), m[k][k] = 1 / (1 + (1 - a_w) / a_w odds_k): no exp
 * or log per worker.
 */
static void
class_accuracy(const struct fit *f, double aw, rep_v4f *diag)
{
	double odds = (1.0 - aw) / aw;
	int    c, k;

	for (c = 0; c < f->C; c++)
		diag[c] = REP_V4F(0.5f);
	for (k = 0; k < f->K; k++)
		diag[k / 4][k % 4] =
		    (float)clamp(1.0 / (1.0 + odds * f->class_odds[k]), 1e-6,
			1.0 - 1e-6);
}

/*
 * DS M-step, second pass: each worker's counts become log pi_w.  With the
 * row prior (s > 0), row k's centre is the worker's one-coin row with the
 * crowd's difficulty of class k (class_accuracy()),
 *	m[k][k] = a_wk,  m[k][l] = (1 - a_wk) e[k][l],
 * its MAP estimate under s pseudo-votes is
 *	(N[k][l] + s m[k][l] + sm + d [k = l]) / (N[k] + s + K sm + d),
 * and pi_w is the centre for a worker with fewer than K^2 effective votes,
 * the MAP rows past 2 K^2, linear in between (dawid_skene.h).  Computed
 * as vectors over k for each answer l.
 */
static void
ds_normalize_block(void *arg, int blk)
{
	struct fit		    *f = arg;
	const struct rep_vote_index *ix = f->ix;
	float			     s = (float)f->s;
	float			     sm = (float)f->p->em_smoothing;
	float			     d = (float)f->p->em_diag_prior;
	rep_v4f			     inv[REP_MAX_LABELS / 4], num, cm;
	rep_v4f			     diag[REP_MAX_LABELS / 4];
	rep_v4f			     lwrong[REP_MAX_LABELS / 4];
	rep_v4f			     lright[REP_MAX_LABELS / 4];
	double			     right, votes, own = 1.0;
	double			     kk = (double)f->K * f->K;
	size_t			     st = f->stride;
	int			     w, lo, hi, c, k, l, K = f->K, C = f->C;

	block_range(blk, REP_FIT_WORKER_BLOCK, ix->n_workers, &lo, &hi);
	for (c = 0; c < C; c++)
		diag[c] = REP_V4F(0.0f);
	for (w = lo; w < hi; w++) {
		rep_v4f *row = f->Lf + (size_t)w * K * st;

		votes = (double)(ix->worker_start[w + 1] - ix->worker_start[w]);
		for (c = 0; c < C; c++) {
			num = REP_V4F(s + K * sm + d);
			for (l = 0; l < K; l++)
				num += row[(size_t)l * st + c];
			inv[c] = REP_V4F(1.0f) / num;
		}
		if (s > 0.0f) {
			for (right = 0.0, k = 0; k < K; k++)
				right += row[(size_t)k * st + k / 4][k % 4];
			class_accuracy(f,
			    clamp(shrunk_accuracy(f, right, votes), 1e-6,
				1.0 - 1e-6),
			    diag);
			own = clamp((f->neff[w] - kk) / kk, 0.0, 1.0);
		}
		if (s > 0.0f && own <= 0.0) {
			/* The centre outright: log m is a sum of two logs. */
			for (c = 0; c < C; c++) {
				lright[c] = rep_v4f_log(diag[c]);
				lwrong[c] =
				    rep_v4f_log(REP_V4F(1.0f) - diag[c]);
			}
			for (l = 0; l < K; l++) {
				rep_v4f *r = row + (size_t)l * st;

				for (c = 0; c < C; c++)
					r[c] = lwrong[c] + f->log_shapeT[l][c];
				r[l / 4][l % 4] = lright[l / 4][l % 4];
			}
			continue;
		}
		for (l = 0; l < K; l++) {
			rep_v4f *r = row + (size_t)l * st;

			for (c = 0; c < C; c++) {
				cm =
				    (REP_V4F(1.0f) - diag[c]) * f->shapeT[l][c];
				if (c == l / 4)
					cm[l % 4] = diag[c][l % 4];
				num = r[c] + REP_V4F(s) * cm + REP_V4F(sm);
				if (c == l / 4)
					num[l % 4] += d;
				num = num * inv[c];
				if (s > 0.0f && own < 1.0)
					num = REP_V4F((float)own) * num +
					    REP_V4F((float)(1.0 - own)) * cm;
				r[c] = rep_v4f_log(num);
			}
		}
	}
}

/* DS E-step over a block of items: sum of log rows, softmax. */
static void
ds_estep_block(void *arg, int blk)
{
	struct fit		    *f = arg;
	const struct rep_vote_index *ix = f->ix;
	const double		    *scale = f->o->worker_scale;
	double			    *rho = f->blk_rho + (size_t)blk * f->K;
	rep_v4f			     t[REP_MAX_LABELS / 4];
	struct log_sum		     ls = { 0.0, 1.0 };
	double			     ll = 0.0, sum;
	size_t			     j, st = f->stride;
	int			     i, lo, hi, c, k, K = f->K, C = f->C;

	block_range(blk, REP_FIT_ITEM_BLOCK, ix->n_items, &lo, &hi);
	for (k = 0; k < K; k++)
		rho[k] = 0.0;
	for (i = lo; i < hi; i++) {
		for (c = 0; c < C; c++)
			t[c] = f->lrho[c];
		for (j = ix->item_start[i]; j < ix->item_start[i + 1]; j++) {
			uint32_t       v = ix->item_votes[j];
			size_t	       w = v >> REP_INDEX_LABEL_BITS;
			const rep_v4f *row =
			    f->Lf + (w * K + (v & REP_INDEX_LABEL_MASK)) * st;

			if (j + PREFETCH_AHEAD < ix->n_obs) {
				uint32_t u = ix->item_votes[j + PREFETCH_AHEAD];

				prefetch_row(f->Lf,
				    (size_t)(u >> REP_INDEX_LABEL_BITS) * K +
					(u & REP_INDEX_LABEL_MASK),
				    st);
			}
			if (scale == NULL)
				for (c = 0; c < C; c++)
					t[c] += row[c];
			else
				for (c = 0; c < C; c++)
					t[c] +=
					    REP_V4F((float)scale[w]) * row[c];
		}
		ll += vec_exp_row(t, K, C, &sum);
		log_sum_add(&ls, sum);
		store_post(f, i, t, sum, rho);
	}
	f->blk_ll[blk] = ll + log_sum_total(&ls);
}

/* One-coin M-step: expected right answers and votes of a worker block. */
static void
oc_count_block(void *arg, int blk)
{
	struct fit		    *f = arg;
	const struct rep_vote_index *ix = f->ix;
	double			    *pool = f->blk_pool + blk * POOL(f->K);
	size_t			     j, st = f->stride;
	int			     w, lo, hi, l;

	block_range(blk, REP_FIT_WORKER_BLOCK, ix->n_workers, &lo, &hi);
	pool[0] = pool[1] = 0.0;
	for (w = lo; w < hi; w++) {
		double c = 0.0;

		for (j = ix->worker_start[w]; j < ix->worker_start[w + 1];
		     j++) {
			uint32_t v = ix->worker_votes[j];

			if (j + PREFETCH_AHEAD < ix->n_obs)
				prefetch_row(f->Tf,
				    ix->worker_votes[j + PREFETCH_AHEAD] >>
					REP_INDEX_LABEL_BITS,
				    st);
			l = (int)(v & REP_INDEX_LABEL_MASK);
			c += f->Tf[(size_t)(v >> REP_INDEX_LABEL_BITS) * st +
			    l / 4][l % 4];
		}
		f->acc[w] = c;
		f->cnt[w] =
		    (double)(ix->worker_start[w + 1] - ix->worker_start[w]);
		pool[0] += c;
		pool[1] += f->cnt[w];
	}
}

/* One-coin E-step over a block of items (uniform class prior). */
static void
oc_estep_block(void *arg, int blk)
{
	struct fit		    *f = arg;
	const struct rep_vote_index *ix = f->ix;
	double			    *rho = f->blk_rho + (size_t)blk * f->K;
	rep_v4f			     t[REP_MAX_LABELS / 4];
	struct log_sum		     ls = { 0.0, 1.0 };
	double			     ll = 0.0, wrong, sum, uniform = -log(f->K);
	size_t			     j;
	int			     i, lo, hi, c, k, l, K = f->K, C = f->C;

	block_range(blk, REP_FIT_ITEM_BLOCK, ix->n_items, &lo, &hi);
	for (k = 0; k < K; k++)
		rho[k] = 0.0;
	for (i = lo; i < hi; i++) {
		wrong = uniform;
		for (c = 0; c < C; c++)
			t[c] = REP_V4F(0.0f);
		for (j = ix->item_start[i]; j < ix->item_start[i + 1]; j++) {
			uint32_t v = ix->item_votes[j];
			size_t	 w = v >> REP_INDEX_LABEL_BITS;

			l = (int)(v & REP_INDEX_LABEL_MASK);
			wrong += f->wrong[w];
			t[l / 4][l % 4] += (float)(f->right[w] - f->wrong[w]);
		}
		ll += vec_exp_row(t, K, C, &sum) + wrong;
		log_sum_add(&ls, sum);
		store_post(f, i, t, sum, rho);
	}
	f->blk_ll[blk] = ll + log_sum_total(&ls);
}

/* pi_w[k][l] into the model's confusion (rows renormalised in double). */
static void
ds_export_block(void *arg, int blk)
{
	struct fit *f = arg;
	double	   *conf, sum;
	size_t	    st = f->stride, KK = (size_t)f->K * f->K;
	int	    w, lo, hi, k, l, K = f->K;

	block_range(blk, REP_FIT_WORKER_BLOCK, f->ix->n_workers, &lo, &hi);
	for (w = lo; w < hi; w++) {
		const rep_v4f *row = f->Lf + (size_t)w * K * st;

		conf = f->acc + (size_t)w * KK; /* acc holds m->confusion */
		for (k = 0; k < K; k++) {
			for (sum = 0.0, l = 0; l < K; l++) {
				conf[(size_t)k * K + l] =
				    exp(row[(size_t)l * st + k / 4][k % 4]);
				sum += conf[(size_t)k * K + l];
			}
			for (l = 0; l < K; l++)
				conf[(size_t)k * K + l] /= sum;
		}
	}
}

static void
fit_free(struct fit *f)
{
	free(f->Tf);
	free(f->Lf);
	free(f->neff);
	free(f->blk_ll);
	free(f->blk_rho);
	free(f->blk_pool);
	free(f->right);
	free(f->wrong);
}

/*
 * Rows for n_rows * stride vectors.  From HUGE_PAGE bytes up they are
 * aligned to and advised into 2 MB pages: each EM pass reads one row per
 * vote at random from megabytes of them, and with 4 kB pages most of
 * those reads also miss the TLB (0.95x the whole command's time on 10^6
 * votes; bench/aggregation/RESULTS.md).
 */
#define HUGE_PAGE ((size_t)2 << 20)

static rep_v4f *
alloc_rows(size_t n_rows, size_t stride)
{
	size_t bytes = (n_rows * stride * sizeof(rep_v4f) + ROW_ALIGN - 1) /
	    ROW_ALIGN * ROW_ALIGN;
	rep_v4f *rows;

	if (bytes < HUGE_PAGE)
		return aligned_alloc(ROW_ALIGN, bytes ? bytes : ROW_ALIGN);
	bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	rows = aligned_alloc(HUGE_PAGE, bytes);
#ifdef MADV_HUGEPAGE
	if (rows != NULL)
		(void)madvise(rows, bytes, MADV_HUGEPAGE);
#endif
	return rows;
}

static int
fit_init(struct fit *f, const struct rep_vote_index *ix, const double *init,
    const struct rep_params *p, const struct rep_fit_opts *o, double *T,
    bool onecoin)
{
	size_t i, n, nw;
	int    K;

	memset(f, 0, sizeof(*f));
	if (ix == NULL || o == NULL || rep_params_check(p) != 0 ||
	    ix->n_labels < REP_MIN_LABELS || ix->n_labels > REP_MAX_LABELS ||
	    ix->n_items < 0 || ix->n_workers < 0 ||
	    (T == NULL && ix->n_items > 0) ||
	    !(o->row_prior >= 0.0 && isfinite(o->row_prior)) ||
	    !(o->acc_prior >= 0.0 && isfinite(o->acc_prior)))
		return REP_ERR_INVALID;
	K = ix->n_labels;
	nw = (size_t)ix->n_workers;
	if (o->worker_scale != NULL)
		for (i = 0; i < nw; i++)
			if (!(o->worker_scale[i] >= 0.0 &&
				o->worker_scale[i] <= 1.0))
				return REP_ERR_INVALID;
	n = (size_t)ix->n_items * K;
	if (init != NULL)
		for (i = 0; i < n; i++)
			if (!(init[i] >= 0.0 && init[i] <= 1.0))
				return REP_ERR_INVALID;
	f->ix = ix;
	f->p = p;
	f->o = o;
	f->K = K;
	f->C = (K + 3) / 4;
	f->T = T;
	f->s = o->row_prior;
	f->a = o->acc_prior;
	f->stride = row_stride(f->C);
	f->n_iblocks =
	    (ix->n_items + REP_FIT_ITEM_BLOCK - 1) / REP_FIT_ITEM_BLOCK;
	f->n_wblocks =
	    (ix->n_workers + REP_FIT_WORKER_BLOCK - 1) / REP_FIT_WORKER_BLOCK;
	f->Tf = alloc_rows((size_t)ix->n_items, f->stride);
	f->blk_ll = calloc((size_t)f->n_iblocks + 1, sizeof(double));
	f->blk_rho = calloc(((size_t)f->n_iblocks + 1) * K, sizeof(double));
	f->blk_pool =
	    calloc(((size_t)f->n_wblocks + 1) * POOL(K), sizeof(double));
	if (onecoin) {
		f->right = malloc((nw + 1) * sizeof(double));
		f->wrong = malloc((nw + 1) * sizeof(double));
	} else {
		f->Lf = alloc_rows(nw * K, f->stride);
		f->neff = malloc((nw + 1) * sizeof(double));
	}
	if (f->Tf == NULL || f->blk_ll == NULL || f->blk_rho == NULL ||
	    f->blk_pool == NULL ||
	    (onecoin ? f->right == NULL || f->wrong == NULL
		     : f->Lf == NULL || f->neff == NULL)) {
		fit_free(f);
		return REP_ERR_NOMEM;
	}
	if (init == NULL)
		rep_parallel_for(o->par, f->n_iblocks, majority_block, f);
	else {
		if (init != T)
			memmove(T, init, n * sizeof(*T));
		rep_parallel_for(o->par, f->n_iblocks, given_block, f);
	}
	return REP_OK;
}

/* Σ of the blocks' log-likelihoods, in block order. */
static double
fit_ll(const struct fit *f)
{
	double ll = 0.0;
	int    b;

	for (b = 0; b < f->n_iblocks; b++)
		ll += f->blk_ll[b];
	return ll;
}

/* The M-step's global part: class prior, pooled accuracy, error shape. */
static void
ds_pool(struct fit *f)
{
	const struct rep_params *p = f->p;
	double			*rho = f->rho, sum, right = 0.0;
	double			 tot[REP_MAX_LABELS * REP_MAX_LABELS + 1];
	size_t			 x, KK = (size_t)f->K * f->K;
	int			 b, c, k, l, K = f->K;

	for (k = 0; k < K; k++)
		rho[k] = p->em_smoothing;
	for (b = 0; b < f->n_iblocks; b++)
		for (k = 0; k < K; k++)
			rho[k] += f->blk_rho[(size_t)b * K + k];
	for (sum = 0.0, k = 0; k < K; k++)
		sum += rho[k];
	for (c = 0; c < f->C; c++)
		f->lrho[c] = REP_V4F(0.0f);
	for (k = 0; k < K; k++) {
		rho[k] /= sum;
		f->lrho[k / 4][k % 4] = (float)log(rho[k]);
	}
	memset(tot, 0, sizeof(tot));
	for (b = 0; b < f->n_wblocks; b++)
		for (x = 0; x <= KK; x++)
			tot[x] += f->blk_pool[b * POOL(K) + x];
	for (k = 0; k < K; k++)
		right += tot[(size_t)k * K + k];
	/* abar and e[k][.], smoothed so that both are defined on no data. */
	f->abar = (right + 1.0) / (tot[KK] + 2.0);
	memset(f->shapeT, 0, sizeof(f->shapeT));
	for (k = 0; k < K; k++) {
		for (sum = 0.0, l = 0; l < K; l++)
			if (l != k)
				sum += tot[(size_t)l * K + k] + p->em_smoothing;
		for (l = 0; l < K; l++)
			if (l != k)
				f->shapeT[l][k / 4][k % 4] =
				    (float)((tot[(size_t)l * K + k] +
						p->em_smoothing) /
					sum);
	}
	/*
	 * The crowd's accuracy on class k, shrunk to abar by CLASS_PSEUDO
	 * votes so that a class without votes gets no offset.
	 */
	for (k = 0; k < K; k++) {
		double ak, n_k = 0.0;

		for (l = 0; l < K; l++)
			n_k += tot[(size_t)l * K + k];
		ak = (tot[(size_t)k * K + k] + CLASS_PSEUDO * f->abar) /
		    (n_k + CLASS_PSEUDO);
		f->class_odds[k] = exp(logit(f->abar) - logit(ak));
	}
	for (l = 0; l < K; l++)
		for (k = 0; k < K; k++)
			f->log_shapeT[l][k / 4][k % 4] = l == k
			    ? 0.0f
			    : (float)log(f->shapeT[l][k / 4][k % 4]);
	ds_accuracy_step(f);
}

/* The mean over workers of the share of their own matrix in the blend. */
static double
own_share(const struct fit *f)
{
	double kk = (double)f->K * f->K, sum = 0.0;
	int    w;

	if (f->s <= 0.0 || f->ix->n_workers == 0)
		return 1.0;
	for (w = 0; w < f->ix->n_workers; w++)
		sum += clamp((f->neff[w] - kk) / kk, 0.0, 1.0);
	return sum / f->ix->n_workers;
}

int
rep_ds_fit(const struct rep_vote_index *ix, const double *init_post,
    const struct rep_params *p, const struct rep_fit_opts *o,
    struct rep_ds_model *m)
{
	struct fit f;
	double	   ll = 0.0, prev = 0.0;
	int	   iter, k, rc;

	if (m == NULL || m->class_prior == NULL || ix == NULL)
		return REP_ERR_INVALID;
	if ((rc = fit_init(&f, ix, init_post, p, o, m->item_post, false)) != 0)
		return rc;
	m->converged = false;
	m->iterations = 0;
	for (iter = 1; iter <= p->em_max_iter; iter++) {
		rep_parallel_for(o->par, f.n_wblocks, ds_count_block, &f);
		ds_pool(&f);
		rep_parallel_for(o->par, f.n_wblocks, ds_normalize_block, &f);
		rep_parallel_for(o->par, f.n_iblocks, ds_estep_block, &f);
		prev = ll;
		ll = fit_ll(&f);
		m->iterations = iter;
		if (converged(ll, prev, iter, p)) {
			m->converged = true;
			break;
		}
	}
	m->log_likelihood = ll;
	if (o->info != NULL) {
		o->info->acc_prior = f.a;
		o->info->own_share = own_share(&f);
	}
	for (k = 0; k < f.K; k++)
		m->class_prior[k] = f.rho[k];
	f.acc = m->confusion;
	if (m->confusion != NULL)
		rep_parallel_for(o->par, f.n_wblocks, ds_export_block, &f);
	fit_free(&f);
	return REP_OK;
}

int
rep_onecoin_fit(const struct rep_vote_index *ix, const double *init_post,
    const struct rep_params *p, const struct rep_fit_opts *o,
    struct rep_onecoin_model *m)
{
	struct fit f;
	double	   ll = 0.0, prev = 0.0, right, votes, q, sc;
	int	   iter, b, w, rc;

	if (m == NULL || ix == NULL ||
	    ((m->accuracy == NULL || m->n_answers == NULL) &&
		ix->n_workers > 0))
		return REP_ERR_INVALID;
	if ((rc = fit_init(&f, ix, init_post, p, o, m->item_post, true)) != 0)
		return rc;
	f.acc = m->accuracy;
	f.cnt = m->n_answers;
	m->converged = false;
	m->iterations = 0;
	for (iter = 1; iter <= p->em_max_iter; iter++) {
		rep_parallel_for(o->par, f.n_wblocks, oc_count_block, &f);
		for (right = votes = 0.0, b = 0; b < f.n_wblocks; b++) {
			right += f.blk_pool[b * POOL(f.K)];
			votes += f.blk_pool[b * POOL(f.K) + 1];
		}
		f.abar = (right + 1.0) / (votes + 2.0);
		eb_accuracy_update(&f, f.acc, f.cnt, ix->n_workers,
		    eb_stride(&f));
		for (w = 0; w < ix->n_workers; w++) {
			if (f.a > 0.0)
				q = shrunk_accuracy(&f, f.acc[w], f.cnt[w]);
			else
				q = (f.acc[w] + p->prior_alpha) /
				    (f.cnt[w] + p->prior_alpha + p->prior_beta);
			if (q > 1.0 - 1e-9)
				q = 1.0 - 1e-9;
			if (q < 1e-9)
				q = 1e-9;
			f.acc[w] = q;
			sc = o->worker_scale != NULL ? o->worker_scale[w] : 1.0;
			f.right[w] = sc * log(q);
			f.wrong[w] = sc * log((1.0 - q) / (f.K - 1));
		}
		rep_parallel_for(o->par, f.n_iblocks, oc_estep_block, &f);
		prev = ll;
		ll = fit_ll(&f);
		m->iterations = iter;
		if (converged(ll, prev, iter, p)) {
			m->converged = true;
			break;
		}
	}
	m->log_likelihood = ll;
	if (o->info != NULL) {
		o->info->acc_prior = f.a;
		o->info->own_share = 0.0;
	}
	fit_free(&f);
	return REP_OK;
}
