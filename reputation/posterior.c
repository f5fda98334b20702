/*
 * reputation/posterior.c — log-space task posterior (see posterior.h).
 */
#include <math.h>

#include "reputation/posterior.h"

static int
labels_ok(int n_labels)
{
	return n_labels >= REP_MIN_LABELS && n_labels <= REP_MAX_LABELS;
}

int
rep_score_init(double *score, int n_labels, const double *log_prior)
{
	int k, finite = 0;

	if (score == NULL || !labels_ok(n_labels))
		return REP_ERR_INVALID;
	if (log_prior != NULL) {
		for (k = 0; k < n_labels; k++) {
			if (isnan(log_prior[k]) ||
			    (isinf(log_prior[k]) && log_prior[k] > 0))
				return REP_ERR_INVALID;
			if (isfinite(log_prior[k]))
				finite++;
		}
		if (finite == 0)
			return REP_ERR_INVALID;
	}
	for (k = 0; k < n_labels; k++)
		score[k] = log_prior != NULL ? log_prior[k] : 0.0;
	return REP_OK;
}

int
rep_score_add(double *score, int n_labels, int label, double weight)
{
	if (score == NULL || !labels_ok(n_labels) || label < 0 ||
	    label >= n_labels || !isfinite(weight) || weight < 0.0)
		return REP_ERR_INVALID;
	score[label] += weight;
	return REP_OK;
}

int
rep_score_posterior(const double *score, int n_labels, double *post)
{
	double max = -INFINITY, sum = 0.0;
	int    k;

	if (score == NULL || post == NULL || !labels_ok(n_labels))
		return REP_ERR_INVALID;
	for (k = 0; k < n_labels; k++) {
		if (isnan(score[k]) || (isinf(score[k]) && score[k] > 0))
			return REP_ERR_INVALID;
		if (score[k] > max)
			max = score[k];
	}
	if (isinf(max))
		return REP_ERR_INVALID;
	/* Relative to the maximum: every exp() is in [0, 1], one is 1. */
	for (k = 0; k < n_labels; k++) {
		post[k] = exp(score[k] - max);
		sum += post[k];
	}
	for (k = 0; k < n_labels; k++)
		post[k] /= sum;
	return REP_OK;
}

int
rep_posterior(const struct rep_vote *votes, size_t n_votes, int n_labels,
    const double *log_prior, double *post)
{
	double score[REP_MAX_LABELS];
	size_t i;
	int    rc;

	if ((votes == NULL && n_votes > 0) || post == NULL)
		return REP_ERR_INVALID;
	if ((rc = rep_score_init(score, n_labels, log_prior)) != 0)
		return rc;
	for (i = 0; i < n_votes; i++)
		if ((rc = rep_score_add(score, n_labels, votes[i].label,
			 votes[i].weight)) != 0)
			return rc;
	return rep_score_posterior(score, n_labels, post);
}

int
rep_posterior_leader(const double *post, int n_labels)
{
	int k, best = 0;

	if (post == NULL || !labels_ok(n_labels))
		return -1;
	for (k = 1; k < n_labels; k++)
		if (post[k] > post[best])
			best = k;
	return best;
}
