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
#include <string.h>

#include "reputation/dawid_skene.h"
#include "reputation/majority.h"

/*
 * Normalise every row of the n x K matrix x from log scores into
 * probabilities; returns Σ_rows log Σ_k exp(x[row][k]).
 */
static double
rows_softmax(double *x, size_t n, int K)
{
	double ll = 0.0, max, sum;
	size_t i;
	int    k;

	for (i = 0; i < n; i++) {
		double *row = x + i * K;

		for (max = row[0], k = 1; k < K; k++)
			if (row[k] > max)
				max = row[k];
		for (sum = 0.0, k = 0; k < K; k++) {
			row[k] = exp(row[k] - max);
			sum += row[k];
		}
		for (k = 0; k < K; k++)
			row[k] /= sum;
		ll += max + log(sum);
	}
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
