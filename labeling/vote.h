/*
 * labeling/vote.h — signed votes.
 *
 * The labeler signs "labelchain:vote:v1\n<assignment_id>\n<task_id>\n<label>"
 * (UTF-8, no trailing newline) with the Ed25519 key of the account.  A vote
 * is accepted on a live lease of the caller, for a label of the project,
 * with a valid signature; it is stored with its signature and weight, the
 * task's posterior is updated and, when the finalization rule says so, the
 * task is finalized (finalize.h) — all in one transaction.
 */
#ifndef LC_VOTE_H
#define LC_VOTE_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct vote_result {
	int	final; /* the task is final now */
	int	n_votes;
	int64_t task_id;
};

/* The signed message into buf; its length, or -1 if it does not fit. */
int vote_message(int64_t assignment_id, int64_t task_id, const char *label,
    char *buf, size_t len);

int vote_submit(struct db *db, int64_t account_id, int64_t assignment_id,
    const char *label, const char *signature, struct vote_result *out,
    char *detail);

#endif
