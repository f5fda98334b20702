/*
 * labeling/export.h — a project's final labels for its owner, as JSON lines
 * (one {task_id, external_id, label, confidence, votes, low_confidence,
 * leaf_index, anchored, gold, unverified, anchor_tree_size, anchor_tx_hash}
 * per line) or CSV with the same columns in that order and a header row
 * (RFC 4180 quoting; a null is an empty field), a page at a time.  A gold
 * row (gold true) carries the gold answer as its label and is never
 * low_confidence.  `anchored` is true exactly when the leaf is under a
 * confirmed anchor; anchor_tree_size and anchor_tx_hash ("0x…") are then
 * that anchor's (the largest confirmed one), null otherwise.
 */
#ifndef LC_EXPORT_H
#define LC_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct db;

enum export_format { EXPORT_JSONL, EXPORT_CSV };

/*
 * One page: the final tasks with ids above `after` (0: from the first), in
 * id order, `limit` (1 .. LC_MAX_EXPORT_ROWS) at most.  *out is malloc'd
 * (caller frees), *len its length; *next_after gets the last id of a full
 * page (where the next page starts), 0 when this page is the last.
 */
int export_labels(struct db *db, int64_t owner_id, int64_t project_id,
    enum export_format fmt, int64_t after, int limit, char **out, size_t *len,
    int64_t *next_after, char *detail);

#endif
