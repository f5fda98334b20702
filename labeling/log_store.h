/*
 * labeling/log_store.h — the label log and its anchors, as PostgreSQL sees them.
 *
 * The market appends each final label to log_leaves and stores the complete
 * Merkle nodes it completes in merkle_nodes (sql/0001_market.sql); anchors,
 * their signed transactions and the nonce counter live in sql/0002_anchor.sql.
 * This file gives the Merkle code (anchor/merkle.h) read access to the
 * stored nodes through a `struct merkle_store`, and owns every SQL statement
 * on those tables (log_store_stmts, listed in db_registry.c) so that the
 * server's handlers, the anchoring worker and labelctl run the same,
 * prepared queries.
 *
 * Ownership: PGresults returned through `out` are the caller's (PQclear).
 * The store borrows `db`; it is only valid while the connection is held.
 */
#ifndef LC_LOG_STORE_H
#define LC_LOG_STORE_H

#include <stdint.h>

#include <libpq-fe.h>

#include "anchor/merkle.h"
#include "labeling/db.h"

extern const struct db_stmt log_store_stmts[];

/* A merkle_store reading merkle_nodes on db.  Missing node: ANCHOR_ESTORE. */
void log_store_init(struct merkle_store *ms, struct db *db);

/*
 * A store that fetches every node a computation needs in one query.  Which
 * nodes a root or a proof reads depends on sizes and indices only, never on
 * hash values, so: run the computation once in recording mode (get_node
 * notes the node and answers zeros), call log_store_cache_fetch(), and run it
 * again for real.  Nodes not recorded are read one by one.  Lives on the
 * caller's stack; borrows db.
 */
#define LOG_STORE_CACHE_MAX 256
struct log_store_cache_node {
	unsigned level;
	uint64_t index;
	uint8_t	 hash[MERKLE_HASH_LEN];
	int	 have;
};
struct log_store_cache {
	struct db		   *db;
	int			    recording;
	size_t			    n;
	struct log_store_cache_node nodes[LOG_STORE_CACHE_MAX];
};
void log_store_cache_init(struct log_store_cache *c, struct db *db,
    struct merkle_store *ms);
/* Fetch the recorded nodes and leave recording mode.  0 or an lc_err. */
int log_store_cache_fetch(struct log_store_cache *c);

/* Number of leaves in the log (leaf indices 0 .. size-1). */
int log_store_size(struct db *db, uint64_t *size);

/* Decode "hex" into exactly n bytes; 0 or LC_ERR_INTERNAL. */
int log_store_unhex(const char *hex, uint8_t *out, size_t n);

#endif
