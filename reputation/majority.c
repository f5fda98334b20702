/*
 * reputation/majority.c — (weighted) majority vote shares (see majority.h).
 */
#include <math.h>

#include "reputation/majority.h"
#include "reputation/params.h"

int
rep_majority(const struct rep_batch *b, const double *vote_weights,
    double *item_post)
{
	size_t i, n;
	double w, sum;
	int    k, K;

	if (rep_batch_check(b) != 0 || (item_post == NULL && b->n_items > 0))
		return REP_ERR_INVALID;
	K = b->n_labels;
	if (vote_weights != NULL)
		for (i = 0; i < b->n_obs; i++)
			if (!isfinite(vote_weights[i]) || vote_weights[i] < 0)
				return REP_ERR_INVALID;
	n = (size_t)b->n_items * (size_t)K;
	for (i = 0; i < n; i++)
		item_post[i] = 0.0;
	for (i = 0; i < b->n_obs; i++) {
		w = vote_weights != NULL ? vote_weights[i] : 1.0;
		item_post[(size_t)b->obs[i].item * K + b->obs[i].label] += w;
	}
	for (i = 0; i < (size_t)b->n_items; i++) {
		double *row = item_post + i * K;

		for (sum = 0.0, k = 0; k < K; k++)
			sum += row[k];
		for (k = 0; k < K; k++)
			row[k] = sum > 0.0 ? row[k] / sum : 1.0 / K;
	}
	return REP_OK;
}
