/*
 * labeling/project.h — projects: creation, listing with progress figures,
 * funding of the escrow, pause / resume / close.
 *
 * Who sees what: the owner sees and manages their project; a labeler sees
 * every open project, with what it lacks to join (stake below min_stake),
 * and any project it worked in (voted, or holds a lease), whatever its
 * status; everyone else gets LC_ERR_FORBIDDEN for an existing project and
 * LC_ERR_NOT_FOUND for a missing one.
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
	int64_t	    stake_ref; /* 0: the default, project_stake_ref() */
	double	    gold_rate;
	double	    newcomer_gold_rate; /* default PROJECT_NEWCOMER_GOLD_RATE */
	double	    futility;		/* default PROJECT_FUTILITY */
};

/*
 * The gold rate of a labeler's claims in a project until it has answered
 * 3 gold tasks there (lc_claim, sql/0006_live_aggregation.sql), when the
 * project says nothing: half its first tasks are controls.
 */
#define PROJECT_NEWCOMER_GOLD_RATE 0.5

/*
 * A task stops, flagged low_confidence, once it has min_votes and the
 * votes it may still take would change its label with a probability below
 * this (reputation/finalize.h, sql/0015_futility.sql), when the project
 * says nothing; 0 runs every task below its target to max_votes.
 */
#define PROJECT_FUTILITY 0.05

/*
 * The stake that earns a vote full weight in a project
 * (reputation/weights.h, h(s) = min(1, sqrt(s / stake_ref))), unless the
 * requester sets one: the project's min_stake, or 1 micro-credit when that
 * is 0.  At this default every labeler allowed in votes with full weight,
 * so the price of a unit of weight is exactly min_stake, whether the stake
 * sits in one identity or is split over many (README, "Stake and weight").
 */
int64_t project_stake_ref(int64_t min_stake);

/*
 * Validate a create body: name (1..LC_MAX_NAME_BYTES), instructions
 * (optional, <= LC_MAX_INSTRUCTIONS_BYTES), labels (2..64 distinct non-empty
 * strings without newline, <= LC_MAX_LABEL_BYTES), reward_per_task >= 0,
 * 1 <= min_votes <= max_votes <= 50, 0.5 < confidence < 1, min_stake >= 0,
 * stake_ref (optional) >= 1, 0 <= gold_rate <= 0.5, 0 <=
 * newcomer_gold_rate <= 1 (optional), 0 <= futility <= 0.5 (optional).
 * Pure; strings are borrowed from `body`.
 */
int project_params_parse(const cJSON *body, struct project_params *out,
    char *detail);

/*
 * What an owner may change once votes may exist: the name and the
 * instructions, nothing that fixes what a vote means (labels, reward,
 * vote bounds, confidence, stakes, gold rate).  NULL: unchanged.
 */
struct project_edit {
	const char *name;	  /* borrowed from the parsed body */
	const char *instructions; /* "" for a JSON null */
};

/*
 * Validate a PATCH body: an object with name (1..LC_MAX_NAME_BYTES) and/or
 * instructions (string or null, <= LC_MAX_INSTRUCTIONS_BYTES), each at most
 * once.  Any other member is LC_ERR_VALIDATION with a detail that names
 * them all ("cannot be edited: labels, min_votes (...)"); an object with
 * neither is LC_ERR_VALIDATION too; a non-object LC_ERR_BAD_JSON.  Pure.
 */
int
project_edit_parse(const cJSON *body, struct project_edit *out, char *detail);

enum project_scope {
	PROJECT_SCOPE_ALL,  /* what the caller's roles let it list */
	PROJECT_SCOPE_OWN,  /* the projects it owns (requesters) */
	PROJECT_SCOPE_LABEL /* the open projects (labelers) */
};

/* One page of GET /v1/projects, newest first. */
struct project_list_opts {
	enum project_scope scope;
	int64_t		   before; /* ids below this one; 0: from the newest */
	int		   limit;  /* 1 .. LC_MAX_PROJECTS_LISTED */
};

/*
 * Parse the query parameters scope (own | label | all), before (a
 * positive id) and limit (1 .. LC_MAX_PROJECTS_LISTED, default
 * LC_PROJECTS_PAGE); NULL: not given.  LC_ERR_VALIDATION with a detail.
 * Pure.
 */
int project_list_opts_parse(const char *scope, const char *before,
    const char *limit, struct project_list_opts *out, char *detail);

int project_create(struct db *db, int64_t owner_id,
    const struct project_params *p, cJSON **out, char *detail);
/*
 * A page of projects: the caller's own (requesters) and the open ones
 * (labelers), newest first.  Each project a labeler does not own carries
 * join: {eligible, needs_stake}: whether it may claim now, and how many
 * micro-credits of stake it lacks (0 when its stake meets min_stake).
 * Caller frees *out.
 */
int project_list(struct db *db, int64_t account_id, unsigned roles,
    const struct project_list_opts *opts, cJSON **out);
/* One project; for a labeler with join as in project_list(). */
int project_get(struct db *db, int64_t account_id, unsigned roles,
    int64_t project_id, cJSON **out, char *detail);
/* Apply an edit (owner only, any status); *out: the project. */
int project_edit(struct db *db, int64_t owner_id, int64_t project_id,
    const struct project_edit *e, cJSON **out, char *detail);
/*
 * Owner moves balance into the escrow; the escrow then funds the pots of
 * tasks waiting for their reward (only funded tasks are offered).
 */
int project_fund(struct db *db, int64_t owner_id, int64_t project_id,
    int64_t amount, cJSON **out, char *detail);

enum project_action { PROJECT_PAUSE, PROJECT_RESUME, PROJECT_CLOSE };
/*
 * Close cancels the open tasks and their leases, releases the bonds of the
 * votes on them, and returns the escrow and the pots of those tasks to the
 * owner.  Pause stops claims (votes on held leases still count).
 */
int project_set_status(struct db *db, int64_t owner_id, int64_t project_id,
    enum project_action action, cJSON **out, char *detail);

/*
 * Fund the pots of the project's unfunded open tasks from its escrow, as
 * far as it goes (lc_reserve_rewards), inside the caller's transaction,
 * which holds the project row FOR UPDATE.
 */
int project_reserve(struct db *db, int64_t project_id);

/*
 * Lock the project row (FOR SHARE, or FOR NO KEY UPDATE when for_update)
 * inside the caller's transaction, before any other lock of it (level 0
 * of the lock order written down in project.c), and check ownership; 0,
 * LC_ERR_NOT_FOUND or LC_ERR_FORBIDDEN.  *status gets "open", "paused" or
 * "closed".
 */
int project_lock_owned(struct db *db, int64_t owner_id, int64_t project_id,
    int for_update, char status[8], char *detail);

#endif
