/*
 * reputation/vote_index.h — a batch of votes laid out for fast EM passes.
 *
 * EM over a large batch alternates two passes: the E-step walks every
 * item's votes and reads each voter's parameters, the M-step walks every
 * worker's votes and reads each item's posterior.  Done over votes in
 * arrival order, both passes scatter writes all over memory and cannot be
 * split between threads without locks.  The index holds the votes twice,
 * grouped by item and grouped by worker (compressed sparse rows, built by
 * a stable counting sort in O(n_obs + n_items + n_workers)), each vote
 * packed in 32 bits as (other index << 6 | label): a pass then writes one
 * contiguous row at a time, and any range of items or of workers can go
 * to its own thread.
 *
 * Limits: n_items and n_workers <= REP_INDEX_MAX (2^26 - 1, what fits
 * beside a 6-bit label; REP_MAX_LABELS is 64), n_obs < 2^32.
 *
 * Pure: no I/O, no globals.  rep_vote_index_build() allocates the index
 * with malloc (about 8 bytes per vote and 8 per item and per worker);
 * rep_vote_index_free() releases it and is a no-op on a zeroed index.
 */
#ifndef REP_VOTE_INDEX_H
#define REP_VOTE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "reputation/obs.h"
#include "reputation/parallel.h"

#define REP_INDEX_LABEL_BITS 6
#define REP_INDEX_LABEL_MASK ((1u << REP_INDEX_LABEL_BITS) - 1)
#define REP_INDEX_MAX ((1 << (32 - REP_INDEX_LABEL_BITS)) - 1)

struct rep_vote_index {
	int	  n_items, n_workers, n_labels;
	size_t	  n_obs;
	size_t	 *item_start;	/* n_items + 1: votes of item i are */
	uint32_t *item_votes;	/* [item_start[i], item_start[i+1]): w<<6|l */
	size_t	 *worker_start; /* n_workers + 1: likewise, */
	uint32_t *worker_votes; /* i<<6|l, in batch order within a row */
};

/*
 * Build the index of batch b (checked with rep_batch_check()), its two
 * halves as two blocks on par (NULL: in turn here).  0, REP_ERR_INVALID
 * (bad batch or over the limits) or REP_ERR_NOMEM; on error *ix is zeroed.
 */
int rep_vote_index_build(const struct rep_batch *b,
    const struct rep_parallel *par, struct rep_vote_index *ix);

void rep_vote_index_free(struct rep_vote_index *ix);

#endif
