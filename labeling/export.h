/*
 * labeling/export.h — a project's final labels for its owner, as JSON lines
 * (one {task_id, external_id, label, confidence, votes, low_confidence,
 * leaf_index, anchored, gold, unverified, anchor_tree_size, anchor_tx_hash}
 * per line) or CSV with the same columns in that order and a header row
 * (RFC 4180 quoting; a null is an empty field).  A gold row (gold true)
 * carries the gold answer as its label and is never low_confidence.
 * `anchored` is true exactly when the leaf is under a confirmed anchor;
 * anchor_tree_size and anchor_tx_hash ("0x…") are then that anchor's (the
 * largest confirmed one), null otherwise.
 */
#ifndef LC_EXPORT_H
#define LC_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct db;

enum export_format { EXPORT_JSONL, EXPORT_CSV };

/* *out is malloc'd (caller frees), *len its length. */
int export_labels(struct db *db, int64_t owner_id, int64_t project_id,
    enum export_format fmt, char **out, size_t *len, char *detail);

#endif
