/*
 * reputation/finalize.c — the finalization rule (see finalize.h).
 */
#include <math.h>

#include "reputation/finalize.h"
#include "reputation/posterior.h"

int
rep_finalize_decide(const double *post, int n_labels, int n_votes,
    const struct rep_params *p, struct rep_decision *out)
{
	int k, leader;

	if (out == NULL || n_votes < 0 || rep_params_check(p) != 0)
		return REP_ERR_INVALID;
	if ((leader = rep_posterior_leader(post, n_labels)) < 0)
		return REP_ERR_INVALID;
	for (k = 0; k < n_labels; k++)
		if (!(post[k] >= 0.0 && post[k] <= 1.0))
			return REP_ERR_INVALID;
	out->label = leader;
	out->confidence = post[leader];
	if (n_votes >= p->min_votes && post[leader] >= p->confidence)
		out->state = REP_TASK_FINAL;
	else if (n_votes >= p->max_votes)
		out->state = REP_TASK_FINAL_LOW_CONFIDENCE;
	else
		out->state = REP_TASK_OPEN;
	return REP_OK;
}

int
rep_confidence_bp(double confidence)
{
	if (!(confidence > 0.0))
		return 0;
	if (confidence >= 1.0)
		return REP_BP_ONE;
	return (int)floor(confidence * REP_BP_ONE);
}
