/*
 * reputation/obs.h — a batch of votes, as the batch estimators see it.
 *
 * Items, workers (labelers) and labels are dense indices chosen by the
 * caller: 0 <= item < n_items, 0 <= worker < n_workers, 0 <= label < K.
 * Votes may come in any order; a worker may vote on an item more than once
 * (each vote counts).  Posterior matrices are row-major, n_items rows of K.
 */
#ifndef REP_OBS_H
#define REP_OBS_H

#include <stddef.h>
#include <stdint.h>

struct rep_obs {
	int32_t item;
	int32_t worker;
	int32_t label;
};

/* The shape of a batch; every batch entry point validates obs against it. */
struct rep_batch {
	const struct rep_obs *obs;
	size_t		      n_obs;
	int		      n_items;
	int		      n_workers;
	int		      n_labels; /* K */
};

/* 0 when every vote is in range and the sizes are sane; REP_ERR_INVALID. */
int rep_batch_check(const struct rep_batch *b);

#endif
