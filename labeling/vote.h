/*
 * labeling/vote.h — signed votes.
 *
 * The labeler signs "labelchain:vote:v1\n<assignment_id>\n<task_id>\n<label>"
 * (UTF-8, no trailing newline) with the Ed25519 key of the account.  A vote
 * is accepted on a live lease of the caller, for a label of the project,
 * with a valid signature.  It bonds part of the voter's free stake until
 * the task is final (reputation/weights.h, rep_vote_stake()), and when the
 * finalization rule says so it finalizes the task (finalize.h) — and, when
 * asked, leases the voter's next task of the project — all in one
 * transaction.
 *
 * Two round trips to PostgreSQL: one statement reads everything the
 * decision needs (no transaction held open); the signature is checked and
 * the decision computed here; then one pipelined transaction applies it
 * (the vote's statement, the finalization's, lc_claim), refused and
 * redone from a fresh read if the task or a voter changed in between.
 */
#ifndef LC_VOTE_H
#define LC_VOTE_H

#include <stddef.h>
#include <stdint.h>

#include "labeling/assignment.h"

struct db;

struct vote_in {
	int64_t	    account_id;
	int64_t	    assignment_id;
	const char *label;
	const char *signature; /* 128 lower-case hex digits */
	int	    want_next; /* lease the next task in the same request */
	int	    lease_s;   /* for the next lease */
};

struct vote_result {
	int64_t	     task_id;
	int	     n_votes; /* the task's votes, this one included */
	int	     final;   /* the task is final now */
	int	     has_next;
	struct claim next; /* when has_next; vote_result_free() */
};

void vote_result_free(struct vote_result *r);

/* The signed message into buf; its length, or -1 if it does not fit. */
int vote_message(int64_t assignment_id, int64_t task_id, const char *label,
    char *buf, size_t len);

/*
 * 0, or LC_ERR_VALIDATION (label, signature form), LC_ERR_NOT_FOUND,
 * LC_ERR_FORBIDDEN (another labeler's lease, no key), LC_ERR_CONFLICT
 * (already voted), LC_ERR_EXPIRED (lease expired), LC_ERR_STATE (task
 * final, lease given back, project closed), LC_ERR_BAD_VOTE_SIGNATURE,
 * LC_ERR_RETRY (still contended after LC_DB_TX_RETRIES tries), with a
 * detail.  A next lease that cannot be had leaves has_next 0.
 */
int vote_submit(struct db *db, const struct vote_in *in,
    struct vote_result *out, char *detail);

#endif
