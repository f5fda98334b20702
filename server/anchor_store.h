/*
 * server/anchor_store.h — the anchoring worker's rows in PostgreSQL.
 *
 * The database half of the worker's I/O (the chain half is anchor/rpc.h):
 * the open anchor read by column name into a struct anchor_row, the log and
 * the anchors table as an anchor_log_view, and one function per write, each
 * a single transaction (db_pipeline_tx).  The statements are registered
 * with the others of these tables in labeling/log_store.c.
 *
 * Every function returns 0 or an lc_err code.  Nothing allocates: rows are
 * the caller's.
 */
#ifndef LC_ANCHOR_STORE_H
#define LC_ANCHOR_STORE_H

#include <stdint.h>

#include "anchor/decide.h"
#include "labeling/db.h"

#define ANCHOR_MAX_RAW_TX 512 /* bytes of a signed anchor transaction */

/* The open anchor: the typed row and its stored raw transaction. */
struct anchor_open_row {
	struct anchor_row row;
	char		  raw_hex[2 * ANCHOR_MAX_RAW_TX + 1];
	char		  id_s[24]; /* row.id as a statement parameter */
};

/* The anchor in status pending, sent or mined, if any: *found 0 or 1. */
int anchor_store_open(struct db *db, struct anchor_open_row *o, int *found);

/* The log and the last anchors, for anchor_decide(); the nonce counter of
 * sender (0x-hex, lower case) on chain_id; the largest confirmed size and
 * when the last confirmation was (unix time, 0: none). */
int anchor_store_log(struct db *db, const char *sender, uint64_t chain_id,
    struct anchor_log_view *lv, uint64_t *confirmed_size,
    int64_t *confirmed_at);

/* The hashes of the anchor's attempts, newest first: at most max. */
int anchor_store_attempts(struct db *db, const struct anchor_open_row *o,
    uint8_t (*hashes)[ANCHOR_HASH_LEN], int max, int *n);

/* A new anchor (action CREATE), signed as raw_hex / hash_hex: the row, its
 * first attempt and the nonce counter.  LC_ERR_CONFLICT when the size is
 * already anchored (another leader got there). */
struct anchor_new {
	uint64_t		    chain_id;
	const char		   *sender, *to; /* 0x-hex, lower case */
	const uint8_t		   *root;
	const struct anchor_action *action;
	const char		   *raw_hex, *hash_hex;
};
int anchor_store_create(struct db *db, const struct anchor_new *n);

/* The open anchor re-signed (action BUMP) as raw_hex / hash_hex: status
 * pending, one more attempt.  Updates o. */
int anchor_store_replace(struct db *db, struct anchor_open_row *o,
    const struct anchor_action *a, const char *raw_hex, const char *hash_hex);

/* pending → sent.  Updates o. */
int anchor_store_mark_sent(struct db *db, struct anchor_open_row *o);

/* The receipt, and for CONFIRM / FAILED the new status (MINED: mined). */
int anchor_store_receipt(struct db *db, const struct anchor_open_row *o,
    const struct anchor_receipt *r, const struct anchor_action *a);

/* mined → sent: its block left the chain.  Updates o. */
int anchor_store_reorged(struct db *db, struct anchor_open_row *o);

/* Try to become the anchoring leader: the session-level advisory lock key;
 * *lead 1 when this connection holds it. */
int anchor_store_try_lock(struct db *db, long long key, int *lead);

/* The chain head confirmations of final anchors are counted from. */
int anchor_store_head(struct db *db, uint64_t head);

#endif
