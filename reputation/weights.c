/*
 * reputation/weights.c — vote weight = h(stake) * one-coin log-odds.
 * See weights.h for the model (Nitzan & Paroush 1982).
 */
#include <math.h>
#include <stddef.h>

#include "reputation/incentives.h"
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
rep_voter_accuracy_bound(const struct rep_voter *v, double z)
{
	double mean, n, sd;

	if ((mean = rep_voter_accuracy(v)) <= 0.0)
		return 0.0;
	if (!(z > 0.0))
		return mean;
	n = v->alpha + v->beta;
	sd = sqrt(mean * (1.0 - mean) / (n + 1.0));
	return mean - z * sd > 0.0 ? mean - z * sd : 0.0;
}

double
rep_vote_weight(const struct rep_voter *v, int n_labels,
    const struct rep_params *p)
{
	double acc, h;

	if (v == NULL || p == NULL)
		return 0.0;
	if ((acc = rep_voter_accuracy_bound(v, p->credible_z)) <= 0.0)
		return 0.0;
	if ((h = rep_stake_factor(v->stake, p)) <= 0.0)
		return 0.0;
	return h * rep_accuracy_logodds(acc, n_labels, p) / p->temperature;
}

int32_t
rep_bond_bp(const struct rep_params *p)
{
	return p->slash_bp > p->gold_slash_bp ? p->slash_bp : p->gold_slash_bp;
}

int64_t
rep_vote_stake(int64_t free, int64_t bonded, const struct rep_params *p,
    int64_t *bond)
{
	double	full;
	int64_t sw, cap, q, r;
	int32_t bp;

	if (bond != NULL)
		*bond = 0;
	if (free <= 0 || bonded < 0 || p == NULL)
		return 0;
	if (free > REP_MAX_STAKE)
		free = REP_MAX_STAKE;
	if (bonded > REP_MAX_STAKE)
		bonded = REP_MAX_STAKE;
	sw = free + bonded;
	full = p->stake_ref * p->stake_cap * p->stake_cap;
	if (!(full >= (double)sw))
		sw = full > 0.0 ? (int64_t)full : 0;
	bp = rep_bond_bp(p);
	if (bp > 0) {
		/*
		 * Largest s with floor(s * bp / 10^4) <= free, that is
		 * floor(((free + 1) * 10^4 - 1) / bp), split so that it
		 * cannot overflow.
		 */
		q = free / bp;
		r = free % bp;
		cap = q > (INT64_MAX - REP_BP_ONE) / REP_BP_ONE
		    ? INT64_MAX
		    : q * REP_BP_ONE + ((r + 1) * REP_BP_ONE - 1) / bp;
		if (cap < sw)
			sw = cap;
	}
	if (bond != NULL)
		*bond = rep_bp_of(sw, bp);
	return sw;
}
