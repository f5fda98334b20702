/*
 * reputation/majority.c — (weighted) majority vote shares (see majority.h).
 */
#include <math.h>

#include "reputation/majority.h"
#include "reputation/params.h"
#include "reputation/posterior.h"

/* Vote shares, each vote weighing vote_weight[i] or worker_weight[w]. */
static void
shares(const struct rep_batch *b, const double *vote_weight,
    const double *worker_weight, double *item_post)
{
	size_t i, n;
	double w, sum;
	int    k, K = b->n_labels;

	n = (size_t)b->n_items * (size_t)K;
	for (i = 0; i < n; i++)
		item_post[i] = 0.0;
	for (i = 0; i < b->n_obs; i++) {
		w = vote_weight != NULL	    ? vote_weight[i]
		    : worker_weight != NULL ? worker_weight[b->obs[i].worker]
					    : 1.0;
		item_post[(size_t)b->obs[i].item * K + b->obs[i].label] += w;
	}
	for (i = 0; i < (size_t)b->n_items; i++) {
		double *row = item_post + i * K;

		for (sum = 0.0, k = 0; k < K; k++)
			sum += row[k];
		for (k = 0; k < K; k++)
			row[k] = sum > 0.0 ? row[k] / sum : 1.0 / K;
	}
}

int
rep_majority(const struct rep_batch *b, const double *vote_weights,
    double *item_post)
{
	size_t i;

	if (rep_batch_check(b) != 0 || (item_post == NULL && b->n_items > 0))
		return REP_ERR_INVALID;
	if (vote_weights != NULL)
		for (i = 0; i < b->n_obs; i++)
			if (!isfinite(vote_weights[i]) || vote_weights[i] < 0)
				return REP_ERR_INVALID;
	shares(b, vote_weights, NULL, item_post);
	return REP_OK;
}

int
rep_wawa(const struct rep_batch *b, double *worker_skill, double *worker_votes,
    double *item_post)
{
	size_t i;
	int    rc, w, K, leader;

	if (rep_batch_check(b) != 0 ||
	    ((worker_skill == NULL || worker_votes == NULL) &&
		b->n_workers > 0))
		return REP_ERR_INVALID;
	if ((rc = rep_majority(b, NULL, item_post)) != 0)
		return rc;
	K = b->n_labels;
	for (w = 0; w < b->n_workers; w++)
		worker_skill[w] = worker_votes[w] = 0.0;
	/* Each row becomes the indicator of its leader (ties: lowest). */
	for (i = 0; i < (size_t)b->n_items; i++) {
		double *row = item_post + i * K;
		int	k;

		leader = rep_posterior_leader(row, K);
		for (k = 0; k < K; k++)
			row[k] = k == leader ? 1.0 : 0.0;
	}
	for (i = 0; i < b->n_obs; i++) {
		const struct rep_obs *o = &b->obs[i];

		worker_skill[o->worker] +=
		    item_post[(size_t)o->item * K + o->label];
		worker_votes[o->worker] += 1.0;
	}
	for (w = 0; w < b->n_workers; w++)
		if (worker_votes[w] > 0.0)
			worker_skill[w] /= worker_votes[w];
	shares(b, NULL, worker_skill, item_post);
	return REP_OK;
}
