/*
 * labeling/project.h — projects: creation, listing with progress figures,
 * funding of the escrow, pause / resume / close.
 *
 * Who sees what: the owner sees and manages their project; a labeler sees
 * open projects whose min_stake their stake meets (and any project they
 * voted in); everyone else gets LC_ERR_FORBIDDEN for an existing project
 * and LC_ERR_NOT_FOUND for a missing one.
 */
#ifndef LC_PROJECT_H
#define LC_PROJECT_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "labeling/limits.h"

struct db;

struct project_params {
	const char *name; /* borrowed from the parsed body */
	const char *instructions;
	const char *labels[LC_MAX_LABELS];
	int	    n_labels;
	int64_t	    reward_per_task;
	int	    min_votes;
	int	    max_votes;
	double	    confidence;
	int64_t	    min_stake;
	double	    gold_rate;
};

/*
 * Validate a create body: name (1..LC_MAX_NAME_BYTES), instructions
 * (optional, <= LC_MAX_INSTRUCTIONS_BYTES), labels (2..64 distinct non-empty
 * strings without newline, <= LC_MAX_LABEL_BYTES), reward_per_task >= 0,
 * 1 <= min_votes <= max_votes <= 50, 0.5 < confidence < 1, min_stake >= 0,
 * 0 <= gold_rate <= 0.5.  Pure; strings are borrowed from `body`.
 */
int project_params_parse(const cJSON *body, struct project_params *out,
    char *detail);

int project_create(struct db *db, int64_t owner_id,
    const struct project_params *p, cJSON **out, char *detail);
int
project_list(struct db *db, int64_t account_id, unsigned roles, cJSON **out);
int project_get(struct db *db, int64_t account_id, unsigned roles,
    int64_t project_id, cJSON **out, char *detail);
/* Owner moves balance into the escrow. */
int project_fund(struct db *db, int64_t owner_id, int64_t project_id,
    int64_t amount, cJSON **out, char *detail);

enum project_action { PROJECT_PAUSE, PROJECT_RESUME, PROJECT_CLOSE };
/* Close returns the unspent escrow to the owner and cancels leases. */
int project_set_status(struct db *db, int64_t owner_id, int64_t project_id,
    enum project_action action, cJSON **out, char *detail);

/*
 * Lock the project row (FOR SHARE or FOR UPDATE) inside the caller's
 * transaction and check ownership; 0, LC_ERR_NOT_FOUND or
 * LC_ERR_FORBIDDEN.  *status gets "open", "paused" or "closed".
 */
int project_lock_owned(struct db *db, int64_t owner_id, int64_t project_id,
    int for_update, char status[8], char *detail);

#endif
