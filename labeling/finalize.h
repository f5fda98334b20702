/*
 * labeling/finalize.h — what happens when a task becomes final, inside the
 * voting transaction: rewards from escrow by weight, slashes of confident
 * disagreement and of gold failures, reputation updates, the task's final
 * state, and the append of its leaf to the label log (log_append.h).
 * The arithmetic is reputation/'s (incentives.h, update.h); this file only
 * moves what it decides through the ledger.
 */
#ifndef LC_FINALIZE_H
#define LC_FINALIZE_H

#include <stdint.h>

#include "reputation/reputation.h"

struct db;

struct finalize_task {
	int64_t			 task_id;
	int64_t			 project_id;
	int			 n_labels;
	const char *const	*labels;     /* n_labels strings */
	int			 gold_label; /* -1: not a gold task */
	const char		*data_sha256;
	int64_t			 reward_per_task;
	const double		*post; /* posterior, n_labels */
	struct rep_decision	 decision;
	const struct rep_params *params;
};

int finalize_task(struct db *db, const struct finalize_task *t);

#endif
