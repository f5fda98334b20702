/*
 * labeling/assignment.h — claiming the next task of a project, and giving
 * it back.
 *
 * A claim leases one open task to one labeler until expires_at.  Only
 * labelers whose stake meets the project's min_stake may claim; a task is
 * never offered twice to the same labeler (assignments are unique per
 * (task, labeler)); tasks nearest finalization (most votes) come first;
 * gold tasks are drawn with probability gold_rate and look like any other.
 * A task carries at most max(min_votes - votes, 1) live leases, so little
 * work is wasted on tasks that finalize; an expired lease frees its slot.
 */
#ifndef LC_ASSIGNMENT_H
#define LC_ASSIGNMENT_H

#include <stdint.h>

#include <cjson/cJSON.h>

struct db;

/*
 * Claim: *out = {assignment_id, project_id, task:{id, data}, labels,
 * instructions, expires_at}, or NULL (return 0) when nothing is left.
 * A labeler holding a live lease in the project gets that one again.
 */
int assignment_claim(struct db *db, int64_t account_id, int64_t project_id,
    int lease_s, cJSON **out, char *detail);

/* Give a held lease back (status skipped). */
int assignment_skip(struct db *db, int64_t account_id, int64_t assignment_id,
    char *detail);

#endif
