/*
 * reputation/posterior.h — the posterior of one task over its K labels.
 *
 *	P(k) ∝ prior(k) · exp(Σ weights of the votes for k)
 *
 * With weights equal to the one-coin log-odds (weights.h) this is the exact
 * Bayes posterior of the true label given independent voters of known
 * accuracy (Nitzan & Paroush 1982; Dawid & Skene 1979 with one-coin
 * confusion matrices).  Work is done in log space: scores are log prior plus
 * summed weights, and P is a softmax computed relative to the maximum score,
 * so it never overflows, never produces NaN and sums to 1 (uniform when no
 * vote carries weight).
 *
 * Two ways to use it:
 *  - rep_posterior(): from the list of (label, weight) votes, in one call;
 *  - running scores: rep_score_init() once, rep_score_add() per vote
 *    (O(1), the market's per-vote path) and rep_score_posterior() when the
 *    probabilities are needed.  The scores are K doubles the caller owns
 *    and may store.
 *
 * Pure: no I/O, no globals, no allocation.  Buffers are caller-provided and
 * hold n_labels doubles.
 */
#ifndef REP_POSTERIOR_H
#define REP_POSTERIOR_H

#include <stddef.h>

#include "reputation/params.h"

/* One vote as the posterior sees it. */
struct rep_vote {
	int    label;  /* 0 <= label < n_labels */
	double weight; /* >= 0, finite (rep_vote_weight()) */
};

/*
 * score[k] = log_prior[k], or 0 for all k when log_prior is NULL (uniform).
 * log_prior entries may be -INFINITY (label impossible) but not all of them,
 * and not NaN or +INFINITY.  0 or REP_ERR_INVALID.
 */
int rep_score_init(double *score, int n_labels, const double *log_prior);

/* score[label] += weight.  0 or REP_ERR_INVALID (bad label or weight). */
int rep_score_add(double *score, int n_labels, int label, double weight);

/* post = softmax(score); 0 or REP_ERR_INVALID (NaN/+inf/all -inf). */
int rep_score_posterior(const double *score, int n_labels, double *post);

/*
 * post[0..n_labels) = posterior of a task from votes[0..n_votes) and an
 * optional log prior (NULL: uniform).  n_votes may be 0.
 * 0 or REP_ERR_INVALID.
 */
int rep_posterior(const struct rep_vote *votes, size_t n_votes, int n_labels,
    const double *log_prior, double *post);

/*
 * The leading label: index of the largest post[k], ties going to the lowest
 * index (a fixed, documented rule).  -1 on invalid input.
 */
int rep_posterior_leader(const double *post, int n_labels);

#endif
