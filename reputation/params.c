/*
 * reputation/params.c — default tunables and their validation.
 *
 * The defaults were chosen on the evaluation data sets and the adversarial
 * simulator (bench/aggregation/RESULTS.md).
 */
#include <math.h>
#include <stddef.h>

#include "reputation/params.h"

void
rep_params_default(struct rep_params *p)
{
	p->prior_alpha = 2.0;
	p->prior_beta = 1.0;
	p->evidence_max = 200.0;
	p->accuracy_max = 0.99;
	p->stake_ref = 1e7;
	p->stake_cap = 1.0;
	p->confidence = 0.95;
	p->min_votes = 3;
	p->max_votes = 9;
	p->batch_interval = 1.0;
	p->update_gain = 1.0;
	p->gold_gain = 3.0;
	p->slash_confidence = 0.99;
	p->slash_bp = 100;
	p->gold_slash_bp = 300;
	p->credible_z = 0.0;
	p->gold_ban_min = 0;
	p->gold_ban_z = 2.0;
	p->loo_evidence = false;
	p->qualify_margin = 0.0;
	p->qualify_evidence = 20.0;
	p->pay_unweighted = true;
	p->temperature = 1.0;
	p->futility = 0.0;
	p->em_diag_prior = 0.0;
	p->em_smoothing = 0.01;
	p->em_max_iter = 500;
	p->em_tol = 1e-7;
}

static int
positive(double x)
{
	return isfinite(x) && x > 0.0;
}

static int
nonnegative(double x)
{
	return isfinite(x) && x >= 0.0;
}

int
rep_params_check(const struct rep_params *p)
{
	if (p == NULL)
		return REP_ERR_INVALID;
	if (!positive(p->prior_alpha) || !positive(p->prior_beta))
		return REP_ERR_INVALID;
	if (!nonnegative(p->evidence_max))
		return REP_ERR_INVALID;
	if (p->evidence_max > 0.0 &&
	    p->evidence_max < p->prior_alpha + p->prior_beta)
		return REP_ERR_INVALID;
	if (!(p->accuracy_max > 0.0 && p->accuracy_max < 1.0))
		return REP_ERR_INVALID;
	if (!positive(p->stake_ref) || !nonnegative(p->stake_cap))
		return REP_ERR_INVALID;
	if (!(p->confidence > 0.0 && p->confidence <= 1.0))
		return REP_ERR_INVALID;
	if (p->min_votes < 1 || p->max_votes < p->min_votes)
		return REP_ERR_INVALID;
	if (!nonnegative(p->batch_interval))
		return REP_ERR_INVALID;
	if (!nonnegative(p->update_gain) || !nonnegative(p->gold_gain))
		return REP_ERR_INVALID;
	if (!(p->slash_confidence >= 0.0 && p->slash_confidence <= 1.0))
		return REP_ERR_INVALID;
	if (p->slash_bp < 0 || p->slash_bp > REP_BP_ONE ||
	    p->gold_slash_bp < 0 || p->gold_slash_bp > REP_BP_ONE)
		return REP_ERR_INVALID;
	if (!nonnegative(p->credible_z) || p->credible_z > 10.0 ||
	    p->gold_ban_min < 0 || !nonnegative(p->gold_ban_z) ||
	    !(p->qualify_margin >= 0.0 && p->qualify_margin < 1.0) ||
	    !nonnegative(p->qualify_evidence) ||
	    !(p->temperature >= 1.0 && p->temperature <= REP_MAX_TEMPERATURE) ||
	    !(p->futility >= 0.0 && p->futility < 1.0))
		return REP_ERR_INVALID;
	if (!nonnegative(p->em_diag_prior) || !positive(p->em_smoothing))
		return REP_ERR_INVALID;
	if (p->em_max_iter < 1 || !nonnegative(p->em_tol))
		return REP_ERR_INVALID;
	return REP_OK;
}
