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

/* Confidence in integer basis points (rounded down), for the Merkle leaf. */
int rep_confidence_bp(double confidence);

#endif
