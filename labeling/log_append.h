/*
 * labeling/log_append.h — append a final label to the Merkle log.
 *
 * Appends serialise on the single row of log_head (SELECT ... FOR UPDATE),
 * so leaf indices follow finalization (commit) order without gaps.  Each
 * append stores the exact record string, its RFC 6962 leaf hash
 * SHA-256(0x00 || record) and every complete-subtree node the new leaf
 * completes in merkle_nodes(level, idx, hash).  Runs in the caller's
 * transaction.
 */
#ifndef LC_LOG_APPEND_H
#define LC_LOG_APPEND_H

#include <stddef.h>
#include <stdint.h>

struct db;

#define LOG_HASH_LEN 32

int log_append(struct db *db, int64_t task_id, int64_t project_id,
    const char *record, size_t record_len, int64_t *leaf_index);

/* RFC 6962 hashes (SHA-256 with 0x00 / 0x01 prefixes), for tests too. */
void
log_leaf_hash(const void *record, size_t len, unsigned char out[LOG_HASH_LEN]);
void log_node_hash(const unsigned char left[LOG_HASH_LEN],
    const unsigned char right[LOG_HASH_LEN], unsigned char out[LOG_HASH_LEN]);

#endif
