/*
 * reputation/update.c — Beta updates of labelers on finalization
 * (see update.h; Dawid & Skene 1979, one-coin expected counts).
 */
#include <math.h>

#include "reputation/update.h"

static void
cap_evidence(struct rep_voter *v, const struct rep_params *p)
{
	double mass = v->alpha + v->beta;

	if (p->evidence_max > 0.0 && mass > p->evidence_max) {
		v->alpha *= p->evidence_max / mass;
		v->beta *= p->evidence_max / mass;
	}
}

int
rep_reputation_evidence(const int *labels, size_t n, int n_labels,
    int final_label, double confidence, bool gold, const struct rep_params *p,
    double *d_alpha, double *d_beta)
{
	double c;
	size_t i;

	if (rep_params_check(p) != 0 ||
	    (n > 0 && (labels == NULL || d_alpha == NULL || d_beta == NULL)) ||
	    n > REP_MAX_VOTES)
		return REP_ERR_INVALID;
	if (n_labels < REP_MIN_LABELS || n_labels > REP_MAX_LABELS ||
	    final_label < 0 || final_label >= n_labels)
		return REP_ERR_INVALID;
	if (!gold && !(confidence >= 0.0 && confidence <= 1.0))
		return REP_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (labels[i] < 0 || labels[i] >= n_labels)
			return REP_ERR_INVALID;
	c = gold ? p->gold_gain : p->update_gain * confidence;
	for (i = 0; i < n; i++) {
		d_alpha[i] = labels[i] == final_label ? c : 0.0;
		d_beta[i] = labels[i] == final_label ? 0.0 : c;
	}
	return REP_OK;
}

static int
voter_ok(const struct rep_voter *v)
{
	return v->alpha > 0.0 && v->beta > 0.0 && isfinite(v->alpha) &&
	    isfinite(v->beta);
}

int
rep_reputation_add(struct rep_voter *v, double d_alpha, double d_beta,
    const struct rep_params *p)
{
	if (v == NULL || rep_params_check(p) != 0 || !voter_ok(v) ||
	    !(d_alpha >= 0.0) || !(d_beta >= 0.0) || !isfinite(d_alpha) ||
	    !isfinite(d_beta))
		return REP_ERR_INVALID;
	v->alpha += d_alpha;
	v->beta += d_beta;
	cap_evidence(v, p);
	return REP_OK;
}

int
rep_reputation_update(struct rep_voter *voters, const int *labels, size_t n,
    int n_labels, int final_label, double confidence, bool gold,
    const struct rep_params *p)
{
	double da, db;
	size_t i;
	int    rc;

	if ((n > 0 && (voters == NULL || labels == NULL)) || n > REP_MAX_VOTES)
		return REP_ERR_INVALID;
	/* All-or-nothing: everything is checked before anything changes. */
	if (rep_reputation_evidence(NULL, 0, n_labels, final_label, confidence,
		gold, p, NULL, NULL) != 0)
		return REP_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (!voter_ok(&voters[i]) || labels[i] < 0 ||
		    labels[i] >= n_labels)
			return REP_ERR_INVALID;
	for (i = 0; i < n; i++) {
		/* One voter at a time: the same numbers as evidence + add. */
		if ((rc = rep_reputation_evidence(&labels[i], 1, n_labels,
			 final_label, confidence, gold, p, &da, &db)) != 0)
			return rc;
		if ((rc = rep_reputation_add(&voters[i], da, db, p)) != 0)
			return rc;
	}
	return REP_OK;
}

int
rep_reputation_recalibrate(struct rep_voter *v, double accuracy,
    double n_answers, const struct rep_params *p)
{
	double mass;

	if (v == NULL || rep_params_check(p) != 0 ||
	    !(accuracy > 0.0 && accuracy < 1.0) || !(n_answers >= 0.0) ||
	    !isfinite(n_answers))
		return REP_ERR_INVALID;
	mass = p->prior_alpha + p->prior_beta + n_answers;
	if (p->evidence_max > 0.0 && mass > p->evidence_max)
		mass = p->evidence_max;
	v->alpha = accuracy * mass;
	v->beta = (1.0 - accuracy) * mass;
	return REP_OK;
}
