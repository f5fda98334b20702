/*
 * labeling/assignment.h — claiming the next task of a project, giving it
 * back, and sweeping expired leases.
 *
 * A claim leases one open, funded task to one labeler until expires_at: one
 * call of the SQL function lc_claim() (sql/0004_money_path.sql), one round
 * trip.  Only labelers whose total stake meets the project's min_stake, and
 * whose free stake can back one more vote, may claim.  A task is never
 * offered twice to the same labeler; tasks nearest finalization come
 * first; gold tasks are drawn with probability gold_rate and look like any
 * other.  A task carries at most `need` live leases (max(min_votes - votes,
 * 1), never past max_votes), counted on its row and indexed, so concurrent
 * claimers spread over tasks instead of queueing on full ones.  A labeler
 * holds at most LC_MAX_LEASES_PER_LABELER live leases per project; a claim
 * past that returns the oldest one again.  The limit holds under any
 * concurrency: claims of one labeler take its claim lock.  "No task" means
 * there is none this labeler may take now.
 */
#ifndef LC_ASSIGNMENT_H
#define LC_ASSIGNMENT_H

#include <libpq-fe.h>
#include <stdint.h>

struct db;

/*
 * A lease, as a claim returns it.  The strings point into `res`, which the
 * struct owns: claim_free() releases it (a zeroed struct is a no-op).
 */
struct claim {
	int64_t	    assignment_id;
	int64_t	    project_id;
	int64_t	    task_id;
	const char *data;	  /* the task's JSON, as uploaded */
	const char *labels;	  /* the project's labels, '\n'-separated */
	const char *instructions; /* the project's instructions */
	const char *expires_at;	  /* "…Z", UTC */
	PGresult   *res;
};

void claim_free(struct claim *c);

/*
 * The parameters of one claim, with two uniform draws in [0, 1).
 */
struct claim_in {
	int64_t account_id;
	int64_t project_id;
	int	lease_s;
	double	gold_draw;  /* < the gold rate: prefer a gold task */
	double	fresh_draw; /* where among fresh tasks to start looking */
};

/* A uniform draw in [0, 1) from libsodium's CSPRNG. */
double assignment_draw(void);

/*
 * Claim: 0 with *out filled, 1 (not an error) when there is no task this
 * labeler may take, or LC_ERR_NOT_FOUND (no project), LC_ERR_STATE (the
 * project is paused or closed), LC_ERR_STAKE (stake below min_stake, or
 * all of it bonded) with a detail.
 */
int assignment_claim(struct db *db, const struct claim_in *in,
    struct claim *out, char *detail);

/*
 * The SQL of a claim inside a vote's transaction ("next": true): the
 * prepared statement's name and its parameters, filled into caller
 * buffers.  It never waits on another transaction's task.  Read its
 * result with assignment_claim_result().
 */
#define ASSIGNMENT_CLAIM_PARAMS 13
struct claim_params {
	const char *v[ASSIGNMENT_CLAIM_PARAMS];
	char	    buf[ASSIGNMENT_CLAIM_PARAMS][32];
};
const char *assignment_claim_sql(const struct claim_in *in, int wait,
    struct claim_params *out);
/* Take over `res` (a result of lc_claim): as assignment_claim() returns. */
int assignment_claim_result(PGresult *res, int64_t project_id,
    struct claim *out, char *detail);

/* Give a held lease back (status skipped). */
int assignment_skip(struct db *db, int64_t account_id, int64_t assignment_id,
    char *detail);

/*
 * Mark up to `limit` expired leases (of every project) 'expired' and give
 * their slots back; *swept gets the number.  Own transaction.
 */
int assignment_sweep_expired(struct db *db, int limit, int *swept);

#endif
