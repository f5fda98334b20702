/*
 * labeling/log_sequencer.h — final labels into the Merkle log, in batches.
 *
 * A finalization queues its leaf record in log_pending, in its own
 * transaction (sql/0004_money_path.sql), so that finalizations never wait
 * on the single row of log_head.  log_sequence() then takes the log head
 * (SELECT ... FOR UPDATE: one sequencer at a time, among all labelchaind
 * instances), gives the oldest pending records the next leaf indices,
 * hashes them and every complete node they make with anchor/'s RFC 6962
 * code (merkle.h), and stores leaves, nodes and the new size in one
 * transaction.  A record is in log_pending or in log_leaves, never both
 * and never neither: no label is lost or logged twice.
 *
 * Appending only ever reads the log's right edge (the complete node at
 * each one bit of the size), so a batch reads those at most 62 nodes once
 * and keeps the edge in memory as it grows.
 */
#ifndef LC_LOG_SEQUENCER_H
#define LC_LOG_SEQUENCER_H

struct db;
struct merkle_hasher;

/* Records one batch takes at most. */
#define LOG_SEQUENCE_BATCH 1000

/*
 * Move up to `limit` pending records (1 .. LOG_SEQUENCE_BATCH) into the
 * log; *appended gets how many.  Own transaction.  0 or an lc_err.
 */
int
log_sequence(struct db *db, struct merkle_hasher *h, int limit, int *appended);

#endif
