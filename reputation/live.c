/*
 * reputation/live.c — the live market's additions to the model (live.h).
 */
#include <math.h>

#include "reputation/live.h"
#include "reputation/posterior.h"

void
rep_params_live(struct rep_params *p)
{
	rep_params_default(p);
	/* Uniform: a newcomer is presumed no better than a coin. */
	p->prior_alpha = 1.0;
	p->prior_beta = 1.0;
	p->credible_z = 1.28;
	p->gold_ban_min = 3;
	p->gold_ban_z = 2.0;
	p->loo_evidence = true;
	p->qualify_margin = 0.2;
	p->accuracy_max = 0.9;
	p->slash_confidence = 0.95;
	p->pay_unweighted = false;
}

int
rep_reputation_evidence_loo(const int *labels, const double *weights, size_t n,
    int n_labels, int final_label, const struct rep_params *p, double *d_alpha,
    double *d_beta)
{
	double score[REP_MAX_LABELS], post[REP_MAX_LABELS], chance, sure;
	size_t i;
	int    k;

	if (rep_params_check(p) != 0 || n > REP_MAX_VOTES ||
	    (n > 0 &&
		(labels == NULL || weights == NULL || d_alpha == NULL ||
		    d_beta == NULL)))
		return REP_ERR_INVALID;
	if (n_labels < REP_MIN_LABELS || n_labels > REP_MAX_LABELS ||
	    final_label < 0 || final_label >= n_labels)
		return REP_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (labels[i] < 0 || labels[i] >= n_labels ||
		    !isfinite(weights[i]) || weights[i] < 0.0)
			return REP_ERR_INVALID;
	for (k = 0; k < n_labels; k++)
		score[k] = 0.0;
	for (i = 0; i < n; i++)
		score[labels[i]] += weights[i];
	chance = 1.0 / n_labels;
	for (i = 0; i < n; i++) {
		/* The others' posterior: the total less this vote. */
		score[labels[i]] -= weights[i];
		(void)rep_score_posterior(score, n_labels, post);
		score[labels[i]] += weights[i];
		sure = (post[final_label] - chance) / (1.0 - chance);
		if (!(sure > 0.0))
			sure = 0.0;
		if (sure > 1.0)
			sure = 1.0;
		d_alpha[i] =
		    labels[i] == final_label ? p->update_gain * sure : 0.0;
		d_beta[i] =
		    labels[i] == final_label ? 0.0 : p->update_gain * sure;
	}
	return REP_OK;
}

bool
rep_gold_banned(int right, int wrong, int n_labels, const struct rep_params *p)
{
	double chance, mean, n = (double)right + (double)wrong;

	if (p == NULL || p->gold_ban_min <= 0 || n < p->gold_ban_min ||
	    n_labels < 2)
		return false;
	chance = 1.0 / n_labels;
	mean = (1.0 + right) / (n + 2.0);
	return mean + p->gold_ban_z * sqrt(mean * (1.0 - mean) / (n + 3.0)) <
	    chance + p->qualify_margin * (1.0 - chance);
}

double
rep_ds_worker_informed_accuracy(const struct rep_ds_model *m, int n_labels,
    int worker)
{
	const double *pi;
	double	      a = 0.0, ar = 0.0, q, kappa, chance;
	int	      k, l, K = n_labels;

	if (m == NULL || K < REP_MIN_LABELS || K > REP_MAX_LABELS || worker < 0)
		return 0.0;
	pi = m->confusion + (size_t)worker * K * K;
	for (k = 0; k < K; k++)
		a += m->class_prior[k] * pi[k * K + k];
	for (l = 0; l < K; l++) {
		for (q = 0.0, k = 0; k < K; k++)
			q += m->class_prior[k] * pi[k * K + l];
		ar += m->class_prior[l] * q;
	}
	chance = 1.0 / K;
	if (!(ar < 1.0) || !isfinite(a) || !isfinite(ar))
		return chance;
	kappa = (a - ar) / (1.0 - ar);
	if (!(kappa > 0.0))
		kappa = 0.0;
	if (kappa > 1.0)
		kappa = 1.0;
	return chance + kappa * (1.0 - chance);
}

/* Negative log-likelihood of the gold labels at temperature t. */
static double
temp_nll(const double *scores, const int *gold, size_t n, int K, double t)
{
	double nll = 0.0, mx, z;
	size_t i;
	int    k;

	for (i = 0; i < n; i++) {
		const double *s = scores + i * (size_t)K;

		for (mx = s[0] / t, k = 1; k < K; k++)
			if (s[k] / t > mx)
				mx = s[k] / t;
		for (z = 0.0, k = 0; k < K; k++)
			z += exp(s[k] / t - mx);
		nll -= s[gold[i]] / t - mx - log(z);
	}
	return nll;
}

double
rep_fit_temperature(const double *scores, const int *gold, size_t n,
    int n_labels, double prior_n)
{
	/* Golden-section search on 1 / T in [1 / max, 1]: the NLL is convex
	 * in 1 / T (a log-sum-exp of linear functions). */
	const double g = (sqrt(5.0) - 1.0) / 2.0;
	double	     a = 1.0 / REP_MAX_TEMPERATURE, b = 1.0, c, d, t;
	int	     it;
	size_t	     i;

	if (n == 0 || scores == NULL || gold == NULL ||
	    n_labels < REP_MIN_LABELS || n_labels > REP_MAX_LABELS ||
	    !(prior_n >= 0.0))
		return 1.0;
	for (i = 0; i < n; i++)
		if (gold[i] < 0 || gold[i] >= n_labels)
			return 1.0;
	c = b - g * (b - a);
	d = a + g * (b - a);
	for (it = 0; it < 60; it++) {
		if (temp_nll(scores, gold, n, n_labels, 1.0 / c) <
		    temp_nll(scores, gold, n, n_labels, 1.0 / d))
			b = d;
		else
			a = c;
		c = b - g * (b - a);
		d = a + g * (b - a);
	}
	t = 2.0 / (a + b);
	if (!(t >= 1.0))
		t = 1.0;
	if (t > REP_MAX_TEMPERATURE)
		t = REP_MAX_TEMPERATURE;
	return 1.0 + (t - 1.0) * (double)n / ((double)n + prior_n);
}
