/*
 * reputation/majority.h — (weighted) majority vote, the baseline and the
 * starting point of EM.
 *
 * Plain majority vote: each item's label is the one with most votes.  Soft
 * form: item_post[i][k] = (weight of votes for k) / (weight of all votes on i),
 * uniform when an item has no vote or all its votes weigh 0.  The hard label
 * is rep_posterior_leader() of a row: ties go to the lowest label index (the
 * rule of ../shared/datasets/reference.py; callers that map strings to
 * indices in sorted order get "ties to the lowest label").
 *
 * Wawa ("worker agreement with aggregate", the Wawa of Toloka's crowd-kit):
 * each worker's skill is the share of its votes that agree with plain
 * majority vote, and the answer is majority vote weighted by skill.  A
 * one-step estimate with no model of confusions, it is the most robust
 * method on crowds where a few workers vote on every item (the temp set:
 * bench/aggregation/RESULTS.md).
 *
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef REP_MAJORITY_H
#define REP_MAJORITY_H

#include "reputation/obs.h"

/*
 * item_post (n_items * K doubles, caller-provided) = vote shares per item.
 * vote_weights: NULL for one vote one voice, else n_obs weights >= 0
 * (e.g. rep_vote_weight() of the voter at the time of the vote).
 * 0 or REP_ERR_INVALID.
 */
int rep_majority(const struct rep_batch *b, const double *vote_weights,
    double *item_post);

/*
 * Wawa: worker_skill and worker_votes (n_workers doubles each, caller's)
 * receive each worker's agreement with majority vote and its number of
 * votes; item_post the skill-weighted vote shares.  0 or REP_ERR_INVALID.
 */
int rep_wawa(const struct rep_batch *b, double *worker_skill,
    double *worker_votes, double *item_post);

#endif
