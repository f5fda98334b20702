/*
 * reputation/finalize.h — when is a task done, and with which label.
 *
 * Confidence-driven redundancy: instead of a fixed number of votes per task,
 * a task stops as soon as the posterior of its leading label reaches the
 * project's confidence target, once it has at least min_votes; at max_votes
 * it stops anyway and is flagged low-confidence.  (The adaptive-redundancy
 * idea of Karger, Oh & Shah 2011 and of Welinder & Perona, "Online
 * crowdsourcing: rating annotators and obtaining cost-effective labels",
 * CVPR workshops 2010.)
 *
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef REP_FINALIZE_H
#define REP_FINALIZE_H

#include "reputation/params.h"

enum rep_task_state {
	REP_TASK_OPEN = 0,		  /* needs more votes */
	REP_TASK_FINAL = 1,		  /* leader reached the target */
	REP_TASK_FINAL_LOW_CONFIDENCE = 2 /* max_votes reached below target */
};

struct rep_decision {
	enum rep_task_state state;
	int		    label;	/* leader, ties to lowest index */
	double		    confidence; /* its posterior, in [1/K, 1] */
};

/*
 * Decide from a task's posterior (posterior.h) and its number of votes:
 *	n_votes >= min_votes and post[leader] >= confidence  -> FINAL
 *	otherwise n_votes >= max_votes                       -> FINAL_LOW_CONFIDENCE
 *	otherwise                                            -> OPEN
 * label and confidence are filled in every state.  n_votes should count
 * the votes that carry weight (rep_vote_weight() > 0): a zero-weight vote
 * adds no evidence, and counting it would let worthless accounts (sybils,
 * detected spammers) use up max_votes; measured in bench/aggregation.
 * 0 or REP_ERR_INVALID.
 */
int rep_finalize_decide(const double *post, int n_labels, int n_votes,
    const struct rep_params *p, struct rep_decision *out);

/*
 * The probability that `remaining` more votes would change a task's
 * leading label.  Each vote to come is a one-coin voter's whose weight
 * (weights.h: the log-odds of its accuracy a among n_labels labels) is
 * `weight`, so a = 1 / (1 + (n_labels - 1) e^-weight): given the true
 * label it names that label with probability a and each other label with
 * (1 - a) / (n_labels - 1), independently of the others.  The truth is
 * one label for all of them, label h with probability post[h]:
 *
 *	P(flip) = sum_h post[h] P(flip | h)
 *
 * (not a walk whose every step mixes the truths, which would average away
 * the drift a wrong leader meets).  Given h, a rival j takes the lead (or
 * ties it) when the votes for the leader and for j, which move
 * log(post[leader] / post[j]) by +weight and -weight, end at or below 0:
 * an exact random walk; P(flip | h) is the sum over the rivals (a union
 * bound), at most 1.  1 when weight <= 0 (the votes to come cannot be
 * modelled) or remaining > REP_FLIP_MAX_REMAINING; 0 when remaining <= 0.
 * -1 on invalid input.
 */
#define REP_FLIP_MAX_REMAINING 256
double rep_flip_probability(const double *post, int n_labels, int remaining,
    double weight);

/*
 * rep_finalize_decide(), then stopping for futility: an OPEN decision
 * with n_votes >= min_votes becomes FINAL_LOW_CONFIDENCE when p->futility
 * > 0 and rep_flip_probability() of the max_votes - n_votes votes still
 * to come, each of weight `weight` (labeling/ takes the largest weight a
 * vote can carry: accuracy_max at full stake, over the temperature), is
 * below p->futility.  Same returns.
 */
int rep_finalize_decide_futile(const double *post, int n_labels, int n_votes,
    double weight, const struct rep_params *p, struct rep_decision *out);

/* Confidence in integer basis points (rounded down), for the Merkle leaf. */
int rep_confidence_bp(double confidence);

#endif
