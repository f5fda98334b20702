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

/*
 * P(net <= limit) for net = (votes for +) - (votes for -) over n votes,
 * each + with probability up, - with probability down, else neither.
 * prob[] holds 2n + 1 doubles, net = i - n.
 */
static double
flip_walk(int n, double up, double down, double limit, double *prob,
    double *next)
{
	double stay = 1.0 - up - down, sum = 0.0;
	int    step, i, width = 2 * n + 1;

	for (i = 0; i < width; i++)
		prob[i] = 0.0;
	prob[n] = 1.0;
	for (step = 1; step <= n; step++) {
		/* after step votes net lies in [-step, step] */
		for (i = n - step; i <= n + step; i++) {
			next[i] = stay * prob[i];
			if (i > 0)
				next[i] += up * prob[i - 1];
			if (i + 1 < width)
				next[i] += down * prob[i + 1];
		}
		for (i = n - step; i <= n + step; i++)
			prob[i] = next[i];
	}
	/* limit is a ratio of logs: an exact tie may land a rounding error
	 * above or below the integer it is */
	for (i = 0; i < width; i++)
		if ((double)(i - n) <= limit + 1e-9)
			sum += prob[i];
	return sum;
}

double
rep_flip_probability(const double *post, int n_labels, int remaining,
    double weight)
{
	double prob[2 * REP_FLIP_MAX_REMAINING + 1];
	double next[2 * REP_FLIP_MAX_REMAINING + 1];
	double a, wrong, limit, p_lead[REP_MAX_LABELS], p_own[REP_MAX_LABELS];
	double p_other[REP_MAX_LABELS], sum_lead = 0.0, sum_other = 0.0;
	double total;
	int    leader, j;

	if (post == NULL || n_labels < 2 || n_labels > REP_MAX_LABELS ||
	    !isfinite(weight))
		return -1.0;
	if ((leader = rep_posterior_leader(post, n_labels)) < 0)
		return -1.0;
	for (j = 0; j < n_labels; j++)
		if (!(post[j] >= 0.0 && post[j] <= 1.0))
			return -1.0;
	if (remaining <= 0)
		return 0.0;
	if (!(weight > 0.0) || remaining > REP_FLIP_MAX_REMAINING)
		return 1.0;
	a = 1.0 / (1.0 + (n_labels - 1) * exp(-weight));
	wrong = (1.0 - a) / (n_labels - 1);
	/*
	 * Given the truth, the votes to come are independent; the truth is
	 * one label for all of them.  For each rival j the walk of the gap
	 * between the leader and j under three truths: the leader (the
	 * leader gains with a, j with wrong), j (the reverse), any other
	 * label (both with wrong).
	 */
	for (j = 0; j < n_labels; j++) {
		p_lead[j] = p_own[j] = p_other[j] = 0.0;
		if (j == leader || !(post[j] > 0.0))
			continue;
		/* j leads or ties once net <= -gap / weight */
		limit = -(log(post[leader]) - log(post[j])) / weight;
		p_lead[j] = flip_walk(remaining, a, wrong, limit, prob, next);
		p_own[j] = flip_walk(remaining, wrong, a, limit, prob, next);
		p_other[j] = n_labels > 2
		    ? flip_walk(remaining, wrong, wrong, limit, prob, next)
		    : 0.0;
		sum_lead += p_lead[j];
		sum_other += p_other[j];
	}
	/* P(flip) = sum over truths h of post[h] P(some rival ends on top |
	 * h), each a union bound over the rivals, at most 1 */
	total = post[leader] * fmin(1.0, sum_lead);
	for (j = 0; j < n_labels; j++)
		if (j != leader && post[j] > 0.0)
			total += post[j] *
			    fmin(1.0, p_own[j] + sum_other - p_other[j]);
	return fmin(1.0, total);
}

int
rep_finalize_decide_futile(const double *post, int n_labels, int n_votes,
    double weight, const struct rep_params *p, struct rep_decision *out)
{
	double flip;
	int    rc;

	if ((rc = rep_finalize_decide(post, n_labels, n_votes, p, out)) != 0)
		return rc;
	if (out->state != REP_TASK_OPEN || !(p->futility > 0.0) ||
	    n_votes < p->min_votes)
		return REP_OK;
	flip = rep_flip_probability(post, n_labels, p->max_votes - n_votes,
	    weight);
	if (flip < 0.0)
		return REP_ERR_INVALID;
	if (flip < p->futility)
		out->state = REP_TASK_FINAL_LOW_CONFIDENCE;
	return REP_OK;
}
