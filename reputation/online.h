/*
 * reputation/online.h — replay of the online market model over a batch of
 * votes in arrival order: what labelchain's market would have concluded.
 *
 * For each vote in order: the voter's current weight (weights.h) is added to
 * the item's log score (posterior.h); every item is finalized after its last
 * vote in the batch, or as soon as rep_finalize_decide() says FINAL when
 * stop_at_target is set (later votes on it are then ignored, as a market
 * would never have asked for them); at finalization the voters' reputations
 * are updated (update.h).  Used by `labelctl aggregate --method stake` and by
 * the benchmarks (dynamic redundancy).
 *
 * Batch pass (stop_at_target only, p->batch_interval > 0): the market can
 * only stop early if it knows whom to trust early, and online updates
 * arrive only when items finalize — a labeler who answers many items before
 * any of them closes (a spammer voting first everywhere) keeps the prior's
 * weight on all of them.  So each time batch_interval * n_items more votes
 * have been counted, the replay does what the market's batch pass does:
 * Dawid-Skene EM (dawid_skene.h) over the votes counted so far on items
 * that have at least two (a lone vote says nothing about its voter), each
 * labeler seen there recalibrated to Beta(prior_alpha + a n, prior_beta +
 * (1 - a) n), a its DS accuracy and n its votes there (the prior keeps a
 * few votes from making a labeler near-certain; the evidence cap applies),
 * and every open item re-scored with its voters' new weights; its decision
 * is taken when its next vote arrives.  Without stop_at_target every item
 * is decided on all its votes and callers re-estimate in batch afterwards,
 * so no pass is made and the result is as with batch_interval 0.
 *
 * Pure: no I/O, no globals.  It allocates O(n_obs + n_items K + n_workers
 * K^2) scratch with malloc and frees it before returning (REP_ERR_NOMEM if
 * that fails).
 */
#ifndef REP_ONLINE_H
#define REP_ONLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "reputation/finalize.h"
#include "reputation/obs.h"
#include "reputation/params.h"
#include "reputation/weights.h"

struct rep_online_out {
	double *item_post;   /* n_items * K, caller's */
	double *vote_weight; /* n_obs, caller's or NULL: weight each vote got */
	int    *item_votes;  /* n_items, caller's or NULL: votes used */
	int    *item_state; /* n_items, caller's or NULL: enum rep_task_state */
	size_t	votes_used; /* out */
};

/*
 * voters[0..n_workers) hold each worker's standing (rep_voter_init() for
 * new ones) and are updated in place.  gold_label: NULL, or n_items entries
 * with the gold label or -1; gold items update reputations as gold tasks.
 * 0, REP_ERR_INVALID or REP_ERR_NOMEM.
 */
int rep_online_replay(const struct rep_batch *b, struct rep_voter *voters,
    const int *gold_label, bool stop_at_target, const struct rep_params *p,
    struct rep_online_out *out);

#endif
