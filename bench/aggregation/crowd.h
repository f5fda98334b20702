/*
 * bench/aggregation/crowd.h — simulated crowds for the benchmarks: items
 * with a true label, workers with a known behaviour, and who voted what.
 *
 * Behaviours:
 *   onecoin	each worker has one accuracy a drawn uniformly from
 *		[acc_lo, acc_hi]; a wrong answer is uniform over the K - 1
 *		other labels (the one-coin model of Karger, Oh & Shah 2011,
 *		the crowd under which no aggregation method should fall below
 *		majority vote);
 *   confusion	each worker has a full confusion matrix: row k puts a_k on
 *		k (a_k drawn around the worker's accuracy) and spreads the
 *		rest over the other labels with random Dirichlet(1) shares —
 *		the Dawid-Skene model (Dawid & Skene 1979).
 * Each item gets per_item distinct workers drawn uniformly, so a worker
 * answers about n_items * per_item / n_workers items.  True labels are
 * uniform.  Votes come out in a random order (as a market would log them),
 * or grouped by item with CROWD_ORDER_ITEM.
 *
 * Deterministic in the seed (xoshiro256**, seeded by splitmix64).
 */
#ifndef LC_BENCH_CROWD_H
#define LC_BENCH_CROWD_H

#include <stddef.h>
#include <stdint.h>

#include "reputation/obs.h"

enum crowd_model { CROWD_ONECOIN, CROWD_CONFUSION };
enum crowd_order { CROWD_ORDER_SHUFFLE, CROWD_ORDER_ITEM };

struct crowd_spec {
	int		 n_items, per_item, n_workers, n_labels;
	double		 acc_lo, acc_hi;
	enum crowd_model model;
	enum crowd_order order;
	uint64_t	 seed;
};

/* Output, allocated by crowd_simulate(), released by crowd_free(). */
struct crowd {
	struct rep_obs *obs; /* n_items * per_item */
	size_t		n_obs;
	int32_t	       *truth;	  /* n_items */
	double	       *accuracy; /* n_workers: the drawn accuracy */
};

/* 0, or -1 on a bad spec or out of memory. */
int  crowd_simulate(const struct crowd_spec *s, struct crowd *c);
void crowd_free(struct crowd *c);

#endif
