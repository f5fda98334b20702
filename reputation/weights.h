/*
 * reputation/weights.h — how much one vote counts.
 *
 * A labeler's accuracy p on a project is believed to follow Beta(alpha,
 * beta); we use its mean p = alpha / (alpha + beta), clamped to
 * [1/K, accuracy_max].  For independent voters of known accuracy p choosing
 * among K labels, where a wrong voter picks each wrong label alike (the
 * one-coin model), the Bayes-optimal decision sums per-vote weights
 *
 *	ln((K - 1) p / (1 - p))
 *
 * (Nitzan & Paroush 1982 for K = 2; the K-ary form follows from the same
 * likelihood ratio, see Karger, Oh & Shah 2011).  It is 0 at chance (1/K) and
 * a labeler worse than chance gets weight 0, never a negative weight (that
 * would let a bad labeler steer the outcome by voting against it).
 *
 * Stake scales the weight by h(s) = min(stake_cap, sqrt(s / stake_ref)):
 * concave so that stake buys influence with diminishing returns, capped so
 * that a whale cannot outvote a reputable crowd.  The default cap is 1
 * (at stake_ref): stake then only discounts small accounts and the weights
 * stay calibrated log-odds, so the posterior means what it says; a cap of
 * 3 made the posterior over-confident and cost 6 points of accuracy in the
 * simulator (bench/aggregation/RESULTS.md).  Because sqrt is
 * sub-additive, splitting stake over many accounts would add influence;
 * that is why a new account starts from a modest prior accuracy and earns
 * weight only through agreement with confident consensus and gold tasks.
 *
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef REP_WEIGHTS_H
#define REP_WEIGHTS_H

#include <stdint.h>

#include "reputation/params.h"

/* One labeler's standing on one project. */
struct rep_voter {
	double	alpha; /* > 0: evidence of agreement (+ prior) */
	double	beta;  /* > 0: evidence of disagreement (+ prior) */
	int64_t stake; /* locked stake, micro-credits, >= 0 */
};

/* A new labeler: alpha, beta from the params' prior, the given stake. */
void
rep_voter_init(struct rep_voter *v, int64_t stake, const struct rep_params *p);

/* Mean accuracy alpha / (alpha + beta); 0 on invalid input. */
double rep_voter_accuracy(const struct rep_voter *v);

/*
 * The accuracy a vote is weighted with: the mean alpha / (alpha + beta)
 * when z <= 0, else the mean less z standard deviations of the Beta, at
 * least 0 — a lower credible bound (z = 1.28: about the 10% quantile for
 * all but the smallest counts), so that what is not known about a voter
 * costs weight instead of lending it.
 */
double rep_voter_accuracy_bound(const struct rep_voter *v, double z);

/* Stake factor h(s) = min(stake_cap, sqrt(s / stake_ref)); 0 for s <= 0. */
double rep_stake_factor(int64_t stake, const struct rep_params *p);

/* Log-odds ln((K-1) p / (1-p)) of p clamped to [1/K, accuracy_max]: >= 0. */
double
rep_accuracy_logodds(double accuracy, int n_labels, const struct rep_params *p);

/*
 * The most one vote can lose, in basis points of the stake it is weighted
 * with: max(slash_bp, gold_slash_bp).
 */
int32_t rep_bond_bp(const struct rep_params *p);

/*
 * The stake a vote is weighted with, and the bond it holds until its task
 * is final (stake put at risk by the vote, as a juror's locked stake in
 * Kleros):
 *
 *	s_w  = min(free + bonded, stake_ref * stake_cap^2, free / f)
 *	bond = floor(f * s_w)		f = rep_bond_bp() / 10^4
 *
 * free is the labeler's unbonded stake, bonded what earlier open votes
 * hold.  Stake past stake_ref * stake_cap^2 would earn no more weight (h is
 * capped there), so it is not put at risk either; a labeler whose stake is
 * mostly held by open votes votes with less weight rather than more risk,
 * and bond <= free always.  Slashes are taken on s_w, so they never exceed
 * the bond.  Returns s_w; *bond may be NULL.  0 when free <= 0.
 */
int64_t rep_vote_stake(int64_t free, int64_t bonded, const struct rep_params *p,
    int64_t *bond);

/*
 * The weight of v's vote on a project with n_labels labels: stake factor
 * times the log-odds of rep_voter_accuracy_bound(v, p->credible_z),
 * divided by p->temperature; finite and >= 0.  Returns 0.0 (no influence) on invalid
 * input (NULL, n_labels out of range, alpha or beta not > 0, NaN).
 */
double rep_vote_weight(const struct rep_voter *v, int n_labels,
    const struct rep_params *p);

#endif
