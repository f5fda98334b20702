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
 * Crowds do not err uniformly: on the dog set 94% of the wrong answers on
 * each breed name its look-alike, not one of the other two.  The one-coin
 * model of the weights (P(vote l | truth k) = (1 - p) / (K - 1) for l != k)
 * then takes three voters who agree on the look-alike for three
 * independent witnesses against every other label, and a posterior of
 * 0.997 is right 75% of the time.  With the crowd's distribution of wrong
 * answers e[k][l] (row k: the truth; l != k; each row sums to 1),
 * P(vote l | truth k) = (1 - p) e[k][l], and a vote adds to every label k
 * it does not name scale * log((K - 1) e[k][l]): nothing when e is
 * uniform, the evidence for its look-alike when it is not.
 *
 * rep_error_mix(): lmix[k * K + l] = log((K - 1) e[k][l]) from counts of
 * wrong answers counts[k * K + l] (truth k, answer l; the diagonal is
 * ignored), each row drawn toward uniform by `smooth` pseudo-answers per
 * cell; the diagonal of lmix is 0.  lmix may be counts (row k is read
 * whole before it is written).  0 or REP_ERR_INVALID (a negative or
 * non-finite count, smooth <= 0).
 *
 * rep_posterior_mix(): rep_posterior() with that term, scales[i] the
 * stake factor over the temperature of vote i (0 for a vote of no weight,
 * which then adds nothing at all; weights.h: weight = scale * log-odds).
 * lmix NULL: rep_posterior().  0 or REP_ERR_INVALID.
 */
int rep_error_mix(const double *counts, int n_labels, double smooth,
    double *lmix);
/* The market's smoothing: one pseudo-answer per cell. */
#define REP_ERROR_SMOOTH 1.0
int rep_posterior_mix(const struct rep_vote *votes, const double *scales,
    size_t n_votes, int n_labels, const double *log_prior, const double *lmix,
    double *post);

/*
 * The leading label: index of the largest post[k], ties going to the lowest
 * index (a fixed, documented rule).  -1 on invalid input.
 */
int rep_posterior_leader(const double *post, int n_labels);

#endif
