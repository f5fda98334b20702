/*
 * reputation/weights.c — vote weight = h(stake) * one-coin log-odds.
 * See weights.h for the model (Nitzan & Paroush 1982).
 */
#include <math.h>
#include <stddef.h>

#include "reputation/weights.h"

void
rep_voter_init(struct rep_voter *v, int64_t stake, const struct rep_params *p)
{
	v->alpha = p->prior_alpha;
	v->beta = p->prior_beta;
	v->stake = stake;
}

double
rep_voter_accuracy(const struct rep_voter *v)
{
	if (v == NULL || !(v->alpha > 0.0) || !(v->beta > 0.0) ||
	    !isfinite(v->alpha) || !isfinite(v->beta))
		return 0.0;
	return v->alpha / (v->alpha + v->beta);
}

double
rep_stake_factor(int64_t stake, const struct rep_params *p)
{
	double h;

	if (stake <= 0)
		return 0.0;
	h = sqrt((double)stake / p->stake_ref);
	return h < p->stake_cap ? h : p->stake_cap;
}

double
rep_accuracy_logodds(double accuracy, int n_labels, const struct rep_params *p)
{
	double chance, q;

	if (n_labels < REP_MIN_LABELS || n_labels > REP_MAX_LABELS ||
	    !isfinite(accuracy))
		return 0.0;
	chance = 1.0 / n_labels;
	q = accuracy;
	if (q > p->accuracy_max)
		q = p->accuracy_max;
	/* At chance, up to rounding of alpha / (alpha + beta): no weight. */
	if (q <= chance * (1.0 + 1e-12))
		return 0.0;
	/* (K-1) q / (1-q) > 1 here, so the log is > 0. */
	return log((n_labels - 1) * q / (1.0 - q));
}

double
rep_vote_weight(const struct rep_voter *v, int n_labels,
    const struct rep_params *p)
{
	double acc, h;

	if (v == NULL || p == NULL)
		return 0.0;
	if ((acc = rep_voter_accuracy(v)) <= 0.0)
		return 0.0;
	if ((h = rep_stake_factor(v->stake, p)) <= 0.0)
		return 0.0;
	return h * rep_accuracy_logodds(acc, n_labels, p);
}
